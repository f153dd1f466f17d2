//! User events (`/v1/event`): Go's `api/event.go`, aioconsul's `client.events`.
//!
//! Events are gossiped to every agent of a datacenter; each agent keeps the recent events
//! it accepted (those whose filters match it) and lists them. Payloads are bytes (base64
//! on the wire, decoded here). Serf limits an event to 512 bytes including its name and
//! filters; Consul refuses larger ones with a 500.

use crate::request::segment;
use crate::{Client, Result};
use bytes::Bytes;
use consul_types::event as rules;
pub use consul_types::event::{EventFilter, UserEvent};
use consul_types::{QueryOptions, QueryResponse, WriteOptions, WriteResponse};
use http::Method;

/// The event endpoints; made by [`Client::event`].
#[derive(Debug, Clone)]
pub struct Event {
    client: Client,
}

impl Client {
    /// The event endpoints.
    pub fn event(&self) -> Event {
        Event {
            client: self.clone(),
        }
    }
}

impl Event {
    /// The same endpoints in datacenter `name`: events fired through it are broadcast in
    /// that datacenter.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{event::EventFilter, WriteOptions};
    /// client.event().dc("dc2").fire("flush", "", &EventFilter::default(), &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn dc(&self, name: &str) -> Event {
        Event {
            client: self.client.dc(name),
        }
    }

    /// Fires an event and returns it with the id Consul gave it.
    ///
    /// The filters are regular expressions on node names, service names and tags;
    /// agents that do not match ignore the event. Consul 1.8.7 answers with `LTime: 0`;
    /// the Lamport time is visible on the event as [`Event::list`] returns it.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/event#fire-event)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{event::EventFilter, WriteOptions};
    /// let event = client
    ///     .event()
    ///     .fire("deploy", "v2.1.0", &EventFilter::default().service("web"), &WriteOptions::default())
    ///     .await?
    ///     .value;
    /// println!("fired {}", event.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name or a tag filter
    /// without a service filter; transport and status errors otherwise (an invalid
    /// regular expression or an oversized event is a 500).
    pub async fn fire(
        &self,
        name: &str,
        payload: impl Into<Bytes>,
        filter: &EventFilter,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<UserEvent>> {
        rules::validate_name(name)?;
        filter.validate()?;
        let mut call = self
            .client
            .call(Method::PUT, format!("event/fire/{}", segment(name)));
        for (k, v) in filter.query_pairs() {
            call = call.param(k, v);
        }
        call.write_options(opts)?
            .body(payload.into())
            .write::<UserEvent>()
            .await
    }

    /// Lists the recent events this agent accepted, oldest first, optionally only those
    /// named `name` (aioconsul's `events(…)`).
    ///
    /// Blocking reads work with the index of the previous answer, which for events is an
    /// opaque hash of the latest event id, not a Raft index: pass it back unchanged and
    /// never compare it with other indexes.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// use std::time::Duration;
    /// let events = client.event();
    /// let first = events.list(Some("deploy"), &QueryOptions::default()).await?;
    /// // Wait up to 30 s for the next one.
    /// let next = events
    ///     .list(
    ///         Some("deploy"),
    ///         &QueryOptions::default()
    ///             .wait_index(first.meta.last_index)
    ///             .wait_time(Duration::from_secs(30)),
    ///     )
    ///     .await?;
    /// for e in next.value {
    ///     println!("{} {:?}", e.l_time, e.payload);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name; transport and
    /// status errors otherwise.
    pub async fn list(
        &self,
        name: Option<&str>,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<UserEvent>>> {
        self.list_filtered(name, &EventFilter::default(), opts)
            .await
    }

    /// As [`Event::list`], keeping only events whose own filters are these
    /// (`?node=`, `?service=`, `?tag=`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{event::EventFilter, QueryOptions};
    /// let for_web = client
    ///     .event()
    ///     .list_filtered(None, &EventFilter::default().service("web"), &QueryOptions::default())
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Event::list`], and a validation error for invalid filters.
    pub async fn list_filtered(
        &self,
        name: Option<&str>,
        filter: &EventFilter,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<UserEvent>>> {
        if let Some(name) = name {
            rules::validate_name(name)?;
        }
        filter.validate()?;
        let mut call = self
            .client
            .call(Method::GET, "event/list")
            .param_opt("name", name);
        for (k, v) in filter.query_pairs() {
            call = call.param(k, v);
        }
        call.query_options(opts)?.query_list::<UserEvent>().await
    }

    /// The blocking index an event list whose latest event is `id` reports (Go's
    /// `IDToIndex`): a list blocked on it returns once a newer event arrives. `None` for
    /// an id that is not a UUID.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{event::EventFilter, QueryOptions, WriteOptions};
    /// let events = client.event();
    /// let fired = events.fire("ping", "", &EventFilter::default(), &WriteOptions::default()).await?;
    /// let index = consul_api::event::Event::id_to_index(&fired.value.id).unwrap_or(0);
    /// let newer = events.list(None, &QueryOptions::default().wait_index(index)).await?;
    /// # Ok(()) }
    /// ```
    pub fn id_to_index(id: &str) -> Option<u64> {
        let b = id.as_bytes();
        if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
            return None;
        }
        let lower = format!("{}{}{}", id.get(0..8)?, id.get(9..13)?, id.get(14..18)?);
        let upper = format!("{}{}", id.get(19..23)?, id.get(24..36)?);
        let low = u64::from_str_radix(&lower, 16).ok()?;
        let high = u64::from_str_radix(&upper, 16).ok()?;
        Some(low ^ high)
    }
}
