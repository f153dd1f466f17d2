//! Models and rules of the operator endpoints (Go's `api/operator_*.go`): the Raft peer
//! set, autopilot, the gossip keyring, and the Enterprise-only license, network areas and
//! network segments; and of endpoints newer than Consul 1.8: autopilot's state (1.9+),
//! the usage counts (1.10+) and the Raft leader transfer (1.15+).
//!
//! Durations follow Consul's encodings: autopilot settings and a server's last contact are
//! Go-format text (`"200ms"`), an area member's round-trip time is integer nanoseconds.
//! Where Consul sends a negative duration to mean "unknown" (`"-1ns"` for a server the
//! leader cannot reach, `-1` for a member with no network coordinate), the model says
//! `None`.

use crate::duration;
use crate::serde_util::{null_as_default, null_as_empty_vec};
use crate::ValidationError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Raft

/// One server of the Raft configuration (Go's `api.RaftServer`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct RaftServer {
    /// The server's Raft id (its node id with Raft protocol 3, its address before).
    #[serde(rename = "ID")]
    pub id: String,
    /// Its node name, or `(unknown)` when Consul does not know the node.
    pub node: String,
    /// Its Raft address, `ip:port` (the server RPC port).
    pub address: String,
    /// Whether it is the leader.
    pub leader: bool,
    /// The Raft protocol version it speaks (a number, as text: `"3"`).
    pub protocol_version: String,
    /// Whether it votes (a new server is a non-voter until autopilot promotes it).
    pub voter: bool,
}

/// The Raft peer set of a datacenter (Go's `api.RaftConfiguration`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct RaftConfiguration {
    /// The servers.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub servers: Vec<RaftServer>,
    /// The Raft index of this configuration (Consul 1.8 sends `0`).
    pub index: u64,
}

impl RaftConfiguration {
    /// The leader, if the answering server knows one.
    pub fn leader(&self) -> Option<&RaftServer> {
        self.servers.iter().find(|s| s.leader)
    }

    /// The voting servers.
    pub fn voters(&self) -> impl Iterator<Item = &RaftServer> {
        self.servers.iter().filter(|s| s.voter)
    }

    /// The server on node `node`.
    pub fn server_on(&self, node: &str) -> Option<&RaftServer> {
        self.servers.iter().find(|s| s.node == node)
    }
}

// ---------------------------------------------------------------------------------------
// Autopilot

/// Autopilot's settings (Go's `api.AutopilotConfiguration`).
///
/// Consul replaces the whole configuration on a write: a field left at its default is
/// written as zero, not kept. Read the configuration, change what you need, and write it
/// back (with the `cas` variant to be sure nobody changed it meanwhile):
///
/// ```
/// use consul_types::operator::AutopilotConfiguration;
/// use std::time::Duration;
/// # let current = AutopilotConfiguration::default();
/// let changed = current
///     .cleanup_dead_servers(false)
///     .last_contact_threshold(Duration::from_millis(500));
/// assert!(!changed.cleanup_dead_servers);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AutopilotConfiguration {
    /// Whether dead servers are removed from the Raft peer set (when a new server joins,
    /// and periodically while a quorum would remain).
    pub cleanup_dead_servers: bool,
    /// How long a server may go without contact from the leader before it counts as
    /// unhealthy (Consul's default: 200 ms).
    #[serde(with = "duration::text")]
    pub last_contact_threshold: Duration,
    /// How many Raft log entries a server may trail the leader by before it counts as
    /// unhealthy (Consul's default: 250).
    pub max_trailing_logs: u64,
    /// The fewest servers autopilot keeps when pruning dead ones (0: no minimum).
    pub min_quorum: u32,
    /// How long a new server must be healthy before it is promoted to voter (Raft
    /// protocol 3; Consul's default: 10 s).
    #[serde(with = "duration::text")]
    pub server_stabilization_time: Duration,
    /// The node-meta tag that sorts servers into redundancy zones (Consul Enterprise).
    pub redundancy_zone_tag: String,
    /// Turns off upgrade migrations (Consul Enterprise).
    pub disable_upgrade_migration: bool,
    /// The node-meta tag that carries the version for upgrade migrations (Consul
    /// Enterprise).
    pub upgrade_version_tag: String,
    /// The Raft index that created the configuration (read-only).
    pub create_index: u64,
    /// The Raft index of its last change: the index a check-and-set write compares with.
    pub modify_index: u64,
}

