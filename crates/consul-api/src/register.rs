//! Keeping a service registered while it is healthy (Spring Cloud Consul's
//! `ConsulAutoRegistration` + `TtlScheduler`, Go's `agent.ServiceRegister` + `UpdateTTL` in a
//! loop).
//!
//! A [`ServiceRegistration`] registers a service with the local agent together with a TTL
//! check, and [`ServiceRegistration::start`] returns a [`RegistrationGuard`] whose
//! background task keeps it true:
//!
//! - it **heartbeats** the TTL check every `ttl × heartbeat_fraction` (default a third of
//!   the TTL, so one lost beat does not turn the service critical);
//! - it **re-registers** the service when the agent has forgotten it — an agent restarted
//!   with fresh state, `consul reload` on a dev agent, a deregistration behind its back:
//!   Consul 1.8.7 then answers the heartbeat with `500 CheckID "…" does not have associated
//!   TTL` (or `Unknown check` with ACLs on) — and beats again at once;
//! - it **keeps the health the application reports** ([`RegistrationGuard::warn`],
//!   [`RegistrationGuard::fail`], [`RegistrationGuard::pass`], each with a note): every
//!   later beat repeats that status and note, and a re-registration starts with it;
//! - it **deregisters** on [`RegistrationGuard::shutdown`] (confirmed by Consul) and, best
//!   effort, when the guard is dropped (the task notices and deregisters on its own, while a
//!   Tokio runtime runs it). A process that crashes cannot do either: the TTL runs out, the
//!   service turns critical, and after `deregister_critical_service_after` (default one
//!   minute, Consul's minimum) the agent removes it by itself.
//!
//! Every action (register, beat, report, deregister) runs in a `tracing` span named
//! `consul.register.*` with the service id; failures are logged as events and visible in
//! [`RegistrationGuard::state`].
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> Result<(), consul_api::register::RegisterError> {
//! use std::time::Duration;
//! let guard = client
//!     .service_registration("web")
//!     .id("web-1")
//!     .address("10.0.0.5")
//!     .port(8080)
//!     .tags(["v1"])
//!     .meta("version", "1.4.2")
//!     .ttl(Duration::from_secs(10))
//!     .start()
//!     .await?; // registered, and passing
//! guard.warn("connection pool 90% used").await?; // kept by every later heartbeat
//! guard.pass("").await?;
//! guard.shutdown().await?; // deregistered
//! # Ok(()) }
//! ```
//!
//! Not to be confused with [`agent::ServiceRegistration`](crate::agent::ServiceRegistration),
//! the one-shot definition sent to `/v1/agent/service/register`: this module's
//! [`ServiceRegistration`] wraps one ([`ServiceRegistration::definition`]) and keeps it
//! registered. Needs a Tokio runtime (the heartbeat runs in a spawned task).

mod heartbeat;

use crate::agent::ServiceRegistration as ServiceDefinition;
use crate::{Client, Error};
use consul_types::health::{CheckDefinition, CheckStatus};
use consul_types::ValidationError;
use std::time::Duration;
pub use tokio::sync::watch;
use tokio::sync::{mpsc, oneshot};

/// The TTL of the heartbeat check unless [`ServiceRegistration::ttl`] sets one.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10);
/// The part of the TTL between two heartbeats unless
/// [`ServiceRegistration::heartbeat_fraction`] sets one: three beats per TTL, so that one
/// lost beat leaves the service passing.
pub const DEFAULT_HEARTBEAT_FRACTION: f64 = 1.0 / 3.0;
/// How long the check may stay critical before the agent removes the service, unless
/// [`ServiceRegistration::deregister_critical_service_after`] says otherwise. Consul
/// raises anything shorter to this minute (its `check_deregister_interval_min`) and looks
/// every 30 s, so a crashed process is gone 1 to 1.5 minutes after its TTL ran out.
pub const DEFAULT_DEREGISTER_CRITICAL_SERVICE_AFTER: Duration = Duration::from_secs(60);
/// The shortest time between two heartbeats that is accepted.
pub const MIN_HEARTBEAT_INTERVAL: Duration = Duration::from_millis(100);

/// What can go wrong registering, reporting or deregistering.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// A request failed, or the registration was invalid ([`Error::Validation`]: nothing
    /// was sent).
    #[error(transparent)]
    Consul(#[from] Error),
    /// The background task is gone (its runtime shut down): nothing was sent.
    #[error("the registration's background task has ended")]
    Ended,
    /// [`ServiceRegistration::start`] was called outside a Tokio runtime, which the
    /// heartbeat task needs: nothing was sent.
    #[error("no Tokio runtime to run the heartbeat in")]
    NoRuntime,
}

impl From<ValidationError> for RegisterError {
    fn from(e: ValidationError) -> Self {
        RegisterError::Consul(Error::Validation(e))
    }
}

/// The health the application reports, repeated by every heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Health {
    pub(crate) status: CheckStatus,
    pub(crate) note: String,
}

