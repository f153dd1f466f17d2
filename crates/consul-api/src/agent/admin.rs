//! The agent's administration: the host it runs on, its version, its metrics (once or as
//! a stream) and its ACL tokens.

use super::{agent_put, agent_read, Agent};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::{Error, Result};
use bytes::{Buf, BytesMut};
use consul_transport::BodyStream;
pub use consul_types::agent::{
    AgentTokenType, BuildInfo, GaugeValue, HostCpu, HostDisk, HostInfo, HostMemory, HostOs,
    MetricsInfo, PointValue, SampledValue,
};
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::{Token, ValidationError};
use futures_core::Stream;
use http::StatusCode;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

/// How 1.8 says the Prometheus format is off (`telemetry.prometheus_retention_time` unset).
const PROMETHEUS_OFF: u16 = 415;

/// The call of [`Agent::host`].
#[derive(Debug, Clone)]
pub struct AgentHost;

impl Call for AgentHost {
    type Output = HostInfo;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/host"))
    }

    fn output(&self, answer: Answer) -> Result<HostInfo> {
        answer.json()
    }
}

/// The call of [`Agent::metrics`].
#[derive(Debug, Clone)]
pub struct AgentMetrics;

impl Call for AgentMetrics {
    type Output = MetricsInfo;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/metrics"))
    }

    fn output(&self, answer: Answer) -> Result<MetricsInfo> {
        answer.json()
    }
}

/// The call of [`Agent::metrics_prometheus`]: the metrics in Prometheus' text format.
#[derive(Debug, Clone)]
pub struct AgentMetricsPrometheus;

impl Call for AgentMetricsPrometheus {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/metrics")
            .param("format", "prometheus")
            .answers(&[PROMETHEUS_OFF])
            .decode(Decode::Bytes))
    }

    fn output(&self, answer: Answer) -> Result<String> {
        if answer.status().as_u16() == PROMETHEUS_OFF {
            return Err(Error::not_enabled(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                answer.bytes(),
            ));
        }
        String::from_utf8(answer.bytes().to_vec()).map_err(Error::decode)
    }
}

/// The call of [`Agent::version`].
#[derive(Debug, Clone)]
pub struct AgentVersion;

impl Call for AgentVersion {
    type Output = BuildInfo;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/version"))
    }

    fn output(&self, answer: Answer) -> Result<BuildInfo> {
        answer.json()
    }
}

/// The call of [`Agent::metrics_stream`]: the agent's metrics, as a [`MetricsStream`].
#[derive(Debug, Clone)]
pub struct AgentMetricsStream;

impl Call for AgentMetricsStream {
    type Output = MetricsStream;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/metrics/stream").decode(Decode::LiveStream))
    }

    fn output(&self, answer: Answer) -> Result<MetricsStream> {
        Ok(MetricsStream {
            body: answer.into_stream(),
            buffer: BytesMut::new(),
            done: false,
        })
    }
}

/// The agent's metrics as they are collected, made by [`Agent::metrics_stream`]: a
/// [`Stream`] of `Result<MetricsInfo>`, one summary per interval (10 s);
/// [`MetricsStream::next`] reads it without extra crates. Dropping it closes the
/// connection.
///
/// Consul writes each summary as an indented JSON object followed by a newline, so an
/// object spans many lines: the stream reads whole JSON values, however they are split
/// into lines and chunks. A value that is not a summary ends the stream with
/// [`Error::Decode`].
pub struct MetricsStream {
    body: BodyStream,
    buffer: BytesMut,
    done: bool,
}

impl fmt::Debug for MetricsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsStream")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl MetricsStream {
    /// The next summary: `None` once the agent closed the stream.
    pub async fn next(&mut self) -> Option<Result<MetricsInfo>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The first complete JSON value of the buffer, if there is one; an error for a value
    /// that is not a summary, or for bytes that cannot start one (or a value cut short by
    /// the end of the body, `at_end`).
    fn take_value(&mut self, at_end: bool) -> Option<Result<MetricsInfo>> {
        let mut values =
            serde_json::Deserializer::from_slice(&self.buffer).into_iter::<MetricsInfo>();
        match values.next() {
            Some(Ok(value)) => {
                let used = values.byte_offset();
                self.buffer.advance(used);
                Some(Ok(value))
            }
            Some(Err(e)) if e.is_eof() && !at_end => None,
            Some(Err(e)) => {
                self.buffer.clear();
                self.done = true;
                Some(Err(Error::decode(e)))
            }
            None => {
                // Only white space so far.
                self.buffer.clear();
                None
            }
        }
    }
}