setters!(AutopilotConfiguration {
    /// Sets [`AutopilotConfiguration::cleanup_dead_servers`].
    cleanup_dead_servers: bool => |v| v;
    /// Sets [`AutopilotConfiguration::last_contact_threshold`].
    last_contact_threshold: Duration => |v| v;
    /// Sets [`AutopilotConfiguration::max_trailing_logs`].
    max_trailing_logs: u64 => |v| v;
    /// Sets [`AutopilotConfiguration::min_quorum`].
    min_quorum: u32 => |v| v;
    /// Sets [`AutopilotConfiguration::server_stabilization_time`].
    server_stabilization_time: Duration => |v| v;
    /// Sets [`AutopilotConfiguration::redundancy_zone_tag`].
    redundancy_zone_tag: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`AutopilotConfiguration::disable_upgrade_migration`].
    disable_upgrade_migration: bool => |v| v;
    /// Sets [`AutopilotConfiguration::upgrade_version_tag`].
    upgrade_version_tag: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`AutopilotConfiguration::modify_index`], the index a check-and-set write
    /// compares with.
    modify_index: u64 => |v| v;
});

text_enum! {
    /// A member's gossip (Serf) status, as text: a server's in autopilot's health report, an
    /// area member's.
    ///
    /// ```
    /// use consul_types::operator::SerfStatus;
    /// assert_eq!(SerfStatus::from("failed"), SerfStatus::Failed);
    /// assert_eq!(SerfStatus::Alive.as_str(), "alive");
    /// assert!(matches!(SerfStatus::from("reaped"), SerfStatus::Other(_)));
    /// ```
    SerfStatus {
        /// `none`: no status known.
        default None = "none" | "",
        /// `alive`.
        Alive = "alive",
        /// `leaving`: on its way out, gracefully.
        Leaving = "leaving",
        /// `left`: it left gracefully.
        Left = "left",
        /// `failed`: it stopped answering.
        Failed = "failed",
    }
}

/// One server's health as the leader sees it (Go's `api.ServerHealth`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServerHealth {
    /// Its Raft id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its node name.
    pub name: String,
    /// Its Raft address, `ip:port`.
    pub address: String,
    /// Its gossip status.
    pub serf_status: SerfStatus,
    /// Its Consul version.
    pub version: String,
    /// Whether it is the leader.
    pub leader: bool,
    /// Time since its last contact with the leader; `None` when unknown (Consul sends
    /// `"-1ns"` for a server it cannot reach).
    #[serde(with = "go_text_or_unknown")]
    pub last_contact: Option<Duration>,
    /// The highest Raft term in its log.
    pub last_term: u64,
    /// The last Raft index in its log.
    pub last_index: u64,
    /// Whether it is healthy by the autopilot configuration's thresholds.
    pub healthy: bool,
    /// Whether it votes.
    pub voter: bool,
    /// When `healthy` last changed (RFC 3339; Go's zero time `0001-01-01T00:00:00Z` when
    /// never known).
    pub stable_since: String,
}

/// The health of a datacenter's servers (Go's `api.OperatorHealthReply`).
///
/// Consul answers `429 Too Many Requests` when it is not healthy; that is this report
/// with `healthy == false`, not an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct OperatorHealthReply {
    /// Whether every server is healthy.
    pub healthy: bool,
    /// How many servers could fail without losing quorum.
    pub failure_tolerance: u32,
    /// Each server's health.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub servers: Vec<ServerHealth>,
}

impl OperatorHealthReply {
    /// The health of the server on node `name`.
    pub fn server(&self, name: &str) -> Option<&ServerHealth> {
        self.servers.iter().find(|s| s.name == name)
    }
}

