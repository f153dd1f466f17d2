//! The background task of a registration: heartbeats, re-registration, reports,
//! deregistration. One task does all of them, in order, so a report and a beat never race
//! (a beat sent after `warn()` always carries the warning).

use super::{Command, Health, RegistrationState};
use crate::agent::ServiceRegistration as ServiceDefinition;
use crate::{Client, Error};
use consul_transport::TransportError;
use std::future::Future;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tracing::Instrument;

/// The first pause after a failed beat; it doubles up to the heartbeat interval.
const FIRST_RETRY: Duration = Duration::from_millis(250);

/// What the task owns.
pub(super) struct Heartbeat {
    client: Client,
    /// The definition, heartbeat check last.
    service: ServiceDefinition,
    service_id: String,
    check_id: String,
    interval: Duration,
    health: Health,
    state: watch::Sender<RegistrationState>,
    failures: u32,
}

/// Whether Consul's answer says the agent does not know the check: an agent restarted with
/// fresh state, reloaded in dev mode, or a deregistration behind our back. Consul 1.8.7
/// answers `500 CheckID "…" does not have associated TTL`, and `Unknown check "…"` when
/// ACLs vet the update first.
fn forgotten(e: &Error) -> bool {
    match e {
        Error::NotFound { .. } => true,
        Error::Status { body, .. } => {
            body.contains("does not have associated TTL") || body.contains("Unknown check")
        }
        Error::PermissionDenied { message } => message.contains("Unknown check"),
        _ => false,
    }
}

/// `request`, given up after `limit` (so a hung agent cannot stall the heartbeat).
async fn within<T>(
    limit: Duration,
    request: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match tokio::time::timeout(limit, request).await {
        Ok(result) => result,
        Err(_) => Err(Error::Transport(
            TransportError::timeout(format!("no answer within {limit:?}")).with_time_limit(limit),
        )),
    }
}

impl Heartbeat {
    pub(super) fn new(
        client: Client,
        service: ServiceDefinition,
        check_id: String,
        interval: Duration,
        health: Health,
    ) -> Self {
        let (state, _) = watch::channel(RegistrationState {
            status: health.status.clone(),
            note: health.note.clone(),
            beats: 0,
            registrations: 0,
            last_error: None,
            ended: false,
        });
        Heartbeat {
            client,
            service_id: service.effective_id().to_owned(),
            service,
            check_id,
            interval,
            health,
            state,
            failures: 0,
        }
    }

    pub(super) fn state(&self) -> watch::Receiver<RegistrationState> {
        self.state.subscribe()
    }

    /// Registers, then beats once.
    pub(super) async fn first(&mut self) -> Result<(), Error> {
        self.register().await?;
        self.update().await
    }

    /// After a failed start: removes what may have been registered (a registration whose
    /// answer was lost may have landed all the same).
    pub(super) async fn deregister_after_failed_start(&mut self) {
        if let Err(e) = self.deregister().await {
            tracing::debug!(service_id = %self.service_id, error = %e, "could not remove the registration of a failed start");
        }
    }

    /// Sends the definition, its heartbeat check starting in the reported status, so a
    /// re-registration shows no critical blip.
    async fn register(&mut self) -> Result<(), Error> {
        let span = tracing::info_span!(
            "consul.register.register",
            service_id = %self.service_id,
            status = %self.health.status,
        );
        let mut service = self.service.clone();
        if let Some(check) = service.checks.last_mut() {
            check.status = Some(self.health.status.clone());
        }
        let result = self
            .client
            .agent()
            .service_register(service)
            .await
            .map(|_| ());
        match &result {
            Ok(()) => {
                self.state.send_modify(|s| s.registrations += 1);
                span.in_scope(|| tracing::info!("registered"));
            }
            Err(e) => span.in_scope(|| tracing::warn!(error = %e, "registration failed")),
        }
        result
    }

    /// Sets the check to the reported health.
    async fn update(&mut self) -> Result<(), Error> {
        let span = tracing::debug_span!(
            "consul.register.beat",
            service_id = %self.service_id,
            status = %self.health.status,
        );
        let result = self
            .client
            .agent()
            .update_ttl(&self.check_id, self.health.status.clone())
            .output(self.health.note.clone())
            .send()
            .instrument(span.clone())
            .await
            .map(|_| ());
        if result.is_ok() {
            self.failures = 0;
            self.state.send_modify(|s| {
                s.beats += 1;
                s.last_error = None;
            });
        }
        result
    }