impl Stream for MetricsStream {
    type Item = Result<MetricsInfo>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let this = &mut *self;
            if this.done {
                return Poll::Ready(None);
            }
            let mut fresh = false;
            match Pin::new(&mut this.body).poll_next(cx) {
                Poll::Pending => {}
                Poll::Ready(None) => {
                    let last = this.take_value(true);
                    this.done = true;
                    return Poll::Ready(last);
                }
                Poll::Ready(Some(Ok(chunk))) => {
                    this.buffer.extend_from_slice(&chunk);
                    fresh = true;
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Transport(e))));
                }
            }
            if let Some(item) = this.take_value(false) {
                return Poll::Ready(Some(item));
            }
            if !fresh {
                return Poll::Pending;
            }
        }
    }
}

/// The call of [`Agent::update_token`]. Its `Debug` output does not show the token.
#[derive(Debug, Clone)]
pub struct AgentUpdateToken {
    kind: AgentTokenType,
    token: Token,
}

impl Call for AgentUpdateToken {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // The token travels in the body only: never in the path, the query or a log.
        let body = serde_json::json!({ "Token": self.token.secret() });
        agent_put("agent/token")
            .segment("token type", self.kind.as_str())?
            .json(&body)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

impl Agent {
    /// Describes the machine the agent runs on: memory, CPUs, operating system, disk (Go's
    /// `Host`). Needs `operator:read`. Consul calls the format unstable: what is not typed
    /// in [`HostInfo`] is kept in its `other` maps.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#view-host-information)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let host = client.agent().host().await?.value;
    /// println!(
    ///     "{} ({} {}), {} CPUs, {} MiB free",
    ///     host.host.hostname,
    ///     host.host.platform,
    ///     host.host.platform_version,
    ///     host.cpu.len(),
    ///     host.memory.available >> 20,
    /// );
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] without `operator:read`; transport and status errors.
    pub fn host(&self) -> ReadRequest<AgentHost> {
        self.read(AgentHost)
    }

    /// The agent's metrics of the last complete interval (10 s) as JSON (Go's `Metrics`):
    /// gauges, counters and timing samples. Needs `agent:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#view-metrics)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let metrics = client.agent().metrics().await?.value;
    /// if let Some(g) = metrics.gauge("consul.runtime.num_goroutines") {
    ///     println!("{} goroutines at {}", g.value, metrics.timestamp);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] without `agent:read`; transport and status errors.
    pub fn metrics(&self) -> ReadRequest<AgentMetrics> {
        self.read(AgentMetrics)
    }

    /// The agent's metrics in Prometheus' text exposition format (`?format=prometheus`),
    /// as a Prometheus server would scrape them. The agent serves it only when its
    /// `telemetry.prometheus_retention_time` is positive.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#view-metrics)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// match client.agent().metrics_prometheus().await {
    ///     Ok(text) => print!("{}", text.value),
    ///     Err(e) if e.is_not_enabled() => eprintln!("set telemetry.prometheus_retention_time"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotEnabled`] when the agent's Prometheus retention is not set (Consul
    /// answers 415); [`Error::PermissionDenied`] without `agent:read`.
    pub fn metrics_prometheus(&self) -> ReadRequest<AgentMetricsPrometheus> {
        self.read(AgentMetricsPrometheus)
    }

