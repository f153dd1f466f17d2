//! The Connect (service mesh) fields of a service: its kind ([`ServiceKind`]), the
//! configuration of a proxy or gateway ([`ConnectProxyConfig`], with its [`Upstream`]s,
//! [`MeshGatewayConfig`] and [`ExposeConfig`]) and its Connect settings ([`ServiceConnect`]:
//! Connect-native, or a sidecar proxy registered with it). Field names are those of Go's
//! `api` package of Consul 1.8.7 (`agent.go`, `config_entry.go`).

use super::ServiceRegistration;
use crate::serde_util::null_as_default;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

text_enum! {
    /// What a service is (Go's `api.ServiceKind`): a typical service, or one of Connect's
    /// proxies and gateways.
    ///
    /// ```
    /// use consul_types::agent::ServiceKind;
    /// assert_eq!(ServiceKind::from("connect-proxy"), ServiceKind::ConnectProxy);
    /// assert_eq!(ServiceKind::from(""), ServiceKind::Typical);
    /// assert_eq!(ServiceKind::MeshGateway.as_str(), "mesh-gateway");
    /// assert_eq!(ServiceKind::from("api-gateway"), ServiceKind::Other("api-gateway".into()));
    /// assert!(ServiceKind::TerminatingGateway.is_gateway());
    /// ```
    ServiceKind {
        /// `""`: a typical service (what Consul calls the absence of a kind).
        default Typical = "",
        /// `connect-proxy`: a Connect proxy in front of one service instance.
        ConnectProxy = "connect-proxy",
        /// `mesh-gateway`: routes Connect traffic between datacenters (Consul 1.6+).
        MeshGateway = "mesh-gateway",
        /// `terminating-gateway`: routes Connect traffic to services outside the mesh
        /// (Consul 1.8+).
        TerminatingGateway = "terminating-gateway",
        /// `ingress-gateway`: lets traffic from outside into the mesh (Consul 1.8+).
        IngressGateway = "ingress-gateway",
    }
}

impl ServiceKind {
    /// Whether this is a typical service (no kind).
    pub fn is_typical(&self) -> bool {
        *self == ServiceKind::Typical
    }

    /// Whether this is one of the gateways (mesh, terminating, ingress).
    pub fn is_gateway(&self) -> bool {
        matches!(
            self,
            ServiceKind::MeshGateway
                | ServiceKind::TerminatingGateway
                | ServiceKind::IngressGateway
        )
    }
}

text_enum! {
    /// How Connect traffic to an upstream goes through mesh gateways (Go's
    /// `api.MeshGatewayMode`).
    ///
    /// ```
    /// use consul_types::agent::MeshGatewayMode;
    /// assert_eq!(MeshGatewayMode::from("local"), MeshGatewayMode::Local);
    /// assert_eq!(MeshGatewayMode::default().as_str(), "");
    /// ```
    MeshGatewayMode {
        /// `""`: not set here; a wider layer of configuration decides.
        default Default = "",
        /// `none`: straight to the destination, no gateway.
        None = "none",
        /// `local`: through a mesh gateway in the local datacenter.
        Local = "local",
        /// `remote`: through a mesh gateway in the destination's datacenter.
        Remote = "remote",
    }
}

impl MeshGatewayMode {
    /// Whether no mode is set here.
    pub fn is_default(&self) -> bool {
        *self == MeshGatewayMode::Default
    }
}

text_enum! {
    /// How an upstream's instances are found (Go's `api.UpstreamDestType`).
    ///
    /// ```
    /// use consul_types::agent::UpstreamDestType;
    /// assert_eq!(UpstreamDestType::from("prepared_query"), UpstreamDestType::PreparedQuery);
    /// assert_eq!(UpstreamDestType::from(""), UpstreamDestType::Service);
    /// ```
    UpstreamDestType {
        /// `service` (also an empty value): the healthy instances of a service.
        default Service = "service" | "",
        /// `prepared_query`: the instances a prepared query returns.
        PreparedQuery = "prepared_query",
    }
}

/// How Connect traffic goes through mesh gateways (Go's `api.MeshGatewayConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct MeshGatewayConfig {
    /// The mode.
    #[serde(skip_serializing_if = "MeshGatewayMode::is_default")]
    pub mode: MeshGatewayMode,
    /// Fields this version does not model (a newer Consul's), kept to be written back.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl MeshGatewayConfig {
    /// A configuration with this mode.
    pub fn new(mode: MeshGatewayMode) -> Self {
        MeshGatewayConfig {
            mode,
            other: BTreeMap::new(),
        }
    }

    fn is_unset(&self) -> bool {
        self.mode.is_default() && self.other.is_empty()
    }
}

