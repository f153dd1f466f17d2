//! The passing instances of a service, kept current by a blocking health watch (Spring
//! Cloud Consul's `DiscoveryClient`, Go's `watch` of type `service`).
//!
//! [`Client::resolver`] describes what to find — a service, with tags, `near`, node
//! metadata, a filter and a datacenter fallback list — and [`ResolverBuilder::start`]
//! starts a background task that watches `GET /v1/health/service/:name?passing` with
//! blocking reads and publishes the set of passing instances:
//!
//! - [`Resolver::snapshot`]: the current set ([`Instances`], one `Arc` to clone);
//! - [`Resolver::changes`]: a stream of [`Change`]s — added, removed, updated (same
//!   [`InstanceKey`], other address, port, tags or metadata), and failed reads as `Err`;
//! - [`Resolver::discover`] (feature `tower`): a `tower::discover::Discover` that turns
//!   each instance into a service, for `tower::balance::p2c::Balance`.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
//! let resolver = client.resolver("web").tag("v1").near("_agent").start()?;
//! let now = resolver.ready().await?;
//! for instance in &now {
//!     println!("{} at {}", instance.key, instance.authority());
//! }
//! # Ok(()) }
//! ```
//!
//! # Datacenter fallback
//!
//! With [`ResolverBuilder::datacenters`], every datacenter of the list is watched at once
//! (one blocking read each, so failing over costs no extra round trip), and the published
//! set is the one of the **first datacenter in list order that has at least one passing
//! instance**. A datacenter earlier in the list that has not answered yet holds the
//! decision back (so a slow first answer does not cause a switch and a switch back); one
//! that has no passing instance, or whose reads have failed since the start without a
//! single answer, is skipped. When an earlier datacenter has passing instances again, the
//! set moves back to it. When none has any, the set is empty and
//! [`Instances::datacenter`] is `None`.
//!
//! # Failures
//!
//! A failed read is reported — a `tracing` warning, an `Err` item on every
//! [`Changes`] stream, [`Resolver::last_error`] — and retried with the watch's backoff
//! (a quarter second, doubling up to 30 s, with jitter); the datacenter keeps its **last
//! good set** meanwhile, so an unreachable agent does not empty the set. It follows that
//! a datacenter which answered once and then became unreachable is still used, with the
//! instances it last had, until it answers again.
//!
//! # Lifetime
//!
//! The task ends, and its reads in flight are dropped, when the [`Resolver`], its clones
//! and every stream made from it are dropped. It runs in the Tokio runtime that started
//! it, inside a `consul.discovery` span naming the service.

mod changes;
mod error;
mod instance;
mod task;
#[cfg(feature = "tower")]
mod tower;

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use self::tower::ServiceDiscover;
pub use changes::{Change, Changes};
pub use error::DiscoveryError;
pub use instance::{Instance, InstanceKey, Instances};

use crate::call::{Call, ReadRequest};
use crate::health::HealthService;
use crate::Client;
use consul_types::Consistency;
use std::time::Duration;
use tokio::sync::watch;
use tracing::Instrument;

/// What the task publishes: the current set, and the latest failed read with its
/// sequence number (so each stream reports each failure once).
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    pub(crate) instances: Instances,
    pub(crate) error: Option<(u64, DiscoveryError)>,
}

/// What a resolver watches; made by [`Client::resolver`], started by
/// [`ResolverBuilder::start`].
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
/// use std::time::Duration;
/// let resolver = client
///     .resolver("web")
///     .tag("v1")
///     .node_meta("rack", "r1")
///     .datacenters(["dc1", "dc2"])
///     .wait_time(Duration::from_secs(60))
///     .start()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a resolver does nothing until it is started"]
pub struct ResolverBuilder {
    client: Client,
    service: String,
    tags: Vec<String>,
    near: Option<String>,
    node_meta: Vec<(String, String)>,
    filter: Option<String>,
    datacenters: Vec<String>,
    wait_time: Option<Duration>,
    consistency: Option<Consistency>,
}