/// What the background task knows about the registration; read with
/// [`RegistrationGuard::state`], followed with [`RegistrationGuard::subscribe`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegistrationState {
    /// The status the heartbeat reports (passing, warning or critical).
    pub status: CheckStatus,
    /// The note sent with it (the check's output).
    pub note: String,
    /// How many heartbeats Consul has accepted (the first one included).
    pub beats: u64,
    /// How many times the service was registered: 1, plus one per re-registration after
    /// the agent forgot it.
    pub registrations: u64,
    /// The message of the last failed action, cleared by the next accepted heartbeat.
    pub last_error: Option<String>,
    /// Whether the registration has ended (shut down, detached, dropped).
    pub ended: bool,
}

/// A service to keep registered; made by [`Client::service_registration`], configured by
/// chaining, started by [`ServiceRegistration::start`].
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::register::RegisterError> {
/// use std::time::Duration;
/// let guard = client
///     .service_registration("billing")
///     .id("billing-7")
///     .port(9000)
///     .ttl(Duration::from_secs(6))
///     .heartbeat_fraction(0.25) // a beat every 1.5 s
///     .deregister_critical_service_after(Duration::from_secs(120))
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a registration does nothing until it is started"]
pub struct ServiceRegistration {
    client: Client,
    service: ServiceDefinition,
    ttl: Duration,
    heartbeat_fraction: f64,
    deregister_after: Option<Duration>,
    check_id: Option<String>,
}

impl Client {
    /// A registration of service `name` with a TTL check kept passing by a heartbeat (see
    /// [`register`](crate::register)); its id defaults to the name.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::register::RegisterError> {
    /// let _guard = client.service_registration("web").port(8080).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn service_registration(&self, name: impl Into<String>) -> ServiceRegistration {
        ServiceRegistration {
            client: self.clone(),
            service: ServiceDefinition::new(name),
            ttl: DEFAULT_TTL,
            heartbeat_fraction: DEFAULT_HEARTBEAT_FRACTION,
            deregister_after: Some(DEFAULT_DEREGISTER_CRITICAL_SERVICE_AFTER),
            check_id: None,
        }
    }
}

