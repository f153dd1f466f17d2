//! Models and rules of the `catalog` endpoint family: nodes ([`Node`]), service instances
//! ([`CatalogService`]), one node with its services ([`CatalogNode`]) and the bodies of
//! registration and deregistration ([`CatalogRegistration`], [`CatalogDeregistration`]).

use crate::agent::{AgentService, ConnectProxyConfig, ServiceConnect, ServiceKind};
use crate::health::{non_empty, HealthCheck};
use crate::serde_util::{null_as_default, null_as_empty_vec};
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A node in the catalog (Go's `api.Node`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Node {
    /// The node id (empty for nodes registered through the catalog without one).
    #[serde(rename = "ID")]
    pub id: String,
    /// The node name.
    pub node: String,
    /// The node's address.
    pub address: String,
    /// The node's datacenter.
    pub datacenter: String,
    /// Other addresses (`lan`, `wan`, …).
    #[serde(deserialize_with = "null_as_default")]
    pub tagged_addresses: BTreeMap<String, String>,
    /// Node metadata.
    #[serde(deserialize_with = "null_as_default")]
    pub meta: BTreeMap<String, String>,
    /// Raft index at which the node was registered.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// One instance of a service, with its node, as `GET /v1/catalog/service/:name` returns it
/// (Go's `api.CatalogService`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CatalogService {
    /// The node id.
    #[serde(rename = "ID")]
    pub id: String,
    /// The node name.
    pub node: String,
    /// The node's address.
    pub address: String,
    /// The datacenter.
    pub datacenter: String,
    /// The node's other addresses.
    #[serde(deserialize_with = "null_as_default")]
    pub tagged_addresses: BTreeMap<String, String>,
    /// The node's metadata.
    #[serde(deserialize_with = "null_as_default")]
    pub node_meta: BTreeMap<String, String>,
    /// The service kind: a typical service, or a Connect proxy or gateway.
    pub service_kind: ServiceKind,
    /// The instance id.
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    /// The service name.
    pub service_name: String,
    /// The instance's address (empty: the node's address).
    pub service_address: String,
    /// The instance's other addresses.
    #[serde(deserialize_with = "null_as_default")]
    pub service_tagged_addresses: BTreeMap<String, crate::agent::ServiceAddress>,
    /// The instance's tags.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub service_tags: Vec<String>,
    /// The instance's metadata.
    #[serde(deserialize_with = "null_as_default")]
    pub service_meta: BTreeMap<String, String>,
    /// The instance's port.
    pub service_port: u16,
    /// The instance's DNS weights.
    pub service_weights: crate::agent::AgentWeights,
    /// Whether tag override is enabled.
    pub service_enable_tag_override: bool,
    /// The proxy configuration of a Connect proxy or gateway (empty for a typical
    /// service; boxed: see [`AgentService::proxy`](crate::agent::AgentService::proxy)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_proxy: Option<Box<ConnectProxyConfig>>,
    /// The Connect settings (`Native`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_connect: Option<ServiceConnect>,
    /// Namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Raft index at which the instance was registered.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

impl CatalogService {
    /// The address to reach the instance at: its own, or else its node's.
    pub fn effective_address(&self) -> &str {
        if self.service_address.is_empty() {
            &self.address
        } else {
            &self.service_address
        }
    }
}

/// One node with the services on it, as `GET /v1/catalog/node/:node` returns it (Go's
/// `api.CatalogNode`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CatalogNode {
    /// The node.
    #[serde(deserialize_with = "null_as_default")]
    pub node: Node,
    /// Its services by instance id.
    #[serde(deserialize_with = "null_as_default")]
    pub services: BTreeMap<String, AgentService>,
}

/// One node with the services on it as a list (`GET /v1/catalog/node-services/:node`,
/// Go's `api.CatalogNodeServiceList`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CatalogNodeServiceList {
    /// The node.
    #[serde(deserialize_with = "null_as_default")]
    pub node: Node,
    /// Its services.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub services: Vec<AgentService>,
}

