//! Raft status and snapshots against a real agent.

use consul_integration_tests::{unique_prefix, TestAgent};

#[tokio::test]
async fn leader_and_peers() {
    let agent = TestAgent::dev().await;
    let status = agent.client().status();
    let leader = status.leader().await.unwrap().value;
    let server = format!("127.0.0.1:{}", agent.ports().server);
    assert_eq!(leader.as_deref(), Some(server.as_str()));
    assert_eq!(status.peers().await.unwrap().value, [server]);
    let err = status.dc("nowhere").peers().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn snapshot_streams_out_and_restores_state() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let kv = client.kv();
    let key = format!("{}before", unique_prefix("snap"));
    kv.put(&key, "kept by the snapshot").await.unwrap();

    let saved = client.snapshot().save().await.unwrap();
    assert!(saved.meta.last_index > 0);
    assert!(
        saved.meta.request_time > std::time::Duration::ZERO,
        "timed to the head"
    );
    let archive = saved.value.collect().await.unwrap();
    assert_eq!(&archive[..2], &[0x1f, 0x8b], "a gzip archive");

    kv.delete(&key).await.unwrap();
    assert!(kv.get(&key).await.unwrap().value.is_none());
    client.snapshot().restore(archive).await.unwrap();
    let back = kv.get(&key).await.unwrap().value.unwrap();
    assert_eq!(back.value_str(), Some("kept by the snapshot"));

    let err = client
        .snapshot()
        .restore(bytes::Bytes::new())
        .await
        .unwrap_err();
    assert!(err.is_validation());
}
