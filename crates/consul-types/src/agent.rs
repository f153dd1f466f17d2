//! Models and rules of the `agent` endpoint family: the agent's own description
//! ([`AgentSelf`]), gossip members ([`Member`]), the services it manages ([`AgentService`])
//! and the registrations it accepts ([`ServiceRegistration`]), the host it runs on
//! ([`HostInfo`]), its metrics ([`MetricsInfo`]) and the kinds of token it can be given
//! ([`AgentTokenType`]). The Connect fields of services ([`ServiceKind`],
//! [`ConnectProxyConfig`], [`ServiceConnect`]) are here too, as in Go's `agent.go`. Check
//! models live in [`crate::health`].

mod admin;
mod connect;

pub use admin::{
    AgentTokenType, BuildInfo, GaugeValue, HostCpu, HostDisk, HostInfo, HostMemory, HostOs,
    MetricsInfo, PointValue, SampledValue,
};
pub use connect::{
    ConnectProxyConfig, ExposeConfig, ExposePath, MeshGatewayConfig, MeshGatewayMode,
    ServiceConnect, ServiceKind, Upstream, UpstreamDestType,
};

use crate::health::{non_empty, CheckDefinition, CheckStatus, HealthCheck};
use crate::serde_util::{null_as_default, null_as_empty_vec};
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// A gossip member's status (Serf's numeric `Status`).
///
/// ```
/// use consul_types::agent::MemberStatus;
/// assert_eq!(MemberStatus::from(4), MemberStatus::Failed);
/// assert_eq!(MemberStatus::from(9), MemberStatus::Other(9));
/// assert_eq!(u8::from(MemberStatus::Left), 3);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "u8", into = "u8")]
#[non_exhaustive]
pub enum MemberStatus {
    /// `0`: no status yet.
    #[default]
    None,
    /// `1`: alive.
    Alive,
    /// `2`: leaving gracefully.
    Leaving,
    /// `3`: left gracefully (or was forced to leave).
    Left,
    /// `4`: failed: unreachable without having left.
    Failed,
    /// A status this version does not know.
    Other(u8),
}

impl From<u8> for MemberStatus {
    fn from(n: u8) -> Self {
        match n {
            0 => MemberStatus::None,
            1 => MemberStatus::Alive,
            2 => MemberStatus::Leaving,
            3 => MemberStatus::Left,
            4 => MemberStatus::Failed,
            n => MemberStatus::Other(n),
        }
    }
}

impl From<MemberStatus> for u8 {
    fn from(s: MemberStatus) -> Self {
        match s {
            MemberStatus::None => 0,
            MemberStatus::Alive => 1,
            MemberStatus::Leaving => 2,
            MemberStatus::Left => 3,
            MemberStatus::Failed => 4,
            MemberStatus::Other(n) => n,
        }
    }
}

impl fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemberStatus::None => f.write_str("none"),
            MemberStatus::Alive => f.write_str("alive"),
            MemberStatus::Leaving => f.write_str("leaving"),
            MemberStatus::Left => f.write_str("left"),
            MemberStatus::Failed => f.write_str("failed"),
            MemberStatus::Other(n) => write!(f, "status {n}"),
        }
    }
}

/// The ACL mode a member advertises in its `acls` Serf tag (Go's `api.MemberACLMode`).
///
/// ```
/// use consul_types::agent::MemberAclMode;
/// assert_eq!(MemberAclMode::from_tag(Some("1")), MemberAclMode::Enabled);
/// assert_eq!(MemberAclMode::from_tag(Some("77")), MemberAclMode::Unknown);
/// assert_eq!(MemberAclMode::from_tag(None), MemberAclMode::Unknown);
/// assert_eq!(MemberAclMode::Disabled.as_str(), "0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MemberAclMode {
    /// `0`: ACLs are disabled on the member.
    Disabled,
    /// `1`: ACLs are enabled (the ACL system of Consul 1.4 and later).
    Enabled,
    /// `2`: ACLs are enabled in the legacy mode of Consul before 1.4 (deprecated).
    Legacy,
    /// `3`, or a missing or unrecognised tag: the member does not say (Consul before 1.4);
    /// Consul treats it like [`MemberAclMode::Legacy`].
    Unknown,
}

impl MemberAclMode {
    /// The Serf tag holding the mode (Go's `api.MemberTagKeyACLMode`).
    pub const TAG: &'static str = "acls";

