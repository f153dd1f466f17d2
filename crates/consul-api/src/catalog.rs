//! The catalog (`/v1/catalog`): Go's `api/catalog.go`, aioconsul's `client.catalog`.
//!
//! Reads are served by the servers and support blocking ([`QueryOptions::wait_index`]),
//! consistency modes, `near`, `node-meta` and `filter` where Consul does. Every call goes
//! to the handle's datacenter: `client.catalog().dc("dc2")` reads and writes dc2.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::QueryOptions;
//! let catalog = client.catalog();
//! for dc in catalog.datacenters(&QueryOptions::default()).await?.value {
//!     println!("datacenter {dc}");
//! }
//! for (service, tags) in catalog.services(&QueryOptions::default()).await?.value {
//!     println!("{service} {tags:?}");
//! }
//! for node in catalog.dc("dc2").nodes(&QueryOptions::default()).await?.value {
//!     println!("{} {}", node.node, node.address);
//! }
//! # Ok(()) }
//! ```

use crate::request::segment;
use crate::{Client, Result};
pub use consul_types::agent::AgentService;
pub use consul_types::catalog::{
    CatalogDeregistration, CatalogNode, CatalogNodeServiceList, CatalogRegistration,
    CatalogService, CompoundServiceName, GatewayService, Node,
};
use consul_types::health::{validate_node_name, validate_service_name};
pub use consul_types::health::{CheckStatus, HealthCheck};
use consul_types::{QueryOptions, QueryResponse, ValidationError, WriteOptions, WriteResponse};
use http::Method;
use std::collections::BTreeMap;

/// The catalog; made by [`Client::catalog`].
#[derive(Debug, Clone)]
pub struct Catalog {
    client: Client,
}

impl Client {
    /// The catalog.
    pub fn catalog(&self) -> Catalog {
        Catalog {
            client: self.clone(),
        }
    }
}