impl ServiceRegistration {
    /// Registers this full definition (weights, tagged addresses, Connect, checks of its
    /// own that are kept beside the heartbeat's), replacing what was chained so far.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::register::RegisterError> {
    /// use consul_api::agent::{AgentWeights, CheckDefinition, ServiceRegistration};
    /// use std::time::Duration;
    /// let web = ServiceRegistration::new("web")
    ///     .id("web-1")
    ///     .port(8080)
    ///     .weights(AgentWeights::new(10, 1))
    ///     .check(CheckDefinition::http("http://127.0.0.1:8080/health", Duration::from_secs(10)));
    /// let _guard = client.service_registration("web").definition(web).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn definition(mut self, service: ServiceDefinition) -> Self {
        self.service = service;
        self
    }

    /// The instance id (default: the name). Two processes of one service need two ids.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.service.id = Some(id.into());
        self
    }

    /// The address others reach the service at (default: the agent's node address).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.service.address = Some(address.into());
        self
    }

    /// The port.
    pub fn port(mut self, port: u16) -> Self {
        self.service.port = Some(port);
        self
    }

    /// Adds one tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.service.tags.push(tag.into());
        self
    }

    /// Sets the tags, replacing those given before.
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.service.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one metadata entry.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.service.meta.insert(key.into(), value.into());
        self
    }

    /// The TTL of the heartbeat check (default [`DEFAULT_TTL`]): the service turns critical
    /// when no heartbeat arrives for this long.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The part of the TTL between two heartbeats, above 0 and below 1 (default
    /// [`DEFAULT_HEARTBEAT_FRACTION`]); the interval must be at least
    /// [`MIN_HEARTBEAT_INTERVAL`].
    pub fn heartbeat_fraction(mut self, fraction: f64) -> Self {
        self.heartbeat_fraction = fraction;
        self
    }

    /// How long the check may stay critical before the agent deregisters the service by
    /// itself (`None`: never), which is how a crashed process disappears. Default
    /// [`DEFAULT_DEREGISTER_CRITICAL_SERVICE_AFTER`]; Consul raises shorter values to one
    /// minute.
    ///
    /// This also applies to a service the application reports as failing
    /// ([`RegistrationGuard::fail`]): after this long the agent removes it, the next
    /// heartbeat finds it gone and registers it again, still critical.
    pub fn deregister_critical_service_after(mut self, after: impl Into<Option<Duration>>) -> Self {
        self.deregister_after = after.into();
        self
    }

    /// The id of the heartbeat check (default `service:<service id>`).
    pub fn check_id(mut self, id: impl Into<String>) -> Self {
        self.check_id = Some(id.into());
        self
    }

    /// The definition as it will be sent, heartbeat check included, with the interval
    /// between beats; or why it is invalid.
    fn prepare(&self) -> Result<(ServiceDefinition, String, Duration), ValidationError> {
        if self.ttl.is_zero() {
            return Err(ValidationError::InvalidValue {
                field: "ttl",
                reason: "must be longer than zero".into(),
            });
        }
        let fraction = self.heartbeat_fraction;
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(ValidationError::OutOfRange {
                field: "heartbeat fraction",
                value: fraction.to_string(),
                min: "0 (excluded)".into(),
                max: "1 (excluded)".into(),
            });
        }
        let interval = self.ttl.mul_f64(fraction);
        if interval < MIN_HEARTBEAT_INTERVAL {
            return Err(ValidationError::InvalidValue {
                field: "heartbeat interval",
                reason: format!(
                    "ttl × fraction is {interval:?}, below the minimum of {MIN_HEARTBEAT_INTERVAL:?}"
                )
                .into(),
            });
        }
        let mut service = self.service.clone();
        let check_id = self
            .check_id
            .clone()
            .unwrap_or_else(|| format!("service:{}", service.effective_id()));
        if check_id.is_empty() {
            return Err(ValidationError::Empty { field: "check id" });
        }
        if service
            .checks
            .iter()
            .any(|c| c.id.as_deref() == Some(check_id.as_str()))
        {
            return Err(ValidationError::Conflict(
                "the definition already has a check with the heartbeat's check id",
            ));
        }
        let mut check = CheckDefinition::ttl(self.ttl)
            .id(check_id.clone())
            .name(format!("Service '{}' heartbeat", service.name));
        if let Some(after) = self.deregister_after {
            check = check.deregister_critical_service_after(after);
        }
        service.checks.push(check);
        service.validate()?;
        Ok((service, check_id, interval))
    }

    /// Registers the service, sends the first heartbeat (passing), and starts the
    /// background task that keeps it registered; returns once Consul accepted both.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::register::RegisterError> {
    /// let guard = client.service_registration("web").port(8080).start().await?;
    /// // ... serve ...
    /// guard.shutdown().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`RegisterError::Consul`] with [`Error::Validation`] for an invalid registration (a
    /// zero TTL, a fraction outside (0, 1), an interval under [`MIN_HEARTBEAT_INTERVAL`], an
    /// empty name or id, a check of the definition with the heartbeat's id): nothing is sent;
    /// with another [`Error`] when registering or the first beat failed (nothing is left
    /// running; a registration that landed is removed again, best effort).
    /// [`RegisterError::NoRuntime`] outside a Tokio runtime.
    pub async fn start(self) -> Result<RegistrationGuard, RegisterError> {
        let (service, check_id, interval) = self.prepare()?;
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| RegisterError::NoRuntime)?;
        let service_id = service.effective_id().to_owned();
        let health = Health {
            status: CheckStatus::Passing,
            note: String::new(),
        };
        let mut task = heartbeat::Heartbeat::new(
            self.client,
            service,
            check_id.clone(),
            interval,
            health.clone(),
        );
        if let Err(e) = task.first().await {
            task.deregister_after_failed_start().await;
            return Err(e.into());
        }
        let state = task.state();
        let (commands, receiver) = mpsc::unbounded_channel();
        runtime.spawn(task.run(receiver));
        Ok(RegistrationGuard {
            service_id,
            check_id,
            commands,
            state,
        })
    }
}

/// A request from the guard to its heartbeat task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Report this health now and keep it.
    Report {
        health: Health,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    /// Deregister and end.
    Shutdown {
        reply: oneshot::Sender<Result<(), Error>>,
    },
    /// End, leaving the service registered.
    Detach,
}

/// A service kept registered; made by [`ServiceRegistration::start`].
///
/// Dropping it deregisters the service in the background (its task does so when it sees
/// the guard gone, while the runtime runs); [`RegistrationGuard::shutdown`] does it now and
/// reports errors; [`RegistrationGuard::detach`] ends the heartbeat and leaves the service
/// registered. Bind it to a name (`let _guard = …`): `let _ = …` drops it at once.
///
/// It is `Send + Sync`: share it (`Arc`) with the parts of the application that report
/// health.
#[derive(Debug)]
#[must_use = "dropping the guard deregisters the service; keep it for as long as the service runs"]
pub struct RegistrationGuard {
    service_id: String,
    check_id: String,
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<RegistrationState>,
}