    /// The mode a tag value stands for, as Go's `AgentMember.ACLMode` reads it: `0`, `1`
    /// and `2` are themselves, anything else (including no tag) is
    /// [`MemberAclMode::Unknown`].
    pub fn from_tag(value: Option<&str>) -> Self {
        match value {
            Some("0") => MemberAclMode::Disabled,
            Some("1") => MemberAclMode::Enabled,
            Some("2") => MemberAclMode::Legacy,
            _ => MemberAclMode::Unknown,
        }
    }

    /// The tag value Consul uses for the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberAclMode::Disabled => "0",
            MemberAclMode::Enabled => "1",
            MemberAclMode::Legacy => "2",
            MemberAclMode::Unknown => "3",
        }
    }
}

impl fmt::Display for MemberAclMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MemberAclMode::Disabled => "disabled",
            MemberAclMode::Enabled => "enabled",
            MemberAclMode::Legacy => "legacy",
            MemberAclMode::Unknown => "unknown",
        })
    }
}

/// A member of the LAN or WAN gossip pool (Go's `api.AgentMember`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Member {
    /// The node name (`node.dc` in the WAN pool).
    pub name: String,
    /// The gossip address.
    pub addr: String,
    /// The gossip port.
    pub port: u16,
    /// Serf tags (`role`, `dc`, `build`, …).
    #[serde(deserialize_with = "null_as_default")]
    pub tags: BTreeMap<String, String>,
    /// The member's status.
    pub status: MemberStatus,
    /// Lowest Serf protocol version understood.
    pub protocol_min: u8,
    /// Highest Serf protocol version understood.
    pub protocol_max: u8,
    /// Serf protocol version in use.
    pub protocol_cur: u8,
    /// Lowest Consul protocol version understood.
    pub delegate_min: u8,
    /// Highest Consul protocol version understood.
    pub delegate_max: u8,
    /// Consul protocol version in use.
    pub delegate_cur: u8,
}

impl Member {
    /// The member's datacenter, from its `dc` tag.
    pub fn datacenter(&self) -> Option<&str> {
        self.tags.get("dc").map(String::as_str)
    }

    /// Whether the member is a server (`role` tag `consul`).
    pub fn is_server(&self) -> bool {
        self.tags.get("role").map(String::as_str) == Some("consul")
    }

    /// The ACL mode the member advertises in its `acls` tag (Go's `AgentMember.ACLMode`).
    ///
    /// ```
    /// use consul_types::agent::{Member, MemberAclMode};
    /// let mut member = Member::default();
    /// assert_eq!(member.acl_mode(), MemberAclMode::Unknown);
    /// member.tags.insert("acls".into(), "0".into());
    /// assert_eq!(member.acl_mode(), MemberAclMode::Disabled);
    /// ```
    pub fn acl_mode(&self) -> MemberAclMode {
        MemberAclMode::from_tag(self.tags.get(MemberAclMode::TAG).map(String::as_str))
    }
}

/// The agent's configuration summary (`Config` of `GET /v1/agent/self`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AgentConfig {
    /// The agent's datacenter.
    pub datacenter: String,
    /// The agent's node name.
    pub node_name: String,
    /// The agent's node id.
    #[serde(rename = "NodeID")]
    pub node_id: String,
    /// Whether the agent is a server.
    pub server: bool,
    /// The build's Git revision.
    pub revision: String,
    /// The Consul version (`1.8.7`).
    pub version: String,
    /// The primary datacenter (newer agents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_datacenter: Option<String>,
}

/// A network coordinate (Serf's Vivaldi model).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Coordinate {
    /// The Euclidean part.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub vec: Vec<f64>,
    /// Confidence in the coordinate.
    pub error: f64,
    /// Local adjustment.
    pub adjustment: f64,
    /// Height above the Euclidean plane.
    pub height: f64,
}

/// Everything `GET /v1/agent/self` tells about the agent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AgentSelf {
    /// The configuration summary.
    pub config: AgentConfig,
    /// The full runtime configuration (unstable format, kept as JSON).
    pub debug_config: serde_json::Value,
    /// The agent's LAN coordinate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coord: Option<Coordinate>,
    /// The agent's own gossip member entry (aioconsul's `me()`).
    #[serde(deserialize_with = "null_as_default")]
    pub member: Member,
    /// Node metadata.
    #[serde(deserialize_with = "null_as_default")]
    pub meta: BTreeMap<String, String>,
    /// Runtime statistics (unstable format, kept as JSON).
    pub stats: serde_json::Value,
    /// xDS server information (newer agents).
    #[serde(rename = "xDS", skip_serializing_if = "Option::is_none")]
    pub xds: Option<serde_json::Value>,
}

