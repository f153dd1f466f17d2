//! The agent's log stream (`/v1/agent/monitor`).

use super::{agent_read, Agent};
use crate::call::{Answer, Call, ReadRequest};
use crate::{Error, Result};
use bytes::{Buf, BytesMut};
use consul_transport::BodyStream;
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::ValidationError;
use futures_core::Stream;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The call of [`Agent::monitor`]: the agent's log, as a [`LogStream`].
#[derive(Debug, Clone, Default)]
pub struct AgentMonitor {
    log_level: Option<String>,
    json: bool,
}

impl Call for AgentMonitor {
    type Output = LogStream;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.log_level.as_deref() == Some("") {
            return Err(ValidationError::Empty { field: "log level" });
        }
        Ok(agent_read("agent/monitor")
            .param_opt("loglevel", self.log_level.clone())
            .flag("logjson", self.json)
            .decode(Decode::LiveStream))
    }

    fn output(&self, answer: Answer) -> Result<LogStream> {
        Ok(LogStream {
            body: answer.into_stream(),
            buffer: BytesMut::new(),
            done: false,
        })
    }
}

impl Agent {
    /// Streams the agent's log, one line per item, from now on (Go's `Monitor`). The
    /// stream never ends by itself: drop it to stop. `.log_level(level)` is one of
    /// `trace`, `debug`, `info`, `warn`, `err` (the agent's own level when unset);
    /// `.json()` makes each line a JSON object (`?logjson`, Consul 1.7+, Go's
    /// `MonitorJSON`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#stream-logs)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let mut lines = client.agent().monitor().log_level("debug").await?.value;
    /// while let Some(line) = lines.next().await {
    ///     println!("{}", line?);
    /// }
    /// let json_lines = client.agent().monitor().log_level("info").json().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty level; a 400 status error for a level Consul does
    /// not know; transport errors. Items are transport errors when the connection breaks.
    pub fn monitor(&self) -> ReadRequest<AgentMonitor> {
        self.read(AgentMonitor::default())
    }
}

impl ReadRequest<AgentMonitor> {
    /// Streams lines of this level and above (`?loglevel=`: `trace`, `debug`, `info`,
    /// `warn` or `err`).
    pub fn log_level(mut self, level: impl Into<String>) -> Self {
        self.call_mut().log_level = Some(level.into());
        self
    }

    /// Streams each line as a JSON object (`?logjson`, Consul 1.7+).
    pub fn json(mut self) -> Self {
        self.call_mut().json = true;
        self
    }
}

/// The agent's log lines, made by [`Agent::monitor`]: a [`Stream`] of `Result<String>`;
/// [`LogStream::next`] reads it without extra crates. Dropping it closes the connection.
pub struct LogStream {
    body: BodyStream,
    buffer: BytesMut,
    done: bool,
}

impl fmt::Debug for LogStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogStream")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl LogStream {
    /// The next line: `None` once the agent closed the stream.
    pub async fn next(&mut self) -> Option<Result<String>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    fn take_line(&mut self, at_end: bool) -> Option<String> {
        let end = match self.buffer.iter().position(|&b| b == b'\n') {
            Some(i) => i,
            None if at_end && !self.buffer.is_empty() => self.buffer.len(),
            None => return None,
        };
        let line = self.buffer.split_to(end);
        if self.buffer.has_remaining() {
            self.buffer.advance(1);
        }
        let text = String::from_utf8_lossy(&line);
        Some(text.trim_end_matches('\r').to_owned())
    }
}

impl Stream for LogStream {
    type Item = Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let this = &mut *self;
            if let Some(line) = this.take_line(this.done) {
                return Poll::Ready(Some(Ok(line)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.body).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => this.done = true,
                Poll::Ready(Some(Ok(chunk))) => this.buffer.extend_from_slice(&chunk),
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Transport(e))));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(chunks: &[&'static str]) -> LogStream {
        let chunks: Vec<_> = chunks
            .iter()
            .map(|c| Ok(bytes::Bytes::from_static(c.as_bytes())))
            .collect();
        LogStream {
            body: BodyStream::new(Iter(chunks.into_iter())),
            buffer: BytesMut::new(),
            done: false,
        }
    }

    struct Iter<I>(I);

    impl<
            I: Iterator<Item = std::result::Result<bytes::Bytes, consul_transport::TransportError>>
                + Unpin,
        > Stream for Iter<I>
    {
        type Item = I::Item;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
            Poll::Ready(self.0.next())
        }
    }

    async fn lines(mut s: LogStream) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(line) = std::future::poll_fn(|cx| Pin::new(&mut s).poll_next(cx)).await {
            out.push(line.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn splits_lines_across_chunks() {
        let got = lines(stream(&["a one\nb t", "wo\r\n", "", "c three"])).await;
        assert_eq!(got, ["a one", "b two", "c three"]);
        assert!(lines(stream(&[])).await.is_empty());
    }
}
