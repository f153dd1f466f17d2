//! The catalog (`/v1/catalog`): Go's `api/catalog.go`, aioconsul's `client.catalog`.
//!
//! Reads are served by the servers: they block (`.wait(index, time)`, `.watch()`), take a
//! consistency mode (`.stale()`, `.consistent()`), and `near`, `node_meta`, `filter` and
//! `cached` where Consul reads them. Every call goes to the handle's datacenter, or the
//! request's: `client.catalog().dc("dc2")` and `.dc("dc2")` on one request both read and
//! write dc2.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! let catalog = client.catalog();
//! for dc in catalog.datacenters().await?.value {
//!     println!("datacenter {dc}");
//! }
//! for (service, tags) in catalog.services().await?.value {
//!     println!("{service} {tags:?}");
//! }
//! for node in catalog.nodes().near("_agent").dc("dc2").await?.value {
//!     println!("{} {}", node.node, node.address);
//! }
//! let mut changes = catalog.service("web").tag("v1").watch(); // a Stream of the instances
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
pub use consul_types::agent::{AgentService, ConnectProxyConfig, ServiceConnect, ServiceKind};
pub use consul_types::catalog::{
    CatalogDeregistration, CatalogNode, CatalogNodeServiceList, CatalogRegistration,
    CatalogService, CompoundServiceName, GatewayService, Node,
};
use consul_types::endpoint::{Accepts, Blocking, Endpoint};
use consul_types::health::{validate_node_name, validate_service_name};
pub use consul_types::health::{CheckStatus, HealthCheck};
use consul_types::ValidationError;
use http::Method;
use std::collections::BTreeMap;

family! {
    /// The catalog; made by [`Client::catalog`](crate::Client::catalog).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let remote_nodes = client.catalog().dc("dc2").nodes().await?.value;
    /// # Ok(()) }
    /// ```
    Catalog, catalog, "catalog"
}

/// A blocking read of the catalog, accepting these options.
fn read(path: &'static str, accepts: Accepts) -> Endpoint {
    Endpoint::read(Method::GET, path)
        .blocking(Blocking::Index)
        .accepts(accepts)
}

/// `filter`, `near` and `node_meta`.
const LISTS: Accepts = Accepts::NONE.with_filter().with_near().with_node_meta();

/// Those of a list, and the agent cache.
const CACHED_LISTS: Accepts = Accepts::NONE
    .with_filter()
    .with_near()
    .with_node_meta()
    .with_cache();

/// A service's instances: as [`CACHED_LISTS`], with `peer` and `merge-central-config`
/// (Consul 1.13+).
const INSTANCES: Accepts = CACHED_LISTS.with_peer().with_merge_central_config();

/// `filter` only.
const FILTER: Accepts = Accepts::NONE.with_filter();

/// `?tag=` parameters; an empty tag is refused rather than sent.
fn with_tags(mut endpoint: Endpoint, tags: &[String]) -> Result<Endpoint, ValidationError> {
    for tag in tags {
        if tag.is_empty() {
            return Err(ValidationError::Empty { field: "tag" });
        }
        endpoint = endpoint.param("tag", tag.clone());
    }
    Ok(endpoint)
}

/// The call of [`Catalog::datacenters`].
#[derive(Debug, Clone)]
pub struct CatalogDatacenters;

impl Call for CatalogDatacenters {
    type Output = Vec<String>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // The agent answers from what its servers know, with no `?dc=` forwarding and no
        // consistency mode: a local read.
        Ok(Endpoint::read(Method::GET, "catalog/datacenters").agent())
    }

    fn output(&self, answer: Answer) -> Result<Vec<String>> {
        answer.json_list()
    }
}

/// The call of [`Catalog::nodes`].
#[derive(Debug, Clone)]
pub struct CatalogNodes;

impl Call for CatalogNodes {
    type Output = Vec<Node>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(read("catalog/nodes", LISTS))
    }

    fn output(&self, answer: Answer) -> Result<Vec<Node>> {
        answer.json_list()
    }
}

/// The call of [`Catalog::services`].
#[derive(Debug, Clone)]
pub struct CatalogServices;

impl Call for CatalogServices {
    type Output = BTreeMap<String, Vec<String>>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // Consul 1.8.7 ignores `?filter=` here (even an invalid one): not offered.
        Ok(read(
            "catalog/services",
            Accepts::NONE.with_node_meta().with_cache(),
        ))
    }

    fn output(&self, answer: Answer) -> Result<BTreeMap<String, Vec<String>>> {
        let services: Option<BTreeMap<String, Option<Vec<String>>>> = answer.json()?;
        Ok(services
            .unwrap_or_default()
            .into_iter()
            .map(|(name, tags)| (name, tags.unwrap_or_default()))
            .collect())
    }
}