/// An address and port of a service (`TaggedAddresses` values).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceAddress {
    /// The address.
    pub address: String,
    /// The port.
    pub port: u16,
}

impl ServiceAddress {
    /// An address and port.
    pub fn new(address: impl Into<String>, port: u16) -> Self {
        ServiceAddress {
            address: address.into(),
            port,
        }
    }
}

/// DNS SRV weights of a service instance by health.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AgentWeights {
    /// Weight while passing (at least 1).
    pub passing: i32,
    /// Weight while in warning.
    pub warning: i32,
}

impl AgentWeights {
    /// Weights while passing and in warning.
    pub fn new(passing: i32, warning: i32) -> Self {
        AgentWeights { passing, warning }
    }
}

/// A service instance as the agent, the catalog and the health endpoints describe it (Go's
/// `api.AgentService`); also the service of a catalog registration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AgentService {
    /// The kind: a typical service, or a Connect proxy or gateway.
    #[serde(skip_serializing_if = "ServiceKind::is_typical")]
    pub kind: ServiceKind,
    /// The instance id, unique on its node.
    #[serde(rename = "ID")]
    pub id: String,
    /// The service name.
    pub service: String,
    /// Tags.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub tags: Vec<String>,
    /// Metadata.
    #[serde(deserialize_with = "null_as_default")]
    pub meta: BTreeMap<String, String>,
    /// The port.
    pub port: u16,
    /// The address (empty: the node's address).
    pub address: String,
    /// Other addresses (`lan`, `wan`, …).
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub tagged_addresses: BTreeMap<String, ServiceAddress>,
    /// DNS SRV weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights: Option<AgentWeights>,
    /// Whether the catalog's tags may be changed by others than the agent.
    pub enable_tag_override: bool,
    /// The proxy configuration of a Connect proxy or gateway. Catalog and health reads
    /// carry an empty one for typical services too. Boxed, like the other large parts that
    /// most services leave empty: a big read decodes thousands of services, and their size
    /// is memory written and moved for each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Box<ConnectProxyConfig>>,
    /// The Connect settings (`Native`). Catalog and health reads carry an empty one for
    /// every service; a sidecar given at registration is not read back here, it is a
    /// service of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ServiceConnect>,
    /// The hash of the local definition (single-service agent reads), for hash blocking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    /// Namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Datacenter (newer agents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<String>,
    /// Raft index at which the instance was created.
    #[serde(skip_serializing_if = "is_zero")]
    pub create_index: u64,
    /// Raft index of the last change.
    #[serde(skip_serializing_if = "is_zero")]
    pub modify_index: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl AgentService {
    /// A service for a catalog registration, with an instance id and a name.
    pub fn new(id: impl Into<String>, service: impl Into<String>) -> Self {
        AgentService {
            id: id.into(),
            service: service.into(),
            ..AgentService::default()
        }
    }

    /// Checks a service given to a catalog registration.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty name, [`ValidationError::OutOfRange`] for
    /// weights below 1 while passing, and the errors of Consul's Connect rules (a
    /// `connect-proxy` names its destination service and has a port; a gateway has a port
    /// unless it is an ingress gateway, no sidecar and no proxy destination or upstreams;
    /// every upstream has a name and a local port).
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("service name", &self.service)?;
        if let Some(w) = &self.weights {
            validate_weights(w)?;
        }
        connect::validate_connect(
            &self.kind,
            Some(self.port),
            self.proxy.as_deref(),
            self.connect.as_ref(),
        )
    }
}

setters!(AgentService {
    /// Sets [`AgentService::tags`].
    tags: impl IntoIterator<Item = impl Into<String>> => |v: _| collect(v);
    /// Sets [`AgentService::port`].
    port: u16 => |v| v;
    /// Sets [`AgentService::address`].
    address: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`AgentService::weights`].
    weights: AgentWeights => Some;
    /// Sets [`AgentService::kind`].
    kind: impl Into<ServiceKind> => |v: _| Into::into(v);
    /// Sets [`AgentService::proxy`].
    proxy: ConnectProxyConfig => |v| Some(Box::new(v));
    /// Sets [`AgentService::connect`].
    connect: ServiceConnect => Some;
});

impl AgentService {
    /// Adds one metadata entry.
    #[must_use]
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }
}

fn collect(v: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    v.into_iter().map(Into::into).collect()
}

