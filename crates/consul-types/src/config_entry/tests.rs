use super::*;
use serde_json::json;
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../tests/fixtures/config_entry/",
            $name,
            ".json"
        ))
    };
}

/// Every fixture, by name.
const FIXTURES: &[(&str, &str)] = &[
    ("proxy_defaults", fixture!("proxy_defaults")),
    ("service_defaults", fixture!("service_defaults")),
    ("service_defaults_bare", fixture!("service_defaults_bare")),
    (
        "service_defaults_external",
        fixture!("service_defaults_external"),
    ),
    ("service_resolver", fixture!("service_resolver")),
    (
        "service_resolver_redirect",
        fixture!("service_resolver_redirect"),
    ),
    ("service_splitter", fixture!("service_splitter")),
    ("service_router", fixture!("service_router")),
    ("ingress_gateway", fixture!("ingress_gateway")),
    ("ingress_gateway_bare", fixture!("ingress_gateway_bare")),
    ("terminating_gateway", fixture!("terminating_gateway")),
    ("doc_service_intentions", fixture!("doc_service_intentions")),
    ("doc_mesh", fixture!("doc_mesh")),
    ("doc_exported_services", fixture!("doc_exported_services")),
    ("doc_jwt_provider", fixture!("doc_jwt_provider")),
    ("doc_api_gateway", fixture!("doc_api_gateway")),
    ("doc_bound_api_gateway", fixture!("doc_bound_api_gateway")),
    ("doc_http_route", fixture!("doc_http_route")),
    ("doc_tcp_route", fixture!("doc_tcp_route")),
    ("doc_inline_certificate", fixture!("doc_inline_certificate")),
    (
        "doc_file_system_certificate",
        fixture!("doc_file_system_certificate"),
    ),
    ("doc_sameness_group", fixture!("doc_sameness_group")),
];

