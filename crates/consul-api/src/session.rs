//! Sessions (`/v1/session`): Go's `api/session.go`, aioconsul's `client.sessions`.
//!
//! A session binds KV locks to a node's health checks and, optionally, a TTL. The
//! [`lock`](crate::lock) and [`semaphore`](crate::semaphore) recipes are built on it.

use crate::request::segment;
use crate::{Client, Error, Result};
use consul_types::session as rules;
pub use consul_types::session::{
    NewSession, ServiceCheck, SessionBehavior, SessionEntry, DEFAULT_LOCK_DELAY, MAX_LOCK_DELAY,
    MAX_TTL, MIN_TTL,
};
use consul_types::{QueryOptions, QueryResponse, WriteOptions, WriteResponse};
use http::Method;
use serde::Deserialize;

/// The session endpoints; made by [`Client::session`].
///
/// Session settings are validated before sending: a TTL outside 10 s..=24 h, a
/// lock-delay over 60 s or a behavior other than `release` / `delete` never reach Consul.
#[derive(Debug, Clone)]
pub struct Session {
    client: Client,
}

impl Client {
    /// The session endpoints.
    pub fn session(&self) -> Session {
        Session {
            client: self.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Created {
    #[serde(rename = "ID")]
    id: String,
}

impl Session {
    /// The same endpoints in datacenter `name` (aioconsul's `sessions.dc("dc2")`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let remote = client.session().dc("dc2").list(&QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn dc(&self, name: &str) -> Session {
        Session {
            client: self.client.dc(name),
        }
    }

    /// Creates a session and returns its id.
    ///
    /// Unset fields take Consul's defaults: the agent's node, its `serfHealth` check, a
    /// 15 s lock-delay, behavior `release`, no TTL.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/session#create-session)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::session::{NewSession, SessionBehavior};
    /// use consul_api::WriteOptions;
    /// use std::time::Duration;
    /// let id = client
    ///     .session()
    ///     .create(
    ///         &NewSession::default()
    ///             .name("web leader")
    ///             .ttl(Duration::from_secs(30))
    ///             .lock_delay(Duration::from_secs(5))
    ///             .behavior(SessionBehavior::Delete),
    ///         &WriteOptions::default(),
    ///     )
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for settings Consul would refuse or misread (see
    /// [`NewSession::validate`]); transport and status errors otherwise (an unknown node
    /// or check is a 500).
    pub async fn create(
        &self,
        session: &NewSession,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<String>> {
        session.validate()?;
        let response = self
            .client
            .call(Method::PUT, "session/create")
            .write_options(opts)?
            .json(session)?
            .write::<Created>()
            .await?;
        Ok(response.map(|c| c.id))
    }

    /// Destroys a session: its locks are released or deleted at once, as its behavior
    /// says. Destroying an unknown session succeeds.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.session().destroy(id, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id; transport and status errors otherwise.
    pub async fn destroy(&self, id: &str, opts: &WriteOptions) -> Result<WriteResponse<bool>> {
        rules::validate_id(id)?;
        self.client
            .call(Method::PUT, format!("session/destroy/{}", segment(id)))
            .write_options(opts)?
            .write::<bool>()
            .await
    }

    /// Reads one session; an unknown id is `None` (Go's `Info`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// if let Some(s) = client.session().info(id, &QueryOptions::default()).await?.value {
    ///     println!("{} on {} (ttl {:?})", s.id, s.node, s.ttl);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id; transport and status errors otherwise.
    pub async fn info(
        &self,
        id: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<SessionEntry>>> {
        rules::validate_id(id)?;
        let response = self
            .client
            .call(Method::GET, format!("session/info/{}", segment(id)))
            .query_options(opts)?
            .query::<Option<Vec<SessionEntry>>>()
            .await?;
        Ok(response.map(|s| s.and_then(|s| s.into_iter().next())))
    }

    /// Reads one session; an unknown id is [`Error::NotFound`] (aioconsul's `get`).
    ///
    /// With [`QueryOptions::wait_index`] the read blocks until the session changes, which
    /// includes its end: a blocking `get` that fails with "not found" means the session is
    /// gone.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/session#read-session)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// match client.session().get(id, &QueryOptions::default()).await {
    ///     Ok(s) => println!("alive, behavior {}", s.value.behavior),
    ///     Err(e) if e.is_not_found() => println!("gone"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown session (Consul answers `[]`), and as
    /// [`Session::info`].
    pub async fn get(&self, id: &str, opts: &QueryOptions) -> Result<QueryResponse<SessionEntry>> {
        let QueryResponse { value, meta } = self.info(id, opts).await?;
        match value {
            Some(value) => Ok(QueryResponse { value, meta }),
            None => Err(Error::NotFound {
                message: format!("Session id '{id}' not found"),
            }),
        }
    }

    /// Lists every session of the datacenter (aioconsul's `sessions()`); blocking reads
    /// are supported.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// for s in client.session().list(&QueryOptions::default()).await?.value {
    ///     println!("{} {:?}", s.id, s.name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn list(&self, opts: &QueryOptions) -> Result<QueryResponse<Vec<SessionEntry>>> {
        self.client
            .call(Method::GET, "session/list")
            .query_options(opts)?
            .query_list::<SessionEntry>()
            .await
    }

    /// Lists the sessions of one node (aioconsul's `sessions(node=…)`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let mine = client.session().node("web-1", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty node name; transport and status errors otherwise.
    pub async fn node(
        &self,
        node: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<SessionEntry>>> {
        if node.is_empty() {
            return Err(consul_types::ValidationError::Empty { field: "node" }.into());
        }
        self.client
            .call(Method::GET, format!("session/node/{}", segment(node)))
            .query_options(opts)?
            .query_list::<SessionEntry>()
            .await
    }

    /// Renews a TTL session and returns it as renewed (Consul may have raised its TTL).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// match client.session().renew(id, &WriteOptions::default()).await {
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
    pub async fn renew(
        &self,
        id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<SessionEntry>> {
        rules::validate_id(id)?;
        let response = self
            .client
            .call(Method::PUT, format!("session/renew/{}", segment(id)))
            .write_options(opts)?
            .write::<Option<Vec<SessionEntry>>>()
            .await?;
        let WriteResponse { value, meta } = response;
        match value.and_then(|s| s.into_iter().next()) {
            Some(value) => Ok(WriteResponse { value, meta }),
            None => Err(Error::NotFound {
                message: format!("Session id '{id}' not found"),
            }),
        }
    }
}