impl From<MeshGatewayMode> for MeshGatewayConfig {
    fn from(mode: MeshGatewayMode) -> Self {
        MeshGatewayConfig::new(mode)
    }
}

/// An HTTP path a proxy exposes outside of Connect (Go's `api.ExposePath`), for example a
/// metrics endpoint scraped by something that is not in the mesh.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ExposePath {
    /// The port of the proxy's listener for this path.
    #[serde(skip_serializing_if = "is_zero")]
    pub listener_port: u16,
    /// The path (`/metrics`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The port the service serves the path on.
    #[serde(skip_serializing_if = "is_zero")]
    pub local_path_port: u16,
    /// `http` (the default) or `http2`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// Set by Consul on paths it took from the service's HTTP and gRPC checks
    /// (`Expose.Checks`); read only.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub parsed_from_check: bool,
    /// Fields this version does not model (a newer Consul's), kept to be written back.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ExposePath {
    /// Exposes `path`, served by the service on `local_path_port`, on the proxy's
    /// `listener_port`.
    pub fn new(path: impl Into<String>, local_path_port: u16, listener_port: u16) -> Self {
        ExposePath {
            path: path.into(),
            local_path_port,
            listener_port,
            ..ExposePath::default()
        }
    }
}

setters!(ExposePath {
    /// Sets [`ExposePath::protocol`] (`http` or `http2`).
    protocol: impl Into<String> => |v: _| Into::into(v);
});

/// The HTTP paths a proxy exposes outside of Connect (Go's `api.ExposeConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ExposeConfig {
    /// Exposes the paths of the service's HTTP and gRPC checks, so the agent can run them
    /// through the proxy.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub checks: bool,
    /// Paths exposed.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub paths: Vec<ExposePath>,
    /// Fields this version does not model (a newer Consul's), kept to be written back.
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

    fn is_unset(&self) -> bool {
        !self.checks && self.paths.is_empty() && self.other.is_empty()
    }
}

/// A service a proxy connects its local application to (Go's `api.Upstream`): the proxy
/// listens on `local_bind_address:local_bind_port` and forwards to the destination over
/// Connect.
///
/// ```
/// use consul_types::agent::{MeshGatewayMode, Upstream, UpstreamDestType};
/// let db = Upstream::service("db", 9191)
///     .datacenter("dc2")
///     .mesh_gateway(MeshGatewayMode::Local)
///     .config("connect_timeout_ms", 1000);
/// assert_eq!(db.destination_type, UpstreamDestType::Service);
/// assert!(db.validate().is_ok());
/// assert!(Upstream::service("db", 0).validate().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Upstream {
    /// How the destination's instances are found.
    pub destination_type: UpstreamDestType,
    /// The destination's namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_namespace: Option<String>,
    /// The service (or prepared query) to connect to.
    pub destination_name: String,
    /// The destination's datacenter (empty: the proxy's own).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub datacenter: String,
    /// The address the proxy listens on for this upstream (empty: `127.0.0.1`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub local_bind_address: String,
    /// The port the proxy listens on for this upstream.
    #[serde(skip_serializing_if = "is_zero")]
    pub local_bind_port: u16,
    /// Proxy-specific settings for this upstream (Envoy's `connect_timeout_ms`, …).
    #[serde(
        skip_serializing_if = "Map::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub config: Map<String, Value>,
    /// How traffic to this upstream uses mesh gateways.
    #[serde(skip_serializing_if = "MeshGatewayConfig::is_unset")]
    pub mesh_gateway: MeshGatewayConfig,
}

impl Upstream {
    /// The healthy instances of service `name`, reached on local port `local_bind_port`.
    pub fn service(name: impl Into<String>, local_bind_port: u16) -> Self {
        Upstream {
            destination_name: name.into(),
            local_bind_port,
            ..Upstream::default()
        }
    }

    /// The instances prepared query `name` returns, reached on local port
    /// `local_bind_port`.
    pub fn prepared_query(name: impl Into<String>, local_bind_port: u16) -> Self {
        Upstream {
            destination_type: UpstreamDestType::PreparedQuery,
            ..Upstream::service(name, local_bind_port)
        }
    }

