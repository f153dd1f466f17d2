//! Kinds newer than Consul 1.8, from Consul's documented JSON: `service-intentions` (1.9),
//! `mesh` (1.10), `exported-services` (1.11) and `jwt-provider` (1.16). Consul 1.8 refuses
//! them (`invalid config entry kind`).

use super::{entry, go_duration, is_default, Fields, MESH_NAME};
use crate::serde_util::null_as_default;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

text_enum! {
    /// What an intention does with the traffic it matches.
    IntentionAction {
        /// `allow`.
        Allow = "allow",
        /// `deny`.
        Deny = "deny",
    }
}

impl Default for IntentionAction {
    fn default() -> Self {
        IntentionAction::Other(String::new())
    }
}

entry! {
    /// A `service-intentions` entry (Consul 1.9+): every intention of one destination
    /// service (Go's `ServiceIntentionsConfigEntry`).
    ///
    /// ```
    /// use consul_types::config_entry::{IntentionAction, ServiceIntentions, SourceIntention};
    /// let api = ServiceIntentions::new("api")
    ///     .source(SourceIntention::new("web", IntentionAction::Allow))
    ///     .source(SourceIntention::new("*", IntentionAction::Deny));
    /// assert_eq!(api.sources.len(), 2);
    /// ```
    ServiceIntentions {
        /// The sources, each with its action or L7 permissions.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        sources: Vec<SourceIntention>,
        /// JWT every request to the destination must carry (Consul 1.16+).
        #[serde(rename = "JWT", skip_serializing_if = "Option::is_none")]
        jwt: Option<JwtRequirement>,
    }
}

impl ServiceIntentions {
    /// Adds one source.
    #[must_use]
    pub fn source(mut self, source: SourceIntention) -> Self {
        self.sources.push(source);
        self
    }
}

/// The intention of one source towards a [`ServiceIntentions`]' destination (Go's
/// `SourceIntention`): an action (L4) or permissions (L7).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SourceIntention {
    /// The source service (`*`: every service).
    pub name: String,
    /// The cluster peer it is imported from (Consul 1.13+).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub peer: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Its admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// Its sameness group (Consul Enterprise 1.16+).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sameness_group: String,
    /// The L4 action; empty when `permissions` are given.
    #[serde(skip_serializing_if = "is_default")]
    pub action: IntentionAction,
    /// L7 permissions, tried in order.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub permissions: Vec<IntentionPermission>,
    /// Its precedence (read-only).
    #[serde(skip_serializing_if = "is_default")]
    pub precedence: i64,
    /// The kind of source: `consul`.
    #[serde(rename = "Type", skip_serializing_if = "String::is_empty")]
    pub source_type: String,
    /// A description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The id of the ID-based intention it was migrated from (read-only).
    #[serde(rename = "LegacyID", skip_serializing_if = "String::is_empty")]
    pub legacy_id: String,
    /// The metadata of that intention.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub legacy_meta: BTreeMap<String, String>,
    /// When that intention was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_create_time: Option<String>,
    /// When that intention was last updated (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_update_time: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl SourceIntention {
    /// An L4 intention: `action` for every connection from `name`.
    pub fn new(name: impl Into<String>, action: IntentionAction) -> Self {
        SourceIntention {
            name: name.into(),
            action,
            ..SourceIntention::default()
        }
    }

    /// An L7 intention: the permissions of requests from `name`.
    pub fn with_permissions(
        name: impl Into<String>,
        permissions: impl IntoIterator<Item = IntentionPermission>,
    ) -> Self {
        SourceIntention {
            name: name.into(),
            permissions: permissions.into_iter().collect(),
            ..SourceIntention::default()
        }
    }
}

/// An L7 permission of a [`SourceIntention`] (Go's `IntentionPermission`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct IntentionPermission {
    /// What to do with the requests it matches.
    pub action: IntentionAction,
    /// The HTTP requests it matches.
    #[serde(rename = "HTTP", skip_serializing_if = "Option::is_none")]
    pub http: Option<IntentionHttpPermission>,
    /// JWT the requests must carry (Consul 1.16+).
    #[serde(rename = "JWT", skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtRequirement>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl IntentionPermission {
    /// `action` for the HTTP requests matching `http`.
    pub fn http(action: IntentionAction, http: IntentionHttpPermission) -> Self {
        IntentionPermission {
            action,
            http: Some(http),
            ..IntentionPermission::default()
        }
    }
}