/// A duration as Go-format text where a negative one (`"-1ns"`) means "unknown".
mod go_text_or_unknown {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&duration::format(*d)),
            None => s.serialize_str("-1ns"),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.is_empty() || s.starts_with('-') => Ok(None),
            Some(s) => duration::parse(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Keyring

/// The highest relay factor Consul accepts (`?relay-factor=`).
pub use crate::MAX_RELAY_FACTOR;

/// The keys of one gossip pool (Go's `api.KeyringResponse`): the WAN pool or the LAN
/// pool (of a segment) of one datacenter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct KeyringResponse {
    /// Whether this is the WAN pool (else the LAN pool of `datacenter`).
    #[serde(rename = "WAN")]
    pub wan: bool,
    /// The datacenter.
    pub datacenter: String,
    /// The network segment (Consul Enterprise; empty for the default one).
    pub segment: String,
    /// Messages (errors) from nodes, by node name.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub messages: BTreeMap<String, String>,
    /// Each installed key and the number of nodes it is installed on.
    #[serde(deserialize_with = "null_as_default")]
    pub keys: BTreeMap<String, u32>,
    /// Each primary key (the one that encrypts) and the number of nodes using it
    /// (Consul 1.8+).
    #[serde(deserialize_with = "null_as_default")]
    pub primary_keys: BTreeMap<String, u32>,
    /// The number of nodes in the pool.
    pub num_nodes: u32,
}

impl KeyringResponse {
    /// Whether `key` is installed on every node of the pool.
    pub fn installed_everywhere(&self, key: &str) -> bool {
        self.keys.get(key) == Some(&self.num_nodes)
    }

    /// Whether every node of the pool encrypts with `key`.
    pub fn primary_everywhere(&self, key: &str) -> bool {
        self.primary_keys.get(key) == Some(&self.num_nodes)
    }
}

/// Checks a gossip encryption key: standard base64 of 16, 24 or 32 bytes (AES-128, -192
/// or -256), what `consul keygen` prints. The error never repeats the key.
///
/// ```
/// use consul_types::operator::validate_gossip_key;
/// assert!(validate_gossip_key("pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=").is_ok());
/// assert!(validate_gossip_key("").is_err());
/// assert!(validate_gossip_key("bm90IGEga2V5").is_err()); // 9 bytes
/// assert!(validate_gossip_key("not base64!").is_err());
/// ```
///
/// # Errors
/// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
pub fn validate_gossip_key(key: &str) -> Result<(), ValidationError> {
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    const FIELD: &str = "gossip key";
    if key.is_empty() {
        return Err(ValidationError::Empty { field: FIELD });
    }
    let bytes = STANDARD
        .decode(key.as_bytes())
        .map_err(|_| ValidationError::InvalidValue {
            field: FIELD,
            reason: "is not standard base64 (see `consul keygen`)".into(),
        })?;
    if ![16, 24, 32].contains(&bytes.len()) {
        return Err(ValidationError::InvalidValue {
            field: FIELD,
            reason: format!(
                "decodes to {} bytes; a gossip key is 16, 24 or 32 bytes",
                bytes.len()
            )
            .into(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Enterprise: license

/// A Consul Enterprise license (Go's `api.License`; snake_case on the wire).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct License {
    /// The license id.
    pub license_id: String,
    /// The customer id.
    pub customer_id: String,
    /// The installation it is locked to (`*`: any).
    pub installation_id: String,
    /// When it was issued (RFC 3339).
    pub issue_time: String,
    /// When it starts being valid (RFC 3339).
    pub start_time: String,
    /// When it expires (RFC 3339).
    pub expiration_time: String,
    /// When it stops working altogether (RFC 3339).
    pub termination_time: String,
    /// The product (`consul`).
    pub product: String,
    /// License-specific flags (`{"package": "premium"}`).
    #[serde(deserialize_with = "null_as_default")]
    pub flags: BTreeMap<String, serde_json::Value>,
    /// The licensed Enterprise modules.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub modules: Vec<String>,
    /// The licensed features.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub features: Vec<String>,
    /// Whether it is a temporary license.
    pub temporary: bool,
}

/// The answer of the license endpoints (Go's `api.LicenseReply`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct LicenseReply {
    /// Whether the license is valid.
    pub valid: bool,
    /// The license.
    pub license: Option<License>,
    /// Warnings about it (close to expiry, …).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Enterprise: network areas

/// A network area (Go's `api.Area`, Consul Enterprise): a relationship between the
/// servers of this datacenter and those of a peer datacenter.
///
/// ```
/// use consul_types::operator::Area;
/// let area = Area::new("dc2").retry_join(["10.1.2.3", "10.1.2.4"]).use_tls(true);
/// assert_eq!(
///     serde_json::to_string(&area).unwrap(),
///     r#"{"PeerDatacenter":"dc2","RetryJoin":["10.1.2.3","10.1.2.4"],"UseTLS":true}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Area {
    /// Its id (a UUID), assigned by Consul: empty when creating one.
    #[serde(rename = "ID", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The peer datacenter (one area per peer; never this datacenter).
    pub peer_datacenter: String,
    /// Servers of the peer to keep trying to join (`IP`, `IP:port`, `host`, `host:port`).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub retry_join: Vec<String>,
    /// Whether gossip in the area uses TLS when it can.
    #[serde(rename = "UseTLS")]
    pub use_tls: bool,
}

impl Area {
    /// A new area with datacenter `peer`.
    pub fn new(peer: impl Into<String>) -> Self {
        Area {
            peer_datacenter: peer.into(),
            ..Area::default()
        }
    }

    /// Checks what Consul requires of an area to create: a peer datacenter, and no id.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
    pub fn validate_new(&self) -> Result<(), ValidationError> {
        if self.peer_datacenter.is_empty() {
            return Err(ValidationError::Empty {
                field: "peer datacenter",
            });
        }
        if !self.id.is_empty() {
            return Err(ValidationError::InvalidValue {
                field: "area id",
                reason: "must be empty when creating an area: Consul assigns it".into(),
            });
        }
        Ok(())
    }
}

setters!(Area {
    /// Sets [`Area::retry_join`].
    retry_join: impl IntoIterator<Item = impl Into<String>> => |v: _| collect(v);
    /// Sets [`Area::use_tls`].
    use_tls: bool => |v| v;
});

fn collect(values: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    values.into_iter().map(Into::into).collect()
}

/// The result of joining one address into an area (Go's `api.AreaJoinResponse`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AreaJoinResponse {
    /// The address as given.
    pub address: String,
    /// Whether the join succeeded.
    pub joined: bool,
    /// Why not, when it did not.
    pub error: String,
}

/// A server in a network area (Go's `api.SerfMember`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SerfMember {
    /// Its node id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its node name with the datacenter appended (`node-2.dc1`).
    pub name: String,
    /// Its IP address.
    pub addr: String,
    /// Its server RPC port.
    pub port: u16,
    /// Its datacenter.
    pub datacenter: String,
    /// `server` (only servers take part in areas).
    pub role: String,
    /// Its Consul version.
    pub build: String,
    /// The protocol version it speaks.
    pub protocol: i32,
    /// Its status by the area's failure detector.
    pub status: SerfStatus,
    /// Estimated round trip from the answering server (integer nanoseconds on the wire);
    /// `None` when there is no estimate (Consul sends a negative value).
    #[serde(rename = "RTT", with = "nanos_or_unknown")]
    pub rtt: Option<Duration>,
}

/// A duration as integer nanoseconds where a negative one means "unknown".
mod nanos_or_unknown {
    use super::*;

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_i64(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
            None => s.serialize_i64(-1),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<i64>::deserialize(d)?
            .filter(|n| *n >= 0)
            .map(|n| Duration::from_nanos(n as u64)))
    }
}

