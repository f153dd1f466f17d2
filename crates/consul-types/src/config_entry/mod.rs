//! Configuration entries (`/v1/config`, Consul 1.5+): every kind, typed, in one enum
//! tagged by its `Kind`, and the compiled discovery chain (`/v1/discovery-chain`).
//!
//! A [`ConfigEntry`] is one of the kinds Consul 1.8 knows — [`ServiceDefaults`],
//! [`ProxyDefaults`], [`ServiceRouter`], [`ServiceSplitter`], [`ServiceResolver`],
//! [`IngressGateway`], [`TerminatingGateway`] — one of the kinds added later
//! ([`ServiceIntentions`] 1.9, [`Mesh`] 1.10, [`ExportedServices`] 1.11, the API gateway
//! kinds 1.15, [`JwtProvider`] 1.16, [`FileSystemCertificate`] 1.19), or
//! [`ConfigEntry::Other`]: a kind this version does not model, kept as the JSON Consul
//! sent. Every model also keeps the fields it does not know (`other`), so an entry read,
//! changed and written back loses nothing, whichever Consul wrote it.
//!
//! Writing follows Go's `omitempty`: empty and zero fields are left out of the body, which
//! Consul reads as their zero value. That matters on the open-source agent, which refuses
//! any field it does not have — `Namespace` and `Partition` included, even empty.
//!
//! ```
//! use consul_types::config_entry::{ConfigEntry, ConfigKind, ServiceDefaults, ServiceResolver};
//! use std::time::Duration;
//!
//! let entry: ConfigEntry = ServiceDefaults::new("web").protocol("http").into();
//! assert_eq!(entry.kind(), ConfigKind::ServiceDefaults);
//! let json = serde_json::to_value(&entry).unwrap();
//! assert_eq!(json, serde_json::json!({"Kind": "service-defaults", "Name": "web", "Protocol": "http"}));
//!
//! let read: ConfigEntry = serde_json::from_str(
//!     r#"{"Kind":"service-resolver","Name":"web","ConnectTimeout":"15s","CreateIndex":9,"ModifyIndex":9}"#,
//! ).unwrap();
//! let ConfigEntry::ServiceResolver(resolver) = &read else { panic!() };
//! assert_eq!(resolver.connect_timeout, Duration::from_secs(15));
//! assert_eq!(read.modify_index(), 9);
//!
//! // A kind this version does not model is kept whole.
//! let newer: ConfigEntry = serde_json::from_str(
//!     r#"{"Kind":"sameness-group","Name":"group","Members":[{"Peer":"dc2"}]}"#,
//! ).unwrap();
//! assert_eq!(newer.kind(), ConfigKind::Other("sameness-group".into()));
//! assert_eq!(newer.name(), "group");
//! ```

mod api_gateway;
mod chain;
mod discovery_chain;
mod gateway;
mod mesh;
mod service;

pub use api_gateway::{
    ApiGateway, ApiGatewayListener, ApiGatewayPolicy, ApiGatewayTlsConfiguration, BoundApiGateway,
    BoundApiGatewayListener, Condition, ConfigEntryStatus, FileSystemCertificate, HttpFilters,
    HttpHeaderFilter, HttpHeaderMatch, HttpMatch, HttpPathMatch, HttpQueryMatch,
    HttpResponseFilters, HttpRoute, HttpRouteRule, HttpService, InlineCertificate,
    ResourceReference, RetryFilter, TcpRoute, TcpService, TimeoutFilter, UrlRewrite,
};
pub use chain::{
    ServiceResolver, ServiceResolverFailover, ServiceResolverRedirect, ServiceResolverSubset,
    ServiceRoute, ServiceRouteDestination, ServiceRouteHttpMatch, ServiceRouteHttpMatchHeader,
    ServiceRouteHttpMatchQueryParam, ServiceRouteMatch, ServiceRouter, ServiceSplit,
    ServiceSplitter,
};
pub use discovery_chain::{
    CompiledDiscoveryChain, DiscoveryChainOverrides, DiscoveryFailover, DiscoveryGraphNode,
    DiscoveryNodeType, DiscoveryResolver, DiscoveryRoute, DiscoverySplit, DiscoveryTarget,
};
pub use gateway::{
    GatewayTlsConfig, IngressGateway, IngressListener, IngressService, LinkedService,
    TerminatingGateway,
};
pub use mesh::{
    ExportedService, ExportedServices, IntentionAction, IntentionHttpHeaderPermission,
    IntentionHttpPermission, IntentionPermission, JsonWebKeySet, JwksRetryPolicy, JwtCacheConfig,
    JwtClaimVerification, JwtForwardingConfig, JwtLocation, JwtLocationCookie, JwtLocationHeader,
    JwtLocationQueryParam, JwtProvider, JwtProviderRef, JwtRequirement, LocalJwks, Mesh,
    MeshDirectionalTlsConfig, MeshHttpConfig, MeshTlsConfig, PeeringMeshConfig, RemoteJwks,
    RetryPolicyBackOff, ServiceConsumer, ServiceIntentions, SourceIntention,
    TransparentProxyMeshConfig,
};
pub use service::{
    ExposeConfig, ExposePath, MeshGatewayConfig, MeshGatewayMode, ProxyDefaults, ServiceDefaults,
};

