//! The API gateway kinds (Consul 1.15+, from Consul's documented JSON): `api-gateway`,
//! `bound-api-gateway` (written by Consul), `http-route`, `tcp-route`,
//! `inline-certificate`, and `file-system-certificate` (1.19+).

use super::{entry, go_duration, is_default, JwtRequirement};
use crate::serde_util::null_as_default;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// A reference to a config entry, or to a section of one (a gateway's listener).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ResourceReference {
    /// The entry's kind (`api-gateway`, `inline-certificate`, …).
    pub kind: String,
    /// The entry's name.
    pub name: String,
    /// The section (a listener's name); empty is the whole entry.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub section_name: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Its admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ResourceReference {
    /// The entry of `kind` named `name`.
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceReference {
            kind: kind.into(),
            name: name.into(),
            ..ResourceReference::default()
        }
    }

    /// Only its section (listener) `name`.
    #[must_use]
    pub fn section(mut self, name: impl Into<String>) -> Self {
        self.section_name = name.into();
        self
    }
}

/// What Consul's controllers report about an entry (read-only).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ConfigEntryStatus {
    /// The conditions reported.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<Condition>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One condition of a [`ConfigEntryStatus`] (`Accepted`, `Bound`, `ResolvedRefs`, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Condition {
    /// Its type.
    #[serde(rename = "Type")]
    pub condition_type: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Why, in one word.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Why, in words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// What it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceReference>,
    /// When it last changed (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

entry! {
    /// An `api-gateway` entry (Consul 1.15+): the listeners of an API gateway (Go's
    /// `APIGatewayConfigEntry`); routes bind to them.
    ///
    /// ```
    /// use consul_types::config_entry::{ApiGateway, ApiGatewayListener, ResourceReference};
    /// let gateway = ApiGateway::new("public").listener(
    ///     ApiGatewayListener::new("https", 8443, "http")
    ///         .certificate(ResourceReference::new("inline-certificate", "public-cert")),
    /// );
    /// assert_eq!(gateway.listeners[0].tls.certificates[0].name, "public-cert");
    /// ```
    ApiGateway {
        /// Its listeners.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        listeners: Vec<ApiGatewayListener>,
        /// What Consul reports about it (read-only).
        #[serde(skip_serializing_if = "is_default")]
        status: ConfigEntryStatus,
    }
}

impl ApiGateway {
    /// Adds one listener.
    #[must_use]
    pub fn listener(mut self, listener: ApiGatewayListener) -> Self {
        self.listeners.push(listener);
        self
    }
}

/// A listener of an API gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ApiGatewayListener {
    /// Its name, unique in the gateway (what routes name as `SectionName`).
    pub name: String,
    /// The host name it answers for; empty is every host.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    /// Its port.
    #[serde(skip_serializing_if = "is_default")]
    pub port: u16,
    /// `http` or `tcp`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// Its TLS settings.
    #[serde(rename = "TLS", skip_serializing_if = "is_default")]
    pub tls: ApiGatewayTlsConfiguration,
    /// Policy that overrides that of routes (Consul Enterprise 1.17+).
    #[serde(rename = "Override", skip_serializing_if = "Option::is_none")]
    pub override_policy: Option<ApiGatewayPolicy>,
    /// Policy of routes that set none (Consul Enterprise 1.17+).
    #[serde(rename = "Default", skip_serializing_if = "Option::is_none")]
    pub default_policy: Option<ApiGatewayPolicy>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ApiGatewayListener {
    /// Listener `name` on `port` for `protocol`.
    pub fn new(name: impl Into<String>, port: u16, protocol: impl Into<String>) -> Self {
        ApiGatewayListener {
            name: name.into(),
            port,
            protocol: protocol.into(),
            ..ApiGatewayListener::default()
        }
    }

    /// Adds a certificate (an `inline-certificate` or `file-system-certificate` entry).
    #[must_use]
    pub fn certificate(mut self, certificate: ResourceReference) -> Self {
        self.tls.certificates.push(certificate);
        self
    }
}

/// TLS of an API gateway listener.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ApiGatewayTlsConfiguration {
    /// Its certificates.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub certificates: Vec<ResourceReference>,
    /// Highest TLS version (`TLSv1_3`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub max_version: String,
    /// Lowest TLS version.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub min_version: String,
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