    /// Adds one proxy-specific setting.
    #[must_use]
    pub fn config(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// Sets the mesh gateway mode for this upstream.
    #[must_use]
    pub fn mesh_gateway(mut self, mode: MeshGatewayMode) -> Self {
        self.mesh_gateway = MeshGatewayConfig::new(mode);
        self
    }

    /// Checks the upstream as Consul does (`Upstream.Validate`).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] without a destination name;
    /// [`ValidationError::InvalidValue`] for a local bind port of 0 or a destination type
    /// Consul does not know.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let UpstreamDestType::Other(t) = &self.destination_type {
            return Err(ValidationError::InvalidValue {
                field: "upstream destination type",
                reason: format!("{t:?} is not service or prepared_query").into(),
            });
        }
        if self.destination_name.is_empty() {
            return Err(ValidationError::Empty {
                field: "upstream destination name",
            });
        }
        if self.local_bind_port == 0 {
            return Err(ValidationError::InvalidValue {
                field: "upstream local bind port",
                reason: format!("upstream {:?} needs a non-zero port", self.destination_name)
                    .into(),
            });
        }
        Ok(())
    }
}

setters!(Upstream {
    /// Sets [`Upstream::datacenter`].
    datacenter: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`Upstream::local_bind_address`].
    local_bind_address: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`Upstream::destination_namespace`] (Consul Enterprise).
    destination_namespace: impl Into<String> => |v: _| Some(Into::into(v));
});

/// The configuration of a Connect proxy or gateway (Go's
/// `api.AgentServiceConnectProxyConfig`): the `Proxy` of a service of kind
/// [`ServiceKind::ConnectProxy`] or of a gateway.
///
/// ```
/// use consul_types::agent::{ConnectProxyConfig, MeshGatewayMode, Upstream};
/// let proxy = ConnectProxyConfig::for_service("web")
///     .destination_service_id("web-1")
///     .local_service_port(8080)
///     .upstream(Upstream::service("db", 9191))
///     .config("protocol", "http")
///     .mesh_gateway(MeshGatewayMode::Local);
/// let json = serde_json::to_value(&proxy).unwrap();
/// assert_eq!(json["DestinationServiceName"], "web");
/// assert_eq!(json["Upstreams"][0]["LocalBindPort"], 9191);
/// assert_eq!(json["MeshGateway"]["Mode"], "local");
/// assert!(json.get("Expose").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ConnectProxyConfig {
    /// The service the proxy stands for (a `connect-proxy` must name one).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub destination_service_name: String,
    /// The instance the proxy stands for.
    #[serde(
        rename = "DestinationServiceID",
        skip_serializing_if = "String::is_empty"
    )]
    pub destination_service_id: String,
    /// The address the proxy reaches the local instance at (default `127.0.0.1`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub local_service_address: String,
    /// The port the proxy reaches the local instance at (default: the instance's port).
    #[serde(skip_serializing_if = "is_zero")]
    pub local_service_port: u16,
    /// Proxy-specific settings (Envoy's `protocol`, `bind_address`, …).
    #[serde(
        skip_serializing_if = "Map::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub config: Map<String, Value>,
    /// The services the local instance connects to through the proxy.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub upstreams: Vec<Upstream>,
    /// How traffic uses mesh gateways (a mesh gateway's own mode).
    #[serde(skip_serializing_if = "MeshGatewayConfig::is_unset")]
    pub mesh_gateway: MeshGatewayConfig,
    /// HTTP paths exposed outside of Connect.
    #[serde(skip_serializing_if = "ExposeConfig::is_unset")]
    pub expose: ExposeConfig,
}

impl ConnectProxyConfig {
    /// The configuration of a proxy for service `name`.
    pub fn for_service(name: impl Into<String>) -> Self {
        ConnectProxyConfig {
            destination_service_name: name.into(),
            ..ConnectProxyConfig::default()
        }
    }

    /// Adds one upstream.
    #[must_use]
    pub fn upstream(mut self, upstream: Upstream) -> Self {
        self.upstreams.push(upstream);
        self
    }

    /// Adds one proxy-specific setting.
    #[must_use]
    pub fn config(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// Sets the mesh gateway mode.
    #[must_use]
    pub fn mesh_gateway(mut self, mode: MeshGatewayMode) -> Self {
        self.mesh_gateway = MeshGatewayConfig::new(mode);
        self
    }

    /// Exposes the paths of the service's HTTP and gRPC checks (`Expose.Checks`).
    #[must_use]
    pub fn expose_checks(mut self) -> Self {
        self.expose.checks = true;
        self
    }

    /// Exposes one more path.
    #[must_use]
    pub fn expose_path(mut self, path: ExposePath) -> Self {
        self.expose.paths.push(path);
        self
    }
}

setters!(ConnectProxyConfig {
    /// Sets [`ConnectProxyConfig::destination_service_id`].
    destination_service_id: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ConnectProxyConfig::local_service_address`].
    local_service_address: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ConnectProxyConfig::local_service_port`].
    local_service_port: u16 => |v| v;
});

