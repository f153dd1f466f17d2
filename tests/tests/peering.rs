//! Cluster peering (Consul 1.13+) against a real Consul 1.8.7 agent, which serves none of
//! it: every call is a typed `Error::Unsupported` naming the path and the agent's version.
//! And what 1.8.7 does with the `peer` and `merge-central-config` parameters of service
//! reads: it ignores them. What goes on the wire and how newer agents' answers decode is
//! tested on the mock transport (`crates/consul-api/tests/peering.rs`).

use consul_integration_tests::{assert_unsupported_on_1_8_7, recording_client, TestAgent};
use consulate::catalog::{
    AgentService, CatalogRegistration, CheckStatus, HealthCheck, ServiceConnect,
};

#[tokio::test]
async fn every_peering_call_is_unsupported_naming_1_8_7() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let peerings = client.peerings();

    let err = peerings
        .generate_token("cluster-02")
        .meta("env", "test")
        .await
        .unwrap_err();
    assert_unsupported_on_1_8_7("generate_token", &err, "peering/token");
    // The client asked the agent its version to say so: the call, then `agent/self`.
    let sent: Vec<_> = recorder
        .requests()
        .iter()
        .map(|r| (r.method.to_string(), r.uri.path().to_owned()))
        .collect();
    assert_eq!(
        sent,
        [
            ("POST".to_owned(), "/v1/peering/token".to_owned()),
            ("GET".to_owned(), "/v1/agent/self".to_owned())
        ]
    );

    let err = peerings
        .establish("cluster-01", "eyJDQSI6bnVsbH0=")
        .await
        .unwrap_err();
    assert_unsupported_on_1_8_7("establish", &err, "peering/establish");
    // A read of one peering: the empty 404 means "not served", not "no such peering".
    let err = peerings.read("cluster-02").await.unwrap_err();
    assert_unsupported_on_1_8_7("read", &err, "peering/cluster-02");
    let err = peerings.delete("cluster-02").await.unwrap_err();
    assert_unsupported_on_1_8_7("delete", &err, "peering/cluster-02");
    let err = peerings.list().await.unwrap_err();
    assert_unsupported_on_1_8_7("list", &err, "peerings");
    let err = peerings.exported_services().await.unwrap_err();
    assert_unsupported_on_1_8_7("exported_services", &err, "exported-services");
    let err = peerings.imported_services().await.unwrap_err();
    assert_unsupported_on_1_8_7("imported_services", &err, "imported-services");
}

/// Consul 1.8.7 ignores `peer` and `merge-central-config`: asked for what a peer exported,
/// it answers with the local instances, exactly as without the parameter. The parameters
/// are on the wire; the answers are those of the plain reads.
#[tokio::test]
async fn peer_and_merge_central_config_are_ignored_by_1_8_7() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    // One service per registration: a typical instance with a passing check, and a
    // Connect-native one, on the same external node.
    let typical = CatalogRegistration::new("ext-web", "10.1.2.3")
        .service(AgentService::new("web-1", "web").port(8080))
        .check(
            HealthCheck::new("web-alive", "web alive", CheckStatus::Passing).service_id("web-1"),
        );
    let native = CatalogRegistration::new("ext-web", "10.1.2.3").service(
        AgentService::new("web-native", "web")
            .port(8443)
            .connect(ServiceConnect::native()),
    );
    for registration in [typical, native] {
        assert!(client.catalog().register(registration).await.unwrap().value);
    }

    // Health: the instances of `web`, with and without the peer.
    let plain = client.health().service("web").await.unwrap().value;
    assert_eq!(plain.len(), 2);
    let peered = client
        .health()
        .service("web")
        .peer("cluster-02")
        .merge_central_config()
        .await
        .unwrap()
        .value;
    assert_eq!(peered, plain, "the local instances, not the peer's");
    assert!(peered.iter().all(|e| e.node.node == "ext-web"));
    let req = recorder.requests().pop().unwrap();
    assert_eq!(req.uri.path(), "/v1/health/service/web");
    assert_eq!(req.query("peer").as_deref(), Some("cluster-02"));
    assert_eq!(req.query("merge-central-config").as_deref(), Some(""));

    let plain = client.health().connect("web").await.unwrap().value;
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].service.id, "web-native");
    let peered = client
        .health()
        .connect("web")
        .peer("cluster-02")
        .merge_central_config()
        .await
        .unwrap()
        .value;
    assert_eq!(peered, plain);
    let plain = client.health().ingress("web").await.unwrap().value;
    let merged = client
        .health()
        .ingress("web")
        .merge_central_config()
        .await
        .unwrap()
        .value;
    assert_eq!(merged, plain);
    assert!(merged.is_empty());

    // Catalog: the same.
    let plain = client.catalog().service("web").await.unwrap().value;
    assert_eq!(plain.len(), 2);
    let peered = client
        .catalog()
        .service("web")
        .peer("cluster-02")
        .merge_central_config()
        .await
        .unwrap()
        .value;
    assert_eq!(peered, plain);
    let req = recorder.requests().pop().unwrap();
    assert_eq!(req.uri.path(), "/v1/catalog/service/web");
    assert_eq!(req.query("peer").as_deref(), Some("cluster-02"));
    let plain = client.catalog().connect("web").await.unwrap().value;
    let peered = client
        .catalog()
        .connect("web")
        .peer("cluster-02")
        .await
        .unwrap()
        .value;
    assert_eq!(peered, plain);
    assert_eq!(peered[0].service_id, "web-native");

    // A node's services come back as registered.
    let plain = client
        .catalog()
        .node_service_list("ext-web")
        .await
        .unwrap()
        .value
        .unwrap();
    let merged = client
        .catalog()
        .node_service_list("ext-web")
        .merge_central_config()
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(merged, plain);
    assert_eq!(merged.services.len(), 2);
    let req = recorder.requests().pop().unwrap();
    assert_eq!(req.uri.path(), "/v1/catalog/node-services/ext-web");
    assert_eq!(req.query("merge-central-config").as_deref(), Some(""));
}
