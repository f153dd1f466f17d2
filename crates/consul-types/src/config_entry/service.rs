//! `service-defaults` and `proxy-defaults`, and the mesh settings they share.

use super::{entry, is_default, PROXY_DEFAULTS_NAME};
use crate::serde_util::null_as_default;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

// The mesh gateway and expose settings are the ones services carry.
pub use crate::agent::{ExposeConfig, ExposePath, MeshGatewayConfig, MeshGatewayMode};

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
