//! Services the local agent manages (`/v1/agent/services`, `/v1/agent/service/*`) and
//! their health as the agent sees it (`/v1/agent/health/service/*`).

use super::{agent_put, agent_read, Agent};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::agent::{AgentService, AgentServiceChecksInfo, ServiceRegistration};
use consul_types::endpoint::{Blocking, Endpoint, Missing};
use consul_types::ValidationError;
use std::collections::BTreeMap;
use std::time::Duration;

/// Consul's answers of the agent's local health: 429 is "warning", 503 "critical".
const HEALTH_ANSWERS: &[u16] = &[429, 503];

/// The call of [`Agent::services`]: every service the agent manages, by instance id.
#[derive(Debug, Clone)]
pub struct AgentServices;

impl Call for AgentServices {
    type Output = BTreeMap<String, AgentService>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/services")
            .accepts(consul_types::endpoint::Accepts::NONE.with_filter()))
    }

    fn output(&self, answer: Answer) -> Result<BTreeMap<String, AgentService>> {
        Ok(answer
            .json_opt::<Option<_>>()?
            .flatten()
            .unwrap_or_default())
    }
}

read_setters!(AgentServices: filter);

/// The call of [`Agent::service`]: one service the agent manages, `None` when it has none
/// with that id. It blocks on the definition's content hash (Go's `agent_service` watch
/// plan).
///
/// Named `…Get` (as `KvGet`) because [`AgentService`] is the model it returns.
#[derive(Debug, Clone)]
pub struct AgentServiceGet {
    id: String,
}

impl Call for AgentServiceGet {
    type Output = Option<AgentService>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/service")
            .segment("service id", &self.id)?
            .blocking(Blocking::Hash)
            .missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<AgentService>> {
        answer.json_opt()
    }
}

call_traits!(AgentServiceGet: Watchable, HashBlocking);

/// The call of [`Agent::service_register`] and its shortcuts.
#[derive(Debug, Clone)]
pub struct AgentServiceRegister {
    service: ServiceRegistration,
    replace_existing_checks: bool,
}

impl Call for AgentServiceRegister {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.service.validate()?;
        agent_put("agent/service/register")
            .flag("replace-existing-checks", self.replace_existing_checks)
            .json(&self.service)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::service_deregister`].
#[derive(Debug, Clone)]
pub struct AgentServiceDeregister {
    id: String,
}

impl Call for AgentServiceDeregister {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        agent_put("agent/service/deregister").segment("service id", &self.id)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::enable_service_maintenance`] and
/// [`Agent::disable_service_maintenance`].
#[derive(Debug, Clone)]
pub struct AgentServiceMaintenance {
    id: String,
    enable: bool,
    reason: String,
}

impl Call for AgentServiceMaintenance {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_put("agent/service/maintenance")
            .segment("service id", &self.id)?
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

/// The call of [`Agent::health_service_by_id`]: one local instance's health, `None` for an
/// unknown id.
#[derive(Debug, Clone)]
pub struct AgentHealthServiceById {
    id: String,
}

impl Call for AgentHealthServiceById {
    type Output = Option<AgentServiceChecksInfo>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/health/service/id")
            .segment("service id", &self.id)?
            .missing(Missing::Absent)
            .answers(HEALTH_ANSWERS))
    }

    fn output(&self, answer: Answer) -> Result<Option<AgentServiceChecksInfo>> {
        answer.json_opt()
    }
}

/// The call of [`Agent::health_service_by_name`]: the health of every local instance of a
/// service, empty for an unknown name.
#[derive(Debug, Clone)]
pub struct AgentHealthServiceByName {
    name: String,
}

impl Call for AgentHealthServiceByName {
    type Output = Vec<AgentServiceChecksInfo>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/health/service/name")
            .segment("service name", &self.name)?
            .missing(Missing::Absent)
            .answers(HEALTH_ANSWERS))
    }

    fn output(&self, answer: Answer) -> Result<Vec<AgentServiceChecksInfo>> {
        answer.json_list()
    }
}

impl Agent {
    /// The services the agent manages, by instance id (aioconsul's `agent.services()`).
    /// `.filter(expression)` narrows them (`Service == "web"`, Consul 1.5+).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#list-services)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for (id, service) in client.agent().services().await?.value {
    ///     println!("{id}: {} on port {}", service.service, service.port);
    /// }
    /// let v1 = client.agent().services().filter("\"v1\" in Tags").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (a bad filter is a 500 on Consul 1.8.7).
    pub fn services(&self) -> ReadRequest<AgentServices> {
        self.read(AgentServices)
    }

