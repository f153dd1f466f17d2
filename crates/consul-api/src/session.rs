//! Sessions (`/v1/session`): Go's `api/session.go`, aioconsul's `client.sessions`.
//!
//! A session binds KV locks to a node's health checks and, optionally, a TTL. The
//! [`lock`](crate::lock) and [`semaphore`](crate::semaphore) recipes are built on it.
//! [`Session::renew_periodic`] keeps a TTL session alive in the background for as long as
//! its [`SessionRenewal`] lives (Go's `RenewPeriodic`), with the loop the recipes use.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use std::time::Duration;
//! let sessions = client.session();
//! let id = sessions.create().name("web leader").ttl(Duration::from_secs(30)).await?.value;
//! sessions.renew(&id).await?;
//! let mut changes = sessions.info(&id).watch();          // Some(entry) … then None when it ends
//! sessions.destroy(&id).await?;
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::{Error, Result, RetryPolicy};
use consul_transport::TransportError;
use consul_types::endpoint::{Blocking, Endpoint, Idempotence, Missing};
use consul_types::lock::DEFAULT_SESSION_TTL;
use consul_types::session as rules;
pub use consul_types::session::{
    NewSession, ServiceCheck, SessionBehavior, SessionEntry, DEFAULT_LOCK_DELAY, MAX_LOCK_DELAY,
    MAX_TTL, MIN_TTL,
};
use consul_types::ValidationError;
use http::Method;
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

family! {
    /// The session endpoints; made by [`Client::session`](crate::Client::session).
    ///
    /// Session settings are validated before sending: a TTL outside 10 s..=24 h, a
    /// lock-delay over 60 s or a behavior other than `release` / `delete` never reach Consul.
    Session, session, "session endpoints"
}

/// A session id as one path segment, checked first.
fn id_endpoint(endpoint: Endpoint, id: &str) -> std::result::Result<Endpoint, ValidationError> {
    rules::validate_id(id)?;
    endpoint.segment("session id", id)
}

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "ID")]
    id: String,
}

/// The call of [`Session::create`]: the new session's id.
#[derive(Debug, Clone, Default)]
pub struct SessionCreate {
    session: NewSession,
}

impl Call for SessionCreate {
    type Output = String;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.session.validate()?;
        Endpoint::write(Method::PUT, "session/create").json(&self.session)
    }

    fn output(&self, answer: Answer) -> Result<String> {
        Ok(answer.json::<Created>()?.id)
    }
}

/// The call of [`Session::destroy`].
#[derive(Debug, Clone)]
pub struct SessionDestroy {
    id: String,
}

