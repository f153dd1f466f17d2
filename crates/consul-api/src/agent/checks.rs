//! Checks the local agent manages (`/v1/agent/checks`, `/v1/agent/check/*`).

use super::{agent_put, agent_read, Agent};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::agent::CheckUpdate;
use consul_types::endpoint::{Endpoint, Idempotence};
use consul_types::health::{validate_check_id, CheckDefinition, CheckStatus, HealthCheck};
use consul_types::ValidationError;
use std::collections::BTreeMap;
use std::time::Duration;

fn checks_endpoint() -> Endpoint {
    agent_read("agent/checks").accepts(consul_types::endpoint::Accepts::NONE.with_filter())
}

/// The call of [`Agent::checks`]: every check the agent manages, by check id.
#[derive(Debug, Clone)]
pub struct AgentChecks;

impl Call for AgentChecks {
    type Output = BTreeMap<String, HealthCheck>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(checks_endpoint())
    }

    fn output(&self, answer: Answer) -> Result<BTreeMap<String, HealthCheck>> {
        Ok(answer
            .json_opt::<Option<_>>()?
            .flatten()
            .unwrap_or_default())
    }
}

read_setters!(AgentChecks: filter);

/// The call of [`Agent::check`]: one check the agent manages, `None` when it has none
/// with that id.
#[derive(Debug, Clone)]
pub struct AgentCheck {
    id: String,
}

impl Call for AgentCheck {
    type Output = Option<HealthCheck>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_check_id(&self.id)?;
        Ok(checks_endpoint())
    }

    fn output(&self, answer: Answer) -> Result<Option<HealthCheck>> {
        Ok(AgentChecks.output(answer)?.remove(&self.id))
    }
}

/// The call of [`Agent::check_register`] and its shortcuts.
#[derive(Debug, Clone)]
pub struct AgentCheckRegister {
    check: CheckDefinition,
}

impl Call for AgentCheckRegister {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.check.validate_registration()?;
        let body = self.check.agent_registration_body()?;
        agent_put("agent/check/register").json(&body)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::check_deregister`].
#[derive(Debug, Clone)]
pub struct AgentCheckDeregister {
    id: String,
}

impl Call for AgentCheckDeregister {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        agent_put("agent/check/deregister").segment("check id", &self.id)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// What a TTL report says.
#[derive(Debug, Clone, Copy)]
enum TtlMark {
    Pass,
    Warn,
    Fail,
}

/// The call of [`Agent::pass_ttl`], [`Agent::warn_ttl`] and [`Agent::fail_ttl`].
#[derive(Debug, Clone)]
pub struct AgentTtl {
    mark: TtlMark,
    id: String,
    note: Option<String>,
}

impl Call for AgentTtl {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        let path = match self.mark {
            TtlMark::Pass => "agent/check/pass",
            TtlMark::Warn => "agent/check/warn",
            TtlMark::Fail => "agent/check/fail",
        };
        Ok(agent_put(path)
            .idempotent(Idempotence::Yes)
            .segment("check id", &self.id)?
            .param_opt("note", self.note.clone().filter(|n| !n.is_empty())))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Agent::update_ttl`].
#[derive(Debug, Clone)]
pub struct AgentUpdateTtl {
    id: String,
    update: CheckUpdate,
}

impl Call for AgentUpdateTtl {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.update.validate()?;
        agent_put("agent/check/update")
            .idempotent(Idempotence::Yes)
            .segment("check id", &self.id)?
            .json(&self.update)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

impl Agent {
    /// The checks the agent manages, by check id (aioconsul's `agent.checks()`).
    /// `.filter(expression)` narrows them (`Status == "critical"`, Consul 1.5+).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#list-checks)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let critical = client
    ///     .agent()
    ///     .checks()
    ///     .filter("Status == \"critical\"")
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
    pub fn checks(&self) -> ReadRequest<AgentChecks> {
        self.read(AgentChecks)
    }

    /// One check the agent manages (aioconsul's `checks.get`); `None` when the agent has
    /// no check with that id. Consul 1.8.7 has no single-check endpoint, so this reads the
    /// list and picks the check.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// match client.agent().check("web-ttl").await?.value {
    ///     Some(check) => println!("{}", check.status),
    ///     None => println!("no such check"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; transport and
    /// status errors otherwise.
    pub fn check(&self, id: impl Into<String>) -> ReadRequest<AgentCheck> {
        self.read(AgentCheck { id: id.into() })
    }

    /// Registers a check with the agent (aioconsul's `checks.register`). The definition is
    /// validated first: a name, exactly one kind, Go-format durations.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#register-check)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::CheckDefinition;
    /// use std::time::Duration;
    /// let check = CheckDefinition::tcp("127.0.0.1:5432", Duration::from_secs(10))
    ///     .id("pg")
    ///     .name("postgres port")
    ///     .timeout(Duration::from_secs(1));
    /// client.agent().check_register(check).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid definition; a 500 for
    /// a script check on an agent without `enable_script_checks`; transport and status
    /// errors otherwise.
    pub fn check_register(&self, check: CheckDefinition) -> WriteRequest<AgentCheckRegister> {
        self.write(AgentCheckRegister { check })
    }