/// The HTTP requests an [`IntentionPermission`] matches (Go's `IntentionHTTPPermission`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct IntentionHttpPermission {
    /// The path is exactly this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path_exact: String,
    /// The path starts with this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path_prefix: String,
    /// The path matches this regular expression.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path_regex: String,
    /// Header criteria.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub header: Vec<IntentionHttpHeaderPermission>,
    /// The methods matched; none matches every method.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub methods: Vec<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A header criterion of an [`IntentionHttpPermission`] (Go's
/// `IntentionHTTPHeaderPermission`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct IntentionHttpHeaderPermission {
    /// The header's name.
    pub name: String,
    /// The header is present.
    #[serde(skip_serializing_if = "is_default")]
    pub present: bool,
    /// Its value is exactly this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exact: String,
    /// Its value starts with this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// Its value ends with this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub suffix: String,
    /// Its value matches this regular expression.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub regex: String,
    /// Inverts the criterion.
    #[serde(skip_serializing_if = "is_default")]
    pub invert: bool,
    /// Fields this version does not model (`Contains`, `IgnoreCase`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// JWT requests must carry: any of these providers (Go's `IntentionJWTRequirement` and
/// `APIGatewayJWTRequirement`, which share this shape).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtRequirement {
    /// The providers, each a [`JwtProvider`] entry's name and claims to check.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub providers: Vec<JwtProviderRef>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A [`JwtProvider`] to verify a token with, and claims to check.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtProviderRef {
    /// The `jwt-provider` entry's name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Claims the token must have.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub verify_claims: Vec<JwtClaimVerification>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A claim a token must have.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtClaimVerification {
    /// The path to the claim (`["perms", "role"]`).
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub path: Vec<String>,
    /// Its value (or one of its values, for a list).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The `mesh` entry (Consul 1.10+): settings of the whole service mesh (Go's
/// `MeshConfigEntry`). There is one; it has no `Name` field on the wire (its name is
/// `mesh`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Mesh {
    /// Settings of proxies in transparent mode.
    #[serde(skip_serializing_if = "is_default")]
    pub transparent_proxy: TransparentProxyMeshConfig,
    /// Allows `MutualTLSMode = permissive` in service and proxy defaults (1.16+).
    #[serde(
        rename = "AllowEnablingPermissiveMutualTLS",
        skip_serializing_if = "is_default"
    )]
    pub allow_enabling_permissive_mutual_tls: bool,
    /// Whether routes to unknown clusters keep a route table from loading (1.17+).
    #[serde(skip_serializing_if = "is_default")]
    pub validate_clusters: bool,
    /// TLS settings of the mesh.
    #[serde(rename = "TLS", skip_serializing_if = "Option::is_none")]
    pub tls: Option<MeshTlsConfig>,
    /// HTTP settings of the mesh.
    #[serde(rename = "HTTP", skip_serializing_if = "Option::is_none")]
    pub http: Option<MeshHttpConfig>,
    /// Peering settings of the mesh (1.14+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peering: Option<PeeringMeshConfig>,
    /// Free-form metadata.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub meta: BTreeMap<String, String>,
    /// The namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// The Raft index that created it (read-only).
    #[serde(skip_serializing_if = "is_default")]
    pub create_index: u64,
    /// The Raft index of its last change.
    #[serde(skip_serializing_if = "is_default")]
    pub modify_index: u64,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Fields for Mesh {
    fn name(&self) -> &str {
        MESH_NAME
    }
    fn namespace(&self) -> &str {
        &self.namespace
    }
    fn partition(&self) -> &str {
        &self.partition
    }
    fn meta(&self) -> &BTreeMap<String, String> {
        &self.meta
    }
    fn create_index(&self) -> u64 {
        self.create_index
    }
    fn modify_index(&self) -> u64 {
        self.modify_index
    }
}