impl Call for SessionDestroy {
    type Output = bool;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        id_endpoint(Endpoint::write(Method::PUT, "session/destroy"), &self.id)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Session::info`]: one session, `None` when it does not exist.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    id: String,
}

impl Call for SessionInfo {
    type Output = Option<SessionEntry>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(
            id_endpoint(Endpoint::read(Method::GET, "session/info"), &self.id)?
                .blocking(Blocking::Index)
                .missing(Missing::Absent),
        )
    }

    fn output(&self, answer: Answer) -> Result<Option<SessionEntry>> {
        answer.json_first()
    }
}

/// The call of [`Session::list`]: every session of the datacenter.
#[derive(Debug, Clone)]
pub struct SessionList;

impl Call for SessionList {
    type Output = Vec<SessionEntry>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "session/list").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<SessionEntry>> {
        answer.json_list()
    }
}

/// The call of [`Session::node`]: the sessions of one node.
#[derive(Debug, Clone)]
pub struct SessionNode {
    node: String,
}

impl Call for SessionNode {
    type Output = Vec<SessionEntry>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "session/node")
            .segment("node", &self.node)?
            .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<SessionEntry>> {
        answer.json_list()
    }
}

/// The call of [`Session::renew`]: the session as renewed; [`Error::NotFound`] when it
/// has ended.
#[derive(Debug, Clone)]
pub struct SessionRenew {
    id: String,
}

impl Call for SessionRenew {
    type Output = SessionEntry;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        // An ended session is a 404 with a message: an error (the default rule), since
        // renewing acts on a session that must exist.
        id_endpoint(
            Endpoint::write(Method::PUT, "session/renew").idempotent(Idempotence::Yes),
            &self.id,
        )
    }

    fn output(&self, answer: Answer) -> Result<SessionEntry> {
        answer.json_first()?.ok_or_else(|| Error::NotFound {
            message: format!("Session id '{}' not found", self.id),
        })
    }
}

call_traits!(SessionCreate: Cluster);
call_traits!(SessionDestroy: Cluster);
call_traits!(SessionInfo: Cluster, Watchable, IndexBlocking);
call_traits!(SessionList: Cluster, Watchable, IndexBlocking);
call_traits!(SessionNode: Cluster, Watchable, IndexBlocking);
call_traits!(SessionRenew: Cluster);

impl Session {
    /// Creates a session and returns its id. Chained setters choose its settings; unset
    /// ones take Consul's defaults: the agent's node, its `serfHealth` check, a 15 s
    /// lock-delay, behavior `release`, no TTL.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/session#create-session)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::session::SessionBehavior;
    /// use std::time::Duration;
    /// let id = client
    ///     .session()
    ///     .create()
    ///     .name("web leader")
    ///     .ttl(Duration::from_secs(30))
    ///     .lock_delay(Duration::from_secs(5))
    ///     .behavior(SessionBehavior::Delete)
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for settings Consul would refuse or misread (see
    /// [`NewSession::validate`]); transport and status errors otherwise (an unknown node
    /// or check is a 500).
    pub fn create(&self) -> WriteRequest<SessionCreate> {
        self.write(SessionCreate::default())
    }

    /// Destroys a session: its locks are released or deleted at once, as its behavior
    /// says. Destroying an unknown session succeeds.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// client.session().destroy(id).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id; transport and status errors otherwise.
    pub fn destroy(&self, id: impl Into<String>) -> WriteRequest<SessionDestroy> {
        self.write(SessionDestroy { id: id.into() })
    }

    /// Reads one session; an unknown (or ended) session is `None` (Go's `Info`).
    ///
    /// `.wait(index, time)` blocks until the session changes, which includes its end;
    /// `.watch()` yields each change, `None` once the session is gone.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/session#read-session)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let now = client.session().info(id).await?;
    /// if let Some(s) = &now.value {
    ///     println!("{} on {} (ttl {:?})", s.id, s.node, s.ttl);
    /// }
    /// // Wait up to 30 s for it to change or end.
    /// let later = client
    ///     .session()
    ///     .info(id)
    ///     .wait(now.meta.last_index, Duration::from_secs(30))
    ///     .await?;
    /// if later.value.is_none() {
    ///     println!("gone");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id; transport and status errors otherwise.
    pub fn info(&self, id: impl Into<String>) -> ReadRequest<SessionInfo> {
        self.read(SessionInfo { id: id.into() })
    }

    /// Lists every session of the datacenter (aioconsul's `sessions()`); `.wait()` and
    /// `.watch()` block on the session table.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for s in client.session().list().await?.value {
    ///     println!("{} {:?}", s.id, s.name);
    /// }
    /// let remote = client.session().list().dc("dc2").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (an unknown datacenter is a 500).
    pub fn list(&self) -> ReadRequest<SessionList> {
        self.read(SessionList)
    }

    /// Lists the sessions of one node (aioconsul's `sessions(node=…)`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let mine = client.session().node("web-1").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty node name; transport and status errors otherwise.
    pub fn node(&self, node: impl Into<String>) -> ReadRequest<SessionNode> {
        self.read(SessionNode { node: node.into() })
    }

    /// Renews a TTL session and returns it as renewed (Consul may have raised its TTL).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// match client.session().renew(id).await {
    ///     Ok(s) => println!("renewed, ttl {:?}", s.value.ttl),
    ///     Err(e) if e.is_not_found() => println!("expired: locks are gone"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when the session expired or was destroyed; [`Error::Validation`]
    /// for an empty id; transport and status errors otherwise.
    pub fn renew(&self, id: impl Into<String>) -> WriteRequest<SessionRenew> {
        self.write(SessionRenew { id: id.into() })
    }

    /// Keeps a session alive in the background (Go's `RenewPeriodic`): renews it at once,
    /// then every half of its TTL (the TTL Consul last answered with), until the returned
    /// [`SessionRenewal`] is dropped or the session ends. Its [`SessionRenewal::ended`]
    /// says why it stopped by itself: the session ended (destroyed, expired, invalidated
    /// by a failing check), or no renewal succeeded for a whole TTL. A failed renewal is
    /// retried every second meanwhile, each attempt cut off at that deadline.
    ///
    /// Dropping the renewal only stops renewing: the session then expires on its own
    /// (Consul allows up to twice its TTL). [`SessionRenewal::destroy`] stops and destroys
    /// it at once, as Go's `doneCh` does. A session without a TTL never expires by time;
    /// it is read every 7.5 s instead, so that its end is still reported.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/session#renew-session)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let sessions = client.session();
    /// let id = sessions.create().ttl(Duration::from_secs(15)).await?.value;
    /// let renewal = sessions.renew_periodic(&id).await?;
    /// tokio::select! {
    ///     why = renewal.ended() => eprintln!("session {id} is over: {why}"),
    ///     _ = async { /* work while the session lives */ } => { renewal.destroy().await?; }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Session::renew`]: [`Error::NotFound`] when the session does not exist (nothing
    /// is started), [`Error::Validation`] for an empty id, transport and status errors.
    pub async fn renew_periodic(&self, id: impl Into<String>) -> Result<SessionRenewal> {
        let id = id.into();
        let sent = Instant::now();
        let entry = self.renew(&id).await?.value;
        let (mode, ttl) = match entry.ttl.filter(|t| !t.is_zero()) {
            Some(ttl) => (Keepalive::Renew, ttl),
            None => (Keepalive::Check, DEFAULT_SESSION_TTL),
        };
        let (tx, rx) = watch::channel(None);
        let task = tokio::spawn({
            let (sessions, id) = (self.clone(), id.clone());
            async move {
                let end = match keepalive_loop(sessions, id, mode, ttl, sent).await {
                    KeepaliveEnd::SessionEnded => RenewalEnd::SessionEnded,
                    KeepaliveEnd::Failed(e) => RenewalEnd::Failed(Arc::new(e)),
                };
                tx.send_replace(Some(end));
            }
        });
        Ok(SessionRenewal {
            sessions: self.clone(),
            session: id,
            rx,
            task,
        })
    }
}

