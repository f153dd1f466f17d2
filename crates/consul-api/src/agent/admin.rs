//! The agent's administration: the host it runs on, its metrics and its ACL tokens.

use super::{agent_put, agent_read, Agent};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::{Error, Result};
pub use consul_types::agent::{
    AgentTokenType, GaugeValue, HostCpu, HostDisk, HostInfo, HostMemory, HostOs, MetricsInfo,
    PointValue, SampledValue,
};
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::{Token, ValidationError};
use http::StatusCode;

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