impl Client {
    /// A resolver of the passing instances of `service` (see [`discovery`](crate::discovery)).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// let resolver = client.resolver("web").start()?;
    /// println!("{} passing", resolver.snapshot().len());
    /// # Ok(()) }
    /// ```
    pub fn resolver(&self, service: impl Into<String>) -> ResolverBuilder {
        ResolverBuilder {
            client: self.clone(),
            service: service.into(),
            tags: Vec::new(),
            near: None,
            node_meta: Vec::new(),
            filter: None,
            datacenters: Vec::new(),
            wait_time: None,
            consistency: None,
        }
    }
}

impl ResolverBuilder {
    /// Keeps only instances with this tag; repeatable: an instance needs every tag given.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// let primaries = client.resolver("db").tag("primary").tag("v2").start()?;
    /// # Ok(()) }
    /// ```
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Orders the instances by estimated round-trip time from this node (`_agent`: the
    /// agent's own): [`Instances::iter`] then yields the nearest first.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// let resolver = client.resolver("web").near("_agent").start()?;
    /// let nearest = resolver.ready().await?.iter().next().map(|i| i.authority());
    /// # Ok(()) }
    /// ```
    pub fn near(mut self, node: impl Into<String>) -> Self {
        self.near = Some(node.into());
        self
    }

    /// Keeps only instances on nodes with this metadata; repeatable: every pair must match.
    pub fn node_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.node_meta.push((key.into(), value.into()));
        self
    }

    /// Keeps only instances matching this filter expression (Consul 1.5+), for example
    /// `Service.Meta.version == "2"`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// let v2 = client.resolver("web").filter(r#"Service.Meta.version == "2""#).start()?;
    /// # Ok(()) }
    /// ```
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    /// The datacenters to read, in order of preference (see the module docs for the exact
    /// fallback rule). Without it, the client's datacenter (or the agent's own) is read.
    pub fn datacenters<I, S>(mut self, datacenters: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.datacenters = datacenters.into_iter().map(Into::into).collect();
        self
    }

    /// How long each blocking read waits for a change (at most 10 minutes; default the
    /// client's wait time, else the agent's 5 minutes).
    pub fn wait_time(mut self, wait: Duration) -> Self {
        self.wait_time = Some(wait);
        self
    }

    /// Lets any server answer (`?stale`): spreads the reads over the servers and keeps
    /// answering without a leader, at the price of answers a little behind.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// let resolver = client.resolver("web").stale().start()?;
    /// # Ok(()) }
    /// ```
    pub fn stale(mut self) -> Self {
        self.consistency = Some(Consistency::Stale);
        self
    }

    /// The read of one datacenter (`None`: the client's or agent's own).
    fn request(&self, datacenter: Option<&str>) -> ReadRequest<HealthService> {
        let mut request = self.client.health().service(&self.service).passing();
        for tag in &self.tags {
            request = request.tag(tag);
        }
        if let Some(near) = &self.near {
            request = request.near(near);
        }
        for (key, value) in &self.node_meta {
            request = request.node_meta(key, value);
        }
        if let Some(filter) = &self.filter {
            request = request.filter(filter);
        }
        if let Some(dc) = datacenter {
            request = request.dc(dc);
        }
        if let Some(wait) = self.wait_time {
            request = request.wait_time(wait);
        }
        if let Some(consistency) = self.consistency {
            request = request.consistency(consistency);
        }
        request
    }