/// The Connect settings of a service (Go's `api.AgentServiceConnect`): whether it speaks
/// Connect itself, or a sidecar proxy to register with it.
///
/// ```
/// use consul_types::agent::{ServiceConnect, ServiceRegistration};
/// let native = ServiceConnect::native();
/// assert_eq!(serde_json::to_value(&native).unwrap(), serde_json::json!({"Native": true}));
/// let sidecar = ServiceConnect::sidecar(ServiceRegistration::default().port(21000));
/// assert_eq!(
///     serde_json::to_value(&sidecar).unwrap(),
///     serde_json::json!({"SidecarService": {"Port": 21000}})
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceConnect {
    /// The service speaks Connect itself (no proxy).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub native: bool,
    /// A sidecar proxy the agent registers with the service (only in registrations: the
    /// agent registers it as its own service of kind [`ServiceKind::ConnectProxy`], named
    /// `<name>-sidecar-proxy` with id `<id>-sidecar-proxy` unless given, and fills in its
    /// proxy configuration and a port of its `sidecar_min_port`..`sidecar_max_port` range
    /// unless given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar_service: Option<Box<ServiceRegistration>>,
}

impl ServiceConnect {
    /// A Connect-native service.
    pub fn native() -> Self {
        ServiceConnect {
            native: true,
            sidecar_service: None,
        }
    }

    /// A service with a sidecar proxy; `ServiceRegistration::default()` lets the agent
    /// choose everything.
    pub fn sidecar(sidecar: ServiceRegistration) -> Self {
        ServiceConnect {
            native: false,
            sidecar_service: Some(Box::new(sidecar)),
        }
    }
}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