/// Why a [`SessionRenewal`] stopped by itself.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum RenewalEnd {
    /// The session ended: destroyed, expired, or invalidated by a failing health check
    /// (Go's `ErrSessionExpired`). Its locks are released or deleted.
    SessionEnded,
    /// No renewal succeeded for a whole TTL (Consul unreachable, or answering with
    /// errors): the holder must assume the session is lost. The last error is kept.
    Failed(Arc<Error>),
}

impl fmt::Display for RenewalEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenewalEnd::SessionEnded => f.write_str("the session ended"),
            RenewalEnd::Failed(e) => write!(f, "no renewal succeeded within the TTL: {e}"),
        }
    }
}

/// A session kept alive in the background; made by [`Session::renew_periodic`].
///
/// Renewing stops when it is dropped (the session then expires by its TTL) or when the
/// session ends; [`SessionRenewal::ended`] says why it stopped by itself.
#[must_use = "dropping the renewal stops renewing at once; keep it for as long as the session must live"]
pub struct SessionRenewal {
    sessions: Session,
    session: String,
    rx: watch::Receiver<Option<RenewalEnd>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for SessionRenewal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRenewal")
            .field("session", &self.session)
            .field("ended", &*self.rx.borrow())
            .finish_non_exhaustive()
    }
}

impl SessionRenewal {
    /// The session renewed.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Whether it is still renewing (it has not stopped by itself).
    pub fn is_renewing(&self) -> bool {
        self.rx.borrow().is_none()
    }

    /// Why it stopped by itself, if it did.
    pub fn end_reason(&self) -> Option<RenewalEnd> {
        self.rx.borrow().clone()
    }

    /// Resolves when it stops by itself, with the reason (cancel-safe, may be awaited many
    /// times). An end is seen at the next renewal: within half a TTL.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: String) -> consul_api::Result<()> {
    /// let renewal = client.session().renew_periodic(&id).await?;
    /// let why = renewal.ended().await;
    /// eprintln!("stopped: {why}");
    /// # Ok(()) }
    /// ```
    pub async fn ended(&self) -> RenewalEnd {
        let mut rx = self.rx.clone();
        let end = match rx.wait_for(Option::is_some).await {
            Ok(end) => end.clone(),
            // The task only goes away after reporting, unless it panicked.
            Err(_) => None,
        };
        end.unwrap_or_else(|| {
            RenewalEnd::Failed(Arc::new(Error::Transport(TransportError::other(
                "the renewal task stopped without reporting why",
            ))))
        })
    }

    /// A channel that turns from `None` to `Some(reason)` when it stops by itself, to hand
    /// to other tasks.
    pub fn subscribe(&self) -> watch::Receiver<Option<RenewalEnd>> {
        self.rx.clone()
    }

    /// Stops renewing and destroys the session at once (Go's `RenewPeriodic` does so when
    /// its `doneCh` closes), releasing or deleting its locks.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: String) -> consul_api::Result<()> {
    /// let renewal = client.session().renew_periodic(&id).await?;
    /// // … work …
    /// renewal.destroy().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Session::destroy`] (the renewal is stopped in any case).
    pub async fn destroy(self) -> Result<bool> {
        self.task.abort();
        Ok(self.sessions.destroy(&self.session).await?.value)
    }
}

impl Drop for SessionRenewal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How a keep-alive task keeps a session known to be alive.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Keepalive {
    /// Renew it (a session with a TTL; Go's `RenewPeriodic`).
    Renew,
    /// Only read it (a lock's given session, or one without a TTL).
    Check,
}

/// Why a keep-alive loop ended.
#[derive(Debug)]
pub(crate) enum KeepaliveEnd {
    /// The session is gone.
    SessionEnded,
    /// No renewal or check succeeded for a whole TTL: the last error.
    Failed(Error),
}