/// Transparent-proxy settings of the mesh.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct TransparentProxyMeshConfig {
    /// Proxies may only reach destinations known to the mesh.
    #[serde(skip_serializing_if = "is_default")]
    pub mesh_destinations_only: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// TLS settings of the mesh, per direction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct MeshTlsConfig {
    /// For connections into proxies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incoming: Option<MeshDirectionalTlsConfig>,
    /// For connections out of proxies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outgoing: Option<MeshDirectionalTlsConfig>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// TLS settings of one direction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct MeshDirectionalTlsConfig {
    /// Lowest TLS version (`TLSv1_2`).
    #[serde(rename = "TLSMinVersion", skip_serializing_if = "String::is_empty")]
    pub tls_min_version: String,
    /// Highest TLS version.
    #[serde(rename = "TLSMaxVersion", skip_serializing_if = "String::is_empty")]
    pub tls_max_version: String,
    /// Cipher suites allowed (TLS 1.2 and below).
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cipher_suites: Vec<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// HTTP settings of the mesh.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct MeshHttpConfig {
    /// Drops `X-Forwarded-Client-Cert` headers from outside the mesh.
    #[serde(
        rename = "SanitizeXForwardedClientCert",
        skip_serializing_if = "is_default"
    )]
    pub sanitize_x_forwarded_client_cert: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Peering settings of the mesh.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PeeringMeshConfig {
    /// Peering control traffic goes through mesh gateways.
    #[serde(skip_serializing_if = "is_default")]
    pub peer_through_mesh_gateways: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

entry! {
    /// An `exported-services` entry (Consul 1.11+): services exported to other admin
    /// partitions and cluster peers (Go's `ExportedServicesConfigEntry`). Its name is the
    /// partition's (`default` on the open-source agent).
    ///
    /// ```
    /// use consul_types::config_entry::{ExportedService, ExportedServices, ServiceConsumer};
    /// let exports = ExportedServices::new("default")
    ///     .service(ExportedService::new("web").consumer(ServiceConsumer::peer("dc2-peer")));
    /// assert_eq!(exports.services[0].consumers[0].peer, "dc2-peer");
    /// ```
    ExportedServices {
        /// The services exported.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        services: Vec<ExportedService>,
    }
}

impl ExportedServices {
    /// Adds one exported service.
    #[must_use]
    pub fn service(mut self, service: ExportedService) -> Self {
        self.services.push(service);
        self
    }
}

/// A service an [`ExportedServices`] entry exports, and to whom.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ExportedService {
    /// The service (`*`: every service).
    pub name: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Who may import it.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub consumers: Vec<ServiceConsumer>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ExportedService {
    /// Service `name`.
    pub fn new(name: impl Into<String>) -> Self {
        ExportedService {
            name: name.into(),
            ..ExportedService::default()
        }
    }

    /// Adds one consumer.
    #[must_use]
    pub fn consumer(mut self, consumer: ServiceConsumer) -> Self {
        self.consumers.push(consumer);
        self
    }
}

/// Who may import an exported service: one of a partition, a peer or a sameness group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceConsumer {
    /// An admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// A cluster peer (Consul 1.13+).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub peer: String,
    /// A sameness group (Consul Enterprise 1.16+).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sameness_group: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceConsumer {
    /// Cluster peer `name`.
    pub fn peer(name: impl Into<String>) -> Self {
        ServiceConsumer {
            peer: name.into(),
            ..ServiceConsumer::default()
        }
    }

    /// Admin partition `name`.
    pub fn partition(name: impl Into<String>) -> Self {
        ServiceConsumer {
            partition: name.into(),
            ..ServiceConsumer::default()
        }
    }
}

entry! {
    /// A `jwt-provider` entry (Consul 1.16+): how proxies verify JSON web tokens of one
    /// issuer (Go's `JWTProviderConfigEntry`).
    ///
    /// ```
    /// use consul_types::config_entry::{JsonWebKeySet, JwtProvider, RemoteJwks};
    /// let okta = JwtProvider::new("okta")
    ///     .issuer("https://example.okta.com")
    ///     .json_web_key_set(JsonWebKeySet::remote(RemoteJwks::new("https://example.okta.com/keys")));
    /// assert_eq!(okta.issuer, "https://example.okta.com");
    /// ```
    JwtProvider {
        /// Where the keys are.
        #[serde(rename = "JSONWebKeySet", skip_serializing_if = "Option::is_none")]
        json_web_key_set: Option<JsonWebKeySet>,
        /// The issuer (`iss` claim) tokens must have.
        #[serde(skip_serializing_if = "String::is_empty")]
        issuer: String,
        /// Audiences (`aud`) of which a token must name one.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        audiences: Vec<String>,
        /// Where tokens are found in requests; none is the `Authorization` bearer header
        /// and the `access_token` parameter.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        locations: Vec<JwtLocation>,
        /// How a verified token is forwarded.
        #[serde(skip_serializing_if = "Option::is_none")]
        forwarding: Option<JwtForwardingConfig>,
        /// Clock skew allowed on `exp` and `nbf`, in seconds (Consul's default: 30).
        #[serde(skip_serializing_if = "is_default")]
        clock_skew_seconds: i64,
        /// Caching of verification results.
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_config: Option<JwtCacheConfig>,
    }
}

