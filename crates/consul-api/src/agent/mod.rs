//! The local agent (`/v1/agent`): Go's `api/agent.go`, aioconsul's `client.agent`.
//!
//! Agent endpoints are answered by the agent the client talks to: they take no datacenter
//! and no consistency mode (there is no `dc()` or `stale()` on their requests), only a
//! token, a namespace and a partition. Members, joins and maintenance are here; the checks
//! and services the agent manages are in the same [`Agent`] handle (methods `check*`,
//! `service*`, `*_ttl`), and so are its log ([`Agent::monitor`]), its host, version and
//! metrics ([`Agent::host`], [`Agent::version`], [`Agent::metrics`],
//! [`Agent::metrics_prometheus`], [`Agent::metrics_stream`]) and its ACL tokens
//! ([`Agent::update_token`]).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::agent::{CheckDefinition, ServiceRegistration};
//! use std::time::Duration;
//!
//! let agent = client.agent();
//! let members = agent.members().await?.value;
//! println!("{} members", members.len());
//! let web = ServiceRegistration::new("web")
//!     .port(8080)
//!     .check(CheckDefinition::ttl(Duration::from_secs(10)));
//! agent.service_register(web).await?;
//! agent.pass_ttl("service:web").note("ready").await?;
//! let mut changes = agent.service("web").watch();          // Go's `agent_service` plan
//! # Ok(()) }
//! ```

mod admin;
mod checks;
#[cfg(feature = "connect")]
#[cfg_attr(docsrs, doc(cfg(feature = "connect")))]
pub mod connect;
mod monitor;
mod services;

pub use admin::{
    AgentHost, AgentMetrics, AgentMetricsPrometheus, AgentMetricsStream, AgentTokenType,
    AgentUpdateToken, AgentVersion, BuildInfo, GaugeValue, HostCpu, HostDisk, HostInfo, HostMemory,
    HostOs, MetricsInfo, MetricsStream, PointValue, SampledValue,
};

pub use checks::{
    AgentCheck, AgentCheckDeregister, AgentCheckRegister, AgentChecks, AgentTtl, AgentUpdateTtl,
};
pub use monitor::{AgentMonitor, LogStream};
pub use services::{
    AgentHealthServiceById, AgentHealthServiceByName, AgentServiceDeregister, AgentServiceGet,
    AgentServiceMaintenance, AgentServiceRegister, AgentServices,
};

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::agent::validate_join_address;
pub use consul_types::agent::{
    AgentConfig, AgentSelf, AgentService, AgentServiceChecksInfo, AgentWeights, CheckUpdate,
    ConnectProxyConfig, Coordinate, ExposeConfig, ExposePath, Member, MemberAclMode, MemberStatus,
    MeshGatewayConfig, MeshGatewayMode, ServiceAddress, ServiceConnect, ServiceKind,
    ServiceRegistration, Upstream, UpstreamDestType,
};
use consul_types::endpoint::{Decode, Endpoint};
pub use consul_types::health::{CheckDefinition, CheckKind, CheckStatus, HealthCheck};
use consul_types::ValidationError;
use http::Method;

family! {
    /// The local agent; made by [`Client::agent`](crate::Client::agent).
    ///
    /// Every call is answered by the agent the client talks to, so [`Agent::dc`] changes
    /// nothing here. Registrations and check definitions are validated before sending
    /// (names, ids, exactly one kind per check, Go-format durations), so an invalid one
    /// never reaches the agent.
    Agent, agent, "local agent"
}

/// A read of the agent's own `/v1/agent/{path}`.
fn agent_read(path: &'static str) -> Endpoint {
    Endpoint::read(Method::GET, path).agent()
}

/// The read options of the agent's lists: `?filter=` only.
/// A `PUT` to the agent that answers with an empty body.
fn agent_put(path: &'static str) -> Endpoint {
    Endpoint::write(Method::PUT, path)
        .agent()
        .decode(Decode::Unit)
}

/// The call of [`Agent::self_info`]: everything the agent tells about itself.
#[derive(Debug, Clone)]
pub struct AgentSelfInfo;

impl Call for AgentSelfInfo {
    type Output = AgentSelf;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/self"))
    }

    fn output(&self, answer: Answer) -> Result<AgentSelf> {
        answer.json()
    }
}