// ---------------------------------------------------------------------------------------
// Newer than Consul 1.8: autopilot state, usage, leader transfer

text_enum! {
    /// A server's Raft status as autopilot sees it (Go's `api.AutopilotServerStatus`).
    AutopilotServerStatus {
        /// `none`.
        None = "none",
        /// `leader`.
        Leader = "leader",
        /// `voter`.
        Voter = "voter",
        /// `non-voter`.
        NonVoter = "non-voter",
        /// `staging`: being brought up to date before it votes.
        Staging = "staging",
    }
}

text_enum! {
    /// What autopilot wants a server to be (Go's `api.AutopilotServerType`); open-source
    /// Consul only knows `voter`.
    AutopilotServerType {
        /// `voter`.
        Voter = "voter",
        /// `read-replica` (Consul Enterprise).
        ReadReplica = "read-replica",
        /// `zone-voter`: the voter of its redundancy zone (Consul Enterprise).
        ZoneVoter = "zone-voter",
        /// `zone-extra-voter`: voting while another zone has failed (Consul Enterprise).
        ZoneExtraVoter = "zone-extra-voter",
        /// `zone-standby`: a standby of its zone (Consul Enterprise).
        ZoneStandby = "zone-standby",
    }
}

text_enum! {
    /// Where an automated upgrade stands (Go's `api.AutopilotUpgradeStatus`, Consul
    /// Enterprise).
    AutopilotUpgradeStatus {
        /// `idle`: no upgrade in progress.
        Idle = "idle",
        /// `await-new-voters`: waiting for more servers of the new version.
        AwaitNewVoters = "await-new-voters",
        /// `promoting`: promoting servers of the new version.
        Promoting = "promoting",
        /// `demoting`: demoting servers of the old version.
        Demoting = "demoting",
        /// `leader-transfer`: moving leadership to a server of the new version.
        LeaderTransfer = "leader-transfer",
        /// `await-new-servers`: more servers of the new version are needed.
        AwaitNewServers = "await-new-servers",
        /// `await-server-removal`: the old servers can be removed.
        AwaitServerRemoval = "await-server-removal",
        /// `disabled`: automated upgrades are off.
        Disabled = "disabled",
    }
}

