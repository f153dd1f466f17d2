//! Health (`/v1/health`): Go's `api/health.go`, aioconsul's `client.health`.
//!
//! Checks by node, by service or by state, and the instances of a service with their
//! checks, in the handle's datacenter (`client.health().dc("dc2")`) or the request's
//! (`.dc("dc2")`). Every read blocks: `.wait(index, time)` waits for a change past an index,
//! `.watch()` streams the changes (Go's `service` and `checks` watches).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! let web = client.health().service("web").passing().tag("v1").near("_agent").dc("dc2").await?;
//! for entry in web.value {
//!     println!("{}:{}", entry.node.address, entry.service.port);
//! }
//! let mut changes = client.health().service("web").passing().watch(); // a Stream
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest};
use crate::Result;
pub use consul_types::agent::{AgentService, ConnectProxyConfig, ServiceConnect, ServiceKind};
pub use consul_types::catalog::Node;
use consul_types::endpoint::{Accepts, Blocking, Endpoint};
use consul_types::health::{validate_node_name, validate_service_name};
pub use consul_types::health::{
    CheckStatus, HealthCheck, HealthCheckDefinition, HealthState, ServiceEntry,
};
use consul_types::ValidationError;
use http::Method;

family! {
    /// Health information; made by [`Client::health`](crate::Client::health).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::health::HealthState;
    /// let critical = client.health().dc("dc2").state(HealthState::Critical).await?;
    /// # Ok(()) }
    /// ```
    Health, health, "health endpoints"
}

/// `filter`, `near` and `node_meta`.
const LISTS: Accepts = Accepts::NONE.with_filter().with_near().with_node_meta();

/// A blocking read of health information, accepting these options.
fn read(path: &'static str, accepts: Accepts) -> Endpoint {
    Endpoint::read(Method::GET, path)
        .blocking(Blocking::Index)
        .accepts(accepts)
}

/// The call of [`Health::node`].
#[derive(Debug, Clone)]
pub struct HealthNode {
    node: String,
}

impl Call for HealthNode {
    type Output = Vec<HealthCheck>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_node_name(&self.node)?;
        read("health/node", Accepts::NONE.with_filter()).segment("node name", &self.node)
    }

    fn output(&self, answer: Answer) -> Result<Vec<HealthCheck>> {
        answer.json_list()
    }
}

/// The call of [`Health::checks`].
#[derive(Debug, Clone)]
pub struct HealthChecks {
    service: String,
}

impl Call for HealthChecks {
    type Output = Vec<HealthCheck>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_service_name(&self.service)?;
        read("health/checks", LISTS).segment("service name", &self.service)
    }

    fn output(&self, answer: Answer) -> Result<Vec<HealthCheck>> {
        answer.json_list()
    }
}

/// The call of [`Health::state`].
#[derive(Debug, Clone)]
pub struct HealthStateGet {
    state: HealthState,
}