/// A service name with its namespace (gateway mappings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CompoundServiceName {
    /// The service name.
    pub name: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A service a gateway routes to (`GET /v1/catalog/gateway-services/:gateway`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct GatewayService {
    /// The gateway.
    pub gateway: CompoundServiceName,
    /// The service behind it.
    pub service: CompoundServiceName,
    /// `ingress-gateway` or `terminating-gateway`.
    pub gateway_kind: String,
    /// Listener port (ingress).
    pub port: u16,
    /// Listener protocol (ingress).
    pub protocol: String,
    /// Hosts (ingress).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub hosts: Vec<String>,
    /// CA file (terminating).
    #[serde(rename = "CAFile")]
    pub ca_file: String,
    /// Certificate file (terminating).
    pub cert_file: String,
    /// Key file (terminating).
    pub key_file: String,
    /// SNI (terminating).
    #[serde(rename = "SNI")]
    pub sni: String,
    /// Whether the mapping came from a wildcard.
    pub from_wildcard: bool,
}

/// The body of `PUT /v1/catalog/register`: a node, and optionally a service and checks on
/// it (Go's `api.CatalogRegistration`).
///
/// ```
/// use consul_types::agent::AgentService;
/// use consul_types::catalog::CatalogRegistration;
/// use consul_types::health::{CheckStatus, HealthCheck};
/// let reg = CatalogRegistration::new("ext-db", "10.1.2.3")
///     .node_meta("rack", "r1")
///     .service(AgentService::new("db-1", "db").port(5432))
///     .check(HealthCheck::new("db-alive", "db alive", CheckStatus::Passing).service_id("db-1"));
/// assert!(reg.validate().is_ok());
/// assert_eq!(reg.checks[0].node, "ext-db");
/// assert!(CatalogRegistration::new("", "10.1.2.3").validate().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CatalogRegistration {
    /// The node id (a UUID), if any.
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The node name.
    pub node: String,
    /// The node's address.
    pub address: String,
    /// Other addresses of the node.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tagged_addresses: BTreeMap<String, String>,
    /// Node metadata.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub node_meta: BTreeMap<String, String>,
    /// The datacenter (default: the one the request goes to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<String>,
    /// A service on the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<AgentService>,
    /// Checks on the node or its service.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<HealthCheck>,
    /// Leave the node's own fields as they are (only add the service or checks).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skip_node_update: bool,
}

impl CatalogRegistration {
    /// A registration of node `node` at `address`.
    pub fn new(node: impl Into<String>, address: impl Into<String>) -> Self {
        CatalogRegistration {
            node: node.into(),
            address: address.into(),
            ..Default::default()
        }
    }

    /// Adds a check; its node is set to this registration's node.
    #[must_use]
    pub fn check(mut self, mut check: HealthCheck) -> Self {
        check.node.clone_from(&self.node);
        self.checks.push(check);
        self
    }

    /// Adds one node metadata entry.
    #[must_use]
    pub fn node_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.node_meta.insert(key.into(), value.into());
        self
    }

    /// Adds one tagged address of the node.
    #[must_use]
    pub fn tagged_address(mut self, tag: impl Into<String>, address: impl Into<String>) -> Self {
        self.tagged_addresses.insert(tag.into(), address.into());
        self
    }

    /// Checks the registration.
    ///
    /// As Consul does, a registration needs a node name, and a node address unless
    /// [`skip_node_update`](Self::skip_node_update) is set: a service or check can be
    /// added to an existing node by name alone, leaving the node's address as it is.
    ///
    /// ```
    /// use consul_types::agent::AgentService;
    /// use consul_types::catalog::CatalogRegistration;
    /// assert!(CatalogRegistration::new("ext-db", "").validate().is_err());
    /// let onto_existing = CatalogRegistration::new("ext-db", "")
    ///     .skip_node_update(true)
    ///     .service(AgentService::new("db-2", "db"));
    /// assert!(onto_existing.validate().is_ok());
    /// ```
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty node name, an empty node address without
    /// `skip_node_update`, or a service without a name; [`ValidationError::Conflict`] for
    /// a check on another node; the errors of [`AgentService::validate`] and
    /// [`HealthCheck::validate`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("node name", &self.node)?;
        if !self.skip_node_update {
            non_empty("node address", &self.address)?;
        }
        if self.datacenter.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "datacenter",
            });
        }
        if let Some(service) = &self.service {
            service.validate()?;
        }
        for check in &self.checks {
            if !check.node.is_empty() && check.node != self.node {
                return Err(ValidationError::Conflict(
                    "a check in a catalog registration belongs to the registered node",
                ));
            }
            check.validate()?;
        }
        Ok(())
    }
}

