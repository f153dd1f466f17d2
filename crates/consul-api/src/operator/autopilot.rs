//! Autopilot (`/v1/operator/autopilot`): Go's `api/operator_autopilot.go`.

use super::{AutopilotConfiguration, AutopilotState, Operator, OperatorHealthReply};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::ValidationError;
use http::Method;

const CONFIGURATION: &str = "operator/autopilot/configuration";

/// The call of [`Operator::autopilot_get_configuration`].
#[derive(Debug, Clone)]
pub struct OperatorAutopilotGetConfiguration;

impl Call for OperatorAutopilotGetConfiguration {
    type Output = AutopilotConfiguration;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, CONFIGURATION))
    }

    fn output(&self, answer: Answer) -> Result<AutopilotConfiguration> {
        answer.json()
    }
}

/// The call of [`Operator::autopilot_set_configuration`].
#[derive(Debug, Clone)]
pub struct OperatorAutopilotSetConfiguration {
    config: AutopilotConfiguration,
}

impl Call for OperatorAutopilotSetConfiguration {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::write(Method::PUT, CONFIGURATION)
            .json(&self.config)?
            .decode(Decode::Unit))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Operator::autopilot_cas_configuration`]: `true` when written, `false`
/// when the configuration changed since the index it was given.
#[derive(Debug, Clone)]
pub struct OperatorAutopilotCasConfiguration {
    config: AutopilotConfiguration,
}

impl Call for OperatorAutopilotCasConfiguration {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Endpoint::write(Method::PUT, CONFIGURATION)
            .param("cas", self.config.modify_index.to_string())
            .json(&self.config)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Operator::autopilot_server_health`].
#[derive(Debug, Clone)]
pub struct OperatorAutopilotServerHealth;

impl Call for OperatorAutopilotServerHealth {
    type Output = OperatorHealthReply;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // An unhealthy cluster is answered with 429 and the same report.
        Ok(Endpoint::read(Method::GET, "operator/autopilot/health").answers(&[429]))
    }

    fn output(&self, answer: Answer) -> Result<OperatorHealthReply> {
        answer.json()
    }
}

/// The call of [`Operator::autopilot_state`].
#[derive(Debug, Clone)]
pub struct OperatorAutopilotState;

impl Call for OperatorAutopilotState {
    type Output = AutopilotState;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "operator/autopilot/state"))
    }

    fn output(&self, answer: Answer) -> Result<AutopilotState> {
        answer.json()
    }
}

call_traits!(OperatorAutopilotState: Cluster);
call_traits!(OperatorAutopilotGetConfiguration: Cluster);
call_traits!(OperatorAutopilotSetConfiguration: Cluster);
call_traits!(OperatorAutopilotCasConfiguration: Cluster);
call_traits!(OperatorAutopilotServerHealth: Cluster);

impl Operator {
    /// Autopilot's configuration; its `modify_index` is what
    /// [`autopilot_cas_configuration`](Operator::autopilot_cas_configuration) compares with.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/autopilot#read-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let config = client.operator().autopilot_get_configuration().await?.value;
    /// println!("dead servers cleaned up: {}", config.cleanup_dead_servers);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn autopilot_get_configuration(&self) -> ReadRequest<OperatorAutopilotGetConfiguration> {
        self.read(OperatorAutopilotGetConfiguration)
    }

    /// Writes autopilot's configuration, unconditionally. Consul replaces all of it, so
    /// start from what [`autopilot_get_configuration`](Operator::autopilot_get_configuration)
    /// read: a field left at zero is written as zero.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/autopilot#update-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let operator = client.operator();
    /// let config = operator.autopilot_get_configuration().await?.value;
    /// operator
    ///     .autopilot_set_configuration(config.cleanup_dead_servers(false))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn autopilot_set_configuration(
        &self,
        config: AutopilotConfiguration,
    ) -> WriteRequest<OperatorAutopilotSetConfiguration> {
        self.write(OperatorAutopilotSetConfiguration { config })
    }

    /// Writes autopilot's configuration only if it has not changed since
    /// `config.modify_index` (`?cas=`): `true` when written, `false` when someone changed
    /// it meanwhile (read it again and retry).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/autopilot#update-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let operator = client.operator();
    /// loop {
    ///     let config = operator.autopilot_get_configuration().await?.value;
    ///     let changed = config.last_contact_threshold(Duration::from_millis(500));
    ///     if operator.autopilot_cas_configuration(changed).await?.value {
    ///         break;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn autopilot_cas_configuration(
        &self,
        config: AutopilotConfiguration,
    ) -> WriteRequest<OperatorAutopilotCasConfiguration> {
        self.write(OperatorAutopilotCasConfiguration { config })
    }

    /// The health of the datacenter's servers, as the leader sees it. An unhealthy
    /// cluster is a report with `healthy == false` (Consul answers it with `429`), not an
    /// error. The leader always answers: `.stale()` changes nothing here.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/autopilot#read-health)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let health = client.operator().autopilot_server_health().await?.value;
    /// for server in health.servers.iter().filter(|s| !s.healthy) {
    ///     println!("{} is {} (last contact {:?})", server.name, server.serf_status, server.last_contact);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (`500 No cluster leader` while there is no leader).
    pub fn autopilot_server_health(&self) -> ReadRequest<OperatorAutopilotServerHealth> {
        self.read(OperatorAutopilotServerHealth)
    }

    /// Autopilot's view of the servers (Go's `AutopilotState`, Consul 1.9+): each one's
    /// health and Raft status by Raft id, the voters, the leader, and in Consul Enterprise
    /// redundancy zones, read replicas and upgrades. Needs `operator:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/autopilot#read-the-autopilot-state)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let state = client.operator().autopilot_state().await?.value;
    /// for (id, server) in &state.servers {
    ///     println!("{id} {} {} healthy={}", server.name, server.status, server.healthy);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.9 (a
    /// 1.8.7 agent answers an empty `404`); transport and status errors.
    pub fn autopilot_state(&self) -> ReadRequest<OperatorAutopilotState> {
        self.read(OperatorAutopilotState)
    }
}