impl Call for HealthStateGet {
    type Output = Vec<HealthCheck>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(read("health/state", LISTS).fixed(self.state.as_str()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<HealthCheck>> {
        answer.json_list()
    }
}

/// What selects the instances of a service: its name, tags, and whether only passing ones.
#[derive(Debug, Clone)]
struct Instances {
    service: String,
    tags: Vec<String>,
    passing: bool,
}

impl Instances {
    fn new(service: String) -> Self {
        Instances {
            service,
            tags: Vec::new(),
            passing: false,
        }
    }

    fn endpoint(&self, path: &'static str, accepts: Accepts) -> Result<Endpoint, ValidationError> {
        validate_service_name(&self.service)?;
        let mut endpoint = read(path, accepts).segment("service name", &self.service)?;
        for tag in &self.tags {
            if tag.is_empty() {
                return Err(ValidationError::Empty { field: "tag" });
            }
            endpoint = endpoint.param("tag", tag.clone());
        }
        Ok(endpoint.param_opt("passing", self.passing.then_some("1")))
    }
}

/// Declares a call reading the instances of a service at `$path`, with its `tag()` and
/// `passing()` setters.
macro_rules! instances_call {
    ($(#[$doc:meta])* $call:ident, $path:literal, $accepts:expr; $($setter:ident),+) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $call {
            instances: Instances,
        }

        impl Call for $call {
            type Output = Vec<ServiceEntry>;

            fn endpoint(&self) -> Result<Endpoint, ValidationError> {
                self.instances.endpoint($path, $accepts)
            }

            fn output(&self, answer: Answer) -> Result<Vec<ServiceEntry>> {
                answer.json_list()
            }
        }

        call_traits!($call: Cluster, Watchable, IndexBlocking);
        read_setters!($call: $($setter),+);

        impl ReadRequest<$call> {
            /// Keeps only the instances with this tag (`?tag=`); repeatable: an instance
            /// must have every tag given. An empty tag is refused.
            pub fn tag(mut self, tag: impl Into<String>) -> Self {
                self.call_mut().instances.tags.push(tag.into());
                self
            }

            /// Keeps only the instances whose checks all pass (`?passing`); a warning
            /// counts as not passing.
            pub fn passing(mut self) -> Self {
                self.call_mut().instances.passing = true;
                self
            }
        }
    };
}

/// What the reads of a service's instances accept: `filter`, `near`, `node_meta`, the
/// cache, and `merge-central-config` (Consul 1.13+).
const INSTANCES: Accepts = Accepts::NONE
    .with_filter()
    .with_near()
    .with_node_meta()
    .with_cache()
    .with_merge_central_config();

instances_call! {
    /// The call of [`Health::service`].
    HealthService, "health/service", INSTANCES.with_peer();
    filter, near, node_meta, cached, peer, merge_central_config
}

instances_call! {
    /// The call of [`Health::connect`].
    HealthConnect, "health/connect", INSTANCES.with_peer();
    filter, near, node_meta, cached, peer, merge_central_config
}

instances_call! {
    /// The call of [`Health::ingress`].
    HealthIngress, "health/ingress", INSTANCES;
    filter, near, node_meta, cached, merge_central_config
}

call_traits!(HealthNode: Cluster, Watchable, IndexBlocking);
call_traits!(HealthChecks: Cluster, Watchable, IndexBlocking);
call_traits!(HealthStateGet: Cluster, Watchable, IndexBlocking);

read_setters!(HealthNode: filter);
read_setters!(HealthChecks: filter, near, node_meta);
read_setters!(HealthStateGet: filter, near, node_meta);

impl Health {
    /// The checks of node `node` (aioconsul's `health(node=…)`); `.filter(..)` keeps
    /// those matching an expression.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-checks-for-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for check in client.health().node("node-1").await?.value {
    ///     println!("{}: {}", check.name, check.status);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node name; transport
    /// and status errors otherwise (an unknown datacenter is a 500 `No path to datacenter`).
    pub fn node(&self, node: impl Into<String>) -> ReadRequest<HealthNode> {
        self.read(HealthNode { node: node.into() })
    }

    /// The checks of every instance of service `service` (aioconsul's
    /// `health(service=…)`); with `near`, `node_meta` and `filter`. `.watch()` is Go's
    /// `checks` watch on a service.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-checks-for-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let checks = client.health().checks("web").node_meta("rack", "r1").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::node`], for an empty service name.
    pub fn checks(&self, service: impl Into<String>) -> ReadRequest<HealthChecks> {
        self.read(HealthChecks {
            service: service.into(),
        })
    }

    /// The instances of service `service` with their node and checks (aioconsul's
    /// `health.nodes`): `.passing()` keeps those whose checks all pass, `.tag(..)`
    /// (repeatable) those with every tag given; with `near`, `node_meta`, `filter` and
    /// `cached`. An unknown service is an empty list. `.watch()` is Go's `service` watch.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-nodes-for-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let health = client.health();
    /// let now = health.service("web").passing().tag("v1").near("_agent").await?;
    /// // Wait up to a minute for the set of healthy instances to change.
    /// let next = health
    ///     .service("web")
    ///     .passing()
    ///     .tag("v1")
    ///     .wait(now.meta.last_index, Duration::from_secs(60))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::node`], for an empty service name or tag.
    pub fn service(&self, service: impl Into<String>) -> ReadRequest<HealthService> {
        self.read(HealthService {
            instances: Instances::new(service.into()),
        })
    }

    /// The Connect-capable instances of service `service` with their checks, with the
    /// same setters as [`Health::service`]: its proxies (their [`AgentService::proxy`]
    /// typed) and, if it is Connect-native, its own instances.
    ///
    /// Repeated `.tag()`s are sent as Go's `ConnectMultipleTags` sends them, but Consul
    /// 1.8.7 ignores tags on Connect reads and answers every proxy of the service;
    /// `.filter()` selects by tags there (`"v1" in Service.Tags`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-nodes-for-connect-capable-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let proxies = client.health().connect("web").passing().await?.value;
    /// let v1 = client
    ///     .health()
    ///     .connect("web")
    ///     .filter(r#""v1" in Service.Tags"#)
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::service`].
    pub fn connect(&self, service: impl Into<String>) -> ReadRequest<HealthConnect> {
        self.read(HealthConnect {
            instances: Instances::new(service.into()),
        })
    }

    /// The ingress gateways for service `service` with their checks (Consul 1.8+), with
    /// the same setters as [`Health::service`].
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-ingress-gateways)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let gateways = client.health().ingress("web").passing().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::service`].
    pub fn ingress(&self, service: impl Into<String>) -> ReadRequest<HealthIngress> {
        self.read(HealthIngress {
            instances: Instances::new(service.into()),
        })
    }

    /// The checks in state `state` across the datacenter (aioconsul's
    /// `health(state=…)`); with `near`, `node_meta` and `filter`. `.watch()` is Go's
    /// `checks` watch on a state.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-checks-in-state)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::health::HealthState;
    /// for check in client.health().state(HealthState::Critical).await?.value {
    ///     println!("{} on {}: {}", check.name, check.node, check.output);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn state(&self, state: HealthState) -> ReadRequest<HealthStateGet> {
        self.read(HealthStateGet { state })
    }
}