/// Policy of an API gateway listener.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ApiGatewayPolicy {
    /// JWT requests must carry.
    #[serde(rename = "JWT", skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtRequirement>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

entry! {
    /// A `bound-api-gateway` entry (Consul 1.15+): what Consul bound to an API gateway's
    /// listeners. Consul writes it; it cannot be written.
    BoundApiGateway {
        /// The listeners, with what is bound to each.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        listeners: Vec<BoundApiGatewayListener>,
    }
}

/// A listener of a bound API gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct BoundApiGatewayListener {
    /// The listener's name.
    pub name: String,
    /// Routes bound to it.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub routes: Vec<ResourceReference>,
    /// Certificates bound to it.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub certificates: Vec<ResourceReference>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

entry! {
    /// An `http-route` entry (Consul 1.15+): HTTP routing rules bound to API gateway
    /// listeners (Go's `HTTPRouteConfigEntry`).
    ///
    /// ```
    /// use consul_types::config_entry::{HttpRoute, HttpRouteRule, HttpService, ResourceReference};
    /// let route = HttpRoute::new("web-route")
    ///     .parent(ResourceReference::new("api-gateway", "public").section("https"))
    ///     .rule(HttpRouteRule::default().service(HttpService::new("web")));
    /// assert_eq!(route.rules[0].services[0].name, "web");
    /// ```
    HttpRoute {
        /// The gateway listeners it binds to.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        parents: Vec<ResourceReference>,
        /// Its rules.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        rules: Vec<HttpRouteRule>,
        /// Host names it answers for.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        hostnames: Vec<String>,
        /// What Consul reports about it (read-only).
        #[serde(skip_serializing_if = "is_default")]
        status: ConfigEntryStatus,
    }
}

impl HttpRoute {
    /// Binds it to a gateway (listener).
    #[must_use]
    pub fn parent(mut self, parent: ResourceReference) -> Self {
        self.parents.push(parent);
        self
    }

    /// Adds one rule.
    #[must_use]
    pub fn rule(mut self, rule: HttpRouteRule) -> Self {
        self.rules.push(rule);
        self
    }
}

/// A rule of an HTTP route: what it matches, what it changes, where it sends.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpRouteRule {
    /// Changes to requests.
    #[serde(skip_serializing_if = "is_default")]
    pub filters: HttpFilters,
    /// Changes to responses.
    #[serde(skip_serializing_if = "is_default")]
    pub response_filters: HttpResponseFilters,
    /// What it matches (any of them); none matches every request.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub matches: Vec<HttpMatch>,
    /// Where it sends requests, by weight.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub services: Vec<HttpService>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl HttpRouteRule {
    /// Also matches `criteria`.
    #[must_use]
    pub fn matching(mut self, criteria: HttpMatch) -> Self {
        self.matches.push(criteria);
        self
    }

    /// Also sends to `service`.
    #[must_use]
    pub fn service(mut self, service: HttpService) -> Self {
        self.services.push(service);
        self
    }
}