fn validate_weights(w: &AgentWeights) -> Result<(), ValidationError> {
    if w.passing < 1 || w.warning < 0 {
        let (field, value, min) = if w.passing < 1 {
            ("weights.passing", w.passing, 1)
        } else {
            ("weights.warning", w.warning, 0)
        };
        return Err(ValidationError::OutOfRange {
            field,
            value: value.to_string(),
            min: min.to_string(),
            max: i32::MAX.to_string(),
        });
    }
    Ok(())
}

/// A service instance and its checks as the local agent sees them
/// (`GET /v1/agent/health/service/...`, Go's `api.AgentServiceChecksInfo`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AgentServiceChecksInfo {
    /// The worst status of the instance's checks (`maintenance` when in maintenance).
    pub aggregated_status: CheckStatus,
    /// The instance.
    #[serde(deserialize_with = "null_as_default")]
    pub service: AgentService,
    /// Its checks.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub checks: Vec<HealthCheck>,
}

/// A service to register with the local agent (`PUT /v1/agent/service/register`, Go's
/// `api.AgentServiceRegistration`).
///
/// ```
/// use consul_types::agent::{AgentWeights, ServiceRegistration};
/// use consul_types::health::CheckDefinition;
/// use std::time::Duration;
/// let web = ServiceRegistration::new("web")
///     .id("web-1")
///     .tags(["v1", "primary"])
///     .meta("version", "1.0")
///     .address("10.0.0.5")
///     .port(8080)
///     .weights(AgentWeights::new(10, 1))
///     .check(CheckDefinition::ttl(Duration::from_secs(30)));
/// assert!(web.validate().is_ok());
/// assert!(ServiceRegistration::new("").validate().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceRegistration {
    /// The kind: a typical service, or a Connect proxy or gateway.
    #[serde(skip_serializing_if = "ServiceKind::is_typical")]
    pub kind: ServiceKind,
    /// The instance id (defaults to the name).
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The service name (a sidecar's may be left empty: the agent names it).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The address (default: the node's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Other addresses (`lan`, `wan`, …).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tagged_addresses: BTreeMap<String, ServiceAddress>,
    /// Whether others than the agent may change the catalog's tags.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enable_tag_override: bool,
    /// Metadata.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
    /// DNS SRV weights (default: 1 passing, 1 warning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights: Option<AgentWeights>,
    /// The service's checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckDefinition>,
    /// The proxy configuration of a Connect proxy or gateway (boxed: see
    /// [`AgentService::proxy`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Box<ConnectProxyConfig>>,
    /// The Connect settings: Connect-native, or a sidecar proxy to register with the
    /// service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ServiceConnect>,
    /// Namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl ServiceRegistration {
    /// A service named `name` (its id defaults to the name).
    pub fn new(name: impl Into<String>) -> Self {
        ServiceRegistration {
            name: name.into(),
            ..Default::default()
        }
    }

    /// A service with a TTL check (aioconsul's `services.register_ttl`).
    pub fn with_ttl(name: impl Into<String>, ttl: Duration) -> Self {
        ServiceRegistration::new(name).check(CheckDefinition::ttl(ttl))
    }

    /// A service with an HTTP check (aioconsul's `services.register_http`).
    pub fn with_http(name: impl Into<String>, url: impl Into<String>, interval: Duration) -> Self {
        ServiceRegistration::new(name).check(CheckDefinition::http(url, interval))
    }

    /// A service with a script check (aioconsul's `services.register_script`).
    pub fn with_script<I, S>(name: impl Into<String>, args: I, interval: Duration) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ServiceRegistration::new(name).check(CheckDefinition::script(args, interval))
    }

    /// The instance id Consul will use: the id, or else the name.
    pub fn effective_id(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.name)
    }

    /// Adds one check.
    #[must_use]
    pub fn check(mut self, check: CheckDefinition) -> Self {
        self.checks.push(check);
        self
    }

    /// Adds one tag.
    #[must_use]
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Adds one metadata entry.
    #[must_use]
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }

    /// Adds one tagged address.
    #[must_use]
    pub fn tagged_address(mut self, tag: impl Into<String>, address: ServiceAddress) -> Self {
        self.tagged_addresses.insert(tag.into(), address);
        self
    }

    /// Registers a sidecar proxy with the service (`Connect.SidecarService`);
    /// `ServiceRegistration::default()` lets the agent choose its name, id, port and
    /// proxy configuration.
    #[must_use]
    pub fn sidecar(mut self, sidecar: ServiceRegistration) -> Self {
        self.connect = Some(ServiceConnect::sidecar(sidecar));
        self
    }

    /// Checks the registration.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty name or id; [`ValidationError::OutOfRange`]
    /// for a passing weight below 1; [`ValidationError::Conflict`] for a check that names
    /// another service; any error of [`CheckDefinition::validate`] for a check; the errors
    /// of Consul's Connect rules (see [`AgentService::validate`]; a sidecar has no id and
    /// no sidecar of its own).
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("service name", &self.name)?;
        self.validate_parts()?;
        connect::validate_connect(
            &self.kind,
            self.port,
            self.proxy.as_deref(),
            self.connect.as_ref(),
        )
    }

    /// Checks a sidecar registration, whose name, kind, port and proxy destination the
    /// agent fills in when they are left empty.
    pub(crate) fn validate_as_sidecar(&self) -> Result<(), ValidationError> {
        self.validate_parts()?;
        if let Some(proxy) = &self.proxy {
            for upstream in &proxy.upstreams {
                upstream.validate()?;
            }
        }
        Ok(())
    }

    fn validate_parts(&self) -> Result<(), ValidationError> {
        if self.id.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "service id",
            });
        }
        if let Some(w) = &self.weights {
            validate_weights(w)?;
        }
        for check in &self.checks {
            if check.service_id.is_some() {
                return Err(ValidationError::Conflict(
                    "a service's check belongs to that service: leave its service_id unset",
                ));
            }
            check.validate()?;
        }
        Ok(())
    }
}