use crate::ValidationError;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The name of the one `proxy-defaults` entry.
pub const PROXY_DEFAULTS_NAME: &str = "global";

/// The name of the one `mesh` entry.
pub const MESH_NAME: &str = "mesh";

/// Declares a config entry model: its name, its own fields, then the fields every kind
/// shares (metadata, namespace, partition, Raft indexes, fields not modelled), with
/// `new(name)`, `meta(key, value)` and the accessors [`ConfigEntry`] dispatches to.
macro_rules! entry {
    ($(#[$doc:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase", default)]
        #[non_exhaustive]
        pub struct $name {
            /// The entry's name: for most kinds the service (or gateway) it configures.
            pub name: String,
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Free-form metadata (Consul 1.8+).
            #[serde(
                deserialize_with = "crate::serde_util::null_as_default",
                skip_serializing_if = "BTreeMap::is_empty"
            )]
            pub meta: BTreeMap<String, String>,
            /// The namespace (Consul Enterprise); left empty on the open-source agent,
            /// which refuses the field.
            #[serde(skip_serializing_if = "String::is_empty")]
            pub namespace: String,
            /// The admin partition (Consul Enterprise 1.11+).
            #[serde(skip_serializing_if = "String::is_empty")]
            pub partition: String,
            /// The Raft index that created it (read-only).
            #[serde(skip_serializing_if = "crate::config_entry::is_default")]
            pub create_index: u64,
            /// The Raft index of its last change: what a check-and-set write compares.
            #[serde(skip_serializing_if = "crate::config_entry::is_default")]
            pub modify_index: u64,
            /// Fields this version does not model, kept so that an entry written back
            /// loses nothing.
            #[serde(flatten)]
            pub other: BTreeMap<String, serde_json::Value>,
        }

        impl $name {
            #[doc = concat!("A `", stringify!($name), "` entry named `name`, everything else empty.")]
            pub fn new(name: impl Into<String>) -> Self {
                $name {
                    name: name.into(),
                    ..$name::default()
                }
            }

            /// Adds one metadata entry.
            #[must_use]
            pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                self.meta.insert(key.into(), value.into());
                self
            }
        }

        impl crate::config_entry::Fields for $name {
            fn name(&self) -> &str {
                &self.name
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
    };
}
pub(crate) use entry;

/// What every typed entry has, for [`ConfigEntry`]'s accessors.
pub(crate) trait Fields {
    fn name(&self) -> &str;
    fn namespace(&self) -> &str;
    fn partition(&self) -> &str;
    fn meta(&self) -> &BTreeMap<String, String>;
    fn create_index(&self) -> u64;
    fn modify_index(&self) -> u64;
}

/// Whether a value is its type's default (Go's `omitempty`).
pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Durations of config entries: written as Go-format text (`"15s"`), read from text or
/// from integer nanoseconds (how Go encodes a `time.Duration` without its own encoding);
/// empty, `null` and `0` are zero, which means "not set".
pub(crate) mod go_duration {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::duration::format(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Nanos(i64),
        }
        match Option::<Either>::deserialize(d)? {
            None => Ok(Duration::ZERO),
            Some(Either::Text(s)) if s.is_empty() => Ok(Duration::ZERO),
            Some(Either::Text(s)) => crate::duration::parse(&s).map_err(serde::de::Error::custom),
            Some(Either::Nanos(n)) => Ok(Duration::from_nanos(n.max(0) as u64)),
        }
    }
}

