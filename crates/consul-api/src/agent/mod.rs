//! The local agent (`/v1/agent`): Go's `api/agent.go`, aioconsul's `client.agent`.
//!
//! Agent endpoints are answered by the agent the client talks to: they take no datacenter
//! and no consistency mode, only a token override (from the options' `token`). Members,
//! joins and maintenance are here; the checks and services the agent manages are in the
//! same [`Agent`] handle (methods `check_*`, `service_*`, `*_ttl`).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::agent::ServiceRegistration;
//! use consul_api::{QueryOptions, WriteOptions};
//! use std::time::Duration;
//!
//! let agent = client.agent();
//! let members = agent.members(false, &QueryOptions::default()).await?.value;
//! println!("{} members", members.len());
//! let web = ServiceRegistration::with_ttl("web", Duration::from_secs(30)).port(8080);
//! agent.service_register(&web, &WriteOptions::default()).await?;
//! agent.pass_ttl("service:web", "ready", &WriteOptions::default()).await?;
//! # Ok(()) }
//! ```

mod checks;
mod monitor;
mod services;

pub use monitor::LogStream;

use crate::request::segment;
use crate::{Client, Result};
use consul_types::agent::validate_join_address;
pub use consul_types::agent::{
    AgentConfig, AgentSelf, AgentService, AgentServiceChecksInfo, AgentWeights, CheckUpdate,
    Coordinate, Member, MemberAclMode, MemberStatus, ServiceAddress, ServiceRegistration,
};
use consul_types::health::validate_node_name;
pub use consul_types::health::{CheckDefinition, CheckKind, CheckStatus, HealthCheck};
use consul_types::{QueryOptions, QueryResponse, WriteOptions, WriteResponse};
use http::Method;

/// The local agent; made by [`Client::agent`].
#[derive(Debug, Clone)]
pub struct Agent {
    client: Client,
}

impl Client {
    /// The local agent.
    pub fn agent(&self) -> Agent {
        Agent {
            client: self.clone(),
        }
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
    /// use consul_api::QueryOptions;
    /// let me = client.agent().self_info(&QueryOptions::default()).await?.value;
    /// println!("{} runs Consul {}", me.config.node_name, me.config.version);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (403 without `agent:read`).
    pub async fn self_info(&self, opts: &QueryOptions) -> Result<QueryResponse<AgentSelf>> {
        self.client
            .call(Method::GET, "agent/self")
            .agent_query_options(opts)?
            .query::<AgentSelf>()
            .await
    }

    /// The agent's configuration summary (aioconsul's `agent.config()`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let config = client.agent().config(&QueryOptions::default()).await?.value;
    /// println!("datacenter {}", config.datacenter);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::self_info`].
    pub async fn config(&self, opts: &QueryOptions) -> Result<QueryResponse<AgentConfig>> {
        Ok(self.self_info(opts).await?.map(|s| s.config))
    }

    /// The agent's own gossip member entry (aioconsul's `agent.me()`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let me = client.agent().me(&QueryOptions::default()).await?.value;
    /// println!("{} at {}:{}", me.name, me.addr, me.port);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::self_info`].
    pub async fn me(&self, opts: &QueryOptions) -> Result<QueryResponse<Member>> {
        Ok(self.self_info(opts).await?.map(|s| s.member))
    }

    /// The agent's node name (Go's `NodeName`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let name = client.agent().node_name(&QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::self_info`].
    pub async fn node_name(&self, opts: &QueryOptions) -> Result<QueryResponse<String>> {
        Ok(self.self_info(opts).await?.map(|s| s.config.node_name))
    }

    /// The members of the LAN gossip pool, or with `wan` of the WAN pool (servers of every
    /// federated datacenter, named `node.dc`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#list-members)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::MemberStatus;
    /// use consul_api::QueryOptions;
    /// let members = client.agent().members(false, &QueryOptions::default()).await?.value;
    /// let alive = members.iter().filter(|m| m.status == MemberStatus::Alive).count();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn members(
        &self,
        wan: bool,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<Member>>> {
        self.client
            .call(Method::GET, "agent/members")
            .param_opt("wan", wan.then_some("1"))
            .agent_query_options(opts)?
            .query_list::<Member>()
            .await
    }

    /// Asks the agent to join the gossip pool of the agent at `address` (`host:port` of its
    /// Serf LAN port, or with `wan` its Serf WAN port).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#join-agent)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().join("10.0.0.7:8301", false, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty address; a 500 status
    /// error when the join fails (`Failed to join …`).
    pub async fn join(
        &self,
        address: &str,
        wan: bool,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_join_address(address)?;
        self.client
            .call(Method::PUT, format!("agent/join/{}", segment(address)))
            .param_opt("wan", wan.then_some("1"))
            .agent_write_options(opts)?
            .write_unit()
            .await
    }

    /// Makes the agent leave its cluster gracefully; the agent process then exits.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#graceful-leave-and-shutdown)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().leave(&WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn leave(&self, opts: &WriteOptions) -> Result<WriteResponse<()>> {
        self.put_unit("agent/leave".to_owned(), &[], opts).await
    }

    /// Forces a failed member into the `left` state (aioconsul's `force_leave`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#force-leave-and-shutdown)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().force_leave("node-7", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node name; a 500 status
    /// error for an unknown node (`No node found with name …`).
    pub async fn force_leave(&self, node: &str, opts: &WriteOptions) -> Result<WriteResponse<()>> {
        validate_node_name(node)?;
        self.put_unit(format!("agent/force-leave/{}", segment(node)), &[], opts)
            .await
    }

    /// Forces a member to leave and removes it from the member list at once (`?prune`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().force_leave_prune("node-7", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::force_leave`].
    pub async fn force_leave_prune(
        &self,
        node: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_node_name(node)?;
        self.put_unit(
            format!("agent/force-leave/{}", segment(node)),
            &[("prune", "1")],
            opts,
        )
        .await
    }

    /// Puts the agent's node in maintenance mode: a critical `_node_maintenance` check
    /// takes all its services out of healthy results (aioconsul's `agent.disable()`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent#enable-maintenance-mode)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().enable_node_maintenance("kernel upgrade", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn enable_node_maintenance(
        &self,
        reason: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        let mut params = vec![("enable", "true")];
        if !reason.is_empty() {
            params.push(("reason", reason));
        }
        self.put_unit("agent/maintenance".to_owned(), &params, opts)
            .await
    }

    /// Takes the agent's node out of maintenance mode (aioconsul's `agent.enable()`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().disable_node_maintenance(&WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn disable_node_maintenance(&self, opts: &WriteOptions) -> Result<WriteResponse<()>> {
        self.put_unit("agent/maintenance".to_owned(), &[("enable", "false")], opts)
            .await
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
    /// use consul_api::WriteOptions;
    /// client.agent().reload(&WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (a 500 when the configuration is invalid).
    pub async fn reload(&self, opts: &WriteOptions) -> Result<WriteResponse<()>> {
        self.put_unit("agent/reload".to_owned(), &[], opts).await
    }

    /// A `PUT` to an agent endpoint with no body and no answer.
    pub(crate) async fn put_unit(
        &self,
        path: String,
        params: &[(&'static str, &str)],
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        let mut call = self.client.call(Method::PUT, path);
        for (k, v) in params {
            call = call.param(*k, *v);
        }
        call.agent_write_options(opts)?.write_unit().await
    }
}