impl RegistrationGuard {
    /// The service's instance id.
    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    /// The heartbeat check's id.
    pub fn check_id(&self) -> &str {
        &self.check_id
    }

    /// Reports the service healthy, with `note` as the check's output (may be empty); the
    /// heartbeat keeps it. Returns once Consul accepted it.
    ///
    /// ```no_run
    /// # async fn demo(guard: consul_api::register::RegistrationGuard) -> Result<(), consul_api::register::RegisterError> {
    /// guard.pass("recovered").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`RegisterError::Consul`] when Consul did not accept it (the heartbeat keeps trying
    /// with the new status); [`RegisterError::Ended`] when the task is gone.
    pub async fn pass(&self, note: impl Into<String>) -> Result<(), RegisterError> {
        self.report(CheckStatus::Passing, note.into()).await
    }

    /// Reports the service degraded (`warning`, still returned by most health queries but
    /// marked), with `note` as the check's output; the heartbeat keeps it.
    ///
    /// ```no_run
    /// # async fn demo(guard: consul_api::register::RegistrationGuard) -> Result<(), consul_api::register::RegisterError> {
    /// guard.warn("queue 80% full").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`RegistrationGuard::pass`].
    pub async fn warn(&self, note: impl Into<String>) -> Result<(), RegisterError> {
        self.report(CheckStatus::Warning, note.into()).await
    }

    /// Reports the service failing (`critical`: out of healthy results), with `note` as the
    /// check's output; the heartbeat keeps it, so the service stays registered but
    /// unused until [`RegistrationGuard::pass`] (mind
    /// [`ServiceRegistration::deregister_critical_service_after`]).
    ///
    /// ```no_run
    /// # async fn demo(guard: consul_api::register::RegistrationGuard) -> Result<(), consul_api::register::RegisterError> {
    /// guard.fail("database unreachable").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`RegistrationGuard::pass`].
    pub async fn fail(&self, note: impl Into<String>) -> Result<(), RegisterError> {
        self.report(CheckStatus::Critical, note.into()).await
    }

    async fn report(&self, status: CheckStatus, note: String) -> Result<(), RegisterError> {
        let (reply, answer) = oneshot::channel();
        let health = Health { status, note };
        self.commands
            .send(Command::Report { health, reply })
            .map_err(|_| RegisterError::Ended)?;
        answer.await.map_err(|_| RegisterError::Ended)??;
        Ok(())
    }

    /// What the background task knows now: reported status and note, heartbeats and
    /// registrations so far, the last failure.
    ///
    /// ```no_run
    /// # fn demo(guard: consul_api::register::RegistrationGuard) {
    /// let state = guard.state();
    /// if let Some(error) = &state.last_error {
    ///     eprintln!("heartbeat failing: {error}");
    /// }
    /// # }
    /// ```
    pub fn state(&self) -> RegistrationState {
        self.state.borrow().clone()
    }

    /// A channel that changes with the state (each heartbeat, registration, failure), to
    /// follow it from another task.
    ///
    /// ```no_run
    /// # async fn demo(guard: consul_api::register::RegistrationGuard) {
    /// let mut state = guard.subscribe();
    /// let _ = state.wait_for(|s| s.registrations > 1).await;
    /// println!("the agent forgot the service; registered again");
    /// # }
    /// ```
    pub fn subscribe(&self) -> watch::Receiver<RegistrationState> {
        self.state.clone()
    }

    /// Stops the heartbeat and deregisters the service; returns once Consul confirmed it.
    ///
    /// ```no_run
    /// # async fn demo(guard: consul_api::register::RegistrationGuard) -> Result<(), consul_api::register::RegisterError> {
    /// guard.shutdown().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`RegisterError::Consul`] when the deregistration failed (the service then turns
    /// critical after its TTL and is removed after `deregister_critical_service_after`);
    /// [`RegisterError::Ended`] when the task is gone.
    pub async fn shutdown(self) -> Result<(), RegisterError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Shutdown { reply })
            .map_err(|_| RegisterError::Ended)?;
        answer.await.map_err(|_| RegisterError::Ended)??;
        Ok(())
    }

    /// Stops the heartbeat and leaves the service registered, as a crashed process would:
    /// it turns critical when its TTL runs out and the agent removes it after
    /// `deregister_critical_service_after`. For a hand-over to a process that registers the
    /// same id (a restart in place), where deregistering would remove the successor's
    /// registration.
    ///
    /// ```no_run
    /// # fn demo(guard: consul_api::register::RegistrationGuard) {
    /// guard.detach(); // the next process registers the same id
    /// # }
    /// ```
    pub fn detach(self) {
        let _ = self.commands.send(Command::Detach);
    }
}