setters!(JwtProvider {
    /// Sets [`JwtProvider::json_web_key_set`].
    json_web_key_set: JsonWebKeySet => Some;
    /// Sets [`JwtProvider::issuer`].
    issuer: impl Into<String> => |v: _| Into::into(v);
});

/// Where a provider's keys are: one of `local` or `remote`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JsonWebKeySet {
    /// In the entry, or in a file on every proxy's host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalJwks>,
    /// Fetched from a server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteJwks>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl JsonWebKeySet {
    /// Keys fetched from a server.
    pub fn remote(remote: RemoteJwks) -> Self {
        JsonWebKeySet {
            remote: Some(remote),
            ..JsonWebKeySet::default()
        }
    }

    /// Keys given in the entry or in a file.
    pub fn local(local: LocalJwks) -> Self {
        JsonWebKeySet {
            local: Some(local),
            ..JsonWebKeySet::default()
        }
    }
}

/// Keys given in the entry (`jwks`, base64) or in a file (`filename`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct LocalJwks {
    /// The key set, base64-encoded.
    #[serde(rename = "JWKS", skip_serializing_if = "String::is_empty")]
    pub jwks: String,
    /// A file holding it, on every proxy's host.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub filename: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Keys fetched from a server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct RemoteJwks {
    /// The key set's URI.
    #[serde(rename = "URI", skip_serializing_if = "String::is_empty")]
    pub uri: String,
    /// Time allowed to fetch it, in milliseconds.
    #[serde(skip_serializing_if = "is_default")]
    pub request_timeout_ms: u64,
    /// How long fetched keys are kept (Consul's default: 5 minutes).
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub cache_duration: Duration,
    /// Fetch when a request needs it rather than before the listener starts.
    #[serde(skip_serializing_if = "is_default")]
    pub fetch_asynchronously: bool,
    /// Retries of the fetch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<JwksRetryPolicy>,
    /// Fields this version does not model (`JWKSCluster`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl RemoteJwks {
    /// Keys fetched from `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        RemoteJwks {
            uri: uri.into(),
            ..RemoteJwks::default()
        }
    }
}

/// Retries of a key set fetch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwksRetryPolicy {
    /// How many times to retry.
    #[serde(skip_serializing_if = "is_default")]
    pub num_retries: u32,
    /// The backoff between retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy_back_off: Option<RetryPolicyBackOff>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A backoff between retries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct RetryPolicyBackOff {
    /// The first interval (Envoy's default: 1 s).
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub base_interval: Duration,
    /// The longest interval (default: ten times the first).
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub max_interval: Duration,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Where a token is found in a request: one of a header, a query parameter, a cookie.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtLocation {
    /// A header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<JwtLocationHeader>,
    /// A query parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_param: Option<JwtLocationQueryParam>,
    /// A cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie: Option<JwtLocationCookie>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A token in a header.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtLocationHeader {
    /// The header.
    pub name: String,
    /// What precedes the token in it (`Bearer `).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value_prefix: String,
    /// Whether the header is forwarded after verification.
    #[serde(skip_serializing_if = "is_default")]
    pub forward: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A token in a query parameter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtLocationQueryParam {
    /// The parameter.
    pub name: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A token in a cookie.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtLocationCookie {
    /// The cookie.
    pub name: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// How a verified token is forwarded to the service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtForwardingConfig {
    /// The header it is forwarded in (base64url).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub header_name: String,
    /// Pads the forwarded base64.
    #[serde(skip_serializing_if = "is_default")]
    pub pad_forward_payload_header: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Caching of token verification results.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct JwtCacheConfig {
    /// How many results to keep; zero disables the cache.
    #[serde(skip_serializing_if = "is_default")]
    pub size: u64,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}