/// The call of [`Agent::config`]: the configuration part of `/v1/agent/self`.
#[derive(Debug, Clone)]
pub struct AgentSelfConfig;

impl Call for AgentSelfConfig {
    type Output = AgentConfig;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        AgentSelfInfo.endpoint()
    }

    fn output(&self, answer: Answer) -> Result<AgentConfig> {
        Ok(answer.json::<AgentSelf>()?.config)
    }
}

/// The call of [`Agent::me`]: the member part of `/v1/agent/self`.
#[derive(Debug, Clone)]
pub struct AgentMe;

impl Call for AgentMe {
    type Output = Member;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        AgentSelfInfo.endpoint()
    }

    fn output(&self, answer: Answer) -> Result<Member> {
        Ok(answer.json::<AgentSelf>()?.member)
    }
}

/// The call of [`Agent::node_name`]: the node name in `/v1/agent/self`.
#[derive(Debug, Clone)]
pub struct AgentNodeName;

impl Call for AgentNodeName {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        AgentSelfInfo.endpoint()
    }

    fn output(&self, answer: Answer) -> Result<String> {
        Ok(answer.json::<AgentSelf>()?.config.node_name)
    }
}

/// The call of [`Agent::members`]: the members of a gossip pool.
#[derive(Debug, Clone, Default)]
pub struct AgentMembers {
    wan: bool,
    segment: Option<String>,
}

impl Call for AgentMembers {
    type Output = Vec<Member>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.segment.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "network segment",
            });
        }
        Ok(agent_read("agent/members")
            .param_opt("wan", self.wan.then_some("1"))
            .param_opt("segment", self.segment.clone()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<Member>> {
        answer.json_list()
    }
}

/// The call of [`Agent::join`]: joins the gossip pool of another agent.
#[derive(Debug, Clone)]
pub struct AgentJoin {
    address: String,
    wan: bool,
}

impl Call for AgentJoin {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_join_address(&self.address)?;
        Ok(agent_put("agent/join")
            .segment("address", &self.address)?
            .param_opt("wan", self.wan.then_some("1")))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::leave`]: a graceful leave.
#[derive(Debug, Clone)]
pub struct AgentLeave;

impl Call for AgentLeave {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_put("agent/leave"))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::force_leave`]: forces a member out.
#[derive(Debug, Clone)]
pub struct AgentForceLeave {
    node: String,
    prune: bool,
}

impl Call for AgentForceLeave {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_put("agent/force-leave")
            .segment("node name", &self.node)?
            .param_opt("prune", self.prune.then_some("1")))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::enable_node_maintenance`] and [`Agent::disable_node_maintenance`].
#[derive(Debug, Clone)]
pub struct AgentNodeMaintenance {
    enable: bool,
    reason: String,
}

impl Call for AgentNodeMaintenance {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_put("agent/maintenance")
            .param("enable", if self.enable { "true" } else { "false" })
            .param_opt(
                "reason",
                (self.enable && !self.reason.is_empty()).then(|| self.reason.clone()),
            ))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::reload`]: reloads the configuration files.
#[derive(Debug, Clone)]
pub struct AgentReload;

impl Call for AgentReload {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_put("agent/reload"))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

impl Agent {
    /// Reads everything the agent tells about itself (Go's `Self`): configuration, member
    /// entry, coordinate, metadata and statistics.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#read-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let me = client.agent().self_info().await?.value;
    /// println!("{} runs Consul {}", me.config.node_name, me.config.version);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (403 without `agent:read`).
    pub fn self_info(&self) -> ReadRequest<AgentSelfInfo> {
        self.read(AgentSelfInfo)
    }

    /// The agent's configuration summary (aioconsul's `agent.config()`), read from
    /// `/v1/agent/self`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let config = client.agent().config().await?.value;
    /// println!("datacenter {}", config.datacenter);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::self_info`].
    pub fn config(&self) -> ReadRequest<AgentSelfConfig> {
        self.read(AgentSelfConfig)
    }

    /// The agent's own gossip member entry (aioconsul's `agent.me()`), read from
    /// `/v1/agent/self`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let me = client.agent().me().await?.value;
    /// println!("{} at {}:{}", me.name, me.addr, me.port);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::self_info`].
    pub fn me(&self) -> ReadRequest<AgentMe> {
        self.read(AgentMe)
    }

