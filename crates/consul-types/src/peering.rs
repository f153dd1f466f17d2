//! Cluster peering (Consul 1.13+): peerings, the tokens that establish them, and the
//! services peers exchange (Go's `api/peering.go`, `exported_services.go`,
//! `imported_services.go`).
//!
//! No Consul before 1.13 serves these endpoints; the models follow Consul's documented JSON
//! and the Go client's types.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

text_enum! {
    /// Where a peering stands (Go's `api.PeeringState`).
    ///
    /// Consul 1.13 called the first state of a dialing peering `INITIAL`; values this
    /// version does not know are kept as [`PeeringState::Other`].
    PeeringState {
        /// `UNDEFINED`: no state (Go's value for writes that set none).
        default Undefined = "UNDEFINED",
        /// `PENDING`: a token was generated; waiting for the peer to dial with it.
        Pending = "PENDING",
        /// `ESTABLISHING`: this cluster is dialing the peer with its token.
        Establishing = "ESTABLISHING",
        /// `ACTIVE`: the peering stream is up and healthy.
        Active = "ACTIVE",
        /// `FAILING`: the stream was interrupted but the peering is not ended.
        Failing = "FAILING",
        /// `DELETING`: marked for deletion; imported data is being removed.
        Deleting = "DELETING",
        /// `TERMINATED`: the peer ended the peering.
        Terminated = "TERMINATED",
    }
}

/// Where something runs: a region and a zone of it (Go's `api.Locality`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Locality {
    /// The region.
    pub region: String,
    /// The zone within the region.
    pub zone: String,
}

/// What a peering knows of the cluster at the other end (Go's `api.PeeringRemoteInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PeeringRemoteInfo {
    /// The peer's admin partition.
    pub partition: String,
    /// The peer's datacenter.
    pub datacenter: String,
    /// Where the peer runs, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<Locality>,
}

/// The state of a peering's stream, computed when it is read (Go's
/// `api.PeeringStreamStatus`). Times are RFC 3339 strings, as Consul sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PeeringStreamStatus {
    /// The services imported from the peer.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub imported_services: Vec<String>,
    /// The services exported to the peer.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub exported_services: Vec<String>,
    /// When the last heartbeat came.
    pub last_heartbeat: Option<String>,
    /// When any message last came, successful or not.
    pub last_receive: Option<String>,
    /// When any message was last sent, successful or not.
    pub last_send: Option<String>,
}

/// A peering: this cluster's side of a relationship with another cluster (Go's
/// `api.Peering`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Peering {
    /// The peering's ID in this datacenter.
    #[serde(rename = "ID")]
    pub id: String,
    /// This cluster's name for the peer.
    pub name: String,
    /// The local admin partition peered (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// When the peering was marked for deletion (RFC 3339); it stays readable, `DELETING`,
    /// until its imported data is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// Free metadata.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub meta: BTreeMap<String, String>,
    /// Where the peering stands.
    pub state: PeeringState,
    /// The ID the peer gave this peering; sent when dialing the peer.
    #[serde(rename = "PeerID", skip_serializing_if = "String::is_empty")]
    pub peer_id: String,
    /// The peer's CA certificates (PEM).
    #[serde(
        rename = "PeerCAPems",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub peer_ca_pems: Vec<String>,
    /// The peer's server name for TLS.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub peer_server_name: String,
    /// The peer's server addresses (`host:port`).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub peer_server_addresses: Vec<String>,
    /// The stream's state, computed when read.
    pub stream_status: PeeringStreamStatus,
    /// The Raft index of its creation.
    pub create_index: u64,
    /// The Raft index of its last change.
    pub modify_index: u64,
    /// What it knows of the peer.
    pub remote: PeeringRemoteInfo,
}

impl Peering {
    /// Whether it is marked for deletion ([`Peering::deleted_at`] is set).
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// A peering token: an opaque, base64 credential that lets the peer named in it dial this
/// cluster once (it carries a one-time establishment secret).
///
/// Its `Debug` output is redacted, as for ACL tokens; [`PeeringToken::secret`] gives it.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct PeeringToken(String);

impl PeeringToken {
    /// Wraps a token read from elsewhere (the other cluster's answer).
    pub fn new(token: impl Into<String>) -> Self {
        PeeringToken(token.into())
    }

    /// The token itself, to hand to the peer.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for PeeringToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PeeringToken(<redacted>)")
    }
}

impl From<&str> for PeeringToken {
    fn from(s: &str) -> Self {
        PeeringToken::new(s)
    }
}

impl From<String> for PeeringToken {
    fn from(s: String) -> Self {
        PeeringToken(s)
    }
}

impl Serialize for PeeringToken {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PeeringToken {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(PeeringToken)
    }
}

/// The body of `POST /v1/peering/token` (Go's `api.PeeringGenerateTokenRequest`; the
/// partition travels as the `?partition=` parameter, which Consul reads when the body names
/// none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PeeringGenerateTokenRequest {
    /// This cluster's name for the peer that will use the token: a DNS label.
    pub peer_name: String,
    /// Metadata of the peering.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
    /// Addresses (`host:port`) the peer should dial instead of the servers Consul knows:
    /// load balancers or external IPs in front of this cluster's servers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub server_external_addresses: Vec<String>,
}