    /// Registers a TTL check named `name` (aioconsul's `checks.register_ttl`); its id is
    /// the name. Report with [`Agent::pass_ttl`] and friends before `ttl` runs out.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let agent = client.agent();
    /// agent.check_register_ttl("worker-alive", Duration::from_secs(30)).await?;
    /// agent.pass_ttl("worker-alive").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::check_register`].
    pub fn check_register_ttl(
        &self,
        name: impl Into<String>,
        ttl: Duration,
    ) -> WriteRequest<AgentCheckRegister> {
        self.check_register(CheckDefinition::ttl(ttl).name(name))
    }

    /// Registers an HTTP check named `name` of `url` every `interval` (aioconsul's
    /// `checks.register_http`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .check_register_http("api", "http://127.0.0.1:8080/health", Duration::from_secs(10))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::check_register`].
    pub fn check_register_http(
        &self,
        name: impl Into<String>,
        url: impl Into<String>,
        interval: Duration,
    ) -> WriteRequest<AgentCheckRegister> {
        self.check_register(CheckDefinition::http(url, interval).name(name))
    }

    /// Registers a script check named `name` running `args` every `interval` (aioconsul's
    /// `checks.register_script`). The agent must run with `enable_script_checks`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// client
    ///     .agent()
    ///     .check_register_script("disk", ["/usr/local/bin/check-disk", "/"], Duration::from_secs(60))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::check_register`].
    pub fn check_register_script<I, S>(
        &self,
        name: impl Into<String>,
        args: I,
        interval: Duration,
    ) -> WriteRequest<AgentCheckRegister>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.check_register(CheckDefinition::script(args, interval).name(name))
    }

    /// Removes a check from the agent (aioconsul's `checks.deregister`). Consul 1.8.7 also
    /// answers 200 for an unknown id.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#deregister-check)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().check_deregister("pg").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; transport and
    /// status errors otherwise.
    pub fn check_deregister(&self, id: impl Into<String>) -> WriteRequest<AgentCheckDeregister> {
        self.write(AgentCheckDeregister { id: id.into() })
    }

    /// Sets a TTL check to passing (aioconsul's `checks.passing`); `.note(text)` sets its
    /// output.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-pass)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().pass_ttl("service:web").note("all good").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; a 500 status error
    /// when the check is unknown or not a TTL check.
    pub fn pass_ttl(&self, id: impl Into<String>) -> WriteRequest<AgentTtl> {
        self.ttl(TtlMark::Pass, id.into())
    }

    /// Sets a TTL check to warning (aioconsul's `checks.warning`); `.note(text)` sets its
    /// output.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().warn_ttl("service:web").note("queue is filling up").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::pass_ttl`].
    pub fn warn_ttl(&self, id: impl Into<String>) -> WriteRequest<AgentTtl> {
        self.ttl(TtlMark::Warn, id.into())
    }

    /// Sets a TTL check to critical (aioconsul's `checks.critical`); `.note(text)` sets
    /// its output.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.agent().fail_ttl("service:web").note("database unreachable").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Agent::pass_ttl`].
    pub fn fail_ttl(&self, id: impl Into<String>) -> WriteRequest<AgentTtl> {
        self.ttl(TtlMark::Fail, id.into())
    }

    fn ttl(&self, mark: TtlMark, id: String) -> WriteRequest<AgentTtl> {
        self.write(AgentTtl {
            mark,
            id,
            note: None,
        })
    }

    /// Sets a TTL check's status, and with `.output(text)` its output, in one call (Go's
    /// `UpdateTTL`; aioconsul's `checks.mark`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::agent::CheckStatus;
    /// client
    ///     .agent()
    ///     .update_ttl("service:web", CheckStatus::Warning)
    ///     .output("latency 450 ms")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id or a status other
    /// than passing, warning or critical; a 500 status error for an unknown or non-TTL
    /// check.
    pub fn update_ttl(
        &self,
        id: impl Into<String>,
        status: CheckStatus,
    ) -> WriteRequest<AgentUpdateTtl> {
        self.write(AgentUpdateTtl {
            id: id.into(),
            update: CheckUpdate::new(status, ""),
        })
    }
}

impl WriteRequest<AgentTtl> {
    /// Sets the check's output to this note (`?note=`; an empty note is not sent).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.call_mut().note = Some(note.into());
        self
    }
}

impl WriteRequest<AgentUpdateTtl> {
    /// Sets the check's output to this text.
    pub fn output(mut self, output: impl Into<String>) -> Self {
        self.call_mut().update.output = output.into();
        self
    }
}