    /// One service the agent manages (aioconsul's `services.get`); `None` when the agent
    /// has no service with that id.
    ///
    /// The read blocks on the definition's content hash: `.wait_hash(hash, time)` with the
    /// `meta.last_content_hash` of a previous answer waits until the local definition
    /// changes or `time` passes, and `.watch()` does that in a loop (Go's `agent_service`
    /// watch plan).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#get-service-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let agent = client.agent();
    /// let first = agent.service("web-1").await?;
    /// let hash = first.meta.last_content_hash.clone().unwrap_or_default();
    /// let changed = agent
    ///     .service("web-1")
    ///     .wait_hash(hash, Duration::from_secs(30))
    ///     .await?;
    /// let mut changes = agent.service("web-1").watch();
    /// while let Some(change) = changes.next().await {
    ///     println!("{:?}", change?.value.map(|s| s.tags));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; transport and
    /// status errors otherwise.
    pub fn service(&self, id: impl Into<String>) -> ReadRequest<AgentServiceGet> {
        self.read(AgentServiceGet { id: id.into() })
    }

    /// Registers a service, with its checks, with the agent (aioconsul's
    /// `services.register`). Registering an existing id updates it, keeping the checks of
    /// the previous registration unless `.replace_existing_checks()` is set.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#register-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::{CheckDefinition, ServiceRegistration};
    /// use std::time::Duration;
    /// let web = ServiceRegistration::new("web")
    ///     .id("web-1")
    ///     .tags(["v1"])
    ///     .port(8080)
    ///     .check(CheckDefinition::ttl(Duration::from_secs(10)));
    /// client.agent().service_register(web.clone()).await?;
    /// // Again, dropping the checks the new registration no longer lists.
    /// client.agent().service_register(web).replace_existing_checks().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// Connect: a service with a sidecar proxy (the agent registers the proxy as a service
    /// of its own, kind `connect-proxy`, id `<id>-sidecar-proxy`), and a mesh gateway.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::{
    ///     ConnectProxyConfig, MeshGatewayMode, ServiceKind, ServiceRegistration, Upstream,
    /// };
    /// let agent = client.agent();
    /// let proxy = ConnectProxyConfig::default().upstream(Upstream::service("db", 9191));
    /// let web = ServiceRegistration::new("web")
    ///     .id("web-1")
    ///     .port(8080)
    ///     .sidecar(ServiceRegistration::default().proxy(proxy));
    /// agent.service_register(web).await?;
    /// let sidecar = agent.service("web-1-sidecar-proxy").await?.value;
    ///
    /// let gateway = ServiceRegistration::new("mesh-gateway")
    ///     .kind(ServiceKind::MeshGateway)
    ///     .port(8443)
    ///     .proxy(ConnectProxyConfig::default().mesh_gateway(MeshGatewayMode::Local));
    /// agent.service_register(gateway).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid registration (empty
    /// name, a check with no or several kinds, an invalid duration, a Connect proxy
    /// without a destination service or port, a gateway with upstreams, a sidecar with an
    /// id, …); transport and status errors otherwise.
    pub fn service_register(
        &self,
        service: ServiceRegistration,
    ) -> WriteRequest<AgentServiceRegister> {
        self.write(AgentServiceRegister {
            service,
            replace_existing_checks: false,
        })
    }

    /// Registers service `name` with a TTL check (aioconsul's `services.register_ttl`).
    /// The check's id is `service:<name>`; report with [`Agent::pass_ttl`].
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let agent = client.agent();
    /// agent.service_register_ttl("worker", Duration::from_secs(30)).await?;
    /// agent.pass_ttl("service:worker").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::service_register`].
    pub fn service_register_ttl(
        &self,
        name: impl Into<String>,
        ttl: Duration,
    ) -> WriteRequest<AgentServiceRegister> {
        self.service_register(ServiceRegistration::with_ttl(name, ttl))
    }

