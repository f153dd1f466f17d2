//! User events against a real agent.

use bytes::Bytes;
use consul_integration_tests::{recording_client, TestAgent};
use consulate::event::{EventFilter, UserEvent};
use consulate::{Client, QueryOptions, ValidationError, WriteOptions};
use std::time::{Duration, Instant};

/// Waits (with blocking reads) until the agent lists the event `id`.
async fn wait_listed(client: &Client, name: &str, id: &str) -> UserEvent {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut index = 0;
    loop {
        let mut opts = QueryOptions::default().wait_time(Duration::from_secs(2));
        if index > 0 {
            opts = opts.wait_index(index);
        }
        let listed = client.event().list(Some(name), &opts).await.unwrap();
        if let Some(e) = listed.value.into_iter().find(|e| e.id == id) {
            return e;
        }
        index = listed.meta.last_index;
        assert!(Instant::now() < deadline, "event {id} never listed");
    }
}

#[tokio::test]
async fn fired_events_are_listed_by_name_with_binary_payloads() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let events = client.event();
    let payload = Bytes::from_static(&[0, 159, 146, 150, 255, b'\n', 0]);
    let fired = events
        .fire(
            "deploy",
            payload.clone(),
            &EventFilter::default().node(agent.node_name()),
            &WriteOptions::default(),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(fired.id.len(), 36);
    assert_eq!(fired.name, "deploy");
    assert_eq!(fired.payload, payload);
    assert_eq!(fired.node_filter, agent.node_name());

    let other = events
        .fire(
            "other",
            "x",
            &EventFilter::default(),
            &WriteOptions::default(),
        )
        .await
        .unwrap()
        .value;
    let listed = wait_listed(&client, "deploy", &fired.id).await;
    assert_eq!(listed.payload, payload, "binary payload round-trips");
    assert!(listed.l_time > 0, "the list carries the Lamport time");
    wait_listed(&client, "other", &other.id).await;
    let only_deploy = events
        .list(Some("deploy"), &QueryOptions::default())
        .await
        .unwrap()
        .value;
    assert!(only_deploy.iter().all(|e| e.name == "deploy"));

    // Filters that do not match this agent: it ignores the event.
    let elsewhere = events
        .fire(
            "deploy",
            "",
            &EventFilter::default().service("no-such-service").tag("v1"),
            &WriteOptions::default(),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(elsewhere.service_filter, "no-such-service");
    assert_eq!(elsewhere.tag_filter, "v1");
    let marker = events
        .fire(
            "deploy",
            "after",
            &EventFilter::default(),
            &WriteOptions::default(),
        )
        .await
        .unwrap()
        .value;
    wait_listed(&client, "deploy", &marker.id).await;
    let all = events
        .list(Some("deploy"), &QueryOptions::default())
        .await
        .unwrap()
        .value;
    assert!(!all.iter().any(|e| e.id == elsewhere.id));
}

#[tokio::test]
async fn blocking_list_wakes_on_a_new_event() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let first = client
        .event()
        .fire(
            "tick",
            "1",
            &EventFilter::default(),
            &WriteOptions::default(),
        )
        .await
        .unwrap()
        .value;
    wait_listed(&client, "tick", &first.id).await;
    let now = client
        .event()
        .list(Some("tick"), &QueryOptions::default())
        .await
        .unwrap();
    let events = client.event();
    let fire = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        events
            .fire(
                "tick",
                "2",
                &EventFilter::default(),
                &WriteOptions::default(),
            )
            .await
            .unwrap()
            .value
    });
    let started = Instant::now();
    let opts = QueryOptions::default()
        .wait_index(now.meta.last_index)
        .wait_time(Duration::from_secs(10));
    let mut next = client.event().list(Some("tick"), &opts).await.unwrap();
    let second = fire.await.unwrap();
    if !next.value.iter().any(|e| e.id == second.id) {
        // Woken by gossip bookkeeping; one more round.
        let opts = opts.wait_index(next.meta.last_index);
        next = client.event().list(Some("tick"), &opts).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(next.value.iter().any(|e| e.id == second.id));
    assert_ne!(next.meta.last_index, now.meta.last_index);
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_nothing_is_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let e = client
        .event()
        .fire("", "x", &EventFilter::default(), &WriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.as_validation(),
        Some(&ValidationError::Empty {
            field: "event name"
        })
    );
    let e = client
        .event()
        .fire(
            "x",
            "",
            &EventFilter::default().tag("v1"),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(e.is_validation());
    assert_eq!(recorder.count(), 0);
    // What only Consul can check: an invalid regular expression is its 500.
    let e = client
        .event()
        .fire(
            "x",
            "",
            &EventFilter::default().node("("),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
}