    /// One heartbeat: registers again first when the agent has forgotten the service.
    async fn beat(&mut self) -> Result<(), Error> {
        let result = match within(self.interval, self.update()).await {
            Err(e) if forgotten(&e) => {
                tracing::info!(
                    service_id = %self.service_id,
                    answer = %e,
                    "the agent has forgotten the service; registering it again"
                );
                match within(self.interval, self.register()).await {
                    Ok(()) => within(self.interval, self.update()).await,
                    Err(e) => Err(e),
                }
            }
            other => other,
        };
        if let Err(e) = &result {
            self.failures = self.failures.saturating_add(1);
            tracing::warn!(service_id = %self.service_id, error = %e, failures = self.failures, "heartbeat failed");
            let message = e.to_string();
            self.state.send_modify(|s| s.last_error = Some(message));
        }
        result
    }

    /// When the next beat is due: one interval after a success, sooner after a failure.
    fn next_beat(&self) -> Instant {
        let pause = if self.failures == 0 {
            self.interval
        } else {
            FIRST_RETRY
                .saturating_mul(1 << (self.failures - 1).min(16))
                .min(self.interval)
        };
        Instant::now() + pause
    }

    async fn deregister(&mut self) -> Result<(), Error> {
        let span = tracing::info_span!("consul.register.deregister", service_id = %self.service_id);
        let result = self
            .client
            .agent()
            .service_deregister(&self.service_id)
            .send()
            .instrument(span.clone())
            .await
            .map(|_| ());
        match &result {
            Ok(()) => span.in_scope(|| tracing::info!("deregistered")),
            Err(e) => span.in_scope(|| tracing::warn!(error = %e, "deregistration failed")),
        }
        result
    }

    /// Beats until the guard says otherwise or is dropped.
    pub(super) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut next = self.next_beat();
        loop {
            tokio::select! {
                biased;
                command = commands.recv() => match command {
                    Some(Command::Report { health, reply }) => {
                        let span = tracing::info_span!(
                            "consul.register.report",
                            service_id = %self.service_id,
                            status = %health.status,
                        );
                        self.health = health;
                        self.state.send_modify(|s| {
                            s.status = self.health.status.clone();
                            s.note = self.health.note.clone();
                        });
                        let result = self.beat().instrument(span).await;
                        next = self.next_beat();
                        let _ = reply.send(result);
                    }
                    Some(Command::Shutdown { reply }) => {
                        let result = self.deregister().await;
                        let _ = reply.send(result);
                        break;
                    }
                    Some(Command::Detach) => {
                        tracing::info!(service_id = %self.service_id, "heartbeat detached; the service stays registered until its TTL and deregister_critical_service_after run out");
                        break;
                    }
                    None => {
                        // The guard was dropped: best effort, nobody to tell.
                        let _ = self.deregister().await;
                        break;
                    }
                },
                () = tokio::time::sleep_until(next) => {
                    let _ = self.beat().await;
                    next = self.next_beat();
                }
            }
        }
        self.state.send_modify(|s| s.ended = true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn status(code: StatusCode, body: &str) -> Error {
        Error::Status {
            code,
            body: body.into(),
            retry_after: None,
        }
    }

    #[test]
    fn the_agents_ways_of_saying_it_forgot_the_check_are_recognised() {
        // Consul 1.8.7 without and with ACLs; newer agents answer 404.
        let forgot = [
            status(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"CheckID "service:web" does not have associated TTL"#,
            ),
            status(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"Unknown check "service:web""#,
            ),
            Error::NotFound {
                message: r#"Unknown check ID "service:web""#.into(),
            },
        ];
        for e in &forgot {
            assert!(forgotten(e), "{e}");
        }
        let other = [
            status(StatusCode::INTERNAL_SERVER_ERROR, "No cluster leader"),
            Error::PermissionDenied {
                message: "Permission denied".into(),
            },
            Error::Transport(TransportError::connect("refused")),
        ];
        for e in &other {
            assert!(!forgotten(e), "{e}");
        }
    }
}