text_enum! {
    /// The kind of a config entry, as Consul spells it (`service-defaults`, …).
    ///
    /// ```
    /// use consul_types::config_entry::ConfigKind;
    /// assert_eq!(ConfigKind::from("service-router"), ConfigKind::ServiceRouter);
    /// assert_eq!(ConfigKind::ProxyDefaults.as_str(), "proxy-defaults");
    /// assert_eq!(ConfigKind::from("sameness-group"), ConfigKind::Other("sameness-group".into()));
    /// assert!(ConfigKind::ServiceResolver.is_known_to_consul_1_8());
    /// assert!(!ConfigKind::Mesh.is_known_to_consul_1_8());
    /// ```
    ConfigKind {
        /// `service-defaults` (1.5+): a service's protocol and mesh settings.
        ServiceDefaults = "service-defaults",
        /// `proxy-defaults` (1.5+): settings of every proxy; one entry, named `global`.
        ProxyDefaults = "proxy-defaults",
        /// `service-router` (1.6+): L7 routes of a service.
        ServiceRouter = "service-router",
        /// `service-splitter` (1.6+): weighted traffic splits of a service.
        ServiceSplitter = "service-splitter",
        /// `service-resolver` (1.6+): subsets, redirects and failover of a service.
        ServiceResolver = "service-resolver",
        /// `ingress-gateway` (1.8+).
        IngressGateway = "ingress-gateway",
        /// `terminating-gateway` (1.8+).
        TerminatingGateway = "terminating-gateway",
        /// `service-intentions` (1.9+): the intentions of one destination.
        ServiceIntentions = "service-intentions",
        /// `mesh` (1.10+): settings of the whole mesh; one entry, named `mesh`.
        Mesh = "mesh",
        /// `exported-services` (1.11+): services exported to partitions and peers.
        ExportedServices = "exported-services",
        /// `api-gateway` (1.15+).
        ApiGateway = "api-gateway",
        /// `bound-api-gateway` (1.15+): what Consul bound to an API gateway (read-only).
        BoundApiGateway = "bound-api-gateway",
        /// `http-route` (1.15+).
        HttpRoute = "http-route",
        /// `tcp-route` (1.15+).
        TcpRoute = "tcp-route",
        /// `inline-certificate` (1.15+).
        InlineCertificate = "inline-certificate",
        /// `jwt-provider` (1.16+).
        JwtProvider = "jwt-provider",
        /// `file-system-certificate` (1.19+).
        FileSystemCertificate = "file-system-certificate",
    }
}

impl ConfigKind {
    /// Whether Consul 1.8 knows this kind (the seven kinds up to `terminating-gateway`).
    pub fn is_known_to_consul_1_8(&self) -> bool {
        matches!(
            self,
            ConfigKind::ServiceDefaults
                | ConfigKind::ProxyDefaults
                | ConfigKind::ServiceRouter
                | ConfigKind::ServiceSplitter
                | ConfigKind::ServiceResolver
                | ConfigKind::IngressGateway
                | ConfigKind::TerminatingGateway
        )
    }
}

/// A config entry of a kind this version does not model, kept as the JSON object Consul
/// sent (its `Kind` included), so that it can be read, changed and written back whole.
///
/// ```
/// use consul_types::config_entry::OtherEntry;
/// let mut group = OtherEntry::new("sameness-group", "group");
/// group.set("DefaultForFailover", true.into());
/// assert_eq!(group.kind(), "sameness-group");
/// assert_eq!(group.get("DefaultForFailover"), Some(&serde_json::Value::Bool(true)));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct OtherEntry {
    fields: Map<String, Value>,
}