    /// Registers service `name` with an HTTP check of `url` every `interval` (aioconsul's
    /// `services.register_http`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .service_register_http("api", "http://127.0.0.1:8080/health", Duration::from_secs(10))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::service_register`].
    pub fn service_register_http(
        &self,
        name: impl Into<String>,
        url: impl Into<String>,
        interval: Duration,
    ) -> WriteRequest<AgentServiceRegister> {
        self.service_register(ServiceRegistration::with_http(name, url, interval))
    }

    /// Registers service `name` with a script check running `args` every `interval`
    /// (aioconsul's `services.register_script`). The agent must run with
    /// `enable_script_checks`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .service_register_script("cron", ["/usr/local/bin/check-cron"], Duration::from_secs(60))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::service_register`].
    pub fn service_register_script<I, S>(
        &self,
        name: impl Into<String>,
        args: I,
        interval: Duration,
    ) -> WriteRequest<AgentServiceRegister>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.service_register(ServiceRegistration::with_script(name, args, interval))
    }

    /// Removes a service and its checks from the agent (aioconsul's
    /// `services.deregister`). Consul 1.8.7 also answers 200 for an unknown id.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#deregister-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().service_deregister("web-1").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; transport and
    /// status errors otherwise.
    pub fn service_deregister(
        &self,
        id: impl Into<String>,
    ) -> WriteRequest<AgentServiceDeregister> {
        self.write(AgentServiceDeregister { id: id.into() })
    }

    /// Puts one service instance in maintenance mode: a critical
    /// `_service_maintenance:<id>` check takes it out of healthy results (aioconsul's
    /// `services.disable`). An empty reason is not sent.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#enable-maintenance-mode)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().enable_service_maintenance("web-1", "deploying").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown id (an action on
    /// something that does not exist); [`Error::Validation`](crate::Error::Validation) for
    /// an empty one.
    pub fn enable_service_maintenance(
        &self,
        id: impl Into<String>,
        reason: impl Into<String>,
    ) -> WriteRequest<AgentServiceMaintenance> {
        self.write(AgentServiceMaintenance {
            id: id.into(),
            enable: true,
            reason: reason.into(),
        })
    }

    /// Takes one service instance out of maintenance mode (aioconsul's `services.enable`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().disable_service_maintenance("web-1").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::enable_service_maintenance`].
    pub fn disable_service_maintenance(
        &self,
        id: impl Into<String>,
    ) -> WriteRequest<AgentServiceMaintenance> {
        self.write(AgentServiceMaintenance {
            id: id.into(),
            enable: false,
            reason: String::new(),
        })
    }

    /// The health of one service instance as the local agent sees it, without asking the
    /// servers (`/v1/agent/health/service/id/:id`). `None` for an unknown id.
    ///
    /// Consul answers 200, 429 or 503 for passing, warning and critical; all three are a
    /// value here, with the status in `aggregated_status`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#get-local-service-health-by-id)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::CheckStatus;
    /// if let Some(info) = client.agent().health_service_by_id("web-1").await?.value {
    ///     if info.aggregated_status == CheckStatus::Passing {
    ///         println!("web-1 is healthy");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; transport and
    /// other status errors.
    pub fn health_service_by_id(
        &self,
        id: impl Into<String>,
    ) -> ReadRequest<AgentHealthServiceById> {
        self.read(AgentHealthServiceById { id: id.into() })
    }

    /// The health of every local instance of service `name` as the local agent sees it
    /// (`/v1/agent/health/service/name/:name`); empty for an unknown name. Combine the
    /// statuses with [`CheckStatus::aggregate`](consul_types::health::CheckStatus::aggregate).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#get-local-service-health)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::CheckStatus;
    /// let instances = client.agent().health_service_by_name("web").await?.value;
    /// let overall = CheckStatus::aggregate(instances.iter().map(|i| &i.aggregated_status));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name; transport and
    /// other status errors.
    pub fn health_service_by_name(
        &self,
        name: impl Into<String>,
    ) -> ReadRequest<AgentHealthServiceByName> {
        self.read(AgentHealthServiceByName { name: name.into() })
    }
}

impl WriteRequest<AgentServiceRegister> {
    /// Drops the checks of a previous registration of the same id that this one no longer
    /// lists (`?replace-existing-checks`, Consul 1.5+).
    pub fn replace_existing_checks(mut self) -> Self {
        self.call_mut().replace_existing_checks = true;
        self
    }
}
