//! The Connect fields of services against a real Consul 1.8.7 dev agent (Connect is on in
//! dev mode, with the built-in CA): a service registered with a sidecar proxy, a mesh
//! gateway and a Connect-native service, each read back typed through the agent, the
//! catalog and the health endpoints; and what the agent does with tags on Connect reads.

use consul_integration_tests::{eventually, recording_client, TestAgent};
use consulate::agent::{
    ConnectProxyConfig, ExposePath, MeshGatewayMode, ServiceConnect, ServiceKind,
    ServiceRegistration, Upstream, UpstreamDestType,
};
use consulate::Client;

/// Waits until the catalog lists `n` Connect instances of `service` (the agent syncs its
/// registrations to the servers on its own).
async fn connect_instances(client: &Client, service: &str, n: usize) {
    eventually(&format!("{n} Connect instances of {service}"), || async {
        let found = client.catalog().connect(service).await.unwrap().value;
        (found.len() == n).then_some(())
    })
    .await;
}

/// The upstreams, mesh gateway mode, exposed paths and config of the sidecar of `web-1`.
fn sidecar_proxy() -> ConnectProxyConfig {
    ConnectProxyConfig::default()
        .local_service_address("127.0.0.1")
        .config("protocol", "http")
        .upstream(
            Upstream::service("db", 9191)
                .datacenter("dc1")
                .config("connect_timeout_ms", 1000)
                .mesh_gateway(MeshGatewayMode::Local),
        )
        .upstream(Upstream::prepared_query("db-query", 9192).local_bind_address("127.0.0.2"))
        .mesh_gateway(MeshGatewayMode::Remote)
        .expose_checks()
        .expose_path(ExposePath::new("/metrics", 8080, 21500).protocol("http"))
}

/// Checks what the agent made of [`sidecar_proxy`]: the same fields, plus the destination
/// and local service it filled in.
fn assert_sidecar_proxy(proxy: &ConnectProxyConfig) {
    assert_eq!(proxy.destination_service_name, "web");
    assert_eq!(proxy.destination_service_id, "web-1");
    assert_eq!(proxy.local_service_address, "127.0.0.1");
    assert_eq!(
        proxy.local_service_port, 8080,
        "the service's port, filled in"
    );
    assert_eq!(proxy.config["protocol"], "http");
    assert_eq!(proxy.mesh_gateway.mode, MeshGatewayMode::Remote);
    assert_eq!(proxy.upstreams.len(), 2, "{:?}", proxy.upstreams);
    let db = &proxy.upstreams[0];
    assert_eq!(db.destination_type, UpstreamDestType::Service);
    assert_eq!(
        (db.destination_name.as_str(), db.datacenter.as_str()),
        ("db", "dc1")
    );
    assert_eq!(db.local_bind_port, 9191);
    assert_eq!(db.config["connect_timeout_ms"], 1000);
    assert_eq!(db.mesh_gateway.mode, MeshGatewayMode::Local);
    let query = &proxy.upstreams[1];
    assert_eq!(query.destination_type, UpstreamDestType::PreparedQuery);
    assert_eq!(
        (query.local_bind_address.as_str(), query.local_bind_port),
        ("127.0.0.2", 9192)
    );
    assert!(proxy.expose.checks);
    assert_eq!(
        proxy.expose.paths,
        [ExposePath::new("/metrics", 8080, 21500).protocol("http")]
    );
}