    /// The agent's version and build (Go's `Version`, Consul 1.14+). No ACL is needed.
    /// For an agent older than that, [`Agent::config`] has the version too.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#retrieve-version-information)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// match client.agent().version().await {
    ///     Ok(v) => println!("{} ({})", v.value.human_version, v.value.sha),
    ///     Err(e) if e.is_unsupported() => {
    ///         println!("{}", client.agent().config().await?.value.version)
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] from an agent older than 1.14 (a 1.8.7 agent answers an empty
    /// `404`); transport and status errors.
    pub fn version(&self) -> ReadRequest<AgentVersion> {
        self.read(AgentVersion)
    }

    /// Streams the agent's metrics, one summary per interval (10 s), as they are
    /// collected (Go's `MetricsStream`, Consul 1.11+). The stream never ends by itself:
    /// drop it to stop. Needs `agent:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#stream-metrics)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let mut metrics = client.agent().metrics_stream().await?.value;
    /// while let Some(summary) = metrics.next().await {
    ///     let summary = summary?;
    ///     if let Some(g) = summary.gauge("consul.runtime.num_goroutines") {
    ///         println!("{}: {} goroutines", summary.timestamp, g.value);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] from an agent older than 1.11 (a 1.8.7 agent answers an empty
    /// `404`); [`Error::PermissionDenied`] without `agent:read`. Items are transport errors
    /// when the connection breaks, and [`Error::Decode`] for what is not a summary.
    pub fn metrics_stream(&self) -> ReadRequest<AgentMetricsStream> {
        self.read(AgentMetricsStream)
    }

    /// Sets one of the agent's ACL tokens (Go's `UpdateDefaultACLToken`,
    /// `UpdateAgentACLToken`, `UpdateAgentMasterACLToken`, `UpdateReplicationACLToken` and
    /// their legacy `UpdateACL*Token` forms). The token is sent in the request's body, never
    /// in its URL, and is not logged. The change lasts until the agent restarts, unless the
    /// agent has `acl.enable_token_persistence`. Needs `agent:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#update-acl-tokens)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// use consul_api::agent::AgentTokenType;
    /// client.agent().update_token(AgentTokenType::Default, secret.clone()).await?;
    /// client.agent().update_token(AgentTokenType::Agent, secret).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] for a type the agent does not know (`Token "x" is unknown`); a
    /// 401 status error when the agent has ACLs disabled; [`Error::PermissionDenied`]
    /// without `agent:write`.
    pub fn update_token(
        &self,
        kind: AgentTokenType,
        token: impl Into<Token>,
    ) -> WriteRequest<AgentUpdateToken> {
        self.write(AgentUpdateToken {
            kind,
            token: token.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Chunks(std::vec::IntoIter<bytes::Bytes>);

    impl Stream for Chunks {
        type Item = std::result::Result<bytes::Bytes, consul_transport::TransportError>;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready(self.0.next().map(Ok))
        }
    }

    fn stream(chunks: &[&str]) -> MetricsStream {
        let chunks: Vec<_> = chunks
            .iter()
            .map(|c| bytes::Bytes::copy_from_slice(c.as_bytes()))
            .collect();
        MetricsStream {
            body: BodyStream::new(Chunks(chunks.into_iter())),
            buffer: BytesMut::new(),
            done: false,
        }
    }

    async fn all(mut s: MetricsStream) -> Vec<Result<MetricsInfo>> {
        let mut out = Vec::new();
        while let Some(item) = s.next().await {
            out.push(item);
        }
        out
    }

    #[tokio::test]
    async fn reads_indented_values_split_across_chunks() {
        let one = "{\n    \"Timestamp\": \"t1\",\n    \"Gauges\": [\n        {\"Name\": \"g\", \"Value\": 1}\n    ]\n}\n";
        let two = "{\n    \"Timestamp\": \"t2\",\n    \"Gauges\": null\n}\n";
        let text = format!("{one}{two}");
        // Every split point of the two values gives the same two summaries.
        for at in 0..text.len() {
            let (a, b) = text.split_at(at);
            let got: Vec<_> = all(stream(&[a, "", b]))
                .await
                .into_iter()
                .map(|r| r.unwrap())
                .collect();
            assert_eq!(got.len(), 2, "split at {at}");
            assert_eq!(got[0].timestamp, "t1");
            assert_eq!(got[0].gauge("g").unwrap().value, 1.0);
            assert_eq!(got[1].timestamp, "t2");
        }
        assert!(all(stream(&[])).await.is_empty());
        assert!(all(stream(&["\n  \n"])).await.is_empty());
    }

    #[tokio::test]
    async fn what_is_not_a_summary_ends_the_stream_with_an_error() {
        let got = all(stream(&["{\"Timestamp\": \"t1\"}\n", "<html>", "{}"])).await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().unwrap().timestamp, "t1");
        assert!(matches!(got[1], Err(Error::Decode(_))), "{:?}", got[1]);
        let cut = all(stream(&["{\"Timestamp\": \"t"])).await;
        assert_eq!(cut.len(), 1);
        assert!(cut[0].is_err(), "a value cut short by the end of the body");
    }
}
