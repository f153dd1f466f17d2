//! Config entries against a real Consul 1.8.7 agent (a dev agent: Connect is on).

use consul_integration_tests::{next_until, recording_client, TestAgent};
use consulate::config_entry::{
    ApiGateway, ConfigEntry, ConfigKind, ExportedServices, ExposeConfig, ExposePath,
    FileSystemCertificate, HttpRoute, IngressGateway, IngressListener, IngressService,
    InlineCertificate, JwtProvider, LinkedService, Mesh, MeshGatewayMode, OtherEntry,
    ProxyDefaults, ServiceDefaults, ServiceIntentions, ServiceResolver, ServiceResolverFailover,
    ServiceResolverRedirect, ServiceResolverSubset, ServiceRoute, ServiceRouteDestination,
    ServiceRouteHttpMatch, ServiceRouteHttpMatchHeader, ServiceRouteHttpMatchQueryParam,
    ServiceRouter, ServiceSplit, ServiceSplitter, TcpRoute, TerminatingGateway,
};
use consulate::Error;
use serde_json::{json, Value};
use std::time::Duration;

/// What Consul stored, with the indexes it assigned taken out, to compare with what was
/// written.
fn without_indexes(entry: &ConfigEntry) -> Value {
    let mut json = serde_json::to_value(entry).unwrap();
    let fields = json.as_object_mut().unwrap();
    assert!(fields.remove("CreateIndex").is_some(), "{entry:?}");
    assert!(fields.remove("ModifyIndex").is_some(), "{entry:?}");
    json
}

/// One entry of every kind Consul 1.8.7 knows, with every field it has set, in an order
/// Consul accepts (protocols first, then the resolver whose subsets the others use).
fn every_kind() -> Vec<ConfigEntry> {
    vec![
        ProxyDefaults::global()
            .config("protocol", "http")
            .config("local_connect_timeout_ms", 1000)
            .config("envoy_extra", json!({"list": [1, 2], "on": true}))
            .mesh_gateway(MeshGatewayMode::Remote)
            .expose(ExposeConfig::default().checks(true))
            .meta("owner", "platform")
            .into(),
        ServiceDefaults::new("web")
            .protocol("http")
            .mesh_gateway(MeshGatewayMode::Local)
            .expose(
                ExposeConfig::default()
                    .checks(true)
                    .path(ExposePath::new("/metrics", 9090, 21500).protocol("http")),
            )
            .meta("team", "frontend")
            .into(),
        ServiceDefaults::new("external")
            .external_sni("external.example.com")
            .into(),
        ServiceDefaults::new("db").protocol("tcp").into(),
        ServiceDefaults::new("api").protocol("http").into(),
        ServiceResolver::new("web")
            .default_subset("v1")
            .subset(
                "v1",
                ServiceResolverSubset::filter("Service.Meta.version == v1").only_passing(),
            )
            .subset(
                "v2",
                ServiceResolverSubset::filter("Service.Meta.version == v2"),
            )
            .failover("*", ServiceResolverFailover::datacenters(["dc2", "dc3"]))
            .failover("v2", ServiceResolverFailover::service("api"))
            .connect_timeout(Duration::from_secs(15))
            .meta("tier", "1")
            .into(),
        ServiceResolver::new("web-legacy")
            .redirect(
                ServiceResolverRedirect::service("web")
                    .service_subset("v2")
                    .datacenter("dc1"),
            )
            .into(),
        ServiceSplitter::new("web")
            .split(ServiceSplit::new(90.0).service_subset("v1"))
            .split(ServiceSplit::new(9.5).service_subset("v2"))
            .split(ServiceSplit::new(0.5).service("api"))
            .meta("canary", "v2")
            .into(),
        ServiceRouter::new("web")
            .route(
                ServiceRoute::http(
                    ServiceRouteHttpMatch::path_prefix("/admin")
                        .header(ServiceRouteHttpMatchHeader::present("x-debug"))
                        .header(ServiceRouteHttpMatchHeader::exact("x-env", "prod").invert())
                        .query_param(ServiceRouteHttpMatchQueryParam::exact("beta", "1"))
                        .query_param(ServiceRouteHttpMatchQueryParam::present("trace"))
                        .method("GET")
                        .method("POST"),
                )
                .destination(
                    ServiceRouteDestination::service("web")
                        .service_subset("v2")
                        .prefix_rewrite("/")
                        .request_timeout(Duration::from_millis(2500))
                        .num_retries(3)
                        .retry_on_connect_failure(true)
                        .retry_on_status_codes(vec![503, 504]),
                ),
            )
            .route(
                ServiceRoute::http(ServiceRouteHttpMatch::path_exact("/api"))
                    .destination(ServiceRouteDestination::service("api")),
            )
            .meta("routes", "2")
            .into(),
        IngressGateway::new("ingress")
            .tls(true)
            .listener(
                IngressListener::new(8080, "http")
                    .service(IngressService::new("web").host("web.example.com"))
                    .service(IngressService::new("api")),
            )
            .listener(IngressListener::new(9090, "tcp").service(IngressService::new("db")))
            .meta("edge", "true")
            .into(),
        TerminatingGateway::new("egress")
            .service(
                LinkedService::new("billing")
                    .ca_file("/etc/ca.pem")
                    .cert_file("/etc/cert.pem")
                    .key_file("/etc/key.pem")
                    .sni("billing.example.com"),
            )
            .service(LinkedService::new("*"))
            .meta("zone", "dmz")
            .into(),
    ]
}