setters!(ServiceRegistration {
    /// Sets [`ServiceRegistration::kind`].
    kind: impl Into<ServiceKind> => |v: _| Into::into(v);
    /// Sets [`ServiceRegistration::id`].
    id: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`ServiceRegistration::tags`].
    tags: impl IntoIterator<Item = impl Into<String>> => |v: _| collect(v);
    /// Sets [`ServiceRegistration::port`].
    port: u16 => Some;
    /// Sets [`ServiceRegistration::address`].
    address: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`ServiceRegistration::enable_tag_override`].
    enable_tag_override: bool => |v| v;
    /// Sets [`ServiceRegistration::weights`].
    weights: AgentWeights => Some;
    /// Sets [`ServiceRegistration::proxy`].
    proxy: ConnectProxyConfig => |v| Some(Box::new(v));
    /// Sets [`ServiceRegistration::connect`].
    connect: ServiceConnect => Some;
});

/// The body of `PUT /v1/agent/check/update/:id`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CheckUpdate {
    /// The new status.
    pub status: CheckStatus,
    /// The new output.
    pub output: String,
}

impl CheckUpdate {
    /// An update to `status` with `output`.
    pub fn new(status: CheckStatus, output: impl Into<String>) -> Self {
        CheckUpdate {
            status,
            output: output.into(),
        }
    }

    /// Checks the update.
    ///
    /// # Errors
    /// [`ValidationError::InvalidValue`] for a status other than passing, warning or
    /// critical.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.status.is_settable() {
            Ok(())
        } else {
            Err(ValidationError::InvalidValue {
                field: "check status",
                reason: format!("{:?} is not one of passing, warning, critical", self.status)
                    .into(),
            })
        }
    }
}

/// Checks a service id used in a path (`/agent/service/:id`, …).
///
/// # Errors
/// [`ValidationError::Empty`].
pub fn validate_service_id(id: &str) -> Result<(), ValidationError> {
    non_empty("service id", id)
}

