//! User events (`/v1/event`): Go's `api/event.go`, aioconsul's `client.events`.
//!
//! Events are gossiped to every agent of a datacenter; each agent keeps the recent events
//! it accepted (those whose filters match it) and lists them. Payloads are bytes (base64
//! on the wire, decoded here). Serf limits an event to 512 bytes including its name and
//! filters; Consul refuses larger ones with a 500.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! let events = client.event();
//! events.fire("deploy").payload("v2.1.0").service_filter("web").await?;
//! let mut deploys = events.list().name("deploy").watch();   // Go's `event` watch
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use bytes::Bytes;
use consul_types::endpoint::{Blocking, Endpoint};
use consul_types::event as rules;
pub use consul_types::event::{EventFilter, UserEvent};
use consul_types::ValidationError;
use http::Method;
use std::fmt;

family! {
    /// The event endpoints; made by [`Client::event`](crate::Client::event).
    ///
    /// Events fired through a handle made by `dc("dc2")` are broadcast in that datacenter;
    /// the list is always the local agent's.
    Event, event, "event endpoints"
}

/// The call of [`Event::fire`]: the event as Consul accepted it, with its id.
#[derive(Clone)]
pub struct EventFire {
    name: String,
    payload: Bytes,
    filter: EventFilter,
}

impl fmt::Debug for EventFire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventFire")
            .field("name", &self.name)
            .field("payload_len", &self.payload.len())
            .field("filter", &self.filter)
            .finish()
    }
}

impl Call for EventFire {
    type Output = UserEvent;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        rules::validate_name(&self.name)?;
        self.filter.validate()?;
        let mut endpoint = Endpoint::write(Method::PUT, "event/fire")
            .segment("event name", &self.name)?
            .body(self.payload.clone());
        for (k, v) in self.filter.query_pairs() {
            endpoint = endpoint.param(k, v);
        }
        Ok(endpoint)
    }

    fn output(&self, answer: Answer) -> Result<UserEvent> {
        answer.json()
    }
}

/// The call of [`Event::list`]: the agent's recent events, oldest first.
#[derive(Debug, Clone, Default)]
pub struct EventList {
    name: Option<String>,
}

impl Call for EventList {
    type Output = Vec<UserEvent>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        if let Some(name) = &self.name {
            rules::validate_name(name)?;
        }
        // The agent's own ring buffer: no datacenter, no consistency mode. It blocks on an
        // index derived from the latest event's id (see `Event::id_to_index`).
        Ok(Endpoint::read(Method::GET, "event/list")
            .agent()
            .blocking(Blocking::Index)
            .param_opt("name", self.name.clone()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<UserEvent>> {
        answer.json_list()
    }
}

call_traits!(EventFire: Cluster);
call_traits!(EventList: Watchable, IndexBlocking);

impl Event {
    /// Fires an event and returns it with the id Consul gave it. `.payload()` sets its
    /// body; `.node_filter()`, `.service_filter()` and `.tag_filter()` (regular
    /// expressions on node names, service names and tags) choose the agents that accept
    /// it: the others ignore it.
    ///
    /// Consul 1.8.7 answers with `LTime: 0`; the Lamport time is visible on the event as
    /// [`Event::list`] returns it.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/event#fire-event)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let event = client
    ///     .event()
    ///     .fire("deploy")
    ///     .payload("v2.1.0")
    ///     .service_filter("web")
    ///     .tag_filter("canary")
    ///     .await?
    ///     .value;
    /// println!("fired {}", event.id);
    /// // In another datacenter:
    /// client.event().fire("flush").dc("dc2").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name or filter, or a
    /// tag filter without a service filter; transport and status errors otherwise (an
    /// invalid regular expression or an oversized event is a 500).
    pub fn fire(&self, name: impl Into<String>) -> WriteRequest<EventFire> {
        self.write(EventFire {
            name: name.into(),
            payload: Bytes::new(),
            filter: EventFilter::default(),
        })
    }

    /// Lists the recent events this agent accepted, oldest first (aioconsul's
    /// `events(…)`); `.name()` keeps only those of one name.
    ///
    /// `.wait()` blocks, and `.watch()` (Go's `event` watch) yields the list each time an
    /// event arrives. The index of an event list is not a Raft index but a value derived
    /// from the latest event's id ([`Event::id_to_index`]): it changes with every new
    /// event but does not grow, so pass it back unchanged and never compare it with other
    /// indexes. A watch takes it as Consul does, as a token.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let events = client.event();
    /// let first = events.list().name("deploy").await?;
    /// // Wait up to 30 s for the next one.
    /// let next = events
    ///     .list()
    ///     .name("deploy")
    ///     .wait(first.meta.last_index, Duration::from_secs(30))
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
    pub fn list(&self) -> ReadRequest<EventList> {
        self.read(EventList::default())
    }

    /// The blocking index an event list whose latest event is `id` reports (Go's
    /// `IDToIndex`): a list blocked on it returns once a newer event arrives. `None` for
    /// an id that is not a UUID.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let events = client.event();
    /// let fired = events.fire("ping").await?;
    /// let index = consul_api::event::Event::id_to_index(&fired.value.id).unwrap_or(0);
    /// let newer = events.list().wait(index, Duration::from_secs(30)).await?;
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

impl WriteRequest<EventFire> {
    /// The event's payload (raw bytes; Serf limits the whole event to 512 bytes).
    pub fn payload(mut self, payload: impl Into<Bytes>) -> Self {
        self.call_mut().payload = payload.into();
        self
    }

    /// Only agents whose node name matches this regular expression accept it (`?node=`).
    pub fn node_filter(mut self, regex: impl Into<String>) -> Self {
        self.call_mut().filter.node = Some(regex.into());
        self
    }

    /// Only agents with a service whose name matches this regular expression accept it
    /// (`?service=`).
    pub fn service_filter(mut self, regex: impl Into<String>) -> Self {
        self.call_mut().filter.service = Some(regex.into());
        self
    }

    /// Only agents with a service of the service filter whose tags match this regular
    /// expression accept it (`?tag=`; needs a service filter).
    pub fn tag_filter(mut self, regex: impl Into<String>) -> Self {
        self.call_mut().filter.tag = Some(regex.into());
        self
    }

    /// Uses these filters (a prepared [`EventFilter`]), replacing any set before.
    pub fn filters(mut self, filter: EventFilter) -> Self {
        self.call_mut().filter = filter;
        self
    }
}

impl ReadRequest<EventList> {
    /// Only the events of this name (`?name=`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.call_mut().name = Some(name.into());
        self
    }
}