/// What Consul 1.8.7 stores for `entry`: the same, except that it fills in the default
/// namespace of the destination of a route that matches methods (its `Normalize`).
fn as_stored(entry: &ConfigEntry) -> Value {
    let mut json = serde_json::to_value(entry).unwrap();
    if entry.kind() == ConfigKind::ServiceRouter {
        json["Routes"][0]["Destination"]["Namespace"] = json!("default");
    }
    json
}

#[tokio::test]
async fn every_kind_round_trips_through_a_real_agent() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    // The dev agent runs with Connect on, which gateways and the chain need.
    let me = client.agent().self_info().await.unwrap().value;
    assert_eq!(me.debug_config["ConnectEnabled"], json!(true));

    let config = client.config_entries();
    let entries = every_kind();
    for entry in &entries {
        let written = config.set(entry.clone()).await;
        assert!(written.unwrap().value, "{} {}", entry.kind(), entry.name());
    }
    for entry in &entries {
        let read = config
            .get(entry.kind(), entry.name())
            .await
            .unwrap()
            .value
            .unwrap_or_else(|| panic!("{} {} was stored", entry.kind(), entry.name()));
        assert_eq!(read.kind(), entry.kind());
        assert!(
            !matches!(read, ConfigEntry::Other(_)),
            "{} is typed",
            entry.kind()
        );
        assert!(read.create_index() > 0 && read.modify_index() >= read.create_index());
        assert_eq!(
            without_indexes(&read),
            as_stored(entry),
            "{} {}: read back as written",
            entry.kind(),
            entry.name()
        );
    }
    for kind in [
        ConfigKind::ProxyDefaults,
        ConfigKind::ServiceDefaults,
        ConfigKind::ServiceResolver,
        ConfigKind::ServiceSplitter,
        ConfigKind::ServiceRouter,
        ConfigKind::IngressGateway,
        ConfigKind::TerminatingGateway,
    ] {
        let listed = config.list(kind.clone()).await.unwrap().value;
        let mut names: Vec<&str> = listed.iter().map(ConfigEntry::name).collect();
        names.sort_unstable();
        let mut expected: Vec<&str> = entries
            .iter()
            .filter(|e| e.kind() == kind)
            .map(ConfigEntry::name)
            .collect();
        expected.sort_unstable();
        assert_eq!(names, expected, "{kind}");
        assert!(listed.iter().all(|e| e.kind() == kind));
    }

    // Delete in the reverse order (Consul refuses to delete what others depend on).
    for entry in entries.iter().rev() {
        config.delete(entry.kind(), entry.name()).await.unwrap();
        let gone = config.get(entry.kind(), entry.name()).await.unwrap();
        assert!(
            gone.value.is_none(),
            "{} {} deleted",
            entry.kind(),
            entry.name()
        );
    }
    for kind in [ConfigKind::ServiceDefaults, ConfigKind::ServiceRouter] {
        assert!(config.list(kind).await.unwrap().value.is_empty());
    }
    // Deleting what does not exist succeeds, as Consul says.
    config
        .delete(ConfigKind::ServiceDefaults, "never-was")
        .await
        .unwrap();
}