/// Checks an address to join (`/agent/join/:address`).
///
/// # Errors
/// [`ValidationError::Empty`].
pub fn validate_join_address(address: &str) -> Result<(), ValidationError> {
    non_empty("address", address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_status_keeps_unknown_values() {
        for n in 0..=6u8 {
            let s: MemberStatus = serde_json::from_value(serde_json::json!(n)).unwrap();
            assert_eq!(serde_json::to_value(s).unwrap(), n);
        }
        assert_eq!(MemberStatus::from(2), MemberStatus::Leaving);
        assert_eq!(MemberStatus::Failed.to_string(), "failed");
    }

    #[test]
    fn decodes_recorded_self_and_members() {
        let me: AgentSelf =
            serde_json::from_str(include_str!("../tests/fixtures/agent/self.json")).unwrap();
        assert_eq!(me.config.datacenter, "dc1");
        assert_eq!(me.config.node_name, "fixture-node");
        assert_eq!(me.config.version, "1.8.7");
        assert!(me.config.server);
        assert_eq!(me.member.name, "fixture-node");
        assert_eq!(me.member.status, MemberStatus::Alive);
        assert!(me.member.is_server());
        assert_eq!(me.coord.unwrap().vec.len(), 8);
        assert!(me.debug_config.is_object());

        let members: Vec<Member> =
            serde_json::from_str(include_str!("../tests/fixtures/agent/members.json")).unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].addr, "127.0.0.1");
        assert_eq!(members[0].datacenter(), Some("dc1"));
        let wan: Vec<Member> =
            serde_json::from_str(include_str!("../tests/fixtures/agent/members_wan.json")).unwrap();
        assert_eq!(wan[0].name, "fixture-node.dc1");
    }

    /// Go's `TestMemberACLMode` (api/agent_test.go), plus the recorded answers of a
    /// dev agent (ACLs off) and of an agent with ACLs enabled.
    #[test]
    fn member_acl_mode_reads_the_acls_tag_like_go() {
        let cases = [
            ("disabled", Some("0"), MemberAclMode::Disabled),
            ("enabled", Some("1"), MemberAclMode::Enabled),
            ("legacy", Some("2"), MemberAclMode::Legacy),
            ("unknown-3", Some("3"), MemberAclMode::Unknown),
            ("unknown-other", Some("77"), MemberAclMode::Unknown),
            ("unknown-not-present", None, MemberAclMode::Unknown),
            ("unknown-empty", Some(""), MemberAclMode::Unknown),
            ("unknown-padded", Some(" 1"), MemberAclMode::Unknown),
        ];
        for (name, tag, want) in cases {
            let mut member = Member::default();
            if let Some(value) = tag {
                member.tags.insert("acls".into(), value.into());
            }
            assert_eq!(member.acl_mode(), want, "{name}");
        }
        for mode in [
            MemberAclMode::Disabled,
            MemberAclMode::Enabled,
            MemberAclMode::Legacy,
            MemberAclMode::Unknown,
        ] {
            assert_eq!(MemberAclMode::from_tag(Some(mode.as_str())), mode);
        }
        assert_eq!(MemberAclMode::Legacy.to_string(), "legacy");

        let members: Vec<Member> =
            serde_json::from_str(include_str!("../tests/fixtures/agent/members.json")).unwrap();
        assert_eq!(members[0].acl_mode(), MemberAclMode::Disabled);
        let me: AgentSelf =
            serde_json::from_str(include_str!("../tests/fixtures/agent/self.json")).unwrap();
        assert_eq!(me.member.acl_mode(), MemberAclMode::Disabled);
        let acl: Vec<Member> =
            serde_json::from_str(include_str!("../tests/fixtures/agent/members_acl.json")).unwrap();
        assert_eq!(acl[0].acl_mode(), MemberAclMode::Enabled);
        assert!(acl[0].is_server());
    }

    #[test]
    fn decodes_recorded_checks_and_services() {
        let checks: BTreeMap<String, HealthCheck> =
            serde_json::from_str(include_str!("../tests/fixtures/agent/checks.json")).unwrap();
        let kinds: Vec<_> = checks.values().map(|c| c.check_type.as_str()).collect();
        for kind in ["alias", "grpc", "script", "tcp", "ttl", "http"] {
            assert!(kinds.contains(&kind), "{kind}");
        }
        assert_eq!(checks["web-1-ttl"].status, CheckStatus::Warning);
        assert_eq!(checks["web-1-ttl"].notes, "ttl note");

        let services: BTreeMap<String, AgentService> =
            serde_json::from_str(include_str!("../tests/fixtures/agent/services.json")).unwrap();
        let web = &services["web-1"];
        assert_eq!(web.service, "web");
        assert_eq!(web.tags, vec!["v1", "primary"]);
        assert_eq!(web.weights, Some(AgentWeights::new(10, 1)));
        assert!(web.enable_tag_override);
        assert_eq!(
            web.tagged_addresses["lan"],
            ServiceAddress::new("127.0.0.1", 8080)
        );

        let one: AgentService =
            serde_json::from_str(include_str!("../tests/fixtures/agent/service.json")).unwrap();
        assert!(one.content_hash.is_some());
        assert_eq!(one.meta["version"], "1.0");
    }

    /// A service with a sidecar, a mesh gateway and a Connect-native service, registered
    /// on a 1.8.7 dev agent and read back from `/v1/agent/services` and
    /// `/v1/agent/service/:id`.
    #[test]
    fn decodes_recorded_connect_services() {
        let services: BTreeMap<String, AgentService> = serde_json::from_str(include_str!(
            "../tests/fixtures/agent/services_connect.json"
        ))
        .unwrap();
        let web = &services["web-1"];
        assert!(web.kind.is_typical());
        assert_eq!((web.proxy.as_ref(), web.connect.as_ref()), (None, None));

        let sidecar = &services["web-1-sidecar-proxy"];
        assert_eq!(sidecar.kind, ServiceKind::ConnectProxy);
        assert_eq!(sidecar.service, "web-sidecar-proxy");
        let proxy = sidecar.proxy.as_ref().unwrap();
        assert_eq!(proxy.destination_service_name, "web");
        assert_eq!(proxy.destination_service_id, "web-1");
        assert_eq!(
            (
                proxy.local_service_address.as_str(),
                proxy.local_service_port
            ),
            ("127.0.0.1", 8080)
        );
        assert_eq!(proxy.config["protocol"], "http");
        assert_eq!(proxy.mesh_gateway.mode, MeshGatewayMode::Remote);
        let [db, query] = &proxy.upstreams[..] else {
            panic!("two upstreams: {:?}", proxy.upstreams)
        };
        assert_eq!(
            (&db.destination_type, db.destination_name.as_str()),
            (&UpstreamDestType::Service, "db")
        );
        assert_eq!((db.datacenter.as_str(), db.local_bind_port), ("dc1", 9191));
        assert_eq!(db.config["connect_timeout_ms"], 1000);
        assert_eq!(db.mesh_gateway.mode, MeshGatewayMode::Local);
        assert_eq!(query.destination_type, UpstreamDestType::PreparedQuery);
        assert_eq!(query.local_bind_address, "127.0.0.2");
        assert!(query.mesh_gateway.mode.is_default());
        assert!(proxy.expose.checks);
        assert_eq!(
            proxy.expose.paths,
            vec![ExposePath::new("/metrics", 8080, 21500).protocol("http")]
        );

        let gateway = &services["mesh-gw"];
        assert_eq!(gateway.kind, ServiceKind::MeshGateway);
        let gw_proxy = gateway.proxy.as_ref().unwrap();
        assert_eq!(gw_proxy.mesh_gateway.mode, MeshGatewayMode::Local);
        assert_eq!(gw_proxy.config["envoy_gateway_no_default_bind"], true);
        assert!(gw_proxy.upstreams.is_empty() && gw_proxy.destination_service_name.is_empty());
        assert_eq!(
            gateway.tagged_addresses["wan"],
            ServiceAddress::new("198.51.100.1", 443)
        );

        assert_eq!(services["nat"].connect, Some(ServiceConnect::native()));

        let one: AgentService =
            serde_json::from_str(include_str!("../tests/fixtures/agent/service_sidecar.json"))
                .unwrap();
        assert_eq!(one.proxy.as_ref(), Some(proxy));
        assert!(one.content_hash.is_some());
    }

    #[test]
    fn connect_registrations_encode_go_field_names() {
        let reg = ServiceRegistration::new("web").port(8080).sidecar(
            ServiceRegistration::default().port(21000).proxy(
                ConnectProxyConfig::default()
                    .upstream(Upstream::service("db", 9191).datacenter("dc2")),
            ),
        );
        assert!(reg.validate().is_ok());
        assert_eq!(
            serde_json::to_value(&reg).unwrap(),
            serde_json::json!({
                "Name": "web",
                "Port": 8080,
                "Connect": {"SidecarService": {"Port": 21000, "Proxy": {
                    "Upstreams": [{"DestinationType": "service", "DestinationName": "db",
                                   "Datacenter": "dc2", "LocalBindPort": 9191}]
                }}}
            })
        );
        let gateway = ServiceRegistration::new("mesh-gw")
            .kind(ServiceKind::MeshGateway)
            .port(8443)
            .proxy(ConnectProxyConfig::default().mesh_gateway(MeshGatewayMode::Local));
        let json = serde_json::to_value(&gateway).unwrap();
        assert_eq!(json["Kind"], "mesh-gateway");
        assert_eq!(
            json["Proxy"],
            serde_json::json!({"MeshGateway": {"Mode": "local"}})
        );
        assert!(gateway.validate().is_ok());
        assert!(ServiceRegistration::new("gw")
            .kind("mesh-gateway")
            .validate()
            .is_err());
        let proxy = ServiceRegistration::new("web-proxy")
            .kind(ServiceKind::ConnectProxy)
            .port(21000);
        assert!(proxy.clone().validate().is_err(), "no destination");
        assert!(proxy
            .proxy(ConnectProxyConfig::for_service("web"))
            .validate()
            .is_ok());
        assert!(ServiceRegistration::new("web")
            .sidecar(ServiceRegistration::default().id("mine"))
            .validate()
            .is_err());
        let native = ServiceRegistration::new("n").connect(ServiceConnect::native());
        assert_eq!(
            serde_json::to_value(&native).unwrap()["Connect"],
            serde_json::json!({"Native": true})
        );
        let catalog_proxy = AgentService::new("p-1", "p")
            .kind(ServiceKind::ConnectProxy)
            .port(21000)
            .proxy(ConnectProxyConfig::for_service("web"));
        assert!(catalog_proxy.validate().is_ok());
        assert!(AgentService::new("p-1", "p")
            .kind(ServiceKind::ConnectProxy)
            .validate()
            .is_err());
    }

    #[test]
    fn decodes_recorded_agent_health() {
        let by_id: AgentServiceChecksInfo = serde_json::from_str(include_str!(
            "../tests/fixtures/agent/health_service_id.json"
        ))
        .unwrap();
        assert_eq!(by_id.aggregated_status, CheckStatus::Critical);
        assert_eq!(by_id.service.id, "web-1");
        assert!(!by_id.checks.is_empty());
        let by_name: Vec<AgentServiceChecksInfo> = serde_json::from_str(include_str!(
            "../tests/fixtures/agent/health_service_name.json"
        ))
        .unwrap();
        assert_eq!(by_name.len(), 1);
        let missing: AgentServiceChecksInfo =
            serde_json::from_str(r#"{"AggregatedStatus":"critical","Service":null,"Checks":null}"#)
                .unwrap();
        assert!(missing.checks.is_empty());
    }

    #[test]
    fn registration_encodes_only_what_is_set() {
        let reg = ServiceRegistration::new("web");
        assert_eq!(
            serde_json::to_value(&reg).unwrap(),
            serde_json::json!({"Name": "web"})
        );
        let reg = ServiceRegistration::with_ttl("web", Duration::from_secs(30))
            .id("web-1")
            .port(80)
            .tag("a")
            .tagged_address("wan", ServiceAddress::new("192.0.2.1", 80))
            .check(CheckDefinition::tcp("127.0.0.1:80", Duration::from_secs(5)).id("tcp"));
        let json = serde_json::to_value(&reg).unwrap();
        assert_eq!(json["ID"], "web-1");
        assert_eq!(json["Checks"][0]["TTL"], "30s");
        assert_eq!(json["Checks"][1]["CheckID"], "tcp");
        assert_eq!(json["TaggedAddresses"]["wan"]["Port"], 80);
        assert_eq!(reg.effective_id(), "web-1");
        assert_eq!(ServiceRegistration::new("x").effective_id(), "x");
    }

    #[test]
    fn registration_rules() {
        assert!(matches!(
            ServiceRegistration::new("").validate(),
            Err(ValidationError::Empty {
                field: "service name"
            })
        ));
        assert!(ServiceRegistration::new("x").id("").validate().is_err());
        assert!(matches!(
            ServiceRegistration::new("x")
                .weights(AgentWeights::new(0, 1))
                .validate(),
            Err(ValidationError::OutOfRange { .. })
        ));
        let mut two = CheckDefinition::ttl(Duration::from_secs(1));
        two.http = Some("http://x/".into());
        assert!(matches!(
            ServiceRegistration::new("x").check(two).validate(),
            Err(ValidationError::Conflict(_))
        ));
        let foreign = CheckDefinition::ttl(Duration::from_secs(1)).service_id("other");
        assert!(ServiceRegistration::new("x")
            .check(foreign)
            .validate()
            .is_err());
        assert!(
            ServiceRegistration::with_script("x", ["true"], Duration::from_secs(1))
                .validate()
                .is_ok()
        );
        assert!(
            ServiceRegistration::with_http("x", "http://x/", Duration::from_secs(1))
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn check_update_rules() {
        assert!(CheckUpdate::new(CheckStatus::Passing, "ok")
            .validate()
            .is_ok());
        assert!(CheckUpdate::new(CheckStatus::Maintenance, "")
            .validate()
            .is_err());
        assert_eq!(
            serde_json::to_value(CheckUpdate::new(CheckStatus::Warning, "slow")).unwrap(),
            serde_json::json!({"Status": "warning", "Output": "slow"})
        );
        assert!(validate_service_id("").is_err());
        assert!(validate_join_address("").is_err());
    }

    #[test]
    fn catalog_service_rules() {
        assert!(AgentService::new("db-1", "db").validate().is_ok());
        assert!(AgentService::new("db-1", "").validate().is_err());
        let json = serde_json::to_value(AgentService::new("db-1", "db").port(5432)).unwrap();
        assert!(json.get("CreateIndex").is_none());
        assert!(json.get("Weights").is_none());
    }
}