#[tokio::test]
async fn a_sidecar_reads_back_typed_through_agent_catalog_and_health() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let web = ServiceRegistration::new("web")
        .id("web-1")
        .port(8080)
        .tags(["v1"])
        .sidecar(
            ServiceRegistration::default()
                .port(21000)
                .proxy(sidecar_proxy()),
        );
    client.agent().service_register(web).await.unwrap();

    // The agent registered the sidecar as a service of its own, kind connect-proxy.
    let sidecar = client
        .agent()
        .service("web-1-sidecar-proxy")
        .await
        .unwrap()
        .value
        .expect("the agent registered the sidecar");
    assert_eq!(sidecar.kind, ServiceKind::ConnectProxy);
    assert_eq!(
        (sidecar.service.as_str(), sidecar.port),
        ("web-sidecar-proxy", 21000)
    );
    assert_sidecar_proxy(sidecar.proxy.as_ref().unwrap());
    let services = client.agent().services().await.unwrap().value;
    let parent = &services["web-1"];
    assert!(parent.kind.is_typical());
    assert_eq!(parent.proxy, None, "a typical service has no proxy");
    assert_eq!(
        parent.connect, None,
        "the sidecar is not read back on its parent"
    );
    assert_eq!(services["web-1-sidecar-proxy"], {
        let mut s = sidecar.clone();
        s.content_hash = None;
        s
    });

    // The catalog and the health endpoints read the same proxy, typed.
    connect_instances(&client, "web", 1).await;
    let in_catalog = client
        .catalog()
        .service("web-sidecar-proxy")
        .await
        .unwrap()
        .value;
    assert_eq!(in_catalog.len(), 1);
    assert_eq!(in_catalog[0].service_kind, ServiceKind::ConnectProxy);
    assert_sidecar_proxy(in_catalog[0].service_proxy.as_ref().unwrap());
    let connect = client.catalog().connect("web").await.unwrap().value;
    assert_eq!(connect[0].service_id, "web-1-sidecar-proxy");

    let entries = client.health().connect("web").await.unwrap().value;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry.service.id, "web-1-sidecar-proxy");
    assert_eq!(entry.service.kind, ServiceKind::ConnectProxy);
    assert_sidecar_proxy(entry.service.proxy.as_ref().unwrap());
    // The agent gave the sidecar its two default checks: its listener, and an alias of
    // the parent's health.
    let names: Vec<_> = entry.checks.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.contains(&"Connect Sidecar Listening")
            && names.contains(&"Connect Sidecar Aliasing web-1"),
        "{names:?}"
    );
    // The service itself is not Connect-capable: only its proxy is.
    let by_name = client.health().service("web").await.unwrap().value;
    assert_eq!(by_name.len(), 1);
    assert!(by_name[0].service.kind.is_typical());
}