/// The Connect rules of Consul's `NodeService.Validate` (1.8.7) that hold for a service of
/// `kind` on `port` with `proxy` and `connect`.
pub(crate) fn validate_connect(
    kind: &ServiceKind,
    port: Option<u16>,
    proxy: Option<&ConnectProxyConfig>,
    connect: Option<&ServiceConnect>,
) -> Result<(), ValidationError> {
    let no_port = port.unwrap_or(0) == 0;
    let native = connect.is_some_and(|c| c.native);
    let sidecar = connect.and_then(|c| c.sidecar_service.as_deref());
    let conflict = |reason: String| ValidationError::InvalidValue {
        field: "service kind",
        reason: reason.into(),
    };
    if *kind == ServiceKind::ConnectProxy {
        if proxy.is_none_or(|p| p.destination_service_name.trim().is_empty()) {
            return Err(ValidationError::Empty {
                field: "proxy destination service name",
            });
        }
        if no_port {
            return Err(conflict("a connect-proxy needs a port".into()));
        }
        if native {
            return Err(ValidationError::Conflict(
                "a connect-proxy cannot also be Connect-native",
            ));
        }
    }
    if kind.is_gateway() {
        if no_port && *kind != ServiceKind::IngressGateway {
            return Err(conflict(format!("a {kind} needs a port")));
        }
        if sidecar.is_some() {
            return Err(conflict(format!("a {kind} cannot have a sidecar service")));
        }
        if let Some(p) = proxy {
            if !p.destination_service_name.is_empty()
                || !p.destination_service_id.is_empty()
                || !p.local_service_address.is_empty()
                || p.local_service_port != 0
                || !p.upstreams.is_empty()
            {
                return Err(conflict(format!(
                    "a {kind} takes no proxy destination, local service or upstreams"
                )));
            }
        }
    }
    if let Some(p) = proxy {
        if *kind == ServiceKind::ConnectProxy {
            for upstream in &p.upstreams {
                upstream.validate()?;
            }
        }
    }
    if let Some(side) = sidecar {
        if side.id.is_some() {
            return Err(ValidationError::Conflict(
                "a sidecar service's id is chosen by the agent: leave it unset",
            ));
        }
        if side
            .connect
            .as_ref()
            .is_some_and(|c| c.sidecar_service.is_some())
        {
            return Err(ValidationError::Conflict(
                "a sidecar service cannot have a sidecar service of its own",
            ));
        }
        side.validate_as_sidecar()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_modes_keep_what_they_do_not_know() {
        for (text, kind) in [
            ("", ServiceKind::Typical),
            ("connect-proxy", ServiceKind::ConnectProxy),
            ("mesh-gateway", ServiceKind::MeshGateway),
            ("terminating-gateway", ServiceKind::TerminatingGateway),
            ("ingress-gateway", ServiceKind::IngressGateway),
            ("api-gateway", ServiceKind::Other("api-gateway".into())),
        ] {
            let read: ServiceKind = serde_json::from_value(Value::from(text)).unwrap();
            assert_eq!(read, kind);
            assert_eq!(serde_json::to_value(&read).unwrap(), text);
        }
        assert!(ServiceKind::Typical.is_typical());
        assert!(!ServiceKind::ConnectProxy.is_gateway());
        assert_eq!(MeshGatewayMode::from("remote"), MeshGatewayMode::Remote);
        assert_eq!(MeshGatewayMode::from("none"), MeshGatewayMode::None);
        assert_eq!(
            UpstreamDestType::PreparedQuery.to_string(),
            "prepared_query"
        );
    }

    #[test]
    fn empty_parts_are_left_out_of_a_registration() {
        let proxy = ConnectProxyConfig::default();
        assert_eq!(serde_json::to_value(&proxy).unwrap(), serde_json::json!({}));
        let up = Upstream::prepared_query("q", 9000).local_bind_address("127.0.0.2");
        assert_eq!(
            serde_json::to_value(&up).unwrap(),
            serde_json::json!({
                "DestinationType": "prepared_query",
                "DestinationName": "q",
                "LocalBindAddress": "127.0.0.2",
                "LocalBindPort": 9000
            })
        );
        let exposed = ConnectProxyConfig::default()
            .expose_checks()
            .expose_path(ExposePath::new("/metrics", 8080, 21500).protocol("http2"));
        assert_eq!(
            serde_json::to_value(&exposed).unwrap(),
            serde_json::json!({"Expose": {"Checks": true, "Paths": [
                {"ListenerPort": 21500, "Path": "/metrics", "LocalPathPort": 8080, "Protocol": "http2"}
            ]}})
        );
    }

    #[test]
    fn nulls_from_consul_read_as_empty() {
        let up: Upstream = serde_json::from_str(
            r#"{"DestinationType":"prepared_query","DestinationName":"q","Datacenter":"",
                "LocalBindAddress":"127.0.0.2","LocalBindPort":9192,"Config":null,"MeshGateway":{}}"#,
        )
        .unwrap();
        assert!(up.config.is_empty());
        assert!(up.mesh_gateway.mode.is_default());
        let proxy: ConnectProxyConfig =
            serde_json::from_str(r#"{"Upstreams":null,"Config":null,"Expose":{"Paths":null}}"#)
                .unwrap();
        assert_eq!(proxy, ConnectProxyConfig::default());
    }

    #[test]
    fn connect_rules_of_consul() {
        let proxy = ConnectProxyConfig::for_service("web");
        let ok = |k: ServiceKind, port, p: Option<&ConnectProxyConfig>| {
            validate_connect(&k, port, p, None)
        };
        assert!(ok(ServiceKind::ConnectProxy, Some(21000), Some(&proxy)).is_ok());
        assert!(ok(ServiceKind::ConnectProxy, Some(21000), None).is_err());
        assert!(ok(ServiceKind::ConnectProxy, None, Some(&proxy)).is_err());
        let bad_upstream = proxy.clone().upstream(Upstream::service("db", 0));
        assert!(ok(ServiceKind::ConnectProxy, Some(1), Some(&bad_upstream)).is_err());
        assert!(validate_connect(
            &ServiceKind::ConnectProxy,
            Some(1),
            Some(&proxy),
            Some(&ServiceConnect::native())
        )
        .is_err());

        assert!(ok(ServiceKind::MeshGateway, Some(8443), None).is_ok());
        assert!(ok(ServiceKind::MeshGateway, None, None).is_err());
        assert!(ok(ServiceKind::IngressGateway, None, None).is_ok());
        assert!(ok(ServiceKind::TerminatingGateway, Some(1), Some(&proxy)).is_err());
        let sidecar = ServiceConnect::sidecar(ServiceRegistration::default());
        assert!(
            validate_connect(&ServiceKind::MeshGateway, Some(1), None, Some(&sidecar)).is_err()
        );

        assert!(validate_connect(&ServiceKind::Typical, None, None, Some(&sidecar)).is_ok());
        let with_id = ServiceConnect::sidecar(ServiceRegistration::default().id("x"));
        assert!(validate_connect(&ServiceKind::Typical, None, None, Some(&with_id)).is_err());
        let nested = ServiceConnect::sidecar(
            ServiceRegistration::default().connect(ServiceConnect::sidecar(Default::default())),
        );
        assert!(validate_connect(&ServiceKind::Typical, None, None, Some(&nested)).is_err());
    }
}