setters!(CatalogRegistration {
    /// Sets [`CatalogRegistration::id`].
    id: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CatalogRegistration::datacenter`].
    datacenter: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CatalogRegistration::service`].
    service: AgentService => Some;
    /// Sets [`CatalogRegistration::skip_node_update`].
    skip_node_update: bool => |v| v;
});

/// The body of `PUT /v1/catalog/deregister`: a whole node, or one service or check on it
/// (Go's `api.CatalogDeregistration`).
///
/// ```
/// use consul_types::catalog::CatalogDeregistration;
/// assert!(CatalogDeregistration::service("ext-db", "db-1").validate().is_ok());
/// assert!(CatalogDeregistration::node("").validate().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CatalogDeregistration {
    /// The node.
    pub node: String,
    /// The datacenter (default: the one the request goes to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<String>,
    /// Only this service instance.
    #[serde(rename = "ServiceID", skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// Only this check.
    #[serde(rename = "CheckID", skip_serializing_if = "Option::is_none")]
    pub check_id: Option<String>,
}

impl CatalogDeregistration {
    /// Removes a node with everything on it.
    pub fn node(node: impl Into<String>) -> Self {
        CatalogDeregistration {
            node: node.into(),
            ..Default::default()
        }
    }

    /// Removes one service instance (and its checks) from a node.
    pub fn service(node: impl Into<String>, service_id: impl Into<String>) -> Self {
        CatalogDeregistration {
            service_id: Some(service_id.into()),
            ..CatalogDeregistration::node(node)
        }
    }

    /// Removes one check from a node.
    pub fn check(node: impl Into<String>, check_id: impl Into<String>) -> Self {
        CatalogDeregistration {
            check_id: Some(check_id.into()),
            ..CatalogDeregistration::node(node)
        }
    }

    /// Checks the deregistration.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty node, service id or check id;
    /// [`ValidationError::Conflict`] for both a service and a check.
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("node name", &self.node)?;
        if self.service_id.is_some() && self.check_id.is_some() {
            return Err(ValidationError::Conflict(
                "deregister either a service or a check, not both",
            ));
        }
        if self.service_id.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "service id",
            });
        }
        if self.check_id.as_deref() == Some("") {
            return Err(ValidationError::Empty { field: "check id" });
        }
        if self.datacenter.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "datacenter",
            });
        }
        Ok(())
    }
}