impl Catalog {
    /// The same catalog in datacenter `name` (aioconsul's `catalog.dc("dc2")`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let remote_nodes = client.catalog().dc("dc2").nodes(&QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn dc(&self, name: &str) -> Catalog {
        Catalog {
            client: self.client.dc(name),
        }
    }

    /// The datacenter this handle is scoped to, if any.
    pub fn datacenter(&self) -> Option<&str> {
        self.client.datacenter()
    }

    /// The datacenters Consul knows, sorted by estimated round-trip time from the server
    /// that answers (aioconsul's `catalog.datacenters()`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-datacenters)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let dcs = client.catalog().datacenters(&QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn datacenters(&self, opts: &QueryOptions) -> Result<QueryResponse<Vec<String>>> {
        opts.validate()?;
        self.client
            .call(Method::GET, "catalog/datacenters")
            .token_override(opts.token.as_ref())?
            .query_list::<String>()
            .await
    }

    /// The nodes of the datacenter (aioconsul's `catalog.nodes()`). The options sort them
    /// by distance (`near("_agent")`), filter by node metadata (`node_meta`) or by
    /// expression (`filter`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let opts = QueryOptions::default().near("_agent").node_meta("rack", "r1");
    /// for node in client.catalog().nodes(&opts).await?.value {
    ///     println!("{} {}", node.node, node.address);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (an unknown datacenter is a 500 `No path to
    /// datacenter`; a bad filter a 500 on 1.8.7).
    pub async fn nodes(&self, opts: &QueryOptions) -> Result<QueryResponse<Vec<Node>>> {
        self.client
            .list("catalog/nodes".to_owned(), Vec::new(), opts)
            .await
    }

    /// The services of the datacenter, each with the union of its instances' tags
    /// (aioconsul's `catalog.services()`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-services)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// for (name, tags) in client.catalog().services(&QueryOptions::default()).await?.value {
    ///     println!("{name}: {}", tags.join(", "));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::nodes`].
    pub async fn services(
        &self,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<BTreeMap<String, Vec<String>>>> {
        let response = self
            .client
            .call(Method::GET, "catalog/services")
            .query_options(opts)?
            .query::<Option<BTreeMap<String, Option<Vec<String>>>>>()
            .await?;
        Ok(response.map(|m| {
            m.unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect()
        }))
    }

    /// The instances of service `name`, optionally only those with `tag`; an unknown
    /// service is an empty list.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// for instance in client.catalog().service("web", Some("v1"), &QueryOptions::default()).await?.value {
    ///     println!("{}:{}", instance.effective_address(), instance.service_port);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name or tag; as
    /// [`Catalog::nodes`] otherwise.
    pub async fn service(
        &self,
        name: &str,
        tag: Option<&str>,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<CatalogService>>> {
        self.service_multiple_tags(name, tag.as_slice(), opts).await
    }

    /// The instances of service `name` that have every tag in `tags`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let primaries = client
    ///     .catalog()
    ///     .service_multiple_tags("db", &["primary", "eu"], &QueryOptions::default())
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::service`].
    pub async fn service_multiple_tags(
        &self,
        name: &str,
        tags: &[&str],
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<CatalogService>>> {
        validate_service_name(name)?;
        let params = tag_params(tags)?;
        self.client
            .list(format!("catalog/service/{}", segment(name)), params, opts)
            .await
    }

    /// The Connect-capable instances of service `name` (proxies and native services).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-connect-capable-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let proxies = client.catalog().connect("web", None, &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::service`].
    pub async fn connect(
        &self,
        name: &str,
        tag: Option<&str>,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<CatalogService>>> {
        validate_service_name(name)?;
        let params = tag_params(tag.as_slice())?;
        self.client
            .list(format!("catalog/connect/{}", segment(name)), params, opts)
            .await
    }

    /// One node with its services, or `None` for an unknown node (aioconsul's
    /// `catalog.get`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-services-for-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// if let Some(node) = client.catalog().node("node-1", &QueryOptions::default()).await?.value {
    ///     println!("{} runs {} services", node.node.node, node.services.len());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name; as
    /// [`Catalog::nodes`] otherwise.
    pub async fn node(
        &self,
        name: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<CatalogNode>>> {
        validate_node_name(name)?;
        let response = self
            .client
            .call(Method::GET, format!("catalog/node/{}", segment(name)))
            .query_options(opts)?
            .query::<Option<CatalogNode>>()
            .await?;
        Ok(response.map(|n| n.filter(|n| !n.node.node.is_empty())))
    }

    /// One node with its services as a list, or `None` for an unknown node
    /// (`/v1/catalog/node-services/:node`, Consul 1.7+).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#list-services-for-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let node = client.catalog().node_service_list("node-1", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::node`].
    pub async fn node_service_list(
        &self,
        name: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<CatalogNodeServiceList>>> {
        validate_node_name(name)?;
        let response = self
            .client
            .call(
                Method::GET,
                format!("catalog/node-services/{}", segment(name)),
            )
            .query_options(opts)?
            .query::<Option<CatalogNodeServiceList>>()
            .await?;
        Ok(response.map(|n| n.filter(|n| !n.node.node.is_empty())))
    }

    /// The services a gateway routes to (`/v1/catalog/gateway-services/:gateway`,
    /// Consul 1.8+); empty for an unknown gateway.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let routes = client.catalog().gateway_services("ingress", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::service`].
    pub async fn gateway_services(
        &self,
        gateway: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<GatewayService>>> {
        validate_service_name(gateway)?;
        self.client
            .list(
                format!("catalog/gateway-services/{}", segment(gateway)),
                Vec::new(),
                opts,
            )
            .await
    }

    /// The datacenter a write goes to, written into the body: Consul reads the
    /// registration's `Datacenter` field, not `?dc=`.
    fn write_dc(&self, body_dc: &Option<String>, opts: &WriteOptions) -> Option<String> {
        body_dc
            .clone()
            .or_else(|| opts.datacenter.clone())
            .or_else(|| self.client.datacenter().map(str::to_owned))
    }

    /// Registers a node, and optionally a service and checks on it, directly in the
    /// catalog (aioconsul's `catalog.register`); `true` once applied. Entries made this way
    /// belong to no agent: nothing runs their checks or removes them.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#register-entity)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::catalog::{AgentService, CatalogRegistration, CheckStatus, HealthCheck};
    /// use consul_api::WriteOptions;
    /// let reg = CatalogRegistration::new("external-db", "10.1.2.3")
    ///     .service(AgentService::new("db-1", "db").port(5432))
    ///     .check(HealthCheck::new("db-alive", "db alive", CheckStatus::Passing).service_id("db-1"));
    /// client.catalog().register(&reg, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid registration (empty
    /// node, address or service name, a check status Consul does not define, …);
    /// transport and status errors otherwise.
    pub async fn register(
        &self,
        registration: &CatalogRegistration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        registration.validate()?;
        let dc = self.write_dc(&registration.datacenter, opts);
        let mut body = registration.clone();
        body.datacenter = dc;
        self.client
            .call(Method::PUT, "catalog/register")
            .write_options(opts)?
            .json(&body)?
            .write::<bool>()
            .await
    }

    /// Removes a node, or one service or check on it, from the catalog (aioconsul's
    /// `catalog.deregister`); `true` once applied.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/catalog#deregister-entity)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::catalog::CatalogDeregistration;
    /// use consul_api::WriteOptions;
    /// client
    ///     .catalog()
    ///     .deregister(&CatalogDeregistration::service("external-db", "db-1"), &WriteOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node or id, or both a
    /// service and a check; transport and status errors otherwise.
    pub async fn deregister(
        &self,
        deregistration: &CatalogDeregistration,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        deregistration.validate()?;
        let dc = self.write_dc(&deregistration.datacenter, opts);
        let mut body = deregistration.clone();
        body.datacenter = dc;
        self.client
            .call(Method::PUT, "catalog/deregister")
            .write_options(opts)?
            .json(&body)?
            .write::<bool>()
            .await
    }

    /// Removes a node and everything on it (aioconsul's `catalog.deregister_node`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.catalog().deregister_node("external-db", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::deregister`].
    pub async fn deregister_node(
        &self,
        node: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        self.deregister(&CatalogDeregistration::node(node), opts)
            .await
    }

    /// Removes one service instance from a node (aioconsul's
    /// `catalog.deregister_service`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.catalog().deregister_service("external-db", "db-1", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::deregister`].
    pub async fn deregister_service(
        &self,
        node: &str,
        service_id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        self.deregister(&CatalogDeregistration::service(node, service_id), opts)
            .await
    }

    /// Removes one check from a node (aioconsul's `catalog.deregister_check`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.catalog().deregister_check("external-db", "db-alive", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::deregister`].
    pub async fn deregister_check(
        &self,
        node: &str,
        check_id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        self.deregister(&CatalogDeregistration::check(node, check_id), opts)
            .await
    }
}

/// `?tag=` parameters; an empty tag is refused rather than sent.
pub(crate) fn tag_params(tags: &[&str]) -> Result<Vec<(&'static str, String)>> {
    tags.iter()
        .map(|t| {
            if t.is_empty() {
                Err(ValidationError::Empty { field: "tag" }.into())
            } else {
                Ok(("tag", (*t).to_owned()))
            }
        })
        .collect()
}
