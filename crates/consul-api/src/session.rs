//! Sessions (`/v1/session`): Go's `api/session.go`, aioconsul's `client.sessions`.
//!
//! A session binds KV locks to a node's health checks and, optionally, a TTL. The
//! [`lock`](crate::lock) and [`semaphore`](crate::semaphore) recipes are built on it.
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
use crate::{Error, Result};
use consul_types::endpoint::{Blocking, Endpoint, Missing};
use consul_types::session as rules;
pub use consul_types::session::{
    NewSession, ServiceCheck, SessionBehavior, SessionEntry, DEFAULT_LOCK_DELAY, MAX_LOCK_DELAY,
    MAX_TTL, MIN_TTL,
};
use consul_types::ValidationError;
use http::Method;
use serde::Deserialize;
use std::time::Duration;

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
        id_endpoint(Endpoint::write(Method::PUT, "session/renew"), &self.id)
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