impl Default for AutopilotServerStatus {
    /// No value: Consul sent none.
    fn default() -> Self {
        AutopilotServerStatus::Other(String::new())
    }
}

impl Default for AutopilotServerType {
    /// No value: Consul sent none.
    fn default() -> Self {
        AutopilotServerType::Other(String::new())
    }
}

impl Default for AutopilotUpgradeStatus {
    /// No value: Consul sent none.
    fn default() -> Self {
        AutopilotUpgradeStatus::Other(String::new())
    }
}

/// One server as autopilot sees it (Go's `api.AutopilotServer`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AutopilotServer {
    /// Its Raft id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its node name.
    pub name: String,
    /// Its Raft address, `ip:port`.
    pub address: String,
    /// Its gossip status.
    pub node_status: SerfStatus,
    /// Its Consul version.
    pub version: String,
    /// Time since its last contact with the leader; `None` when unknown.
    #[serde(with = "go_text_or_unknown")]
    pub last_contact: Option<Duration>,
    /// The highest Raft term in its log.
    pub last_term: u64,
    /// The last Raft index in its log.
    pub last_index: u64,
    /// Whether it is healthy by the autopilot configuration's thresholds.
    pub healthy: bool,
    /// When `healthy` last changed (RFC 3339).
    pub stable_since: String,
    /// Its redundancy zone (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub redundancy_zone: String,
    /// The version used for upgrade decisions (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub upgrade_version: String,
    /// Whether it is a read replica (Consul Enterprise).
    pub read_replica: bool,
    /// Its Raft status.
    pub status: AutopilotServerStatus,
    /// Its node metadata.
    #[serde(deserialize_with = "null_as_default")]
    pub meta: BTreeMap<String, String>,
    /// What autopilot wants it to be.
    pub node_type: AutopilotServerType,
}

/// A redundancy zone (Go's `api.AutopilotZone`, Consul Enterprise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AutopilotZone {
    /// The Raft ids of its servers.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub servers: Vec<String>,
    /// The Raft ids of its voters.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub voters: Vec<String>,
    /// How many of its servers could fail before the zone does.
    pub failure_tolerance: u32,
}

/// The servers of a redundancy zone by version during an upgrade (Go's
/// `api.AutopilotZoneUpgradeVersions`, Consul Enterprise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AutopilotZoneUpgradeVersions {
    /// Voters of the target version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub target_version_voters: Vec<String>,
    /// Non-voters of the target version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub target_version_non_voters: Vec<String>,
    /// Voters of another version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub other_version_voters: Vec<String>,
    /// Non-voters of another version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub other_version_non_voters: Vec<String>,
}

/// An automated upgrade (Go's `api.AutopilotUpgrade`, Consul Enterprise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AutopilotUpgrade {
    /// Where it stands.
    pub status: AutopilotUpgradeStatus,
    /// The version it upgrades to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target_version: String,
    /// Voters of the target version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub target_version_voters: Vec<String>,
    /// Non-voters of the target version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub target_version_non_voters: Vec<String>,
    /// Read replicas of the target version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub target_version_read_replicas: Vec<String>,
    /// Voters of another version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub other_version_voters: Vec<String>,
    /// Non-voters of another version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub other_version_non_voters: Vec<String>,
    /// Read replicas of another version.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub other_version_read_replicas: Vec<String>,
    /// The same, by redundancy zone.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub redundancy_zones: BTreeMap<String, AutopilotZoneUpgradeVersions>,
}