/// The call of [`Catalog::service`]: the instances of a service, with every tag given.
#[derive(Debug, Clone)]
pub struct CatalogServiceGet {
    name: String,
    tags: Vec<String>,
}

impl Call for CatalogServiceGet {
    type Output = Vec<CatalogService>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_service_name(&self.name)?;
        with_tags(
            read("catalog/service", INSTANCES).segment("service name", &self.name)?,
            &self.tags,
        )
    }

    fn output(&self, answer: Answer) -> Result<Vec<CatalogService>> {
        answer.json_list()
    }
}

/// The call of [`Catalog::connect`]: the Connect-capable instances of a service.
#[derive(Debug, Clone)]
pub struct CatalogConnect {
    name: String,
    tags: Vec<String>,
}

impl Call for CatalogConnect {
    type Output = Vec<CatalogService>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_service_name(&self.name)?;
        with_tags(
            read("catalog/connect", INSTANCES).segment("service name", &self.name)?,
            &self.tags,
        )
    }

    fn output(&self, answer: Answer) -> Result<Vec<CatalogService>> {
        answer.json_list()
    }
}

/// The call of [`Catalog::node`]: one node with its services, `None` when unknown.
#[derive(Debug, Clone)]
pub struct CatalogNodeGet {
    name: String,
}

impl Call for CatalogNodeGet {
    type Output = Option<CatalogNode>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_node_name(&self.name)?;
        read("catalog/node", FILTER).segment("node name", &self.name)
    }

    fn output(&self, answer: Answer) -> Result<Option<CatalogNode>> {
        // Consul answers an unknown node with 200 `null`.
        let node: Option<CatalogNode> = answer.json()?;
        Ok(node.filter(|n| !n.node.node.is_empty()))
    }
}

/// The call of [`Catalog::node_service_list`]: one node with its services as a list,
/// `None` when unknown.
#[derive(Debug, Clone)]
pub struct CatalogNodeServiceListGet {
    name: String,
}

impl Call for CatalogNodeServiceListGet {
    type Output = Option<CatalogNodeServiceList>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_node_name(&self.name)?;
        read("catalog/node-services", FILTER.with_merge_central_config())
            .segment("node name", &self.name)
    }

    fn output(&self, answer: Answer) -> Result<Option<CatalogNodeServiceList>> {
        // Consul answers an unknown node with `{"Node": null, "Services": null}`.
        let node: Option<CatalogNodeServiceList> = answer.json()?;
        Ok(node.filter(|n| !n.node.node.is_empty()))
    }
}

/// The call of [`Catalog::gateway_services`].
#[derive(Debug, Clone)]
pub struct CatalogGatewayServices {
    gateway: String,
}

impl Call for CatalogGatewayServices {
    type Output = Vec<GatewayService>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        read("catalog/gateway-services", Accepts::NONE).segment("gateway name", &self.gateway)
    }

    fn output(&self, answer: Answer) -> Result<Vec<GatewayService>> {
        answer.json_list()
    }
}

/// The call of [`Catalog::register`]; `true` once applied.
#[derive(Debug, Clone)]
pub struct CatalogRegister {
    registration: CatalogRegistration,
}