/// HTTP criteria of a route rule, all of which must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpMatch {
    /// Header criteria.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub headers: Vec<HttpHeaderMatch>,
    /// The method (`GET`, …); empty is every method.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub method: String,
    /// The path criterion.
    #[serde(skip_serializing_if = "is_default")]
    pub path: HttpPathMatch,
    /// Query parameter criteria.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub query: Vec<HttpQueryMatch>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A header criterion: `exact`, `prefix`, `suffix`, `present` or `regex` (`Match`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpHeaderMatch {
    /// How it matches.
    #[serde(rename = "Match")]
    pub match_type: String,
    /// The header.
    pub name: String,
    /// The value.
    pub value: String,
    /// Inverts it.
    #[serde(skip_serializing_if = "is_default")]
    pub invert: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A path criterion: `exact`, `prefix` or `regex` (`Match`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpPathMatch {
    /// How it matches.
    #[serde(rename = "Match", skip_serializing_if = "String::is_empty")]
    pub match_type: String,
    /// The value.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl HttpPathMatch {
    /// Paths starting with `prefix`.
    pub fn prefix(prefix: impl Into<String>) -> Self {
        HttpPathMatch {
            match_type: "prefix".into(),
            value: prefix.into(),
            ..HttpPathMatch::default()
        }
    }

    /// Paths exactly `path`.
    pub fn exact(path: impl Into<String>) -> Self {
        HttpPathMatch {
            match_type: "exact".into(),
            value: path.into(),
            ..HttpPathMatch::default()
        }
    }
}

/// A query parameter criterion: `exact`, `present` or `regex` (`Match`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpQueryMatch {
    /// How it matches.
    #[serde(rename = "Match")]
    pub match_type: String,
    /// The parameter.
    pub name: String,
    /// The value.
    pub value: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Changes made to requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpFilters {
    /// Header changes.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub headers: Vec<HttpHeaderFilter>,
    /// A path rewrite.
    #[serde(rename = "URLRewrite", skip_serializing_if = "Option::is_none")]
    pub url_rewrite: Option<UrlRewrite>,
    /// Retries (1.17+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_filter: Option<RetryFilter>,
    /// Timeouts (1.17+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_filter: Option<TimeoutFilter>,
    /// JWT requests must carry (Consul Enterprise 1.17+).
    #[serde(rename = "JWT", skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtRequirement>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Changes made to responses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpResponseFilters {
    /// Header changes.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub headers: Vec<HttpHeaderFilter>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Header changes: added, removed, set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpHeaderFilter {
    /// Headers added (beside those there).
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub add: BTreeMap<String, String>,
    /// Headers removed.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub remove: Vec<String>,
    /// Headers set (replacing those there).
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub set: BTreeMap<String, String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A path rewrite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct UrlRewrite {
    /// Replaces the matched path prefix.
    pub path: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Retries of a route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct RetryFilter {
    /// How many times to retry.
    #[serde(skip_serializing_if = "is_default")]
    pub num_retries: u32,
    /// On which conditions (Envoy's names).
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub retry_on: Vec<String>,
    /// On which HTTP statuses.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub retry_on_status_codes: Vec<u32>,
    /// On connection failures.
    #[serde(skip_serializing_if = "is_default")]
    pub retry_on_connect_failure: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Timeouts of a route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct TimeoutFilter {
    /// For a whole request.
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub request_timeout: Duration,
    /// For an idle stream.
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub idle_timeout: Duration,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A service a route rule sends to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HttpService {
    /// The service.
    pub name: String,
    /// Its weight among the rule's services.
    #[serde(skip_serializing_if = "is_default")]
    pub weight: i64,
    /// Changes to requests sent to it.
    #[serde(skip_serializing_if = "is_default")]
    pub filters: HttpFilters,
    /// Changes to its responses.
    #[serde(skip_serializing_if = "is_default")]
    pub response_filters: HttpResponseFilters,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Its admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl HttpService {
    /// Service `name`.
    pub fn new(name: impl Into<String>) -> Self {
        HttpService {
            name: name.into(),
            ..HttpService::default()
        }
    }
}

entry! {
    /// A `tcp-route` entry (Consul 1.15+): TCP traffic of API gateway listeners to one
    /// service (Go's `TCPRouteConfigEntry`).
    TcpRoute {
        /// The gateway listeners it binds to.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        parents: Vec<ResourceReference>,
        /// The service it sends to (one).
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        services: Vec<TcpService>,
        /// What Consul reports about it (read-only).
        #[serde(skip_serializing_if = "is_default")]
        status: ConfigEntryStatus,
    }
}

/// The service of a TCP route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct TcpService {
    /// The service.
    pub name: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Its admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

entry! {
    /// An `inline-certificate` entry (Consul 1.15+): a certificate and its key, in PEM,
    /// for API gateway listeners.
    InlineCertificate {
        /// The certificate (PEM).
        #[serde(skip_serializing_if = "String::is_empty")]
        certificate: String,
        /// Its private key (PEM).
        #[serde(skip_serializing_if = "String::is_empty")]
        private_key: String,
    }
}

entry! {
    /// A `file-system-certificate` entry (Consul 1.19+): paths, on the gateway's host, of a
    /// certificate and its key for API gateway listeners.
    FileSystemCertificate {
        /// The certificate's path.
        #[serde(skip_serializing_if = "String::is_empty")]
        certificate: String,
        /// The private key's path.
        #[serde(skip_serializing_if = "String::is_empty")]
        private_key: String,
    }
}
