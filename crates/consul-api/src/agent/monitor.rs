//! The agent's log stream (`/v1/agent/monitor`).

use super::Agent;
use crate::{Error, Result};
use bytes::{Buf, BytesMut};
use consul_transport::BodyStream;
use consul_types::{QueryOptions, ValidationError};
use futures_core::Stream;
use http::Method;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

impl Agent {
    /// Streams the agent's log, one line per item, from now on (Go's `Monitor`). The
    /// stream never ends by itself: drop it to stop. `log_level` is one of `trace`,
    /// `debug`, `info`, `warn`, `err` (the agent's own level when `None`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#stream-logs)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// use std::future::poll_fn;
    /// use std::pin::Pin;
    /// use futures_core::Stream;
    /// let mut lines = client.agent().monitor(Some("debug"), &QueryOptions::default()).await?;
    /// while let Some(line) = poll_fn(|cx| Pin::new(&mut lines).poll_next(cx)).await {
    ///     println!("{}", line?);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty level; a 400 status
    /// error for a level Consul does not know; transport errors. Items are transport
    /// errors when the connection breaks.
    pub async fn monitor(&self, log_level: Option<&str>, opts: &QueryOptions) -> Result<LogStream> {
        self.monitor_call(log_level, false, opts).await
    }

    /// As [`Agent::monitor`], with each line a JSON object (`?logjson`, Consul 1.7+).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let lines = client.agent().monitor_json(Some("info"), &QueryOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::monitor`].
    pub async fn monitor_json(
        &self,
        log_level: Option<&str>,
        opts: &QueryOptions,
    ) -> Result<LogStream> {
        self.monitor_call(log_level, true, opts).await
    }

    async fn monitor_call(
        &self,
        log_level: Option<&str>,
        json: bool,
        opts: &QueryOptions,
    ) -> Result<LogStream> {
        if log_level == Some("") {
            return Err(ValidationError::Empty { field: "log level" }.into());
        }
        let (response, _) = self
            .client
            .call(Method::GET, "agent/monitor")
            .param_opt("loglevel", log_level)
            .flag_if("logjson", json)
            .agent_query_options(opts)?
            .send_streaming()
            .await?;
        Ok(LogStream {
            body: response.into_body(),
            buffer: BytesMut::new(),
            done: false,
        })
    }
}

/// The agent's log lines, made by [`Agent::monitor`]: a [`Stream`] of `Result<String>`.
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