/// Autopilot's view of the servers (`GET /v1/operator/autopilot/state`, Consul 1.9+; Go's
/// `api.AutopilotState`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AutopilotState {
    /// Whether every server is healthy.
    pub healthy: bool,
    /// How many servers could fail without losing quorum.
    pub failure_tolerance: u32,
    /// How many servers could fail, in the right order over time, without an outage
    /// (Consul Enterprise, with redundancy zones).
    pub optimistic_failure_tolerance: u32,
    /// Each server, by Raft id.
    #[serde(deserialize_with = "null_as_default")]
    pub servers: BTreeMap<String, AutopilotServer>,
    /// The leader's Raft id.
    pub leader: String,
    /// The Raft ids of the voters.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub voters: Vec<String>,
    /// The Raft ids of the read replicas (Consul Enterprise).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub read_replicas: Vec<String>,
    /// The redundancy zones, by name (Consul Enterprise).
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub redundancy_zones: BTreeMap<String, AutopilotZone>,
    /// An automated upgrade (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<AutopilotUpgrade>,
}

impl AutopilotState {
    /// The leader.
    pub fn leader_server(&self) -> Option<&AutopilotServer> {
        self.servers.get(&self.leader)
    }
}

/// The services of one datacenter, counted (Go's `api.ServiceUsage`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceUsage {
    /// Distinct service names.
    pub services: u64,
    /// Service instances.
    pub service_instances: u64,
    /// Connect instances by kind (`connect-proxy`, `connect-native`, `mesh-gateway`, …).
    #[serde(deserialize_with = "null_as_default")]
    pub connect_service_instances: BTreeMap<String, u64>,
    /// Instances that count for billing (Consul Enterprise): typical and Connect-native
    /// instances, without Consul's own.
    pub billable_service_instances: u64,
    /// Distinct service names by partition and namespace (Consul Enterprise).
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub partition_namespace_services: BTreeMap<String, BTreeMap<String, u64>>,
    /// Service instances by partition and namespace (Consul Enterprise).
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub partition_namespace_service_instances: BTreeMap<String, BTreeMap<String, u64>>,
    /// Connect instances by partition, namespace and kind (Consul Enterprise).
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub partition_namespace_connect_service_instances:
        BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>,
    /// Billable instances by partition and namespace (Consul Enterprise).
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub partition_namespace_billable_service_instances: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The usage counts of `GET /v1/operator/usage` (Consul 1.10+; Go's `api.Usage`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Usage {
    /// The counts by datacenter (the local one, or every one with `global`).
    #[serde(deserialize_with = "null_as_default")]
    pub usage: BTreeMap<String, ServiceUsage>,
}

