//! Services the local agent manages (`/v1/agent/services`, `/v1/agent/service/*`) and
//! their health as the agent sees it (`/v1/agent/health/service/*`).

use super::Agent;
use crate::request::{check, decode, query_meta, segment};
use crate::Result;
use consul_types::agent::{
    validate_service_id, AgentService, AgentServiceChecksInfo, ServiceRegistration,
};
use consul_types::health::validate_service_name;
use consul_types::{QueryOptions, QueryResponse, WriteOptions, WriteResponse};
use http::{Method, StatusCode};
use std::collections::BTreeMap;
use std::time::Duration;

impl Agent {
    /// The services the agent manages, by instance id (aioconsul's `agent.services()`).
    /// A filter expression in the options narrows them (`Service == "web"`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#list-services)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// for (id, service) in client.agent().services(&QueryOptions::default()).await?.value {
    ///     println!("{id}: {} on port {}", service.service, service.port);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (a bad filter is a 500 on Consul 1.8.7).
    pub async fn services(
        &self,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<BTreeMap<String, AgentService>>> {
        let response = self
            .client
            .call(Method::GET, "agent/services")
            .agent_query_options(opts)?
            .query::<Option<BTreeMap<String, AgentService>>>()
            .await?;
        Ok(response.map(Option::unwrap_or_default))
    }

    /// One service the agent manages (aioconsul's `services.get`). With
    /// [`QueryOptions::wait_hash`] set to a previous `meta.last_content_hash`, the read
    /// blocks until the local definition changes or the wait time passes.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#get-service-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// use std::time::Duration;
    /// let agent = client.agent();
    /// let first = agent.service("web-1", &QueryOptions::default()).await?;
    /// let hash = first.meta.last_content_hash.clone().unwrap_or_default();
    /// let changed = agent
    ///     .service("web-1", &QueryOptions::default().wait_hash(hash).wait_time(Duration::from_secs(30)))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown id;
    /// [`Error::Validation`](crate::Error::Validation) for an empty one; transport and
    /// status errors otherwise.
    pub async fn service(
        &self,
        id: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<AgentService>> {
        validate_service_id(id)?;
        self.client
            .call(Method::GET, format!("agent/service/{}", segment(id)))
            .agent_query_options(opts)?
            .query::<AgentService>()
            .await
    }

    /// Registers a service, with its checks, with the agent (aioconsul's
    /// `services.register`). Registering an existing id updates it.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#register-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::{CheckDefinition, ServiceRegistration};
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// let web = ServiceRegistration::new("web")
    ///     .id("web-1")
    ///     .tags(["v1"])
    ///     .port(8080)
    ///     .check(CheckDefinition::http("http://127.0.0.1:8080/health", Duration::from_secs(10)));
    /// client.agent().service_register(&web, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid registration (empty
    /// name, a check with no or several kinds, an invalid duration, …); transport and
    /// status errors otherwise.
    pub async fn service_register(
        &self,
        service: &ServiceRegistration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.register_service(service, false, opts).await
    }

    /// Registers a service and drops the checks of a previous registration of the same id
    /// that the new one no longer lists (`?replace-existing-checks`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::ServiceRegistration;
    /// use consul_api::WriteOptions;
    /// let web = ServiceRegistration::new("web").id("web-1").port(8080);
    /// client.agent().service_register_replacing_checks(&web, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::service_register`].
    pub async fn service_register_replacing_checks(
        &self,
        service: &ServiceRegistration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.register_service(service, true, opts).await
    }

    async fn register_service(
        &self,
        service: &ServiceRegistration,
        replace_existing_checks: bool,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        service.validate()?;
        self.client
            .call(Method::PUT, "agent/service/register")
            .flag_if("replace-existing-checks", replace_existing_checks)
            .agent_write_options(opts)?
            .json(service)?
            .write_unit()
            .await
    }

    /// Registers service `name` with a TTL check (aioconsul's `services.register_ttl`).
    /// The check's id is `service:<name>`; report with [`Agent::pass_ttl`].
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// let agent = client.agent();
    /// agent.service_register_ttl("worker", Duration::from_secs(30), &WriteOptions::default()).await?;
    /// agent.pass_ttl("service:worker", "", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::service_register`].
    pub async fn service_register_ttl(
        &self,
        name: &str,
        ttl: Duration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.service_register(&ServiceRegistration::with_ttl(name, ttl), opts)
            .await
    }

    /// Registers service `name` with an HTTP check of `url` every `interval` (aioconsul's
    /// `services.register_http`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .service_register_http("api", "http://127.0.0.1:8080/health", Duration::from_secs(10), &WriteOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::service_register`].
    pub async fn service_register_http(
        &self,
        name: &str,
        url: &str,
        interval: Duration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.service_register(&ServiceRegistration::with_http(name, url, interval), opts)
            .await
    }

    /// Registers service `name` with a script check running `args` every `interval`
    /// (aioconsul's `services.register_script`). The agent must run with
    /// `enable_script_checks`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .service_register_script("cron", &["/usr/local/bin/check-cron"], Duration::from_secs(60), &WriteOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::service_register`].
    pub async fn service_register_script(
        &self,
        name: &str,
        args: &[&str],
        interval: Duration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        let service = ServiceRegistration::with_script(name, args.iter().copied(), interval);
        self.service_register(&service, opts).await
    }

    /// Removes a service and its checks from the agent (aioconsul's
    /// `services.deregister`). Consul 1.8.7 also answers 200 for an unknown id.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#deregister-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().service_deregister("web-1", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; transport and
    /// status errors otherwise.
    pub async fn service_deregister(
        &self,
        id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_service_id(id)?;
        self.put_unit(
            format!("agent/service/deregister/{}", segment(id)),
            &[],
            opts,
        )
        .await
    }

    /// Puts one service instance in maintenance mode: a critical
    /// `_service_maintenance:<id>` check takes it out of healthy results (aioconsul's
    /// `services.disable`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#enable-maintenance-mode)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().enable_service_maintenance("web-1", "deploying", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown id;
    /// [`Error::Validation`](crate::Error::Validation) for an empty one.
    pub async fn enable_service_maintenance(
        &self,
        id: &str,
        reason: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_service_id(id)?;
        let mut params = vec![("enable", "true")];
        if !reason.is_empty() {
            params.push(("reason", reason));
        }
        self.put_unit(
            format!("agent/service/maintenance/{}", segment(id)),
            &params,
            opts,
        )
        .await
    }

    /// Takes one service instance out of maintenance mode (aioconsul's `services.enable`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().disable_service_maintenance("web-1", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::enable_service_maintenance`].
    pub async fn disable_service_maintenance(
        &self,
        id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_service_id(id)?;
        self.put_unit(
            format!("agent/service/maintenance/{}", segment(id)),
            &[("enable", "false")],
            opts,
        )
        .await
    }

    /// The health of one service instance as the local agent sees it, without asking the
    /// servers (`/v1/agent/health/service/id/:id`). `None` for an unknown id.
    ///
    /// Consul answers 200, 429 or 503 for passing, warning and critical; all three are a
    /// successful result here, with the status in `aggregated_status`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/service#get-local-service-health-by-id)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::CheckStatus;
    /// use consul_api::QueryOptions;
    /// if let Some(info) = client.agent().health_service_by_id("web-1", &QueryOptions::default()).await?.value {
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
    pub async fn health_service_by_id(
        &self,
        id: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<AgentServiceChecksInfo>>> {
        validate_service_id(id)?;
        let response = self
            .health_read(format!("agent/health/service/id/{}", segment(id)), opts)
            .await?;
        Ok(response)
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
    /// use consul_api::QueryOptions;
    /// let instances = client.agent().health_service_by_name("web", &QueryOptions::default()).await?.value;
    /// let overall = CheckStatus::aggregate(instances.iter().map(|i| &i.aggregated_status));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name; transport and
    /// other status errors.
    pub async fn health_service_by_name(
        &self,
        name: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<AgentServiceChecksInfo>>> {
        validate_service_name(name)?;
        let response = self
            .health_read::<Vec<AgentServiceChecksInfo>>(
                format!("agent/health/service/name/{}", segment(name)),
                opts,
            )
            .await?;
        Ok(response.map(Option::unwrap_or_default))
    }

    /// A read whose 429 and 503 answers carry the (warning, critical) result, and whose
    /// 404 means "absent".
    async fn health_read<T: serde::de::DeserializeOwned>(
        &self,
        path: String,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<T>>> {
        let (response, elapsed) = self
            .client
            .call(Method::GET, path)
            .agent_query_options(opts)?
            .send_raw()
            .await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            let meta = query_meta(&response, elapsed)?;
            return Ok(QueryResponse { value: None, meta });
        }
        if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE {
            check(&response)?;
        }
        let meta = query_meta(&response, elapsed)?;
        Ok(QueryResponse {
            value: Some(decode(response.body())?),
            meta,
        })
    }
}