fn decode(text: &str) -> ConfigEntry {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The JSON without its empty and zero values, which Consul reads as absent.
fn strip_zero(value: &Value) -> Option<Value> {
    match value {
        Value::Null | Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        // `90` and `90.0` are the same weight.
        Value::Number(n) => n.as_f64().map(Value::from),
        Value::Array(a) => {
            let kept: Vec<Value> = a
                .iter()
                .map(|v| strip_zero(v).unwrap_or(Value::Null))
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        Value::Object(o) => {
            let kept: Map<String, Value> = o
                .iter()
                .filter_map(|(k, v)| strip_zero(v).map(|v| (k.clone(), v)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other.clone()),
    }
}

#[test]
fn every_fixture_decodes_to_its_kind_and_writes_back_whole() {
    for (name, text) in FIXTURES {
        let raw: Value = serde_json::from_str(text).unwrap();
        let entry = decode(text);
        assert_eq!(
            entry.kind().as_str(),
            raw["Kind"].as_str().unwrap(),
            "{name}"
        );
        let is_other = matches!(entry, ConfigEntry::Other(_));
        assert_eq!(is_other, *name == "doc_sameness_group", "{name}");
        if let Some(fields) = entry.fields() {
            // Everything is modelled: nothing lands among the unknown fields.
            let written = serde_json::to_value(&entry).unwrap();
            let typed: Value = serde_json::from_str(text).unwrap();
            assert_eq!(written["Kind"], typed["Kind"], "{name}");
            assert_eq!(fields.create_index(), raw["CreateIndex"].as_u64().unwrap());
        }
        let written = serde_json::to_value(&entry).unwrap();
        assert_eq!(
            strip_zero(&written),
            strip_zero(&raw),
            "{name}: what is written back is what was read"
        );
        // And it reads back the same.
        assert_eq!(decode(&written.to_string()), entry, "{name}");
    }
}

#[test]
fn known_kinds_model_every_field_consul_sends() {
    // Every field of the fixtures is a modelled one: no `other` map, at any depth, holds
    // anything.
    for (name, text) in FIXTURES {
        let entry = decode(text);
        if matches!(entry, ConfigEntry::Other(_)) {
            continue;
        }
        let shown = format!("{entry:?}");
        assert!(shown.contains("other: {}"), "{name}");
        assert!(
            !shown.contains("other: {\""),
            "{name}: a field is not modelled: {shown}"
        );
    }
}

#[test]
fn service_defaults_from_a_real_agent() {
    let ConfigEntry::ServiceDefaults(web) = decode(fixture!("service_defaults")) else {
        panic!()
    };
    assert_eq!(web.name, "web");
    assert_eq!(web.protocol, "http");
    assert_eq!(web.mesh_gateway.mode, MeshGatewayMode::Local);
    assert!(web.expose.checks);
    assert_eq!(
        web.expose.paths,
        vec![ExposePath::new("/metrics", 9090, 21500).protocol("http")]
    );
    assert_eq!(web.meta["team"], "frontend");
    assert_eq!((web.create_index, web.modify_index), (14, 14));
    assert!(web.other.is_empty());

    let ConfigEntry::ServiceDefaults(bare) = decode(fixture!("service_defaults_bare")) else {
        panic!()
    };
    assert_eq!(bare.protocol, "");
    assert_eq!(bare.mesh_gateway.mode, MeshGatewayMode::Default);
    // Written back, Consul's empty values are left out, and with them `Namespace`, which
    // the open-source agent refuses even empty.
    assert_eq!(
        serde_json::to_value(ConfigEntry::from(bare.clone())).unwrap(),
        json!({"Kind": "service-defaults", "Name": "bare", "CreateIndex": 16, "ModifyIndex": 16})
    );

    let external: ServiceDefaults = decode(fixture!("service_defaults_external"))
        .try_into()
        .unwrap();
    assert_eq!(external.external_sni, "external.example.com");

    let list: Vec<ConfigEntry> = serde_json::from_str(fixture!("list_service_defaults")).unwrap();
    assert!(list.len() >= 4);
    assert!(list.iter().all(|e| e.kind() == ConfigKind::ServiceDefaults));
    assert!(list.iter().any(|e| e.name() == "web"));
}

#[test]
fn proxy_defaults_keep_their_free_form_config() {
    let ConfigEntry::ProxyDefaults(global) = decode(fixture!("proxy_defaults")) else {
        panic!()
    };
    assert_eq!(global.name, PROXY_DEFAULTS_NAME);
    assert_eq!(global.config["protocol"], "http");
    assert_eq!(global.config["local_connect_timeout_ms"], 1000);
    assert_eq!(global.config["envoy_extra"], json!({"list": [1, 2]}));
    assert_eq!(global.mesh_gateway.mode, MeshGatewayMode::Remote);
    // Consul sends `"Config": null` for an entry without configuration.
    let bare = decode(
        r#"{"Kind":"proxy-defaults","Name":"global","Config":null,"MeshGateway":{},"Expose":{},"CreateIndex":15,"ModifyIndex":16}"#,
    );
    let ConfigEntry::ProxyDefaults(bare) = bare else {
        panic!()
    };
    assert!(bare.config.is_empty());
}

#[test]
fn the_discovery_chain_kinds_from_a_real_agent() {
    let resolver: ServiceResolver = decode(fixture!("service_resolver")).try_into().unwrap();
    assert_eq!(resolver.default_subset, "v1");
    assert_eq!(
        resolver.subsets["v1"],
        ServiceResolverSubset::filter("Service.Meta.version == v1").only_passing()
    );
    assert_eq!(
        resolver.failover["*"].datacenters,
        vec!["dc2".to_owned(), "dc3".into()]
    );
    assert_eq!(resolver.failover["v2"].service, "api");
    assert_eq!(resolver.connect_timeout, Duration::from_secs(15));
    let redirect: ServiceResolver = decode(fixture!("service_resolver_redirect"))
        .try_into()
        .unwrap();
    assert_eq!(
        redirect.redirect,
        Some(
            ServiceResolverRedirect::service("web")
                .service_subset("v2")
                .datacenter("dc1")
        )
    );

    let splitter: ServiceSplitter = decode(fixture!("service_splitter")).try_into().unwrap();
    let weights: Vec<f32> = splitter.splits.iter().map(|s| s.weight).collect();
    assert_eq!(weights, vec![90.0, 9.5, 0.5]);
    assert_eq!(splitter.splits[2].service, "api");

    let router: ServiceRouter = decode(fixture!("service_router")).try_into().unwrap();
    assert_eq!(router.routes.len(), 2);
    let admin = &router.routes[0];
    let http = admin.r#match.as_ref().unwrap().http.as_ref().unwrap();
    assert_eq!(http.path_prefix, "/admin");
    assert_eq!(
        http.header[0],
        ServiceRouteHttpMatchHeader::present("x-debug")
    );
    assert_eq!(
        http.header[1],
        ServiceRouteHttpMatchHeader::exact("x-env", "prod").invert()
    );
    assert_eq!(http.header[2].regex, "^a.*");
    assert_eq!(
        http.query_param,
        vec![
            ServiceRouteHttpMatchQueryParam::exact("beta", "1"),
            ServiceRouteHttpMatchQueryParam::present("trace"),
        ]
    );
    assert_eq!(http.methods, vec!["GET".to_owned(), "POST".into()]);
    let to = admin.destination.as_ref().unwrap();
    assert_eq!(to.request_timeout, Duration::from_millis(2500));
    assert_eq!(to.num_retries, 3);
    assert!(to.retry_on_connect_failure);
    assert_eq!(to.retry_on_status_codes, vec![503, 504]);
    // Consul 1.8 fills in the default namespace of the destination of a route matching
    // methods; writing it back is accepted (a field of the destination, not the entry's
    // namespace).
    assert_eq!(to.namespace, "default");
    let written = serde_json::to_value(ConfigEntry::from(router)).unwrap();
    assert_eq!(
        written["Routes"][0]["Destination"]["RequestTimeout"],
        "2.5s"
    );
    assert!(written.get("Namespace").is_none());
}

#[test]
fn gateways_from_a_real_agent() {
    let ingress: IngressGateway = decode(fixture!("ingress_gateway")).try_into().unwrap();
    assert!(ingress.tls.enabled);
    assert_eq!(ingress.listeners.len(), 2);
    assert_eq!(
        ingress.listeners[0],
        IngressListener::new(8080, "http")
            .service(IngressService::new("web").host("web.example.com"))
            .service(IngressService::new("api"))
    );
    // `"Hosts": null` is read as no host.
    assert!(ingress.listeners[1].services[0].hosts.is_empty());
    let bare: IngressGateway = decode(fixture!("ingress_gateway_bare")).try_into().unwrap();
    assert!(bare.listeners.is_empty());
    assert!(!bare.tls.enabled);

    let egress: TerminatingGateway = decode(fixture!("terminating_gateway")).try_into().unwrap();
    assert_eq!(
        egress.services[0],
        LinkedService::new("billing")
            .ca_file("/etc/ca.pem")
            .cert_file("/etc/cert.pem")
            .key_file("/etc/key.pem")
            .sni("billing.example.com")
    );
    assert_eq!(egress.services[1].name, "*");
}

#[test]
fn kinds_newer_than_consul_1_8_from_documented_json() {
    let intentions: ServiceIntentions = decode(fixture!("doc_service_intentions"))
        .try_into()
        .unwrap();
    assert_eq!(intentions.sources.len(), 3);
    let dashboard = &intentions.sources[0];
    assert_eq!(dashboard.permissions[0].action, IntentionAction::Allow);
    let http = dashboard.permissions[0].http.as_ref().unwrap();
    assert_eq!(http.path_prefix, "/v2");
    assert_eq!(http.methods.len(), 5);
    assert!(http.header[0].present);
    assert_eq!(dashboard.source_type, "consul");
    let web = &intentions.sources[1];
    assert_eq!(
        (web.peer.as_str(), &web.action),
        ("dc2-peer", &IntentionAction::Allow)
    );
    assert_eq!(web.legacy_id, "8a3e33f8-4c29-7d2a-1d8e-fb7bd9b1a0f2");
    assert_eq!(web.legacy_meta["owner"], "platform");
    assert_eq!(intentions.sources[2].action, IntentionAction::Deny);
    let jwt = intentions.jwt.as_ref().unwrap();
    assert_eq!(jwt.providers[0].name, "okta");
    assert_eq!(
        jwt.providers[0].verify_claims[0].path,
        vec!["perms", "role"]
    );

    let mesh: Mesh = decode(fixture!("doc_mesh")).try_into().unwrap();
    assert!(mesh.transparent_proxy.mesh_destinations_only);
    assert!(mesh.allow_enabling_permissive_mutual_tls);
    let incoming = mesh.tls.as_ref().unwrap().incoming.as_ref().unwrap();
    assert_eq!(incoming.tls_min_version, "TLSv1_2");
    assert!(mesh.http.as_ref().unwrap().sanitize_x_forwarded_client_cert);
    assert!(mesh.peering.as_ref().unwrap().peer_through_mesh_gateways);
    let entry = ConfigEntry::from(mesh);
    assert_eq!(entry.name(), MESH_NAME);
    assert!(
        serde_json::to_value(&entry).unwrap().get("Name").is_none(),
        "the mesh entry has no Name field"
    );

    let exports: ExportedServices = decode(fixture!("doc_exported_services"))
        .try_into()
        .unwrap();
    assert_eq!(exports.name, "default");
    let consumers = &exports.services[0].consumers;
    assert_eq!(consumers[0], ServiceConsumer::peer("dc2-peer"));
    assert_eq!(consumers[1], ServiceConsumer::partition("finance"));
    assert_eq!(consumers[2].sameness_group, "east");

    let okta: JwtProvider = decode(fixture!("doc_jwt_provider")).try_into().unwrap();
    let remote = okta
        .json_web_key_set
        .as_ref()
        .unwrap()
        .remote
        .as_ref()
        .unwrap();
    assert_eq!(remote.cache_duration, Duration::from_secs(600));
    assert_eq!(remote.request_timeout_ms, 1500);
    let backoff = remote
        .retry_policy
        .as_ref()
        .unwrap()
        .retry_policy_back_off
        .as_ref()
        .unwrap();
    assert_eq!(backoff.max_interval, Duration::from_secs(10));
    assert_eq!(okta.locations.len(), 3);
    assert_eq!(
        okta.locations[0].header.as_ref().unwrap().value_prefix,
        "Bearer "
    );
    assert_eq!(okta.clock_skew_seconds, 45);
    assert_eq!(okta.cache_config.as_ref().unwrap().size, 100);

    let gateway: ApiGateway = decode(fixture!("doc_api_gateway")).try_into().unwrap();
    assert_eq!(gateway.listeners[0].port, 8443);
    assert_eq!(
        gateway.listeners[0].tls.certificates,
        vec![ResourceReference::new("inline-certificate", "public-cert")]
    );
    assert!(gateway.listeners[0].default_policy.is_some());
    assert!(gateway.listeners[1].tls.certificates.is_empty());
    assert_eq!(gateway.status.conditions[0].condition_type, "Accepted");

    let bound: BoundApiGateway = decode(fixture!("doc_bound_api_gateway"))
        .try_into()
        .unwrap();
    assert_eq!(bound.listeners[0].routes[0].name, "web-route");

    let route: HttpRoute = decode(fixture!("doc_http_route")).try_into().unwrap();
    assert_eq!(
        route.parents,
        vec![ResourceReference::new("api-gateway", "public").section("https")]
    );
    let rule = &route.rules[0];
    assert_eq!(rule.matches[0].path, HttpPathMatch::prefix("/web"));
    assert_eq!(rule.matches[0].headers[0].match_type, "exact");
    assert_eq!(rule.filters.url_rewrite.as_ref().unwrap().path, "/");
    assert_eq!(
        rule.filters.timeout_filter.as_ref().unwrap().idle_timeout,
        Duration::from_secs(30)
    );
    assert_eq!(rule.services[1].weight, 10);
    assert_eq!(
        rule.response_filters.headers[0].set["cache-control"],
        "no-store"
    );

    let tcp: TcpRoute = decode(fixture!("doc_tcp_route")).try_into().unwrap();
    assert_eq!(tcp.services[0].name, "db");
    let inline: InlineCertificate = decode(fixture!("doc_inline_certificate"))
        .try_into()
        .unwrap();
    assert!(inline
        .certificate
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let fs: FileSystemCertificate = decode(fixture!("doc_file_system_certificate"))
        .try_into()
        .unwrap();
    assert_eq!(fs.private_key, "/opt/gateway/key.pem");
}

#[test]
fn an_unknown_kind_is_kept_whole_through_read_modify_write() {
    let text = fixture!("doc_sameness_group");
    let ConfigEntry::Other(mut group) = decode(text) else {
        panic!("sameness-group is not modelled")
    };
    assert_eq!(group.kind(), "sameness-group");
    assert_eq!(group.name(), "east");
    assert_eq!(group.partition(), "default");
    assert_eq!((group.create_index(), group.modify_index()), (90, 92));
    let entry = ConfigEntry::Other(group.clone());
    assert_eq!(entry.kind(), ConfigKind::Other("sameness-group".into()));
    assert_eq!((entry.name(), entry.modify_index()), ("east", 92));
    assert!(entry.meta().is_none());

    // Change one field; everything else, nested lists included, goes back as it came.
    assert_eq!(
        group.set("DefaultForFailover", Value::Bool(false)),
        Some(Value::Bool(true))
    );
    let written = serde_json::to_value(ConfigEntry::Other(group.clone())).unwrap();
    let mut expected: Value = serde_json::from_str(text).unwrap();
    expected["DefaultForFailover"] = Value::Bool(false);
    assert_eq!(written, expected);
    // `Kind` stays.
    group.set("Kind", "mesh".into());
    assert_eq!(group.remove("Kind"), None);
    assert_eq!(group.kind(), "sameness-group");
    assert_eq!(group.into_fields()["Members"][1]["Peer"], "dc2-peer");

    let built = OtherEntry::new("sameness-group", "west");
    assert_eq!(
        serde_json::to_value(ConfigEntry::from(built)).unwrap(),
        json!({"Kind": "sameness-group", "Name": "west"})
    );
    assert!(OtherEntry::from_fields(Map::new()).is_err());
    let read: OtherEntry = serde_json::from_str(text).unwrap();
    assert_eq!(read.name(), "east");
    assert!(serde_json::from_str::<OtherEntry>(r#"{"Name":"x"}"#).is_err());
    let fields = json!({"Kind": "x"}).as_object().unwrap().clone();
    assert_eq!(OtherEntry::from_fields(fields).unwrap().name(), "");
}

#[test]
fn known_kinds_keep_fields_of_newer_consuls() {
    // A service-defaults entry as Consul 1.10+ sends it: fields 1.8 does not have are
    // kept, at the top and inside nested models, and written back.
    let text = r#"{
        "Kind": "service-defaults", "Name": "web", "Protocol": "http",
        "Mode": "transparent", "TransparentProxy": {"OutboundListenerPort": 15001},
        "MeshGateway": {"Mode": "local", "Future": 1},
        "UpstreamConfig": {"Defaults": {"ConnectTimeoutMs": 5000}},
        "Partition": "default", "CreateIndex": 3, "ModifyIndex": 4
    }"#;
    let web: ServiceDefaults = decode(text).try_into().unwrap();
    assert_eq!(web.other["Mode"], "transparent");
    assert_eq!(web.mesh_gateway.other["Future"], 1);
    assert_eq!(web.partition, "default");
    let written = serde_json::to_value(ConfigEntry::from(web)).unwrap();
    assert_eq!(written, serde_json::from_str::<Value>(text).unwrap());
}

#[test]
fn entries_are_written_as_consul_reads_them() {
    let entry: ConfigEntry = ServiceResolver::new("web")
        .default_subset("v1")
        .subset(
            "v1",
            ServiceResolverSubset::filter("Service.Meta.version == v1"),
        )
        .failover("*", ServiceResolverFailover::datacenters(["dc2"]))
        .connect_timeout(Duration::from_millis(1500))
        .meta("owner", "web-team")
        .into();
    assert_eq!(
        serde_json::to_value(&entry).unwrap(),
        json!({
            "Kind": "service-resolver", "Name": "web", "DefaultSubset": "v1",
            "Subsets": {"v1": {"Filter": "Service.Meta.version == v1"}},
            "Failover": {"*": {"Datacenters": ["dc2"]}},
            "ConnectTimeout": "1.5s", "Meta": {"owner": "web-team"}
        })
    );
    let splitter: ConfigEntry = ServiceSplitter::new("web")
        .split(ServiceSplit::new(100.0))
        .split(ServiceSplit::new(0.0).service_subset("v2"))
        .into();
    assert_eq!(
        serde_json::to_value(&splitter).unwrap(),
        json!({"Kind": "service-splitter", "Name": "web",
               "Splits": [{"Weight": 100.0}, {"Weight": 0.0, "ServiceSubset": "v2"}]})
    );
    let router: ConfigEntry = ServiceRouter::new("web")
        .route(
            ServiceRoute::http(
                ServiceRouteHttpMatch::path_exact("/x")
                    .header(ServiceRouteHttpMatchHeader::present("h"))
                    .method("GET"),
            )
            .destination(ServiceRouteDestination::service("db").num_retries(2)),
        )
        .into();
    assert_eq!(
        serde_json::to_value(&router).unwrap(),
        json!({"Kind": "service-router", "Name": "web", "Routes": [{
            "Match": {"HTTP": {"PathExact": "/x", "Header": [{"Name": "h", "Present": true}], "Methods": ["GET"]}},
            "Destination": {"Service": "db", "NumRetries": 2}
        }]})
    );
    let defaults: ConfigEntry = ProxyDefaults::global()
        .config("protocol", "grpc")
        .mesh_gateway(MeshGatewayMode::None)
        .expose(ExposeConfig::default().checks(true))
        .into();
    assert_eq!(
        serde_json::to_value(&defaults).unwrap(),
        json!({"Kind": "proxy-defaults", "Name": "global", "Config": {"protocol": "grpc"},
               "MeshGateway": {"Mode": "none"}, "Expose": {"Checks": true}})
    );
    let ingress: ConfigEntry = IngressGateway::new("in")
        .tls(true)
        .listener(IngressListener::new(80, "http").service(IngressService::new("*")))
        .into();
    assert_eq!(
        serde_json::to_value(&ingress).unwrap(),
        json!({"Kind": "ingress-gateway", "Name": "in", "TLS": {"Enabled": true},
               "Listeners": [{"Port": 80, "Protocol": "http", "Services": [{"Name": "*"}]}]})
    );
}

#[test]
fn conversions_between_the_enum_and_its_kinds() {
    let entry = ConfigEntry::from(ServiceDefaults::new("web"));
    let back = ServiceSplitter::try_from(entry.clone()).unwrap_err();
    assert_eq!(back, entry, "the entry of another kind is handed back");
    assert_eq!(ServiceDefaults::try_from(entry).unwrap().name, "web");
    for kind in [
        "service-defaults",
        "proxy-defaults",
        "service-router",
        "service-splitter",
        "service-resolver",
        "ingress-gateway",
        "terminating-gateway",
        "service-intentions",
        "mesh",
        "exported-services",
        "api-gateway",
        "bound-api-gateway",
        "http-route",
        "tcp-route",
        "inline-certificate",
        "jwt-provider",
        "file-system-certificate",
    ] {
        let entry = decode(&json!({"Kind": kind, "Name": "n"}).to_string());
        assert!(!matches!(entry, ConfigEntry::Other(_)), "{kind}");
        assert_eq!(entry.kind().as_str(), kind);
        assert_eq!(ConfigKind::from(kind).as_str(), kind);
        assert_eq!(serde_json::to_value(&entry).unwrap()["Kind"], kind);
    }
}

#[test]
fn bad_entries_are_refused_when_read() {
    for bad in [
        r#"{"Name":"web"}"#,
        r#"{"Kind":7,"Name":"web"}"#,
        r#"{"Kind":"service-resolver","Name":"web","ConnectTimeout":"soon"}"#,
        r#"{"Kind":"service-defaults","Name":"web","Protocol":5}"#,
        r#"[]"#,
    ] {
        assert!(serde_json::from_str::<ConfigEntry>(bad).is_err(), "{bad}");
    }
    let e = serde_json::from_str::<ConfigEntry>(
        r#"{"Kind":"service-resolver","ConnectTimeout":"soon"}"#,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("service-resolver entry: "), "{e}");
}

#[test]
fn durations_are_read_as_text_or_nanoseconds() {
    let from_nanos: ServiceResolver =
        decode(r#"{"Kind":"service-resolver","Name":"w","ConnectTimeout":7000000000}"#)
            .try_into()
            .unwrap();
    assert_eq!(from_nanos.connect_timeout, Duration::from_secs(7));
    let empty: ServiceResolver =
        decode(r#"{"Kind":"service-resolver","Name":"w","ConnectTimeout":""}"#)
            .try_into()
            .unwrap();
    assert_eq!(empty.connect_timeout, Duration::ZERO);
    let null: ServiceResolver =
        decode(r#"{"Kind":"service-resolver","Name":"w","ConnectTimeout":null}"#)
            .try_into()
            .unwrap();
    assert_eq!(null.connect_timeout, Duration::ZERO);
}

#[test]
fn validation_catches_what_consul_would_refuse_or_change() {
    assert!(ConfigEntry::from(ServiceDefaults::new("web"))
        .validate()
        .is_ok());
    assert_eq!(
        ConfigEntry::from(ServiceRouter::new("")).validate(),
        Err(ValidationError::Empty {
            field: "config entry name"
        })
    );
    let e = ConfigEntry::from(ProxyDefaults::new("web"))
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("must be named \"global\""), "{e}");
    assert!(ConfigEntry::from(ProxyDefaults::global())
        .validate()
        .is_ok());
    assert!(ConfigEntry::from(Mesh::default()).validate().is_ok());
    assert!(ConfigEntry::from(OtherEntry::new("x", ""))
        .validate()
        .is_ok());
    assert_eq!(
        ConfigEntry::from(OtherEntry::new("", "n")).validate(),
        Err(ValidationError::Empty {
            field: "config entry kind"
        })
    );
}

#[test]
fn kinds_and_modes_spell_as_consul_does() {
    assert!(ConfigKind::TerminatingGateway.is_known_to_consul_1_8());
    assert!(!ConfigKind::ServiceIntentions.is_known_to_consul_1_8());
    assert!(!ConfigKind::Other("x".into()).is_known_to_consul_1_8());
    assert_eq!(ConfigKind::JwtProvider.to_string(), "jwt-provider");
    assert_eq!(MeshGatewayMode::from(""), MeshGatewayMode::Default);
    assert_eq!(MeshGatewayMode::from("none"), MeshGatewayMode::None);
    assert_eq!(
        MeshGatewayMode::from("sideways"),
        MeshGatewayMode::Other("sideways".into())
    );
    assert_eq!(IntentionAction::from("deny"), IntentionAction::Deny);
    assert_eq!(
        DiscoveryNodeType::from("splitter"),
        DiscoveryNodeType::Splitter
    );
}

#[test]
fn a_compiled_chain_from_a_real_agent() {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Response {
        chain: CompiledDiscoveryChain,
    }
    let chain = serde_json::from_str::<Response>(fixture!("discovery_chain_web"))
        .unwrap()
        .chain;
    assert_eq!(
        (chain.service_name.as_str(), chain.protocol.as_str()),
        ("web", "http")
    );
    assert_eq!(chain.datacenter, "dc1");
    assert!(!chain.is_default());
    let router = chain.start().unwrap();
    assert_eq!(router.node_type, DiscoveryNodeType::Router);
    // The router's two routes, then the catch-all route Consul adds, to the splitter.
    assert_eq!(router.routes.len(), 3);
    let admin = &router.routes[0];
    let definition = admin.definition.as_ref().unwrap();
    assert_eq!(
        definition.destination.as_ref().unwrap().service_subset,
        "v2"
    );
    let v2 = chain.node(&admin.next_node).unwrap();
    assert_eq!(v2.node_type, DiscoveryNodeType::Resolver);
    let splitter = chain.node(&router.routes[2].next_node).unwrap();
    assert_eq!(splitter.node_type, DiscoveryNodeType::Splitter);
    let weights: Vec<f32> = splitter.splits.iter().map(|s| s.weight).collect();
    assert_eq!(weights, vec![90.0, 9.5, 0.5]);
    let v1 = chain.node(&splitter.splits[0].next_node).unwrap();
    let resolver = v1.resolver.as_ref().unwrap();
    assert_eq!(resolver.connect_timeout, Duration::from_secs(15));
    assert!(!resolver.default);
    let target = chain.target(&resolver.target).unwrap();
    assert_eq!(
        (target.service.as_str(), target.service_subset.as_str()),
        ("web", "v1")
    );
    assert_eq!(target.subset.filter, "Service.Meta.version == v1");
    assert!(target.subset.only_passing);
    assert!(target.sni.ends_with(".consul"));
    // Failover targets in other datacenters go through mesh gateways: in the mode of
    // web's service defaults (local), of the proxy defaults (remote) for api.
    let failover = resolver.failover.as_ref().unwrap();
    assert_eq!(
        failover.targets,
        vec!["v1.web.default.dc2", "v1.web.default.dc3"]
    );
    let remote = chain.target(&failover.targets[0]).unwrap();
    assert_eq!(remote.mesh_gateway.mode, MeshGatewayMode::Local);
    assert_eq!(remote.datacenter, "dc2");
    let api = chain.target("api.default.dc2").unwrap();
    assert_eq!(api.mesh_gateway.mode, MeshGatewayMode::Remote);

    // Nothing the agent sent is lost when written back.
    let raw: Value = serde_json::from_str(fixture!("discovery_chain_web")).unwrap();
    assert_eq!(
        strip_zero(&serde_json::to_value(&chain).unwrap()),
        strip_zero(&raw["Chain"])
    );

    let other_dc = serde_json::from_str::<Response>(fixture!("discovery_chain_web_dc2"))
        .unwrap()
        .chain;
    assert_eq!(other_dc.datacenter, "dc2");
    assert!(other_dc
        .targets
        .keys()
        .all(|id| !id.ends_with(".dc1") || other_dc.targets[id].datacenter == "dc1"));

    let default = serde_json::from_str::<Response>(fixture!("discovery_chain_default"))
        .unwrap()
        .chain;
    assert!(default.is_default());
    assert_eq!(default.protocol, "tcp");
    assert!(default.customization_hash.is_empty());

    let overridden = serde_json::from_str::<Response>(fixture!("discovery_chain_overrides"))
        .unwrap()
        .chain;
    assert_eq!(overridden.protocol, "grpc");
    assert!(!overridden.customization_hash.is_empty());
    let resolver = overridden.start().unwrap().resolver.as_ref().unwrap();
    assert_eq!(resolver.connect_timeout, Duration::from_secs(7));
    assert!(
        overridden.is_default(),
        "overrides keep the default resolver"
    );
}

#[test]
fn overrides_are_written_as_consul_reads_them() {
    let none = DiscoveryChainOverrides::default();
    assert!(none.is_empty());
    assert_eq!(serde_json::to_value(&none).unwrap(), json!({}));
    let all = DiscoveryChainOverrides::default()
        .connect_timeout(Duration::from_secs(7))
        .protocol("grpc")
        .mesh_gateway(MeshGatewayMode::Local);
    assert!(!all.is_empty());
    assert_eq!(
        serde_json::to_value(&all).unwrap(),
        json!({"OverrideConnectTimeout": "7s", "OverrideProtocol": "grpc",
               "OverrideMeshGateway": {"Mode": "local"}})
    );
}
