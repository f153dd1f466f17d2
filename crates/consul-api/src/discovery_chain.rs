//! The compiled discovery chain of a service (`/v1/discovery-chain/:service`, Consul 1.6+):
//! Go's `api/discovery_chain.go`.
//!
//! The chain is what Consul compiles from a service's router, splitter and resolver
//! entries (see [`config_entry`](crate::config_entry)): a graph of nodes that ends in
//! targets, the way a proxy sees it.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::discovery_chain::DiscoveryNodeType;
//! let chain = client.discovery_chain().get("web").await?.value;
//! if let Some(start) = chain.start() {
//!     if start.node_type == DiscoveryNodeType::Router {
//!         println!("{} routes", start.routes.len());
//!     }
//! }
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest};
use crate::Result;
pub use consul_types::config_entry::{
    CompiledDiscoveryChain, DiscoveryChainOverrides, DiscoveryFailover, DiscoveryGraphNode,
    DiscoveryNodeType, DiscoveryResolver, DiscoveryRoute, DiscoverySplit, DiscoveryTarget,
    MeshGatewayConfig, MeshGatewayMode,
};
use consul_types::endpoint::{Accepts, Blocking, Endpoint};
use consul_types::ValidationError;
use http::Method;
use serde::Deserialize;
use std::time::Duration;

family! {
    /// The discovery chain endpoint; made by
    /// [`Client::discovery_chain`](crate::Client::discovery_chain).
    DiscoveryChain, discovery_chain, "discovery chain endpoint"
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Compiled {
    #[serde(default)]
    chain: CompiledDiscoveryChain,
}

/// The call of [`DiscoveryChain::get`]: the compiled chain of one service.
#[derive(Debug, Clone)]
pub struct DiscoveryChainGet {
    service: String,
    compile_dc: Option<String>,
    overrides: DiscoveryChainOverrides,
}

impl Call for DiscoveryChainGet {
    type Output = CompiledDiscoveryChain;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // Overrides need the POST form, as Go sends them; without any, a GET.
        let method = if self.overrides.is_empty() {
            Method::GET
        } else {
            Method::POST
        };
        if self.compile_dc.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "compile datacenter",
            });
        }
        let mut endpoint = Endpoint::read(method, "discovery-chain")
            .segment("service name", &self.service)?
            .param_opt("compile-dc", self.compile_dc.clone())
            .blocking(Blocking::Index)
            .accepts(Accepts::NONE.with_cache());
        if !self.overrides.is_empty() {
            endpoint = endpoint.json(&self.overrides)?;
        }
        Ok(endpoint)
    }

    fn output(&self, answer: Answer) -> Result<CompiledDiscoveryChain> {
        Ok(answer.json::<Compiled>()?.chain)
    }
}

call_traits!(DiscoveryChainGet: Cluster, Watchable, IndexBlocking);
read_setters!(DiscoveryChainGet: cached);

impl ReadRequest<DiscoveryChainGet> {
    /// Compiles the chain as seen from datacenter `name` (`?compile-dc=`), rather than
    /// from the datacenter answering. (`dc()` chooses which datacenter answers.)
    pub fn compile_dc(mut self, name: impl Into<String>) -> Self {
        self.call_mut().compile_dc = Some(name.into());
        self
    }

    /// Replaces every resolver's connect timeout (`OverrideConnectTimeout`; the request
    /// becomes a `POST`).
    pub fn override_connect_timeout(mut self, timeout: Duration) -> Self {
        self.call_mut().overrides.override_connect_timeout = timeout;
        self
    }

    /// Replaces the chain's protocol (`OverrideProtocol`; the request becomes a `POST`).
    /// Changing it between L4 and L7 leaves routers and splitters out of the chain.
    pub fn override_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.call_mut().overrides.override_protocol = protocol.into();
        self
    }

    /// Replaces every resolver's mesh gateway mode (`OverrideMeshGateway`; the request
    /// becomes a `POST`).
    pub fn override_mesh_gateway(mut self, mode: MeshGatewayMode) -> Self {
        self.call_mut().overrides.override_mesh_gateway = MeshGatewayConfig::new(mode);
        self
    }

    /// Uses these overrides, replacing any set before.
    pub fn overrides(mut self, overrides: DiscoveryChainOverrides) -> Self {
        self.call_mut().overrides = overrides;
        self
    }
}

impl DiscoveryChain {
    /// The compiled discovery chain of `service` (Go's `Get`). A service with no router,
    /// splitter or resolver of its own (or no registration at all) has the default chain:
    /// one resolver of the service itself ([`CompiledDiscoveryChain::is_default`]).
    ///
    /// Setters: [`compile_dc`](ReadRequest::compile_dc) and the overrides
    /// ([`override_connect_timeout`](ReadRequest::override_connect_timeout),
    /// [`override_protocol`](ReadRequest::override_protocol),
    /// [`override_mesh_gateway`](ReadRequest::override_mesh_gateway)), which make it the
    /// `POST` form; `cached()` reads through the agent's cache; `.wait()` and `.watch()`
    /// follow changes of the entries it is compiled from.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/discovery-chain)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::discovery_chain::MeshGatewayMode;
    /// use std::time::Duration;
    /// let chain = client
    ///     .discovery_chain()
    ///     .get("web")
    ///     .compile_dc("dc2")
    ///     .override_connect_timeout(Duration::from_secs(2))
    ///     .override_mesh_gateway(MeshGatewayMode::Local)
    ///     .await?
    ///     .value;
    /// for (id, target) in &chain.targets {
    ///     println!("{id}: {} in {}", target.service, target.datacenter);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty service or compile
    /// datacenter; transport and status errors otherwise (an invalid mesh gateway mode is
    /// a `400`).
    pub fn get(&self, service: impl Into<String>) -> ReadRequest<DiscoveryChainGet> {
        self.read(DiscoveryChainGet {
            service: service.into(),
            compile_dc: None,
            overrides: DiscoveryChainOverrides::default(),
        })
    }
}