impl Call for CatalogRegister {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.endpoint_in(None)
    }

    fn endpoint_in(&self, datacenter: Option<&str>) -> Result<Endpoint, ValidationError> {
        self.registration.validate()?;
        // Consul reads the datacenter from the body, not from `?dc=`.
        let mut body = self.registration.clone();
        if body.datacenter.is_none() {
            body.datacenter = datacenter.map(str::to_owned);
        }
        Endpoint::write(Method::PUT, "catalog/register").json(&body)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Catalog::deregister`] and its conveniences; `true` once applied.
#[derive(Debug, Clone)]
pub struct CatalogDeregister {
    deregistration: CatalogDeregistration,
}

impl Call for CatalogDeregister {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.endpoint_in(None)
    }

    fn endpoint_in(&self, datacenter: Option<&str>) -> Result<Endpoint, ValidationError> {
        self.deregistration.validate()?;
        // As for a registration: the body names the datacenter.
        let mut body = self.deregistration.clone();
        if body.datacenter.is_none() {
            body.datacenter = datacenter.map(str::to_owned);
        }
        Endpoint::write(Method::PUT, "catalog/deregister").json(&body)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

call_traits!(CatalogNodes: Cluster, Watchable, IndexBlocking);
call_traits!(CatalogServices: Cluster, Watchable, IndexBlocking);
call_traits!(CatalogServiceGet: Cluster, Watchable, IndexBlocking);
call_traits!(CatalogConnect: Cluster, Watchable, IndexBlocking);
call_traits!(CatalogNodeGet: Cluster, Watchable, IndexBlocking);
call_traits!(CatalogNodeServiceListGet: Cluster, Watchable, IndexBlocking);
call_traits!(CatalogGatewayServices: Cluster, Watchable, IndexBlocking);
call_traits!(CatalogRegister: Cluster);
call_traits!(CatalogDeregister: Cluster);

read_setters!(CatalogNodes: filter, near, node_meta);
read_setters!(CatalogServices: node_meta, cached);
read_setters!(CatalogServiceGet: filter, near, node_meta, cached, peer, merge_central_config);
read_setters!(CatalogConnect: filter, near, node_meta, cached, peer, merge_central_config);
read_setters!(CatalogNodeGet: filter);
read_setters!(CatalogNodeServiceListGet: filter, merge_central_config);

impl ReadRequest<CatalogServiceGet> {
    /// Keeps only the instances with this tag (`?tag=`); repeatable: an instance must have
    /// every tag given (Consul 1.2+). An empty tag is refused.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.call_mut().tags.push(tag.into());
        self
    }
}

impl ReadRequest<CatalogConnect> {
    /// Keeps only the instances with this tag (`?tag=`); repeatable: an instance must have
    /// every tag given. An empty tag is refused.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.call_mut().tags.push(tag.into());
        self
    }
}

impl Catalog {
    /// The datacenters Consul knows, sorted by estimated round-trip time from the servers
    /// of the agent's datacenter (aioconsul's `catalog.datacenters()`).
    ///
    /// The agent answers it itself: there is no `dc()` (a handle's datacenter is not
    /// sent), no consistency mode, and it does not block (so no `wait()` or `watch()`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-datacenters)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let dcs = client.catalog().datacenters().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn datacenters(&self) -> ReadRequest<CatalogDatacenters> {
        self.read(CatalogDatacenters)
    }

    /// The nodes of the datacenter (aioconsul's `catalog.nodes()`); sorted by distance
    /// with `.near("_agent")`, filtered by metadata with `.node_meta(k, v)` or by
    /// expression with `.filter(..)`. `.watch()` is Go's `nodes` watch.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let nodes = client.catalog().nodes().near("_agent").node_meta("rack", "r1").await?;
    /// for node in nodes.value {
    ///     println!("{} {}", node.node, node.address);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (an unknown datacenter is a 500 `No path to
    /// datacenter`; a bad filter a 500 on 1.8.7).
    pub fn nodes(&self) -> ReadRequest<CatalogNodes> {
        self.read(CatalogNodes)
    }

    /// The services of the datacenter, each with the union of its instances' tags
    /// (aioconsul's `catalog.services()`); `.node_meta(k, v)` keeps the services of
    /// matching nodes, `.cached(..)` reads the agent's cache. `.watch()` is Go's
    /// `services` watch.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-services)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for (name, tags) in client.catalog().services().await?.value {
    ///     println!("{name}: {}", tags.join(", "));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::nodes`].
    pub fn services(&self) -> ReadRequest<CatalogServices> {
        self.read(CatalogServices)
    }

    /// The instances of service `name`; with `.tag(..)` (repeatable) only those having
    /// every tag given. An unknown service is an empty list.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for instance in client.catalog().service("web").tag("v1").await?.value {
    ///     println!("{}:{}", instance.effective_address(), instance.service_port);
    /// }
    /// let primaries_in_eu = client.catalog().service("db").tag("primary").tag("eu").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name or tag; as
    /// [`Catalog::nodes`] otherwise.
    pub fn service(&self, name: impl Into<String>) -> ReadRequest<CatalogServiceGet> {
        self.read(CatalogServiceGet {
            name: name.into(),
            tags: Vec::new(),
        })
    }

    /// The Connect-capable instances of service `name` (proxies and native services), with
    /// the same setters as [`Catalog::service`]; their [`CatalogService::service_proxy`]
    /// and [`CatalogService::service_connect`] are typed.
    ///
    /// Repeated `.tag()`s are sent as Go's `ConnectMultipleTags` sends them, but Consul
    /// 1.8.7 ignores tags on Connect reads and answers every proxy of the service;
    /// `.filter()` selects by tags there (`"v1" in ServiceTags`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-connect-capable-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let proxies = client.catalog().connect("web").await?.value;
    /// let v1 = client
    ///     .catalog()
    ///     .connect("web")
    ///     .filter(r#""v1" in ServiceTags"#)
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::service`].
    pub fn connect(&self, name: impl Into<String>) -> ReadRequest<CatalogConnect> {
        self.read(CatalogConnect {
            name: name.into(),
            tags: Vec::new(),
        })
    }

    /// One node with its services, or `None` for an unknown node (aioconsul's
    /// `catalog.get`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-services-for-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(node) = client.catalog().node("node-1").await?.value {
    ///     println!("{} runs {} services", node.node.node, node.services.len());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name; as
    /// [`Catalog::nodes`] otherwise.
    pub fn node(&self, name: impl Into<String>) -> ReadRequest<CatalogNodeGet> {
        self.read(CatalogNodeGet { name: name.into() })
    }

    /// One node with its services as a list, or `None` for an unknown node
    /// (`/v1/catalog/node-services/:node`, Consul 1.7+).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-services-for-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let node = client.catalog().node_service_list("node-1").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::node`].
    pub fn node_service_list(
        &self,
        name: impl Into<String>,
    ) -> ReadRequest<CatalogNodeServiceListGet> {
        self.read(CatalogNodeServiceListGet { name: name.into() })
    }

    /// The services a gateway routes to (`/v1/catalog/gateway-services/:gateway`,
    /// Consul 1.8+); empty for an unknown gateway.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let routes = client.catalog().gateway_services("ingress").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::service`].
    pub fn gateway_services(
        &self,
        gateway: impl Into<String>,
    ) -> ReadRequest<CatalogGatewayServices> {
        self.read(CatalogGatewayServices {
            gateway: gateway.into(),
        })
    }

    /// Registers a node, and optionally a service and checks on it, directly in the
    /// catalog (aioconsul's `catalog.register`); `true` once applied. Entries made this way
    /// belong to no agent: nothing runs their checks or removes them.
    ///
    /// Consul takes the datacenter from the registration, not from `?dc=`: unless the
    /// registration names one, the request's (`.dc(..)`) or the handle's is written into it.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#register-entity)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::catalog::{AgentService, CatalogRegistration, CheckStatus, HealthCheck};
    /// let reg = CatalogRegistration::new("external-db", "10.1.2.3")
    ///     .service(AgentService::new("db-1", "db").port(5432))
    ///     .check(HealthCheck::new("db-alive", "db alive", CheckStatus::Passing).service_id("db-1"));
    /// client.catalog().register(reg).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid registration (empty
    /// node, address or service name, a check status Consul does not define, …);
    /// transport and status errors otherwise.
    pub fn register(&self, registration: CatalogRegistration) -> WriteRequest<CatalogRegister> {
        self.write(CatalogRegister { registration })
    }

    /// Removes a node, or one service or check on it, from the catalog (aioconsul's
    /// `catalog.deregister`); `true` once applied. The datacenter is chosen as for
    /// [`Catalog::register`].
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#deregister-entity)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::catalog::CatalogDeregistration;
    /// client
    ///     .catalog()
    ///     .deregister(CatalogDeregistration::service("external-db", "db-1"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node or id, or both a
    /// service and a check; transport and status errors otherwise.
    pub fn deregister(
        &self,
        deregistration: CatalogDeregistration,
    ) -> WriteRequest<CatalogDeregister> {
        self.write(CatalogDeregister { deregistration })
    }

    /// Removes a node and everything on it (aioconsul's `catalog.deregister_node`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.catalog().deregister_node("external-db").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::deregister`].
    pub fn deregister_node(&self, node: impl Into<String>) -> WriteRequest<CatalogDeregister> {
        self.deregister(CatalogDeregistration::node(node))
    }

    /// Removes one service instance from a node (aioconsul's
    /// `catalog.deregister_service`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.catalog().deregister_service("external-db", "db-1").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::deregister`].
    pub fn deregister_service(
        &self,
        node: impl Into<String>,
        service_id: impl Into<String>,
    ) -> WriteRequest<CatalogDeregister> {
        self.deregister(CatalogDeregistration::service(node, service_id))
    }

    /// Removes one check from a node (aioconsul's `catalog.deregister_check`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.catalog().deregister_check("external-db", "db-alive").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::deregister`].
    pub fn deregister_check(
        &self,
        node: impl Into<String>,
        check_id: impl Into<String>,
    ) -> WriteRequest<CatalogDeregister> {
        self.deregister(CatalogDeregistration::check(node, check_id))
    }
}
