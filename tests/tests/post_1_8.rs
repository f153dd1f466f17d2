//! Endpoints added after Consul 1.8 against a real 1.8.7 agent: each answers with an
//! empty `404`, which the client reports as a typed `Error::Unsupported` naming the path
//! and the agent's version (read from `/v1/agent/self`). What goes on the wire and how the
//! answers of newer agents decode is tested on the mock transport
//! (`crates/consul-api/tests/{agent,acl,operator}.rs`).

use consul_integration_tests::{assert_unsupported_on_1_8_7, recording_client, TestAgent};
use consulate::Error;

/// Checks that `err` says the 1.8.7 agent does not serve `/v1/{path}`, with the status of
/// the agent's answer (an empty 404) kept.
fn assert_unsupported(call: &str, err: &Error, path: &str) {
    assert_unsupported_on_1_8_7(call, err, path);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{call}");
}

#[tokio::test]
async fn agent_version_and_metrics_stream_are_unsupported() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);

    let err = client.agent().version().await.unwrap_err();
    assert_unsupported("version", &err, "agent/version");
    // The client asked the agent its version to say so: the call, then `agent/self`.
    let paths: Vec<_> = recorder
        .requests()
        .iter()
        .map(|r| r.uri.path().to_owned())
        .collect();
    assert_eq!(paths, ["/v1/agent/version", "/v1/agent/self"]);
    // What older agents offer instead.
    assert_eq!(
        client.agent().config().await.unwrap().value.version,
        "1.8.7"
    );

    // The streamed read fails the same way, before any item.
    let err = client.agent().metrics_stream().await.unwrap_err();
    assert_unsupported("metrics_stream", &err, "agent/metrics/stream");
}

#[tokio::test]
async fn acl_templated_policies_are_unsupported() {
    let agent = TestAgent::dev().await;
    let acl = agent.client().acl();
    let err = acl.templated_policy_list().await.unwrap_err();
    assert_unsupported("templated_policy_list", &err, "acl/templated-policies");
    // A read of one item: an empty 404 is "not served", not "absent".
    let err = acl
        .templated_policy_read_by_name("builtin/service")
        .await
        .unwrap_err();
    assert_unsupported(
        "templated_policy_read_by_name",
        &err,
        "acl/templated-policy/name/builtin/service",
    );
    let err = acl
        .templated_policy_preview("builtin/service")
        .name("web")
        .await
        .unwrap_err();
    assert_unsupported(
        "templated_policy_preview",
        &err,
        "acl/templated-policy/preview/builtin/service",
    );
}

#[tokio::test]
async fn operator_usage_autopilot_state_and_leader_transfer_are_unsupported() {
    let agent = TestAgent::dev().await;
    let op = agent.client().operator();
    let err = op.usage().await.unwrap_err();
    assert_unsupported("usage", &err, "operator/usage");
    let err = op.usage().global().await.unwrap_err();
    assert_unsupported("usage global", &err, "operator/usage");
    let err = op.autopilot_state().await.unwrap_err();
    assert_unsupported("autopilot_state", &err, "operator/autopilot/state");
    let err = op.raft_leader_transfer().await.unwrap_err();
    assert_unsupported(
        "raft_leader_transfer",
        &err,
        "operator/raft/transfer-leader",
    );
    let raft = op.raft_get_configuration().await.unwrap().value;
    let err = op
        .raft_leader_transfer()
        .id(&raft.servers[0].id)
        .await
        .unwrap_err();
    assert_unsupported(
        "raft_leader_transfer to a server",
        &err,
        "operator/raft/transfer-leader",
    );
    // Nothing changed: the one server still leads.
    let after = op.raft_get_configuration().await.unwrap().value;
    assert!(after.servers[0].leader);
}