impl OtherEntry {
    /// An entry of `kind` named `name`, with no other field.
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        let mut fields = Map::new();
        fields.insert("Kind".into(), Value::String(kind.into()));
        fields.insert("Name".into(), Value::String(name.into()));
        OtherEntry { fields }
    }

    /// An entry from a JSON object, which must have a string `Kind`.
    ///
    /// # Errors
    /// [`ValidationError::InvalidValue`] when `Kind` is missing or not a string.
    pub fn from_fields(fields: Map<String, Value>) -> Result<Self, ValidationError> {
        match fields.get("Kind") {
            Some(Value::String(_)) => Ok(OtherEntry { fields }),
            _ => Err(ValidationError::InvalidValue {
                field: "config entry",
                reason: "a config entry needs a string Kind".into(),
            }),
        }
    }

    /// Its kind.
    pub fn kind(&self) -> &str {
        self.fields
            .get("Kind")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Its name (empty when it has none, as a `mesh` entry).
    pub fn name(&self) -> &str {
        self.str_field("Name")
    }

    /// Its namespace (Consul Enterprise), empty when it has none.
    pub fn namespace(&self) -> &str {
        self.str_field("Namespace")
    }

    /// Its admin partition (Consul Enterprise), empty when it has none.
    pub fn partition(&self) -> &str {
        self.str_field("Partition")
    }

    /// The Raft index that created it.
    pub fn create_index(&self) -> u64 {
        self.fields
            .get("CreateIndex")
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    /// The Raft index of its last change.
    pub fn modify_index(&self) -> u64 {
        self.fields
            .get("ModifyIndex")
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    /// One field.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }

    /// Sets one field, returning the value it replaces. `Kind` cannot be changed here.
    pub fn set(&mut self, field: impl Into<String>, value: Value) -> Option<Value> {
        let field = field.into();
        if field == "Kind" {
            return self.fields.get("Kind").cloned();
        }
        self.fields.insert(field, value)
    }

    /// Removes one field (not `Kind`), returning its value.
    pub fn remove(&mut self, field: &str) -> Option<Value> {
        if field == "Kind" {
            return None;
        }
        self.fields.remove(field)
    }

    /// Every field, `Kind` included.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// Every field, as a JSON object.
    pub fn into_fields(self) -> Map<String, Value> {
        self.fields
    }

    fn str_field(&self, field: &str) -> &str {
        self.fields.get(field).and_then(Value::as_str).unwrap_or("")
    }
}

impl<'de> Deserialize<'de> for OtherEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        OtherEntry::from_fields(Map::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// Declares [`ConfigEntry`] over its typed kinds, and the conversions between it and them.
macro_rules! config_entry {
    ($($(#[$vdoc:meta])* $variant:ident = $text:literal,)+) => {
        /// One config entry: a typed model of its kind, tagged by `Kind` on the wire, or
        /// [`ConfigEntry::Other`] for a kind this version does not model. See the
        /// [module docs](self).
        ///
        /// Convert a typed entry with `.into()`, and back with `TryFrom` (which hands the
        /// entry back when it is of another kind).
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(tag = "Kind")]
        #[non_exhaustive]
        pub enum ConfigEntry {
            $(
                $(#[$vdoc])*
                #[serde(rename = $text)]
                $variant($variant),
            )+
            /// A kind this version does not model, kept whole.
            #[serde(untagged)]
            Other(OtherEntry),
        }

        impl ConfigEntry {
            /// Its kind.
            pub fn kind(&self) -> ConfigKind {
                match self {
                    $(ConfigEntry::$variant(_) => ConfigKind::$variant,)+
                    ConfigEntry::Other(e) => ConfigKind::from(e.kind()),
                }
            }

            fn fields(&self) -> Option<&dyn Fields> {
                match self {
                    $(ConfigEntry::$variant(e) => Some(e),)+
                    ConfigEntry::Other(_) => None,
                }
            }
        }

        impl<'de> Deserialize<'de> for ConfigEntry {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let mut fields = Map::<String, Value>::deserialize(d)?;
                let kind = match fields.get("Kind") {
                    Some(Value::String(kind)) => kind.clone(),
                    Some(_) => return Err(D::Error::custom("a config entry's Kind must be a string")),
                    None => return Err(D::Error::custom("a config entry needs a Kind")),
                };
                match kind.as_str() {
                    $(
                        $text => {
                            fields.remove("Kind");
                            serde_json::from_value(Value::Object(fields))
                                .map(ConfigEntry::$variant)
                                .map_err(|e| D::Error::custom(format_args!("{} entry: {e}", $text)))
                        }
                    )+
                    _ => Ok(ConfigEntry::Other(OtherEntry { fields })),
                }
            }
        }

        $(
            impl From<$variant> for ConfigEntry {
                fn from(entry: $variant) -> Self {
                    ConfigEntry::$variant(entry)
                }
            }

            impl TryFrom<ConfigEntry> for $variant {
                type Error = ConfigEntry;

                fn try_from(entry: ConfigEntry) -> Result<Self, ConfigEntry> {
                    match entry {
                        ConfigEntry::$variant(e) => Ok(e),
                        other => Err(other),
                    }
                }
            }
        )+
    };
}

config_entry! {
    /// `service-defaults`.
    ServiceDefaults = "service-defaults",
    /// `proxy-defaults`.
    ProxyDefaults = "proxy-defaults",
    /// `service-router`.
    ServiceRouter = "service-router",
    /// `service-splitter`.
    ServiceSplitter = "service-splitter",
    /// `service-resolver`.
    ServiceResolver = "service-resolver",
    /// `ingress-gateway`.
    IngressGateway = "ingress-gateway",
    /// `terminating-gateway`.
    TerminatingGateway = "terminating-gateway",
    /// `service-intentions` (Consul 1.9+).
    ServiceIntentions = "service-intentions",
    /// `mesh` (Consul 1.10+).
    Mesh = "mesh",
    /// `exported-services` (Consul 1.11+).
    ExportedServices = "exported-services",
    /// `api-gateway` (Consul 1.15+).
    ApiGateway = "api-gateway",
    /// `bound-api-gateway` (Consul 1.15+, read-only).
    BoundApiGateway = "bound-api-gateway",
    /// `http-route` (Consul 1.15+).
    HttpRoute = "http-route",
    /// `tcp-route` (Consul 1.15+).
    TcpRoute = "tcp-route",
    /// `inline-certificate` (Consul 1.15+).
    InlineCertificate = "inline-certificate",
    /// `jwt-provider` (Consul 1.16+).
    JwtProvider = "jwt-provider",
    /// `file-system-certificate` (Consul 1.19+).
    FileSystemCertificate = "file-system-certificate",
}

impl From<OtherEntry> for ConfigEntry {
    fn from(entry: OtherEntry) -> Self {
        ConfigEntry::Other(entry)
    }
}

impl ConfigEntry {
    /// Its name (`mesh` for the mesh entry).
    pub fn name(&self) -> &str {
        match self {
            ConfigEntry::Other(e) => e.name(),
            typed => typed.fields().map_or("", |f| f.name()),
        }
    }

    /// Its namespace (Consul Enterprise); empty on the open-source agent.
    pub fn namespace(&self) -> &str {
        match self {
            ConfigEntry::Other(e) => e.namespace(),
            typed => typed.fields().map_or("", |f| f.namespace()),
        }
    }

    /// Its admin partition (Consul Enterprise); empty on the open-source agent.
    pub fn partition(&self) -> &str {
        match self {
            ConfigEntry::Other(e) => e.partition(),
            typed => typed.fields().map_or("", |f| f.partition()),
        }
    }

    /// Its metadata (`None` for a kind this version does not model: read it with
    /// [`OtherEntry::get`]).
    pub fn meta(&self) -> Option<&BTreeMap<String, String>> {
        self.fields().map(|f| f.meta())
    }

    /// The Raft index that created it.
    pub fn create_index(&self) -> u64 {
        match self {
            ConfigEntry::Other(e) => e.create_index(),
            typed => typed.fields().map_or(0, |f| f.create_index()),
        }
    }

    /// The Raft index of its last change: pass it to a check-and-set write.
    pub fn modify_index(&self) -> u64 {
        match self {
            ConfigEntry::Other(e) => e.modify_index(),
            typed => typed.fields().map_or(0, |f| f.modify_index()),
        }
    }

    /// Checks what Consul would refuse or silently change: an empty kind or name, and a
    /// `proxy-defaults` entry not named `global` (Consul 1.8 renames it to `global`,
    /// replacing the global entry).
    ///
    /// ```
    /// use consul_types::config_entry::{ConfigEntry, ProxyDefaults, ServiceDefaults};
    /// assert!(ConfigEntry::from(ProxyDefaults::global()).validate().is_ok());
    /// assert!(ConfigEntry::from(ProxyDefaults::new("web")).validate().is_err());
    /// assert!(ConfigEntry::from(ServiceDefaults::new("")).validate().is_err());
    /// ```
    ///
    /// # Errors
    /// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        let kind = self.kind();
        if kind.as_str().is_empty() {
            return Err(ValidationError::Empty {
                field: "config entry kind",
            });
        }
        match self {
            ConfigEntry::Mesh(_) => Ok(()),
            ConfigEntry::ProxyDefaults(e) if e.name != PROXY_DEFAULTS_NAME => {
                Err(ValidationError::InvalidValue {
                    field: "config entry name",
                    reason: format!(
                        "a proxy-defaults entry must be named {PROXY_DEFAULTS_NAME:?}, not {:?}",
                        e.name
                    )
                    .into(),
                })
            }
            // A kind this version does not know may have no name (as `mesh`).
            ConfigEntry::Other(_) => Ok(()),
            typed if typed.name().is_empty() => Err(ValidationError::Empty {
                field: "config entry name",
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