/// The answer of `POST /v1/operator/raft/transfer-leader` (Consul 1.15+; Go's
/// `api.TransferLeaderResponse`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct TransferLeaderResponse {
    /// Whether leadership moved (Consul answers a failure with an error status instead).
    pub success: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    /// Decoding, encoding and decoding again gives the same value.
    fn round_trip<T>(value: &T)
    where
        T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let again: T = serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap();
        assert_eq!(&again, value);
    }

    #[test]
    fn raft_configuration_of_three_servers() {
        let c: RaftConfiguration = fixture(include_str!(
            "../tests/fixtures/operator/raft_configuration.json"
        ));
        assert_eq!(c.servers.len(), 3);
        assert_eq!(c.voters().count(), 3);
        let leader = c.leader().unwrap();
        assert_eq!(leader.node, "s2");
        assert_eq!(leader.address, "127.0.0.1:42300");
        assert_eq!(leader.protocol_version, "3");
        assert_eq!(leader.id.len(), 36);
        assert_eq!(c.server_on("s4").unwrap().address, "127.0.0.1:44300");
        assert_eq!(c.index, 0);
        round_trip(&c);
    }

    #[test]
    fn autopilot_configuration_durations_are_go_text() {
        let c: AutopilotConfiguration = fixture(include_str!(
            "../tests/fixtures/operator/autopilot_configuration.json"
        ));
        assert!(c.cleanup_dead_servers);
        assert_eq!(c.last_contact_threshold, Duration::from_millis(200));
        assert_eq!(c.max_trailing_logs, 250);
        assert_eq!(c.server_stabilization_time, Duration::from_secs(10));
        assert_eq!(c.modify_index, c.create_index);
        assert!(c.modify_index > 0);
        round_trip(&c);
        let json =
            serde_json::to_value(c.last_contact_threshold(Duration::from_millis(1500))).unwrap();
        assert_eq!(json["LastContactThreshold"], "1.5s");
        assert_eq!(json["ServerStabilizationTime"], "10s");
    }

    #[test]
    fn server_health_healthy_and_not() {
        let h: OperatorHealthReply = fixture(include_str!(
            "../tests/fixtures/operator/autopilot_health.json"
        ));
        assert!(h.healthy);
        assert_eq!(h.failure_tolerance, 1);
        assert_eq!(h.servers.len(), 3);
        let leader = h.server("s2").unwrap();
        assert!(leader.leader && leader.healthy && leader.voter);
        assert_eq!(leader.serf_status, SerfStatus::Alive);
        assert_eq!(leader.last_contact, Some(Duration::ZERO));
        assert_eq!(leader.version, "1.8.7");
        let follower = h.server("s4").unwrap();
        assert_eq!(
            follower.last_contact,
            Some(Duration::from_nanos(50_949_786))
        );
        round_trip(&h);

        let h: OperatorHealthReply = fixture(include_str!(
            "../tests/fixtures/operator/autopilot_health_unhealthy.json"
        ));
        assert!(!h.healthy);
        assert_eq!(h.failure_tolerance, 0);
        let gone = h.server("s4").unwrap();
        assert_eq!(gone.serf_status, SerfStatus::Failed);
        assert!(!gone.healthy);
        assert_eq!(gone.last_contact, None, "\"-1ns\" is unknown");
        assert_eq!(gone.stable_since, "0001-01-01T00:00:00Z");
        round_trip(&h);
    }

    #[test]
    fn keyring_during_a_rotation() {
        let pools: Vec<KeyringResponse> = fixture(include_str!(
            "../tests/fixtures/operator/keyring_list_two_keys.json"
        ));
        assert_eq!(pools.len(), 2);
        assert!(pools[0].wan && !pools[1].wan);
        let old = "Wl6IDVg9YWQxUgfBUPKXIdnFmqSELR/IAlfctYtT7Lw=";
        let new = "m6A3iiDEPJ8+eCMSrwXcWo72ujJ4p7acUaufeFE60/E=";
        for pool in &pools {
            assert_eq!(pool.datacenter, "dc1");
            assert_eq!(pool.num_nodes, 3);
            assert!(pool.installed_everywhere(old) && pool.installed_everywhere(new));
            assert!(pool.primary_everywhere(old) && !pool.primary_everywhere(new));
            assert!(pool.messages.is_empty());
            validate_gossip_key(old).unwrap();
            validate_gossip_key(new).unwrap();
        }
        round_trip(&pools);
    }

    #[test]
    fn gossip_keys_and_relay_factors() {
        // 16 and 24 bytes are AES-128 and AES-192 keys.
        validate_gossip_key("AAAAAAAAAAAAAAAAAAAAAA==").unwrap();
        validate_gossip_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        let err = validate_gossip_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap_err();
        assert!(err.to_string().contains("33 bytes"), "{err}");
        assert!(
            !err.to_string().contains("AAAA"),
            "the key is not repeated: {err}"
        );
        let err = validate_gossip_key("secret-not-base64").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn enterprise_models_decode_the_documented_json() {
        let reply: LicenseReply = fixture(
            r#"{"Valid":true,"License":{"license_id":"2afbf681-0d1a-0649-cb6c-333ec9f0989c",
            "customer_id":"0259271d-8ffc-e85e-0830-c0822c1f5f2b","installation_id":"*",
            "issue_time":"2018-05-21T20:03:35.911567355Z","start_time":"2018-05-21T04:00:00Z",
            "expiration_time":"2019-05-22T03:59:59.999Z","product":"consul",
            "flags":{"package":"premium"},"features":["Network Segments","Redundancy Zone"],
            "temporary":false},"Warnings":[]}"#,
        );
        assert!(reply.valid);
        let license = reply.license.as_ref().unwrap();
        assert_eq!(license.installation_id, "*");
        assert_eq!(license.flags["package"], "premium");
        assert_eq!(license.features.len(), 2);
        assert!(license.modules.is_empty());
        round_trip(&reply);

        let areas: Vec<Area> = fixture(
            r#"[{"ID":"8f246b77-f3e1-ff88-5b48-8ec93abf3e05","PeerDatacenter":"dc2",
            "RetryJoin":["10.1.2.3","10.1.2.4"]}]"#,
        );
        assert_eq!(areas[0].id, "8f246b77-f3e1-ff88-5b48-8ec93abf3e05");
        assert_eq!(areas[0].retry_join.len(), 2);
        assert!(!areas[0].use_tls);
        round_trip(&areas);

        let members: Vec<SerfMember> = fixture(
            r#"[{"ID":"afc5d95c-1eee-4b46-b85b-0efe4c76dd48","Name":"node-2.dc1","Addr":"127.0.0.2",
            "Port":8300,"Datacenter":"dc1","Role":"server","Build":"0.8.0","Protocol":2,
            "Status":"alive","RTT":256478},
            {"Name":"node-3.dc1","Status":"failed","RTT":-1}]"#,
        );
        assert_eq!(members[0].rtt, Some(Duration::from_nanos(256_478)));
        assert_eq!(members[0].status, SerfStatus::Alive);
        assert_eq!(members[0].port, 8300);
        assert_eq!(members[1].rtt, None);
        assert_eq!(members[1].status, SerfStatus::Failed);
        round_trip(&members);

        let joined: Vec<AreaJoinResponse> =
            fixture(r#"[{"Address":"10.1.2.3","Joined":false,"Error":"i/o timeout"}]"#);
        assert!(!joined[0].joined);
        assert_eq!(joined[0].error, "i/o timeout");
    }

    #[test]
    fn a_new_area_needs_a_peer_and_no_id() {
        Area::new("dc2").validate_new().unwrap();
        assert!(Area::new("").validate_new().is_err());
        let mut with_id = Area::new("dc2");
        with_id.id = "8f246b77-f3e1-ff88-5b48-8ec93abf3e05".into();
        assert!(with_id.validate_new().is_err());
    }

    /// The sample answer of Consul's documentation (OSS tab) of `/v1/operator/usage`.
    #[test]
    fn usage_as_documented() {
        let u: Usage = fixture(include_str!(
            "../tests/fixtures/operator/usage_documented.json"
        ));
        let dc1 = &u.usage["dc1"];
        assert_eq!((dc1.services, dc1.service_instances), (1, 1));
        assert_eq!(dc1.connect_service_instances["connect-proxy"], 0);
        assert_eq!(dc1.connect_service_instances.len(), 5);
        assert!(dc1.partition_namespace_services.is_empty());
        round_trip(&u);
        let ent: Usage = fixture(include_str!(
            "../tests/fixtures/operator/usage_documented_enterprise.json"
        ));
        let dc1 = &ent.usage["dc1"];
        assert_eq!(dc1.partition_namespace_services["default"]["default"], 1);
        assert_eq!(
            dc1.partition_namespace_connect_service_instances["default"]["default"]["mesh-gateway"],
            0
        );
        round_trip(&ent);
    }

    /// The sample answer of Consul's documentation of `/v1/operator/autopilot/state`, with
    /// the documented server, zone and upgrade formats filled in.
    #[test]
    fn autopilot_state_as_documented() {
        let s: AutopilotState = fixture(include_str!(
            "../tests/fixtures/operator/autopilot_state_documented.json"
        ));
        assert!(s.healthy);
        assert_eq!(
            (s.failure_tolerance, s.optimistic_failure_tolerance),
            (1, 4)
        );
        assert_eq!(s.voters.len(), 3);
        let leader = s.leader_server().unwrap();
        assert_eq!(leader.name, "node1");
        assert_eq!(leader.node_status, SerfStatus::Alive);
        assert_eq!(leader.status, AutopilotServerStatus::Leader);
        assert_eq!(leader.node_type, AutopilotServerType::ZoneVoter);
        assert_eq!(leader.last_contact, Some(Duration::from_micros(1321)));
        assert_eq!(leader.meta["zone"], "az1");
        let replica = &s.servers["63783741-abd7-48a9-895a-33d01bf7cb30"];
        assert!(replica.read_replica);
        assert_eq!(replica.last_contact, None, "\"-1ns\" is unknown");
        assert_eq!(s.redundancy_zones["az1"].failure_tolerance, 1);
        let upgrade = s.upgrade.as_ref().unwrap();
        assert_eq!(upgrade.status, AutopilotUpgradeStatus::AwaitNewServers);
        assert_eq!(upgrade.target_version, "1.9.1+ent");
        assert_eq!(
            AutopilotServerStatus::from("learner".to_owned()),
            AutopilotServerStatus::Other("learner".into())
        );
        round_trip(&s);
    }

    #[test]
    fn transfer_leader_answer() {
        let t: TransferLeaderResponse = fixture(r#"{"Success":true}"#);
        assert!(t.success);
    }
}