#[tokio::test]
async fn cas_with_a_stale_index_returns_false() {
    let agent = TestAgent::dev().await;
    let config = agent.client().config_entries();
    let web = ServiceDefaults::new("web").protocol("http");
    // Index 0: only if it does not exist yet.
    assert!(config.cas(web.clone(), 0).await.unwrap().value);
    assert!(
        !config
            .cas(web.clone().protocol("grpc"), 0)
            .await
            .unwrap()
            .value
    );
    let first = config
        .get(ConfigKind::ServiceDefaults, "web")
        .await
        .unwrap()
        .value
        .unwrap();
    let index = first.modify_index();
    assert!(
        config
            .cas(web.clone().protocol("http2"), index)
            .await
            .unwrap()
            .value
    );
    // The index it was read at is stale now: the write is refused with `false`, even one
    // that would change nothing, and the entry stays as the winner wrote it.
    assert!(
        !config
            .cas(web.clone().protocol("grpc"), index)
            .await
            .unwrap()
            .value
    );
    assert!(
        !config
            .cas(web.clone().protocol("http2"), index)
            .await
            .unwrap()
            .value
    );
    let now = ServiceDefaults::try_from(
        config
            .get(ConfigKind::ServiceDefaults, "web")
            .await
            .unwrap()
            .value
            .unwrap(),
    )
    .unwrap();
    assert_eq!(now.protocol, "http2");
    assert!(now.modify_index > index);
    // The current index wins.
    let current = now.modify_index;
    assert!(
        config
            .cas(now.protocol("grpc"), current)
            .await
            .unwrap()
            .value
    );
}