#[tokio::test]
async fn a_mesh_gateway_and_a_connect_native_service() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let gateway = ServiceRegistration::new("mesh-gateway")
        .kind(ServiceKind::MeshGateway)
        .port(8443)
        .meta("role", "edge")
        .proxy(
            ConnectProxyConfig::default()
                .mesh_gateway(MeshGatewayMode::Local)
                .config("envoy_gateway_no_default_bind", true),
        );
    client.agent().service_register(gateway).await.unwrap();
    let native = ServiceRegistration::new("native")
        .port(7000)
        .connect(ServiceConnect::native());
    client.agent().service_register(native).await.unwrap();

    let read = client
        .agent()
        .service("mesh-gateway")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(read.kind, ServiceKind::MeshGateway);
    let proxy = read.proxy.unwrap();
    assert_eq!(proxy.mesh_gateway.mode, MeshGatewayMode::Local);
    assert_eq!(proxy.config["envoy_gateway_no_default_bind"], true);
    assert!(proxy.destination_service_name.is_empty() && proxy.upstreams.is_empty());

    let in_catalog = eventually("the gateway in the catalog", || async {
        let found = client
            .catalog()
            .service("mesh-gateway")
            .await
            .unwrap()
            .value;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(in_catalog[0].service_kind, ServiceKind::MeshGateway);
    assert_eq!(in_catalog[0].service_meta["role"], "edge");
    assert_eq!(
        in_catalog[0]
            .service_proxy
            .as_ref()
            .unwrap()
            .mesh_gateway
            .mode,
        MeshGatewayMode::Local
    );
    let healthy = client.health().service("mesh-gateway").await.unwrap().value;
    assert_eq!(healthy[0].service.kind, ServiceKind::MeshGateway);

    // A Connect-native service is its own Connect instance.
    connect_instances(&client, "native", 1).await;
    let native = client.catalog().connect("native").await.unwrap().value;
    assert_eq!(native[0].service_id, "native");
    assert!(native[0].service_kind.is_typical());
    assert_eq!(native[0].service_connect, Some(ServiceConnect::native()));
    let native = client.health().connect("native").await.unwrap().value;
    assert_eq!(native[0].service.connect, Some(ServiceConnect::native()));
    let local = client
        .agent()
        .service("native")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(local.connect, Some(ServiceConnect::native()));
}

/// Go's `ConnectMultipleTags` sends repeated `tag` parameters, and so do repeated
/// `.tag()`s on `connect(name)`; a 1.8.7 agent ignores them on Connect reads (its
/// `ServiceNodes` RPC takes the Connect branch before the tag filter) and answers every
/// proxy. `.filter()` is what selects by tags there.
#[tokio::test]
async fn connect_multiple_tags_are_sent_and_1_8_7_ignores_them() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    for (id, port, tags) in [
        ("api-1", 9001, &["a", "b"][..]),
        ("api-2", 9002, &["a"][..]),
        ("api-3", 9003, &["b"][..]),
    ] {
        // A sidecar without tags of its own takes its parent's.
        let reg = ServiceRegistration::new("api")
            .id(id)
            .port(port)
            .tags(tags.iter().copied())
            .sidecar(ServiceRegistration::default());
        client.agent().service_register(reg).await.unwrap();
    }
    connect_instances(&client, "api", 3).await;

    let catalog = client
        .catalog()
        .connect("api")
        .tag("a")
        .tag("b")
        .await
        .unwrap()
        .value;
    let sent = recorder.requests().pop().unwrap();
    assert_eq!(sent.uri.path(), "/v1/catalog/connect/api");
    let tags: Vec<_> = sent
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(tags, ["a", "b"]);
    let mut ids: Vec<_> = catalog.iter().map(|s| s.service_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "api-1-sidecar-proxy",
            "api-2-sidecar-proxy",
            "api-3-sidecar-proxy"
        ],
        "1.8.7 answers every proxy, whatever the tags"
    );
    let health = client
        .health()
        .connect("api")
        .tag("a")
        .tag("b")
        .await
        .unwrap()
        .value;
    let sent = recorder.requests().pop().unwrap();
    assert_eq!(sent.uri.path(), "/v1/health/connect/api");
    assert_eq!(
        sent.query_pairs()
            .into_iter()
            .filter(|(k, _)| k == "tag")
            .count(),
        2
    );
    assert_eq!(health.len(), 3);

    // What does select by tags on Connect reads: a filter.
    let both = client
        .catalog()
        .connect("api")
        .filter(r#""a" in ServiceTags and "b" in ServiceTags"#)
        .await
        .unwrap()
        .value;
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].service_id, "api-1-sidecar-proxy");
    assert_eq!(both[0].service_tags, ["a", "b"]);
    let both = client
        .health()
        .connect("api")
        .filter(r#""a" in Service.Tags and "b" in Service.Tags"#)
        .await
        .unwrap()
        .value;
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].service.id, "api-1-sidecar-proxy");

    // On a plain service read the same repeated tags do filter (Go's
    // `ServiceMultipleTags`): only the instance with both.
    let plain = client
        .catalog()
        .service("api")
        .tag("a")
        .tag("b")
        .await
        .unwrap()
        .value;
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].service_id, "api-1");
}

/// A registration Consul's Connect rules refuse is refused before sending; the same one
/// sent by hand is refused by the agent, so the rule is Consul's own.
#[tokio::test]
async fn connect_rules_match_the_agent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let proxy_without_destination = ServiceRegistration::new("lonely-proxy")
        .kind(ServiceKind::ConnectProxy)
        .port(21000);
    let err = client
        .agent()
        .service_register(proxy_without_destination.clone())
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(recorder.count(), 0, "nothing was sent");

    let err = client
        .request(http::Method::PUT, "agent/service/register")
        .body(serde_json::to_vec(&proxy_without_destination).unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("DestinationServiceName"), "{text}");
}