impl PeeringGenerateTokenRequest {
    /// A request for a token for peer `peer_name`.
    pub fn new(peer_name: impl Into<String>) -> Self {
        PeeringGenerateTokenRequest {
            peer_name: peer_name.into(),
            ..Self::default()
        }
    }
}

/// The body of `POST /v1/peering/establish` (Go's `api.PeeringEstablishRequest`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PeeringEstablishRequest {
    /// This cluster's name for the peer that generated the token: a DNS label.
    pub peer_name: String,
    /// The token the peer generated.
    pub peering_token: PeeringToken,
    /// Metadata of the peering.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

impl PeeringEstablishRequest {
    /// A request to establish a peering with `peer_name` using `token`.
    pub fn new(peer_name: impl Into<String>, token: impl Into<PeeringToken>) -> Self {
        PeeringEstablishRequest {
            peer_name: peer_name.into(),
            peering_token: token.into(),
            meta: BTreeMap::new(),
        }
    }
}

/// Who consumes an exported service (Go's `api.ResolvedConsumers`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ResolvedConsumers {
    /// The cluster peers it is exported to.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub peers: Vec<String>,
    /// The admin partitions it is exported to (Consul Enterprise).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub partitions: Vec<String>,
}

/// A service exported by an `exported-services` config entry, with wildcards and sameness
/// groups expanded (Go's `api.ResolvedExportedService`, Consul 1.17.3+).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ResolvedExportedService {
    /// The service name.
    pub service: String,
    /// Its admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Who consumes it.
    pub consumers: ResolvedConsumers,
}

/// A service imported from a cluster peer (Go's `api.ImportedService`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ImportedService {
    /// The service name.
    pub service: String,
    /// The local admin partition it appears in (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// The local namespace it appears in (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The peer it comes from.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source_peer: String,
    /// The partition it comes from (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source_partition: String,
}

/// The answer of `GET /v1/imported-services`, in either of the shapes Consul sends: a bare
/// list (Consul CE), or an object naming the partition, `{"Partition": …,
/// "ImportedServices": […]}` (Consul Enterprise). `null` is an empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ImportedServices {
    /// The partition the list is of; empty for Consul CE's bare list.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// The services.
    pub imported_services: Vec<ImportedService>,
}