/// Pause before trying again after a failed renewal or check.
const KEEPALIVE_RETRY: Duration = Duration::from_secs(1);

/// Shortest time given to one renewal or check.
const KEEPALIVE_MIN_ATTEMPT: Duration = Duration::from_millis(100);

/// Renews or reads the session every half TTL until it ends
/// ([`KeepaliveEnd::SessionEnded`]), or until no renewal or check has succeeded for a
/// whole TTL ([`KeepaliveEnd::Failed`], counted from the last one sent that succeeded,
/// `last_ok` at first): every attempt is cut off at that deadline, so the report comes
/// about one TTL after contact was lost, however Consul fails to answer. Used by
/// [`Session::renew_periodic`] and by the lock and semaphore recipes.
pub(crate) async fn keepalive_loop(
    sessions: Session,
    id: String,
    mode: Keepalive,
    mut ttl: Duration,
    mut last_ok: Instant,
) -> KeepaliveEnd {
    let mut wait = ttl / 2;
    loop {
        tokio::time::sleep(wait).await;
        let sent = Instant::now();
        let left = (last_ok + ttl).saturating_duration_since(sent);
        let limit = (ttl / 2).min(left).max(KEEPALIVE_MIN_ATTEMPT);
        // Its own retries (every `KEEPALIVE_RETRY` until the TTL runs out) decide, not the
        // client's: the last error is then Consul's, not this loop's time limit.
        let attempt = async {
            match mode {
                Keepalive::Renew => match sessions.renew(&id).retry(RetryPolicy::none()).await {
                    Ok(renewed) => Ok(Some(renewed.value.ttl)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                },
                Keepalive::Check => sessions
                    .info(&id)
                    .retry(RetryPolicy::none())
                    .await
                    .map(|r| r.value.map(|s| s.ttl)),
            }
        };
        let outcome = tokio::time::timeout(limit, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Transport(TransportError::timeout(
                    "no answer about the session within its TTL",
                )))
            });
        match outcome {
            Ok(Some(current)) => {
                if let Some(t) = current.filter(|t| !t.is_zero()) {
                    ttl = t;
                }
                last_ok = sent;
                wait = ttl / 2;
            }
            Ok(None) => return KeepaliveEnd::SessionEnded,
            Err(e) => {
                let left = (last_ok + ttl).saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return KeepaliveEnd::Failed(e);
                }
                tracing::debug!(error = %e, ?mode, "session keep-alive failed, retrying");
                wait = KEEPALIVE_RETRY.min(left);
            }
        }
    }
}

impl WriteRequest<SessionCreate> {
    fn session_mut(&mut self) -> &mut NewSession {
        &mut self.call_mut().session
    }

    /// A human-readable name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.session_mut().name = Some(name.into());
        self
    }

    /// Attaches the session to this node instead of the agent's.
    pub fn node(mut self, node: impl Into<String>) -> Self {
        self.session_mut().node = Some(node.into());
        self
    }

    /// A TTL, [`MIN_TTL`]..=[`MAX_TTL`]: the holder must renew within it (Consul
    /// invalidates after up to twice this long without a renewal).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.session_mut().ttl = Some(ttl);
        self
    }

    /// How long the keys it locked stay unacquirable after it is invalidated
    /// ([`MAX_LOCK_DELAY`] at most; Consul's default is [`DEFAULT_LOCK_DELAY`]).
    pub fn lock_delay(mut self, delay: Duration) -> Self {
        self.session_mut().lock_delay = Some(delay);
        self
    }

    /// What happens to the keys it locked when it is invalidated.
    pub fn behavior(mut self, behavior: SessionBehavior) -> Self {
        self.session_mut().behavior = Some(behavior);
        self
    }

    /// The node checks it depends on, instead of `serfHealth`.
    pub fn node_checks(mut self, checks: Vec<String>) -> Self {
        self.session_mut().node_checks = Some(checks);
        self
    }

    /// The service checks it depends on.
    pub fn service_checks(mut self, checks: Vec<ServiceCheck>) -> Self {
        self.session_mut().service_checks = Some(checks);
        self
    }

    /// Checks in the pre-1.7 form (deprecated by Consul; prefer
    /// [`node_checks`](Self::node_checks)).
    pub fn checks(mut self, checks: Vec<String>) -> Self {
        self.session_mut().checks = Some(checks);
        self
    }

    /// Depends on no health check at all (Go's `CreateNoChecks`): only its TTL, if any,
    /// or an explicit destroy ends it.
    pub fn without_checks(self) -> Self {
        self.node_checks(Vec::new())
    }

    /// Uses these settings (a prepared [`NewSession`]), replacing any set before.
    pub fn settings(mut self, session: NewSession) -> Self {
        *self.session_mut() = session;
        self
    }
}
