//! Namespaces (Consul Enterprise) against a real open-source Consul 1.8.7 agent, which
//! serves none of them: every call is a typed `Error::Unsupported` naming the path and the
//! agent's version. What goes on the wire and how Enterprise answers decode is tested on the
//! mock transport (`crates/consul-api/tests/namespace.rs`).

use consul_integration_tests::{assert_unsupported_on_1_8_7, recording_client, TestAgent};
use consulate::namespace::{AclLink, Namespace};

#[tokio::test]
async fn every_namespace_call_is_unsupported_naming_1_8_7() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let namespaces = client.namespaces();
    let team = Namespace::new("team-1")
        .description("Namespace for Team 1")
        .policy_default(AclLink::name("node-read"));

    let err = namespaces.create(team.clone()).await.unwrap_err();
    assert_unsupported_on_1_8_7("create", &err, "namespace");
    let first = &recorder.requests()[0];
    assert_eq!(first.method, "PUT");
    assert_eq!(first.uri.path(), "/v1/namespace");
    let err = namespaces.update(team).await.unwrap_err();
    assert_unsupported_on_1_8_7("update", &err, "namespace/team-1");
    // A read of one namespace: the empty 404 means "not served", not "no such namespace".
    let err = namespaces.read("team-1").await.unwrap_err();
    assert_unsupported_on_1_8_7("read", &err, "namespace/team-1");
    let err = namespaces.delete("team-1").await.unwrap_err();
    assert_unsupported_on_1_8_7("delete", &err, "namespace/team-1");
    let err = namespaces.list().await.unwrap_err();
    assert_unsupported_on_1_8_7("list", &err, "namespaces");

    // What the agent does serve still works: nothing above changed it.
    assert_eq!(
        client.agent().config().await.unwrap().value.version,
        "1.8.7"
    );
}

/// The namespace option elsewhere: 1.8.7 refuses any `ns` parameter with a `400` (it is an
/// Enterprise feature), so a read in a namespace fails with Consul's reason.
#[tokio::test]
async fn a_read_in_a_namespace_is_refused_by_an_open_source_agent() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let err = client
        .catalog()
        .services()
        .namespace("team-1")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert!(
        err.to_string()
            .contains("Namespaces are a Consul Enterprise feature"),
        "{err}"
    );
}
