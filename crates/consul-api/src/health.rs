//! Health (`/v1/health`): Go's `api/health.go`, aioconsul's `client.health`.
//!
//! Checks by node, by service or by state, and the instances of a service with their
//! checks, in the handle's datacenter (`client.health().dc("dc2")`). Reads support
//! blocking: pass `meta.last_index` back as [`QueryOptions::wait_index`] to wait for a
//! change.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::QueryOptions;
//! let healthy = client
//!     .health()
//!     .service("web", Some("v1"), true, &QueryOptions::default())
//!     .await?
//!     .value;
//! for entry in healthy {
//!     println!("{}:{}", entry.node.address, entry.service.port);
//! }
//! # Ok(()) }
//! ```

use crate::request::segment;
use crate::{Client, Result};
pub use consul_types::agent::AgentService;
pub use consul_types::catalog::Node;
use consul_types::health::{validate_node_name, validate_service_name};
pub use consul_types::health::{
    CheckStatus, HealthCheck, HealthCheckDefinition, HealthState, ServiceEntry,
};
use consul_types::{QueryOptions, QueryResponse, ValidationError};

/// Health information; made by [`Client::health`].
#[derive(Debug, Clone)]
pub struct Health {
    client: Client,
}

impl Client {
    /// Health information.
    pub fn health(&self) -> Health {
        Health {
            client: self.clone(),
        }
    }
}

impl Health {
    /// The same endpoints in datacenter `name`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::health::HealthState;
    /// use consul_api::QueryOptions;
    /// let critical = client.health().dc("dc2").state(HealthState::Critical, &QueryOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn dc(&self, name: &str) -> Health {
        Health {
            client: self.client.dc(name),
        }
    }

    /// The datacenter this handle is scoped to, if any.
    pub fn datacenter(&self) -> Option<&str> {
        self.client.datacenter()
    }

    /// The checks of node `node` (aioconsul's `health(node=…)`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-checks-for-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// for check in client.health().node("node-1", &QueryOptions::default()).await?.value {
    ///     println!("{}: {}", check.name, check.status);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node name; transport
    /// and status errors otherwise (an unknown datacenter is a 500 `No path to datacenter`).
    pub async fn node(
        &self,
        node: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<HealthCheck>>> {
        validate_node_name(node)?;
        self.client
            .list(format!("health/node/{}", segment(node)), Vec::new(), opts)
            .await
    }

    /// The checks of every instance of service `service` (aioconsul's
    /// `health(service=…)`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-checks-for-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let checks = client.health().checks("web", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::node`], for an empty service name.
    pub async fn checks(
        &self,
        service: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<HealthCheck>>> {
        validate_service_name(service)?;
        self.client
            .list(
                format!("health/checks/{}", segment(service)),
                Vec::new(),
                opts,
            )
            .await
    }

    /// The instances of service `service` with their node and checks (aioconsul's
    /// `health.nodes`), optionally only those with `tag`, and with `passing_only` only
    /// those whose checks all pass. An unknown service is an empty list.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-nodes-for-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// use std::time::Duration;
    /// let health = client.health();
    /// let now = health.service("web", None, true, &QueryOptions::default()).await?;
    /// // Wait for the set of healthy instances to change.
    /// let opts = QueryOptions::default()
    ///     .wait_index(now.meta.last_index)
    ///     .wait_time(Duration::from_secs(60));
    /// let next = health.service("web", None, true, &opts).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::node`], for an empty service name or tag.
    pub async fn service(
        &self,
        service: &str,
        tag: Option<&str>,
        passing_only: bool,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<ServiceEntry>>> {
        self.entries(
            "health/service",
            service,
            tag.as_slice(),
            passing_only,
            opts,
        )
        .await
    }

    /// The instances of service `service` that have every tag in `tags`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let entries = client
    ///     .health()
    ///     .service_multiple_tags("db", &["primary", "eu"], true, &QueryOptions::default())
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::service`].
    pub async fn service_multiple_tags(
        &self,
        service: &str,
        tags: &[&str],
        passing_only: bool,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<ServiceEntry>>> {
        self.entries("health/service", service, tags, passing_only, opts)
            .await
    }

    /// The Connect-capable instances of service `service` with their checks.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-nodes-for-connect-capable-service)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let proxies = client.health().connect("web", None, true, &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::service`].
    pub async fn connect(
        &self,
        service: &str,
        tag: Option<&str>,
        passing_only: bool,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<ServiceEntry>>> {
        self.entries(
            "health/connect",
            service,
            tag.as_slice(),
            passing_only,
            opts,
        )
        .await
    }

    /// The ingress gateways for service `service` with their checks (Consul 1.8+).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-ingress-gateways)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let gateways = client.health().ingress("web", None, true, &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Health::service`].
    pub async fn ingress(
        &self,
        service: &str,
        tag: Option<&str>,
        passing_only: bool,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<ServiceEntry>>> {
        self.entries(
            "health/ingress",
            service,
            tag.as_slice(),
            passing_only,
            opts,
        )
        .await
    }

    async fn entries(
        &self,
        prefix: &str,
        service: &str,
        tags: &[&str],
        passing_only: bool,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<ServiceEntry>>> {
        validate_service_name(service)?;
        let mut params = Vec::new();
        for tag in tags {
            if tag.is_empty() {
                return Err(ValidationError::Empty { field: "tag" }.into());
            }
            params.push(("tag", (*tag).to_owned()));
        }
        if passing_only {
            params.push(("passing", "1".to_owned()));
        }
        self.client
            .list(format!("{prefix}/{}", segment(service)), params, opts)
            .await
    }

    /// The checks in state `state` across the datacenter (aioconsul's
    /// `health(state=…)`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/health#list-checks-in-state)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::health::HealthState;
    /// use consul_api::QueryOptions;
    /// for check in client.health().state(HealthState::Critical, &QueryOptions::default()).await?.value {
    ///     println!("{} on {}: {}", check.name, check.node, check.output);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn state(
        &self,
        state: HealthState,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<HealthCheck>>> {
        self.client
            .list(format!("health/state/{}", state.as_str()), Vec::new(), opts)
            .await
    }
}