    /// Checks the settings, then starts the background task in the current Tokio runtime.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// let resolver = client.resolver("web").tag("v1").start()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`DiscoveryError::Invalid`] for an empty service name, tag or datacenter, or a wait
    /// over 10 minutes (nothing is sent); [`DiscoveryError::NoRuntime`] outside a Tokio
    /// runtime.
    pub fn start(self) -> Result<Resolver, DiscoveryError> {
        let names: Vec<Option<String>> = if self.datacenters.is_empty() {
            vec![None]
        } else {
            self.datacenters.iter().cloned().map(Some).collect()
        };
        let mut watches = Vec::with_capacity(names.len());
        let mut datacenters = Vec::with_capacity(names.len());
        for name in names {
            let request = self.request(name.as_deref());
            request.call().endpoint()?;
            request.options_ref().validate()?;
            watches.push(Some(request.watch()));
            datacenters.push(task::Datacenter {
                name,
                ..task::Datacenter::default()
            });
        }
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| DiscoveryError::NoRuntime)?;
        let (tx, rx) = watch::channel(State::default());
        let span = tracing::info_span!(
            "consul.discovery",
            service = %self.service,
            datacenters = ?self.datacenters,
        );
        runtime.spawn(task::run(self.service.clone(), watches, datacenters, tx).instrument(span));
        Ok(Resolver {
            service: self.service,
            receiver: rx,
        })
    }
}

/// The running resolver of one service: its current set and its changes. Cheap to clone;
/// the background task ends when the resolver, its clones and its streams are all dropped.
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
/// let resolver = client.resolver("web").start()?;
/// let instances = resolver.ready().await?;
/// if let Some(first) = instances.iter().next() {
///     println!("calling {}", first.authority());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Resolver {
    service: String,
    receiver: watch::Receiver<State>,
}

impl Resolver {
    /// The service resolved.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The current set of passing instances (empty and not
    /// [resolved](Instances::is_resolved) before the first answers).
    ///
    /// ```no_run
    /// # fn demo(resolver: &consul_api::discovery::Resolver) {
    /// let now = resolver.snapshot();
    /// println!("{} passing in {:?}", now.len(), now.datacenter());
    /// # }
    /// ```
    pub fn snapshot(&self) -> Instances {
        self.receiver.borrow().instances.clone()
    }

    /// The error of the latest failed read, until the datacenter it read answers again
    /// (meanwhile that datacenter counts with its last good set).
    ///
    /// ```no_run
    /// # fn demo(resolver: &consul_api::discovery::Resolver) {
    /// if let Some(e) = resolver.last_error() {
    ///     eprintln!("discovery degraded: {e}");
    /// }
    /// # }
    /// ```
    pub fn last_error(&self) -> Option<DiscoveryError> {
        let state = self.receiver.borrow();
        state.error.as_ref().map(|(_, e)| e.clone())
    }

    /// Waits until the set is first decided, and returns it.
    ///
    /// ```no_run
    /// # async fn demo(resolver: consul_api::discovery::Resolver) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// let instances = tokio::time::timeout(std::time::Duration::from_secs(5), resolver.ready())
    ///     .await
    ///     .expect("consul answered within 5 s")?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The latest [`DiscoveryError::Watch`] when the set is empty and a read is failing:
    /// the emptiness may be the failure's, not Consul's answer.
    pub async fn ready(&self) -> Result<Instances, DiscoveryError> {
        let mut receiver = self.receiver.clone();
        let state = receiver
            .wait_for(|s| s.instances.is_resolved())
            .await
            .map(|s| s.clone());
        let Ok(state) = state else {
            // The task is gone (its runtime shut down): what it last published is all.
            return Ok(self.snapshot());
        };
        match state.error {
            Some((_, error)) if state.instances.is_empty() => Err(error),
            _ => Ok(state.instances),
        }
    }

    /// A stream of the changes of the set (see [`Changes`]); it starts with
    /// [`Change::Added`] for each instance already known.
    ///
    /// ```no_run
    /// # async fn demo(resolver: consul_api::discovery::Resolver) {
    /// let mut changes = resolver.changes();
    /// while let Some(change) = changes.next().await {
    ///     println!("{change:?}");
    /// }
    /// # }
    /// ```
    pub fn changes(&self) -> Changes {
        Changes::new(self.receiver.clone())
    }
}
