//! `service-defaults` and `proxy-defaults`, and the mesh settings they share.

use super::{entry, is_default, string_enum, PROXY_DEFAULTS_NAME};
use crate::serde_util::null_as_default;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

string_enum! {
    /// How Connect traffic to upstreams goes through mesh gateways.
    ///
    /// ```
    /// use consul_types::config_entry::MeshGatewayMode;
    /// assert_eq!(MeshGatewayMode::from("local"), MeshGatewayMode::Local);
    /// assert_eq!(MeshGatewayMode::default().as_str(), "");
    /// ```
    MeshGatewayMode {
        /// `""`: not set here; another layer of configuration decides.
        Default = "",
        /// `none`: straight to the upstream, not through a mesh gateway.
        None = "none",
        /// `local`: through a mesh gateway of the local datacenter.
        Local = "local",
        /// `remote`: through a mesh gateway of the upstream's datacenter.
        Remote = "remote",
    }
}

// The enum is declared by `string_enum!`, which has no `#[default]` variant.
#[allow(clippy::derivable_impls)]
impl Default for MeshGatewayMode {
    fn default() -> Self {
        MeshGatewayMode::Default
    }
}

/// How Connect traffic to upstreams uses mesh gateways (Go's `MeshGatewayConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct MeshGatewayConfig {
    /// The mode; [`MeshGatewayMode::Default`] leaves it to another layer.
    #[serde(skip_serializing_if = "is_default")]
    pub mode: MeshGatewayMode,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl MeshGatewayConfig {
    /// A configuration with this mode.
    pub fn new(mode: MeshGatewayMode) -> Self {
        MeshGatewayConfig {
            mode,
            ..MeshGatewayConfig::default()
        }
    }
}

impl From<MeshGatewayMode> for MeshGatewayConfig {
    fn from(mode: MeshGatewayMode) -> Self {
        MeshGatewayConfig::new(mode)
    }
}

/// HTTP paths a proxy exposes outside of Connect (Go's `ExposeConfig`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ExposeConfig {
    /// Expose the paths of every HTTP and gRPC check of the service.
    #[serde(skip_serializing_if = "is_default")]
    pub checks: bool,
    /// The paths exposed.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub paths: Vec<ExposePath>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

setters!(ExposeConfig {
    /// Sets [`ExposeConfig::checks`].
    checks: bool => |v| v;
});

impl ExposeConfig {
    /// Adds one exposed path.
    #[must_use]
    pub fn path(mut self, path: ExposePath) -> Self {
        self.paths.push(path);
        self
    }
}

/// One path a proxy exposes outside of Connect (Go's `ExposePath`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ExposePath {
    /// The port of the proxy's listener for this path.
    #[serde(skip_serializing_if = "is_default")]
    pub listener_port: u16,
    /// The path (`/metrics`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The port the service listens on for it.
    #[serde(skip_serializing_if = "is_default")]
    pub local_path_port: u16,
    /// `http` (the default) or `http2`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// Whether Consul derived it from a check (read-only).
    #[serde(skip_serializing_if = "is_default")]
    pub parsed_from_check: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ExposePath {
    /// Exposes `path`, served by the service on `local_path_port`, on the proxy's
    /// `listener_port`.
    pub fn new(path: impl Into<String>, listener_port: u16, local_path_port: u16) -> Self {
        ExposePath {
            path: path.into(),
            listener_port,
            local_path_port,
            ..ExposePath::default()
        }
    }
}

setters!(ExposePath {
    /// Sets [`ExposePath::protocol`].
    protocol: impl Into<String> => |v: _| Into::into(v);
});

entry! {
    /// A `service-defaults` entry: a service's protocol and mesh settings (Go's
    /// `ServiceConfigEntry`).
    ///
    /// ```
    /// use consul_types::config_entry::{MeshGatewayMode, ServiceDefaults};
    /// let web = ServiceDefaults::new("web")
    ///     .protocol("http")
    ///     .mesh_gateway(MeshGatewayMode::Local)
    ///     .meta("team", "frontend");
    /// assert_eq!(web.protocol, "http");
    /// ```
    ServiceDefaults {
        /// The protocol: `tcp` (the default), `http`, `http2` or `grpc`. Routers and
        /// splitters need an L7 one.
        #[serde(skip_serializing_if = "String::is_empty")]
        protocol: String,
        /// How traffic to it uses mesh gateways.
        #[serde(skip_serializing_if = "is_default")]
        mesh_gateway: MeshGatewayConfig,
        /// Paths its proxies expose outside of Connect.
        #[serde(skip_serializing_if = "is_default")]
        expose: ExposeConfig,
        /// The SNI of a service outside the mesh (no subsets then).
        #[serde(rename = "ExternalSNI", skip_serializing_if = "String::is_empty")]
        external_sni: String,
    }
}

setters!(ServiceDefaults {
    /// Sets [`ServiceDefaults::protocol`].
    protocol: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ServiceDefaults::mesh_gateway`].
    mesh_gateway: impl Into<MeshGatewayConfig> => |v: _| Into::into(v);
    /// Sets [`ServiceDefaults::expose`].
    expose: ExposeConfig => |v| v;
    /// Sets [`ServiceDefaults::external_sni`].
    external_sni: impl Into<String> => |v: _| Into::into(v);
});

entry! {
    /// The `proxy-defaults` entry: settings of every proxy (Go's `ProxyConfigEntry`).
    /// There is one, named `global` ([`ProxyDefaults::global`]).
    ///
    /// ```
    /// use consul_types::config_entry::ProxyDefaults;
    /// let defaults = ProxyDefaults::global().config("protocol", "http");
    /// assert_eq!(defaults.name, "global");
    /// assert_eq!(defaults.config["protocol"], "http");
    /// ```
    ProxyDefaults {
        /// Free-form proxy configuration (`protocol`, `local_connect_timeout_ms`, Envoy
        /// escape hatches, …), as JSON.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "BTreeMap::is_empty"
        )]
        config: BTreeMap<String, Value>,
        /// How proxies use mesh gateways.
        #[serde(skip_serializing_if = "is_default")]
        mesh_gateway: MeshGatewayConfig,
        /// Paths proxies expose outside of Connect.
        #[serde(skip_serializing_if = "is_default")]
        expose: ExposeConfig,
    }
}

impl ProxyDefaults {
    /// The one `proxy-defaults` entry, `global`.
    pub fn global() -> Self {
        ProxyDefaults::new(PROXY_DEFAULTS_NAME)
    }

    /// Sets one key of the proxy configuration.
    #[must_use]
    pub fn config(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }
}

setters!(ProxyDefaults {
    /// Sets [`ProxyDefaults::mesh_gateway`].
    mesh_gateway: impl Into<MeshGatewayConfig> => |v: _| Into::into(v);
    /// Sets [`ProxyDefaults::expose`].
    expose: ExposeConfig => |v| v;
});
