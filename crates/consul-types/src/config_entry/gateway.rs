//! `ingress-gateway` and `terminating-gateway` (Consul 1.8+).

use super::{entry, is_default};
use crate::serde_util::null_as_default;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

entry! {
    /// An `ingress-gateway` entry: the listeners of an ingress gateway and the services
    /// behind each (Go's `IngressGatewayConfigEntry`). Its name is the gateway service's.
    ///
    /// ```
    /// use consul_types::config_entry::{IngressGateway, IngressListener, IngressService};
    /// let ingress = IngressGateway::new("ingress")
    ///     .listener(
    ///         IngressListener::new(8080, "http")
    ///             .service(IngressService::new("web").host("web.example.com")),
    ///     )
    ///     .listener(IngressListener::new(9090, "tcp").service(IngressService::new("db")));
    /// assert_eq!(ingress.listeners.len(), 2);
    /// ```
    IngressGateway {
        /// TLS of the gateway's listeners.
        #[serde(rename = "TLS", skip_serializing_if = "is_default")]
        tls: GatewayTlsConfig,
        /// Its listeners.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        listeners: Vec<IngressListener>,
    }
}

impl IngressGateway {
    /// Adds one listener.
    #[must_use]
    pub fn listener(mut self, listener: IngressListener) -> Self {
        self.listeners.push(listener);
        self
    }

    /// Serves its listeners with TLS (certificates from Connect's CA).
    #[must_use]
    pub fn tls(mut self, enabled: bool) -> Self {
        self.tls.enabled = enabled;
        self
    }
}

/// TLS of a gateway (Go's `GatewayTLSConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct GatewayTlsConfig {
    /// Whether TLS is on.
    #[serde(skip_serializing_if = "is_default")]
    pub enabled: bool,
    /// Fields this version does not model (`TLSMinVersion`, `SDS`, … of later versions).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A listener of an ingress gateway (Go's `IngressListener`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct IngressListener {
    /// The port it listens on.
    #[serde(skip_serializing_if = "is_default")]
    pub port: u16,
    /// `tcp` (the default: one service), `http`, `http2` or `grpc`; it must be the
    /// protocol of its services.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// The services it forwards to (`*` on an HTTP listener: every service).
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub services: Vec<IngressService>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl IngressListener {
    /// A listener on `port` for `protocol`.
    pub fn new(port: u16, protocol: impl Into<String>) -> Self {
        IngressListener {
            port,
            protocol: protocol.into(),
            ..IngressListener::default()
        }
    }

    /// Adds one service.
    #[must_use]
    pub fn service(mut self, service: IngressService) -> Self {
        self.services.push(service);
        self
    }
}

/// A service behind an ingress listener (Go's `IngressService`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct IngressService {
    /// The service (`*`: every service, HTTP listeners only).
    pub name: String,
    /// Host names routed to it (L7 listeners only); none is `<name>.ingress.*`.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub hosts: Vec<String>,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Free-form metadata.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub meta: BTreeMap<String, String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl IngressService {
    /// Service `name`.
    pub fn new(name: impl Into<String>) -> Self {
        IngressService {
            name: name.into(),
            ..IngressService::default()
        }
    }

    /// Also routes host `host` to it.
    #[must_use]
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.hosts.push(host.into());
        self
    }
}

entry! {
    /// A `terminating-gateway` entry: the services outside the mesh a terminating gateway
    /// represents (Go's `TerminatingGatewayConfigEntry`). Its name is the gateway
    /// service's.
    ///
    /// ```
    /// use consul_types::config_entry::{LinkedService, TerminatingGateway};
    /// let egress = TerminatingGateway::new("egress")
    ///     .service(LinkedService::new("billing").ca_file("/etc/ca.pem").sni("billing.example.com"));
    /// assert_eq!(egress.services[0].name, "billing");
    /// ```
    TerminatingGateway {
        /// The services it represents (`*`: every service of the namespace).
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        services: Vec<LinkedService>,
    }
}

impl TerminatingGateway {
    /// Adds one service.
    #[must_use]
    pub fn service(mut self, service: LinkedService) -> Self {
        self.services.push(service);
        self
    }
}

/// A service a terminating gateway represents, and how it reaches it (Go's
/// `LinkedService`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct LinkedService {
    /// The service, as named in the catalog.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// A CA certificate for TLS to it (a path on the gateway's host).
    #[serde(rename = "CAFile", skip_serializing_if = "String::is_empty")]
    pub ca_file: String,
    /// A client certificate for TLS to it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cert_file: String,
    /// The client certificate's key.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key_file: String,
    /// The server name to ask for in the TLS handshake.
    #[serde(rename = "SNI", skip_serializing_if = "String::is_empty")]
    pub sni: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl LinkedService {
    /// Service `name`.
    pub fn new(name: impl Into<String>) -> Self {
        LinkedService {
            name: name.into(),
            ..LinkedService::default()
        }
    }
}

setters!(LinkedService {
    /// Sets [`LinkedService::ca_file`].
    ca_file: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`LinkedService::cert_file`].
    cert_file: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`LinkedService::key_file`].
    key_file: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`LinkedService::sni`].
    sni: impl Into<String> => |v: _| Into::into(v);
});