    /// The agent's node name (Go's `NodeName`), read from `/v1/agent/self`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let name = client.agent().node_name().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::self_info`].
    pub fn node_name(&self) -> ReadRequest<AgentNodeName> {
        self.read(AgentNodeName)
    }

    /// The members of the LAN gossip pool; with `.wan()` of the WAN pool (servers of every
    /// federated datacenter, named `node.dc`), with `.segment(name)` of one network
    /// segment (Consul Enterprise).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#list-members)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::MemberStatus;
    /// let members = client.agent().members().await?.value;
    /// let alive = members.iter().filter(|m| m.status == MemberStatus::Alive).count();
    /// let servers = client.agent().members().wan().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors; an empty segment name is a validation error.
    pub fn members(&self) -> ReadRequest<AgentMembers> {
        self.read(AgentMembers::default())
    }

    /// Asks the agent to join the gossip pool of the agent at `address` (`host:port` of its
    /// Serf LAN port, or with `.wan()` its Serf WAN port).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#join-agent)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().join("10.0.0.7:8301").await?;
    /// client.agent().join("10.1.0.7:8302").wan().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty address; a 500 status
    /// error when the join fails (`Failed to join …`).
    pub fn join(&self, address: impl Into<String>) -> WriteRequest<AgentJoin> {
        self.write(AgentJoin {
            address: address.into(),
            wan: false,
        })
    }

    /// Makes the agent leave its cluster gracefully; the agent process then exits.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#graceful-leave-and-shutdown)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().leave().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn leave(&self) -> WriteRequest<AgentLeave> {
        self.write(AgentLeave)
    }

    /// Forces a failed member into the `left` state (aioconsul's `force_leave`); with
    /// `.prune()` it is also removed from the member list at once (Go's `ForceLeavePrune`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#force-leave-and-shutdown)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().force_leave("node-7").await?;
    /// client.agent().force_leave("node-8").prune().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node name; a 500 status
    /// error for an unknown node (`No node found with name …`).
    pub fn force_leave(&self, node: impl Into<String>) -> WriteRequest<AgentForceLeave> {
        self.write(AgentForceLeave {
            node: node.into(),
            prune: false,
        })
    }

    /// Puts the agent's node in maintenance mode: a critical `_node_maintenance` check
    /// takes all its services out of healthy results (aioconsul's `agent.disable()`). An
    /// empty reason is not sent.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#enable-maintenance-mode)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().enable_node_maintenance("kernel upgrade").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn enable_node_maintenance(
        &self,
        reason: impl Into<String>,
    ) -> WriteRequest<AgentNodeMaintenance> {
        self.write(AgentNodeMaintenance {
            enable: true,
            reason: reason.into(),
        })
    }

    /// Takes the agent's node out of maintenance mode (aioconsul's `agent.enable()`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().disable_node_maintenance().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn disable_node_maintenance(&self) -> WriteRequest<AgentNodeMaintenance> {
        self.write(AgentNodeMaintenance {
            enable: false,
            reason: String::new(),
        })
    }

    /// Makes the agent reload its configuration files.
    ///
    /// A `-dev` agent forgets every service and check registered over HTTP when it reloads;
    /// an agent with a data directory keeps them.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#reload-agent)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().reload().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (a 500 when the configuration is invalid).
    pub fn reload(&self) -> WriteRequest<AgentReload> {
        self.write(AgentReload)
    }
}

impl ReadRequest<AgentMembers> {
    /// Lists the WAN pool instead of the LAN pool (`?wan=1`).
    pub fn wan(mut self) -> Self {
        self.call_mut().wan = true;
        self
    }

    /// Lists the members of this network segment only (`?segment=`, Consul Enterprise).
    pub fn segment(mut self, name: impl Into<String>) -> Self {
        self.call_mut().segment = Some(name.into());
        self
    }
}

impl WriteRequest<AgentJoin> {
    /// Joins the WAN pool (`?wan=1`): `address` is a Serf WAN address.
    pub fn wan(mut self) -> Self {
        self.call_mut().wan = true;
        self
    }
}

impl WriteRequest<AgentForceLeave> {
    /// Also removes the member from the member list at once (`?prune=1`, Consul 1.6.2+).
    pub fn prune(mut self) -> Self {
        self.call_mut().prune = true;
        self
    }
}