setters!(CatalogDeregistration {
    /// Sets [`CatalogDeregistration::datacenter`].
    datacenter: impl Into<String> => |v: _| Some(Into::into(v));
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::CheckStatus;

    /// A sidecar proxy, a mesh gateway and a Connect-native service as a 1.8.7 agent's
    /// catalog reads them (`/v1/catalog/service/:name`, `/v1/catalog/connect/:name`,
    /// `/v1/catalog/node-services/:node`).
    #[test]
    fn decodes_recorded_connect_instances() {
        use crate::agent::{MeshGatewayMode, ServiceConnect, UpstreamDestType};
        let sidecar: Vec<CatalogService> = serde_json::from_str(include_str!(
            "../tests/fixtures/catalog/service_sidecar.json"
        ))
        .unwrap();
        assert_eq!(sidecar[0].service_kind, ServiceKind::ConnectProxy);
        let proxy = sidecar[0].service_proxy.as_ref().unwrap();
        assert_eq!(proxy.destination_service_id, "web-1");
        assert_eq!(proxy.upstreams.len(), 2);
        assert_eq!(
            proxy.upstreams[1].destination_type,
            UpstreamDestType::PreparedQuery
        );
        assert!(proxy.upstreams[1].config.is_empty(), "Config: null");
        assert_eq!(sidecar[0].service_connect, Some(ServiceConnect::default()));

        let gateway: Vec<CatalogService> = serde_json::from_str(include_str!(
            "../tests/fixtures/catalog/service_mesh_gateway.json"
        ))
        .unwrap();
        assert_eq!(gateway[0].service_kind, ServiceKind::MeshGateway);
        assert_eq!(
            gateway[0].service_proxy.as_ref().unwrap().mesh_gateway.mode,
            MeshGatewayMode::Local
        );

        let native: Vec<CatalogService> = serde_json::from_str(include_str!(
            "../tests/fixtures/catalog/connect_native.json"
        ))
        .unwrap();
        assert!(native[0].service_kind.is_typical());
        assert_eq!(native[0].service_connect, Some(ServiceConnect::native()));
        // A typical service carries an empty proxy configuration.
        assert_eq!(native[0].service_proxy, Some(Box::default()));

        let node: CatalogNodeServiceList = serde_json::from_str(include_str!(
            "../tests/fixtures/catalog/node_services_connect.json"
        ))
        .unwrap();
        let kinds: Vec<_> = node.services.iter().map(|s| s.kind.as_str()).collect();
        assert!(kinds.contains(&"connect-proxy") && kinds.contains(&"mesh-gateway"));
    }

    #[test]
    fn decodes_recorded_catalog_responses() {
        let dcs: Vec<String> =
            serde_json::from_str(include_str!("../tests/fixtures/catalog/datacenters.json"))
                .unwrap();
        assert_eq!(dcs, vec!["dc1"]);
        let nodes: Vec<Node> =
            serde_json::from_str(include_str!("../tests/fixtures/catalog/nodes.json")).unwrap();
        let me = nodes.iter().find(|n| n.node == "fixture-node").unwrap();
        assert_eq!(me.address, "127.0.0.1");
        assert_eq!(me.datacenter, "dc1");
        assert_eq!(me.tagged_addresses["lan"], "127.0.0.1");
        assert!(me.modify_index >= me.create_index);
        let ext = nodes.iter().find(|n| n.node == "ext-node").unwrap();
        assert_eq!(ext.meta["rack"], "r1");

        let services: BTreeMap<String, Vec<String>> =
            serde_json::from_str(include_str!("../tests/fixtures/catalog/services.json")).unwrap();
        assert_eq!(services["web"], vec!["v1", "primary"]);
        assert!(services["consul"].is_empty());

        let web: Vec<CatalogService> =
            serde_json::from_str(include_str!("../tests/fixtures/catalog/service.json")).unwrap();
        assert_eq!(web[0].service_id, "web-1");
        assert_eq!(web[0].service_port, 8080);
        assert_eq!(web[0].service_weights.passing, 10);
        assert_eq!(web[0].effective_address(), "127.0.0.1");
        let db: Vec<CatalogService> = serde_json::from_str(include_str!(
            "../tests/fixtures/catalog/service_external.json"
        ))
        .unwrap();
        assert_eq!(db[0].address, "10.1.2.3");
        assert_eq!(db[0].effective_address(), "10.1.2.3");

        let node: Option<CatalogNode> =
            serde_json::from_str(include_str!("../tests/fixtures/catalog/node.json")).unwrap();
        let node = node.unwrap();
        assert_eq!(node.node.node, "fixture-node");
        assert!(node.services.contains_key("web-1"));
        let missing: Option<CatalogNode> =
            serde_json::from_str(include_str!("../tests/fixtures/catalog/node_missing.json"))
                .unwrap();
        assert!(missing.is_none());
        let list: CatalogNodeServiceList =
            serde_json::from_str(include_str!("../tests/fixtures/catalog/node_services.json"))
                .unwrap();
        assert!(list.services.iter().any(|s| s.id == "web-1"));
        let none: CatalogNodeServiceList =
            serde_json::from_str(r#"{"Node":null,"Services":null}"#).unwrap();
        assert!(none.services.is_empty());
    }

    #[test]
    fn registration_encodes_like_go() {
        let reg = CatalogRegistration::new("n", "10.0.0.1")
            .service(AgentService::new("s1", "s").tags(["a"]))
            .check(HealthCheck::new("c", "c", CheckStatus::Passing).service_id("s1"));
        let json = serde_json::to_value(&reg).unwrap();
        assert_eq!(json["Node"], "n");
        assert_eq!(json["Service"]["ID"], "s1");
        assert_eq!(json["Service"]["Service"], "s");
        assert_eq!(json["Checks"][0]["CheckID"], "c");
        assert_eq!(json["Checks"][0]["Node"], "n");
        assert_eq!(json["Checks"][0]["Status"], "passing");
        assert!(json.get("SkipNodeUpdate").is_none());
    }

    #[test]
    fn registration_rules() {
        assert!(matches!(
            CatalogRegistration::new("n", "").validate(),
            Err(ValidationError::Empty {
                field: "node address"
            })
        ));
        assert!(matches!(
            CatalogRegistration::new("", "10.0.0.1")
                .skip_node_update(true)
                .validate(),
            Err(ValidationError::Empty { field: "node name" })
        ));
        let bad_service =
            CatalogRegistration::new("n", "10.0.0.1").service(AgentService::new("x", ""));
        assert!(bad_service.validate().is_err());
        let bad_status = CatalogRegistration::new("n", "10.0.0.1").check(HealthCheck::new(
            "c",
            "c",
            CheckStatus::Other("bogus".into()),
        ));
        assert!(bad_status.validate().is_err());
        let mut foreign = CatalogRegistration::new("n", "10.0.0.1").check(HealthCheck::new(
            "c",
            "c",
            CheckStatus::Passing,
        ));
        foreign.checks[0].node = "other".into();
        assert!(matches!(
            foreign.validate(),
            Err(ValidationError::Conflict(_))
        ));
    }

    #[test]
    fn skip_node_update_needs_no_address_as_in_consul() {
        // Consul 1.8.7 refuses a missing address only without SkipNodeUpdate
        // ("Must provide address if SkipNodeUpdate is not set").
        let onto_existing = CatalogRegistration::new("n", "")
            .skip_node_update(true)
            .service(AgentService::new("s1", "s"))
            .check(HealthCheck::new("c", "c", CheckStatus::Passing).service_id("s1"));
        onto_existing.validate().unwrap();
        let json = serde_json::to_value(&onto_existing).unwrap();
        assert_eq!(json["SkipNodeUpdate"], true);
        assert_eq!(json["Address"], "");
        CatalogRegistration::new("n", "")
            .skip_node_update(true)
            .validate()
            .unwrap();
    }

    #[test]
    fn deregistration_rules() {
        assert!(CatalogDeregistration::node("n").validate().is_ok());
        assert!(CatalogDeregistration::check("n", "c").validate().is_ok());
        assert!(CatalogDeregistration::service("n", "").validate().is_err());
        let mut both = CatalogDeregistration::service("n", "s");
        both.check_id = Some("c".into());
        assert!(matches!(both.validate(), Err(ValidationError::Conflict(_))));
        assert_eq!(
            serde_json::to_value(CatalogDeregistration::check("n", "c")).unwrap(),
            serde_json::json!({"Node": "n", "CheckID": "c"})
        );
    }
}
