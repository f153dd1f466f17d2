//! Checks the local agent manages (`/v1/agent/checks`, `/v1/agent/check/*`).

use super::Agent;
use crate::request::segment;
use crate::{Error, Result};
use consul_types::agent::CheckUpdate;
use consul_types::health::{validate_check_id, CheckDefinition, CheckStatus, HealthCheck};
use consul_types::{QueryOptions, QueryResponse, WriteOptions, WriteResponse};
use http::Method;
use std::collections::BTreeMap;
use std::time::Duration;

impl Agent {
    /// The checks the agent manages, by check id (aioconsul's `agent.checks()`). A filter
    /// expression in the options narrows them (`Status == "critical"`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#list-checks)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let critical = client
    ///     .agent()
    ///     .checks(&QueryOptions::default().filter("Status == \"critical\""))
    ///     .await?
    ///     .value;
    /// for (id, check) in critical {
    ///     println!("{id}: {}", check.output);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (a bad filter is a 500 on Consul 1.8.7).
    pub async fn checks(
        &self,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<BTreeMap<String, HealthCheck>>> {
        let response = self
            .client
            .call(Method::GET, "agent/checks")
            .agent_query_options(opts)?
            .query::<Option<BTreeMap<String, HealthCheck>>>()
            .await?;
        Ok(response.map(Option::unwrap_or_default))
    }

    /// One check the agent manages (aioconsul's `checks.get`). Consul 1.8.7 has no
    /// single-check endpoint, so this reads the list and picks the check.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// match client.agent().check("web-ttl", &QueryOptions::default()).await {
    ///     Ok(check) => println!("{}", check.value.status),
    ///     Err(e) if e.is_not_found() => println!("no such check"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when the agent has no such check;
    /// [`Error::Validation`] for an empty id; transport and status
    /// errors otherwise.
    pub async fn check(&self, id: &str, opts: &QueryOptions) -> Result<QueryResponse<HealthCheck>> {
        validate_check_id(id)?;
        let QueryResponse { mut value, meta } = self.checks(opts).await?;
        match value.remove(id) {
            Some(check) => Ok(QueryResponse { value: check, meta }),
            None => Err(Error::NotFound {
                message: format!("unknown check ID: {id}"),
            }),
        }
    }

    /// Registers a check with the agent (aioconsul's `checks.register`). The definition is
    /// validated first: a name, exactly one kind, Go-format durations.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#register-check)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::CheckDefinition;
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// let check = CheckDefinition::tcp("127.0.0.1:5432", Duration::from_secs(10))
    ///     .id("pg")
    ///     .name("postgres port")
    ///     .timeout(Duration::from_secs(1));
    /// client.agent().check_register(&check, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an invalid definition; a 500 for
    /// a script check on an agent without `enable_script_checks`; transport and status
    /// errors otherwise.
    pub async fn check_register(
        &self,
        check: &CheckDefinition,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        check.validate_registration()?;
        let body = check.agent_registration_body()?;
        self.client
            .call(Method::PUT, "agent/check/register")
            .agent_write_options(opts)?
            .json(&body)?
            .write_unit()
            .await
    }

    /// Registers a TTL check named `name` (aioconsul's `checks.register_ttl`); its id is
    /// the name. Report with [`Agent::pass_ttl`] and friends before `ttl` runs out.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// let agent = client.agent();
    /// agent.check_register_ttl("worker-alive", Duration::from_secs(30), &WriteOptions::default()).await?;
    /// agent.pass_ttl("worker-alive", "", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::check_register`].
    pub async fn check_register_ttl(
        &self,
        name: &str,
        ttl: Duration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.check_register(&CheckDefinition::ttl(ttl).name(name), opts)
            .await
    }

    /// Registers an HTTP check named `name` of `url` every `interval` (aioconsul's
    /// `checks.register_http`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .check_register_http("api", "http://127.0.0.1:8080/health", Duration::from_secs(10), &WriteOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::check_register`].
    pub async fn check_register_http(
        &self,
        name: &str,
        url: &str,
        interval: Duration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.check_register(&CheckDefinition::http(url, interval).name(name), opts)
            .await
    }

    /// Registers a script check named `name` running `args` every `interval` (aioconsul's
    /// `checks.register_script`). The agent must run with `enable_script_checks`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .check_register_script("disk", &["/usr/local/bin/check-disk", "/"], Duration::from_secs(60), &WriteOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::check_register`].
    pub async fn check_register_script(
        &self,
        name: &str,
        args: &[&str],
        interval: Duration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.check_register(
            &CheckDefinition::script(args.iter().copied(), interval).name(name),
            opts,
        )
        .await
    }

    /// Removes a check from the agent (aioconsul's `checks.deregister`). Consul 1.8.7 also
    /// answers 200 for an unknown id.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#deregister-check)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().check_deregister("pg", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id; transport and
    /// status errors otherwise.
    pub async fn check_deregister(
        &self,
        id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_check_id(id)?;
        self.put_unit(format!("agent/check/deregister/{}", segment(id)), &[], opts)
            .await
    }

    /// Sets a TTL check to passing, with an optional note as its output (aioconsul's
    /// `checks.passing`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-pass)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().pass_ttl("service:web", "all good", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id; a 500 status error
    /// when the check is unknown or not a TTL check.
    pub async fn pass_ttl(
        &self,
        id: &str,
        note: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.ttl_mark("pass", id, note, opts).await
    }

    /// Sets a TTL check to warning, with an optional note (aioconsul's `checks.warning`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().warn_ttl("service:web", "queue is filling up", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::pass_ttl`].
    pub async fn warn_ttl(
        &self,
        id: &str,
        note: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.ttl_mark("warn", id, note, opts).await
    }

    /// Sets a TTL check to critical, with an optional note (aioconsul's `checks.critical`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.agent().fail_ttl("service:web", "database unreachable", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::pass_ttl`].
    pub async fn fail_ttl(
        &self,
        id: &str,
        note: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        self.ttl_mark("fail", id, note, opts).await
    }

    async fn ttl_mark(
        &self,
        verb: &str,
        id: &str,
        note: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_check_id(id)?;
        let params: &[(&'static str, &str)] = if note.is_empty() {
            &[]
        } else {
            &[("note", note)]
        };
        self.put_unit(format!("agent/check/{verb}/{}", segment(id)), params, opts)
            .await
    }

    /// Sets a TTL check's status and output in one call (Go's `UpdateTTL`; aioconsul's
    /// `checks.mark`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::CheckStatus;
    /// use consul_api::WriteOptions;
    /// client
    ///     .agent()
    ///     .update_ttl("service:web", "latency 450 ms", CheckStatus::Warning, &WriteOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id or a status other
    /// than passing, warning or critical; a 500 status error for an unknown or non-TTL
    /// check.
    pub async fn update_ttl(
        &self,
        id: &str,
        output: &str,
        status: CheckStatus,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        validate_check_id(id)?;
        let update = CheckUpdate::new(status, output);
        update.validate()?;
        self.client
            .call(Method::PUT, format!("agent/check/update/{}", segment(id)))
            .agent_write_options(opts)?
            .json(&update)?
            .write_unit()
            .await
    }
}