impl<'de> Deserialize<'de> for ImportedServices {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wrapped {
            #[serde(default)]
            partition: String,
            #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
            imported_services: Vec<ImportedService>,
        }

        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Wrapped(Wrapped),
            List(Option<Vec<ImportedService>>),
        }

        Ok(match Shape::deserialize(d)? {
            Shape::Wrapped(w) => ImportedServices {
                partition: w.partition,
                imported_services: w.imported_services,
            },
            Shape::List(list) => ImportedServices {
                partition: String::new(),
                imported_services: list.unwrap_or_default(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    fn round_trip<T>(value: &T)
    where
        T: Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
    {
        let again: T = serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap();
        assert_eq!(&again, value);
    }

    /// The sample answer of Consul's documentation of `GET /v1/peering/:name` (its state
    /// `ACTIVE`, as in the documented list), with the `Meta`, `PeerCAPems`, `StreamStatus`
    /// and `Remote` fields of the Go client's `api.Peering` filled in.
    #[test]
    fn a_peering_as_documented() {
        let p: Peering = fixture(include_str!(
            "../tests/fixtures/peering/read_documented.json"
        ));
        assert_eq!(p.id, "462c45e8-018e-f19d-85eb-1fc1bcc2ef12");
        assert_eq!(p.name, "cluster-02");
        assert_eq!(p.state, PeeringState::Active);
        assert_eq!(p.peer_id, "e83a315c-027e-bcb1-7c0c-a46650904a05");
        assert_eq!(p.peer_server_name, "server.dc1.consul");
        assert_eq!(p.peer_server_addresses, ["10.0.0.1:8300"]);
        assert_eq!(p.peer_ca_pems.len(), 1);
        assert_eq!(p.meta["env"], "production");
        assert_eq!(p.stream_status.exported_services, ["web", "db"]);
        assert!(p.stream_status.imported_services.is_empty());
        assert_eq!(
            p.stream_status.last_heartbeat.as_deref(),
            Some("2023-04-12T17:36:13.151547Z")
        );
        assert_eq!(p.remote.datacenter, "dc2");
        assert_eq!(p.remote.locality.as_ref().unwrap().region, "us-east-1");
        assert_eq!((p.create_index, p.modify_index), (89, 91));
        assert!(!p.is_deleted());
        round_trip(&p);
    }

    /// The list of Consul's documentation, followed by its sample read of a peering marked
    /// for deletion: Consul 1.13's `INITIAL` state is kept as it is, and the deleted peering
    /// says so.
    #[test]
    fn a_list_with_states_old_and_new() {
        let list: Vec<Peering> = fixture(include_str!(
            "../tests/fixtures/peering/list_documented.json"
        ));
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].state, PeeringState::Active);
        assert_eq!(list[0].partition, "default");
        assert_eq!(list[1].state, PeeringState::Other("INITIAL".into()));
        assert_eq!(list[1].state.to_string(), "INITIAL");
        assert!(list[1].peer_server_addresses.is_empty());
        assert_eq!(list[2].state, PeeringState::Terminated);
        assert_eq!(list[2].deleted_at.as_deref(), Some("2022-12-14T23:00:00Z"));
        assert!(list[2].is_deleted());
        for p in &list {
            round_trip(p);
        }
    }

    #[test]
    fn states_round_trip_as_consul_spells_them() {
        for text in [
            "UNDEFINED",
            "PENDING",
            "ESTABLISHING",
            "ACTIVE",
            "FAILING",
            "DELETING",
            "TERMINATED",
            "SOMETHING_NEW",
        ] {
            let state: PeeringState = serde_json::from_value(text.into()).unwrap();
            assert_eq!(state.as_str(), text);
            assert_eq!(serde_json::to_value(&state).unwrap(), text);
        }
        assert_eq!(PeeringState::from("PENDING"), PeeringState::Pending);
        assert_eq!(PeeringState::default(), PeeringState::Undefined);
    }

    #[test]
    fn request_bodies_send_only_what_is_set() {
        let r = PeeringGenerateTokenRequest::new("cluster-02");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"PeerName": "cluster-02"})
        );
        let mut r = PeeringGenerateTokenRequest::new("cluster-02");
        r.meta.insert("env".into(), "production".into());
        r.server_external_addresses.push("1.2.3.4:8502".into());
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({
                "PeerName": "cluster-02",
                "Meta": {"env": "production"},
                "ServerExternalAddresses": ["1.2.3.4:8502"]
            })
        );
        let e = PeeringEstablishRequest::new("cluster-01", "eyJDQSI6bnVsbH0=");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"PeerName": "cluster-01", "PeeringToken": "eyJDQSI6bnVsbH0="})
        );
    }

    #[test]
    fn a_peering_token_is_redacted_in_debug() {
        let t = PeeringToken::new("eyJzZWNyZXQiOiJzM2NyM3QifQ==");
        let e = PeeringEstablishRequest::new("cluster-01", t.clone());
        let shown = format!("{t:?} {e:?}");
        assert!(!shown.contains("eyJ"), "{shown}");
        assert_eq!(t.secret(), "eyJzZWNyZXQiOiJzM2NyM3QifQ==");
        let answer: BTreeMap<String, PeeringToken> = fixture(include_str!(
            "../tests/fixtures/peering/token_documented.json"
        ));
        assert_eq!(answer["PeeringToken"].secret(), "eyJDQSI6bnVsbCwiU2V...");
    }

    /// Both tabs of Consul's documentation of `GET /v1/exported-services`.
    #[test]
    fn exported_services_as_documented() {
        let ce: Vec<ResolvedExportedService> = fixture(include_str!(
            "../tests/fixtures/peering/exported_services_documented.json"
        ));
        assert_eq!(ce.len(), 3);
        assert_eq!(ce[0].service, "frontend");
        assert_eq!(ce[0].consumers.peers, ["east", "west"]);
        assert!(ce[0].partition.is_empty() && ce[0].consumers.partitions.is_empty());
        let ent: Vec<ResolvedExportedService> = fixture(include_str!(
            "../tests/fixtures/peering/exported_services_documented_enterprise.json"
        ));
        assert_eq!(ent.len(), 4);
        assert_eq!(ent[1].namespace, "ns");
        assert_eq!(ent[3].service, "db");
        assert!(ent[3].consumers.peers.is_empty());
        assert_eq!(ent[3].consumers.partitions, ["part1"]);
        for s in ce.iter().chain(&ent) {
            round_trip(s);
        }
    }

    /// The two shapes the Go client reads from `GET /v1/imported-services`.
    #[test]
    fn imported_services_in_both_shapes() {
        let ce: ImportedServices = fixture(include_str!(
            "../tests/fixtures/peering/imported_services.json"
        ));
        assert!(ce.partition.is_empty());
        assert_eq!(ce.imported_services.len(), 2);
        assert_eq!(ce.imported_services[0].service, "api");
        assert_eq!(ce.imported_services[0].source_peer, "cluster-02");
        let ent: ImportedServices = fixture(include_str!(
            "../tests/fixtures/peering/imported_services_enterprise.json"
        ));
        assert_eq!(ent.partition, "default");
        assert_eq!(ent.imported_services.len(), 2);
        assert_eq!(ent.imported_services[1].namespace, "ns1");
        assert_eq!(ent.imported_services[1].source_partition, "part2");
        let none: ImportedServices = fixture("null");
        assert!(none.imported_services.is_empty());
        let empty: ImportedServices = fixture(r#"{"Partition":"default","ImportedServices":null}"#);
        assert!(empty.imported_services.is_empty());
        assert!(serde_json::from_str::<ImportedServices>("42").is_err());
    }
}
