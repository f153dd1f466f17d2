//! The compiled discovery chain of a service (`/v1/discovery-chain/:service`, Consul 1.6+):
//! its routers, splitters and resolvers compiled into a graph of nodes ending in targets.

use super::{go_duration, is_default, MeshGatewayConfig, MeshGatewayMode};
use super::{ServiceResolverSubset, ServiceRoute};
use crate::serde_util::null_as_default;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// A service's discovery chain as Consul compiled it (Go's `CompiledDiscoveryChain`).
/// Walk it from [`start`](CompiledDiscoveryChain::start): routers and splitters lead to
/// other nodes, resolvers to [`targets`](CompiledDiscoveryChain::targets).
///
/// Node and target names are opaque, and stable only within one compilation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CompiledDiscoveryChain {
    /// The service.
    pub service_name: String,
    /// The namespace it was compiled in (`default` on the open-source agent).
    pub namespace: String,
    /// The datacenter it was compiled for.
    pub datacenter: String,
    /// Set when overrides changed the compilation: a prefix for what is built from it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub customization_hash: String,
    /// The protocol of the whole chain (`tcp`, `http`, `http2`, `grpc`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// The name of the first node.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub start_node: String,
    /// The nodes, by name.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub nodes: BTreeMap<String, DiscoveryGraphNode>,
    /// The targets the resolvers lead to, by id.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub targets: BTreeMap<String, DiscoveryTarget>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl CompiledDiscoveryChain {
    /// The first node.
    pub fn start(&self) -> Option<&DiscoveryGraphNode> {
        self.nodes.get(&self.start_node)
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&DiscoveryGraphNode> {
        self.nodes.get(name)
    }

    /// A target by id.
    pub fn target(&self, id: &str) -> Option<&DiscoveryTarget> {
        self.targets.get(id)
    }

    /// Whether this is the chain of a service with no router, splitter or resolver of its
    /// own: one default resolver of the service itself.
    pub fn is_default(&self) -> bool {
        let Some(start) = self.start() else {
            return true;
        };
        let Some(resolver) = start.resolver.as_ref().filter(|r| r.default) else {
            return false;
        };
        self.target(&resolver.target)
            .is_some_and(|t| t.service == self.service_name && t.namespace == self.namespace)
    }
}

text_enum! {
    /// The kind of a [`DiscoveryGraphNode`].
    DiscoveryNodeType {
        /// `router`: routes lead to other nodes.
        Router = "router",
        /// `splitter`: weighted splits lead to other nodes.
        Splitter = "splitter",
        /// `resolver`: leads to a target (and failover targets).
        Resolver = "resolver",
    }
}

impl Default for DiscoveryNodeType {
    fn default() -> Self {
        DiscoveryNodeType::Other(String::new())
    }
}

/// One node of a compiled chain (Go's `DiscoveryGraphNode`): a router, a splitter or a
/// resolver, as its `node_type` says.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DiscoveryGraphNode {
    /// Its kind.
    #[serde(rename = "Type")]
    pub node_type: DiscoveryNodeType,
    /// Its name (not necessarily a service's).
    pub name: String,
    /// A router's routes, in order.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub routes: Vec<DiscoveryRoute>,
    /// A splitter's splits.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub splits: Vec<DiscoverySplit>,
    /// A resolver's resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolver: Option<DiscoveryResolver>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A compiled route: the router's definition and the node it leads to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DiscoveryRoute {
    /// The route as the router defines it (the catch-all route Consul adds included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<ServiceRoute>,
    /// The node it leads to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub next_node: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A compiled split: its weight and the node it leads to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DiscoverySplit {
    /// Its share, in percent.
    #[serde(skip_serializing_if = "is_default")]
    pub weight: f32,
    /// The node it leads to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub next_node: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A compiled resolver (Go's `DiscoveryResolver`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DiscoveryResolver {
    /// Whether no resolver entry defined it (Consul's default).
    #[serde(skip_serializing_if = "is_default")]
    pub default: bool,
    /// The time allowed to connect.
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub connect_timeout: Duration,
    /// The target's id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// Where traffic goes when the target has no healthy instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<DiscoveryFailover>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The failover of a compiled resolver: target ids, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DiscoveryFailover {
    /// The target ids.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub targets: Vec<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Where a resolver sends traffic: a service (subset) in a datacenter (Go's
/// `DiscoveryTarget`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DiscoveryTarget {
    /// Its id (`v1.web.default.dc1`).
    #[serde(rename = "ID")]
    pub id: String,
    /// The service.
    pub service: String,
    /// The subset, if any.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// The namespace.
    pub namespace: String,
    /// The datacenter.
    pub datacenter: String,
    /// How it is reached through mesh gateways.
    #[serde(skip_serializing_if = "is_default")]
    pub mesh_gateway: MeshGatewayConfig,
    /// The subset's definition.
    #[serde(skip_serializing_if = "is_default")]
    pub subset: ServiceResolverSubset,
    /// Whether it is a service outside the mesh.
    #[serde(skip_serializing_if = "is_default")]
    pub external: bool,
    /// The TLS server name of its instances.
    #[serde(rename = "SNI", skip_serializing_if = "String::is_empty")]
    pub sni: String,
    /// Its name for proxies (its SNI, on Consul 1.8).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The overrides of a discovery chain compilation (the body of
/// `POST /v1/discovery-chain/:service`, Go's `DiscoveryChainOptions`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct DiscoveryChainOverrides {
    /// Replaces every resolver's connect timeout.
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub override_connect_timeout: Duration,
    /// Replaces the chain's protocol (a change between L4 and L7 drops routers and
    /// splitters).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub override_protocol: String,
    /// Replaces every resolver's mesh gateway mode.
    #[serde(skip_serializing_if = "is_default")]
    pub override_mesh_gateway: MeshGatewayConfig,
}

impl DiscoveryChainOverrides {
    /// Whether any override is set (Go then sends a `POST` rather than a `GET`).
    pub fn is_empty(&self) -> bool {
        *self == DiscoveryChainOverrides::default()
    }

    /// Sets the connect timeout override.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.override_connect_timeout = timeout;
        self
    }

    /// Sets the protocol override.
    #[must_use]
    pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
        self.override_protocol = protocol.into();
        self
    }

    /// Sets the mesh gateway mode override.
    #[must_use]
    pub fn mesh_gateway(mut self, mode: MeshGatewayMode) -> Self {
        self.override_mesh_gateway = MeshGatewayConfig::new(mode);
        self
    }
}