#[tokio::test]
async fn consul_refuses_a_splitter_it_cannot_compile_with_its_reason() {
    let agent = TestAgent::dev().await;
    let config = agent.client().config_entries();
    let canary = ServiceSplitter::new("web")
        .split(ServiceSplit::new(90.0).service_subset("v1"))
        .split(ServiceSplit::new(10.0).service_subset("v2"));

    // A splitter of a service whose protocol is tcp (the default).
    let halves = ServiceSplitter::new("web")
        .split(ServiceSplit::new(50.0))
        .split(ServiceSplit::new(50.0).service("api"));
    let err = config.set(halves).await.unwrap_err();
    let Error::Status { code, body, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(code.as_u16(), 500);
    assert_eq!(
        body,
        r#"discovery chain "web" uses a protocol "tcp" that does not permit advanced routing or splitting behavior"#
    );

    // Splits to subsets no resolver defines (whatever the protocol).
    let err = config.set(canary.clone()).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with(r#"service "web" does not have a subset named "v1""#),
        "{err}"
    );
    // Over http too.
    config
        .set(ServiceDefaults::new("web").protocol("http"))
        .await
        .unwrap();
    let err = config.set(canary.clone()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        err.to_string()
            .ends_with(r#"service "web" does not have a subset named "v1""#),
        "{err}"
    );
    assert!(config
        .get(ConfigKind::ServiceSplitter, "web")
        .await
        .unwrap()
        .value
        .is_none());

    // With the resolver defining them, the same splitter is accepted; then the resolver
    // cannot be deleted from under it.
    config
        .set(
            ServiceResolver::new("web")
                .subset(
                    "v1",
                    ServiceResolverSubset::filter("Service.Meta.version == v1"),
                )
                .subset(
                    "v2",
                    ServiceResolverSubset::filter("Service.Meta.version == v2"),
                ),
        )
        .await
        .unwrap();
    assert!(config.set(canary).await.unwrap().value);
    let err = config
        .delete(ConfigKind::ServiceResolver, "web")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("does not have a subset named"),
        "{err}"
    );

    // A field 1.8.7 does not have is refused, even when only passed along.
    let mut bogus = OtherEntry::new("service-defaults", "db");
    bogus.set("Bogus", json!(1));
    let err = config.set(bogus).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(
        err.to_string().contains(r#"invalid config key "Bogus""#),
        "{err}"
    );
}

#[tokio::test]
async fn an_entry_read_changed_and_written_back_loses_nothing() {
    let agent = TestAgent::dev().await;
    let config = agent.client().config_entries();
    for entry in every_kind() {
        config.set(entry).await.unwrap();
    }

    // Typed: change the first route's timeout; everything else stays, including the
    // namespace Consul filled in.
    let read = config
        .get(ConfigKind::ServiceRouter, "web")
        .await
        .unwrap()
        .value
        .unwrap();
    let before = without_indexes(&read);
    let mut router = ServiceRouter::try_from(read).unwrap();
    router.routes[0]
        .destination
        .as_mut()
        .unwrap()
        .request_timeout = Duration::from_secs(9);
    config.set(router).await.unwrap();
    let after = config
        .get(ConfigKind::ServiceRouter, "web")
        .await
        .unwrap()
        .value
        .unwrap();
    let mut expected = before;
    expected["Routes"][0]["Destination"]["RequestTimeout"] = json!("9s");
    assert_eq!(without_indexes(&after), expected);

    // Untyped, as a kind this version would not know: the entry as JSON, one field
    // changed, written back whole.
    let read = config
        .get(ConfigKind::IngressGateway, "ingress")
        .await
        .unwrap()
        .value
        .unwrap();
    let Value::Object(fields) = serde_json::to_value(&read).unwrap() else {
        panic!()
    };
    let mut raw = OtherEntry::from_fields(fields).unwrap();
    raw.remove("CreateIndex");
    raw.remove("ModifyIndex");
    raw.set("Meta", json!({"edge": "false"}));
    config.set(raw).await.unwrap();
    let after = IngressGateway::try_from(
        config
            .get(ConfigKind::IngressGateway, "ingress")
            .await
            .unwrap()
            .value
            .unwrap(),
    )
    .unwrap();
    let before = IngressGateway::try_from(read).unwrap();
    assert_eq!(after.meta["edge"], "false");
    assert_eq!(after.listeners, before.listeners);
    assert_eq!(after.tls, before.tls);
}

#[tokio::test]
async fn reads_block_and_watches_see_changes() {
    let agent = TestAgent::dev().await;
    let config = agent.client().config_entries();
    let mut watch = config
        .list(ConfigKind::ServiceDefaults)
        .wait_time(Duration::from_secs(10))
        .watch();
    let mut one = config
        .get(ConfigKind::ServiceDefaults, "web")
        .wait_time(Duration::from_secs(10))
        .watch();
    let first = next_until(&mut watch, "the empty list", Vec::is_empty).await;
    let absent = next_until(&mut one, "no entry yet", Option::is_none).await;
    config
        .set(ServiceDefaults::new("web").protocol("http"))
        .await
        .unwrap();
    let seen = next_until(&mut watch, "the new entry", |l| l.len() == 1).await;
    assert!(seen.meta.last_index > first.meta.last_index);
    let created = next_until(&mut one, "the entry", Option::is_some).await;
    assert!(created.meta.last_index > absent.meta.last_index);

    // A blocking read returns when the entry changes.
    let index = created.meta.last_index;
    let writer = config.clone();
    let change = tokio::spawn(async move {
        writer
            .set(ServiceDefaults::new("web").protocol("grpc"))
            .await
            .unwrap();
    });
    let changed = config
        .get(ConfigKind::ServiceDefaults, "web")
        .wait(index, Duration::from_secs(10))
        .await
        .unwrap();
    change.await.unwrap();
    let web = ServiceDefaults::try_from(changed.value.unwrap()).unwrap();
    // The read may return on the write it waited for or, if it started after it, at once.
    assert!(changed.meta.last_index > index);
    assert_eq!(web.protocol, "grpc");

    config
        .delete(ConfigKind::ServiceDefaults, "web")
        .await
        .unwrap();
    let gone = next_until(&mut one, "the deletion", Option::is_none).await;
    assert!(gone.meta.last_index > changed.meta.last_index);
}

#[tokio::test]
async fn kinds_newer_than_consul_1_8_are_unsupported_naming_its_version() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let config = client.config_entries();
    let newer: Vec<ConfigEntry> = vec![
        ServiceIntentions::new("api").into(),
        Mesh::default().into(),
        ExportedServices::new("default").into(),
        ApiGateway::new("public").into(),
        HttpRoute::new("web-route").into(),
        TcpRoute::new("db-route").into(),
        InlineCertificate::new("cert").into(),
        FileSystemCertificate::new("cert").into(),
        JwtProvider::new("okta").into(),
        OtherEntry::new("sameness-group", "east").into(),
    ];
    let unsupported = |err: Error, path: String, what: &str| match err {
        Error::Unsupported {
            path: said,
            agent_version,
        } => {
            assert_eq!(said, path, "{what}");
            assert_eq!(agent_version.as_deref(), Some("1.8.7"), "{what}");
        }
        other => panic!("{what}: expected Unsupported, got {other:?}"),
    };
    for entry in newer {
        let kind = entry.kind();
        let name = entry.name().to_owned();
        assert!(!kind.is_known_to_consul_1_8(), "{kind}");
        let sent = recorder.count();
        unsupported(
            config.set(entry.clone()).await.unwrap_err(),
            format!("config/{kind}"),
            &format!("set {kind}"),
        );
        // Consul was asked (then its version was read to name it).
        assert_eq!(recorder.count(), sent + 2, "{kind}");
        unsupported(
            config.cas(entry, 0).await.unwrap_err(),
            format!("config/{kind}"),
            &format!("cas {kind}"),
        );
        unsupported(
            config.get(kind.clone(), &name).await.unwrap_err(),
            format!("config/{kind}/{name}"),
            &format!("get {kind}"),
        );
        unsupported(
            config.list(kind.clone()).await.unwrap_err(),
            format!("config/{kind}"),
            &format!("list {kind}"),
        );
        unsupported(
            config.delete(kind.clone(), &name).await.unwrap_err(),
            format!("config/{kind}/{name}"),
            &format!("delete {kind}"),
        );
    }
    let err = config.set(ServiceIntentions::new("api")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the consul agent (version 1.8.7) does not serve /v1/config/service-intentions"
    );
}
