//! Admin partitions (Consul Enterprise) against a real open-source Consul 1.8.7 agent,
//! which serves none of them: every call is a typed `Error::Unsupported` naming the path and
//! the agent's version. What goes on the wire and how Enterprise answers decode is tested on
//! the mock transport (`crates/consul-api/tests/partition.rs`).

use consul_integration_tests::{assert_unsupported_on_1_8_7, recording_client, TestAgent};
use consulate::partition::AdminPartition;

#[tokio::test]
async fn every_partition_call_is_unsupported_naming_1_8_7() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let partitions = client.partitions();
    let west = AdminPartition::new("na-west").description("Partition for North America West");

    let err = partitions.create(west.clone()).await.unwrap_err();
    assert_unsupported_on_1_8_7("create", &err, "partition");
    let first = &recorder.requests()[0];
    assert_eq!(first.method, "PUT");
    assert_eq!(first.uri.path(), "/v1/partition");
    let err = partitions.update(west).await.unwrap_err();
    assert_unsupported_on_1_8_7("update", &err, "partition/na-west");
    // A read of one partition: the empty 404 means "not served", not "no such partition".
    let err = partitions.read("na-west").await.unwrap_err();
    assert_unsupported_on_1_8_7("read", &err, "partition/na-west");
    let err = partitions.delete("na-west").await.unwrap_err();
    assert_unsupported_on_1_8_7("delete", &err, "partition/na-west");
    let err = partitions.list().await.unwrap_err();
    assert_unsupported_on_1_8_7("list", &err, "partitions");
}

/// The partition option elsewhere: 1.8.7 (older than partitions) ignores a `partition`
/// parameter and answers for the whole datacenter, exactly as without it.
#[tokio::test]
async fn a_read_in_a_partition_is_answered_as_without_one_by_1_8_7() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let plain = client.catalog().nodes().await.unwrap().value;
    let scoped = client
        .catalog()
        .nodes()
        .partition("na-west")
        .await
        .unwrap()
        .value;
    assert_eq!(scoped, plain);
    assert_eq!(scoped[0].node, agent.node_name());
    let req = recorder.requests().pop().unwrap();
    assert_eq!(req.query("partition").as_deref(), Some("na-west"));
}
