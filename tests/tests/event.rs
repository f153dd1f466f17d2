//! User events against a real agent.

use bytes::Bytes;
use consul_integration_tests::{recording_client, TestAgent};
use consulate::event::UserEvent;
use consulate::{Client, ValidationError};
use std::time::{Duration, Instant};

/// Waits (with blocking reads) until the agent lists the event `id`.
async fn wait_listed(client: &Client, name: &str, id: &str) -> UserEvent {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut index = 0;
    loop {
        let listed = client
            .event()
            .list()
            .name(name)
            .wait(index, Duration::from_secs(2))
            .await
            .unwrap();
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
        .fire("deploy")
        .payload(payload.clone())
        .node_filter(agent.node_name())
        .await
        .unwrap()
        .value;
    assert_eq!(fired.id.len(), 36);
    assert_eq!(fired.name, "deploy");
    assert_eq!(fired.payload, payload);
    assert_eq!(fired.node_filter, agent.node_name());

    let other = events.fire("other").payload("x").await.unwrap().value;
    let listed = wait_listed(&client, "deploy", &fired.id).await;
    assert_eq!(listed.payload, payload, "binary payload round-trips");
    assert!(listed.l_time > 0, "the list carries the Lamport time");
    wait_listed(&client, "other", &other.id).await;
    let only_deploy = events.list().name("deploy").await.unwrap().value;
    assert!(only_deploy.iter().all(|e| e.name == "deploy"));
    let everything = events.list().await.unwrap().value;
    assert!(everything.iter().any(|e| e.id == other.id));
    assert!(everything.iter().any(|e| e.id == fired.id));

    // Filters that do not match this agent: it ignores the event.
    let elsewhere = events
        .fire("deploy")
        .service_filter("no-such-service")
        .tag_filter("v1")
        .await
        .unwrap()
        .value;
    assert_eq!(elsewhere.service_filter, "no-such-service");
    assert_eq!(elsewhere.tag_filter, "v1");
    let marker = events.fire("deploy").payload("after").await.unwrap().value;
    wait_listed(&client, "deploy", &marker.id).await;
    let all = events.list().name("deploy").await.unwrap().value;
    assert!(!all.iter().any(|e| e.id == elsewhere.id));

    // Fired through the agent's own datacenter, chosen on the handle or the request.
    let here = events.dc("dc1").fire("deploy").await.unwrap().value;
    wait_listed(&client, "deploy", &here.id).await;
    let e = events.fire("deploy").dc("nowhere").await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn blocking_list_wakes_on_a_new_event() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let first = client
        .event()
        .fire("tick")
        .payload("1")
        .await
        .unwrap()
        .value;
    wait_listed(&client, "tick", &first.id).await;
    let now = client.event().list().name("tick").await.unwrap();
    let events = client.event();
    let fire = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        events.fire("tick").payload("2").await.unwrap().value
    });
    let started = Instant::now();
    let list = || client.event().list().name("tick");
    let mut next = list()
        .wait(now.meta.last_index, Duration::from_secs(10))
        .await
        .unwrap();
    let second = fire.await.unwrap();
    if !next.value.iter().any(|e| e.id == second.id) {
        // Woken by gossip bookkeeping; one more round.
        next = list()
            .wait(next.meta.last_index, Duration::from_secs(10))
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(next.value.iter().any(|e| e.id == second.id));
    assert_ne!(next.meta.last_index, now.meta.last_index);
}

/// Go's `event` watch: each event fired after the watch started is yielded, although
/// the list's index (derived from the latest event id) does not grow.
#[tokio::test]
async fn a_watch_sees_events_fired_after_it_started() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let mut watch = client
        .event()
        .list()
        .name("watched")
        .wait(0, Duration::from_secs(10))
        .watch();
    let first = tokio::time::timeout(Duration::from_secs(5), watch.next())
        .await
        .expect("the first answer at once")
        .unwrap()
        .unwrap();
    assert!(first.value.is_empty(), "{:?}", first.value);
    let mut seen = Vec::new();
    for n in 0..4 {
        let fired = client
            .event()
            .fire("watched")
            .payload(n.to_string())
            .await
            .unwrap()
            .value;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let change = tokio::time::timeout(left, watch.next())
                .await
                .unwrap_or_else(|_| panic!("event {n} never yielded"))
                .unwrap()
                .unwrap();
            if let Some(last) = change.value.last() {
                assert_eq!(
                    change.meta.last_index,
                    consulate::event::Event::id_to_index(&last.id).unwrap()
                );
            }
            if change.value.iter().any(|e| e.id == fired.id) {
                break;
            }
        }
        seen.push(fired.id);
    }
    // Nothing else arrives: the next read blocks.
    let quiet = tokio::time::timeout(Duration::from_millis(500), watch.next()).await;
    assert!(quiet.is_err(), "yielded without a new event: {quiet:?}");
    assert_eq!(seen.len(), 4);
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_nothing_is_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let e = client.event().fire("").payload("x").await.unwrap_err();
    assert_eq!(
        e.as_validation(),
        Some(&ValidationError::Empty {
            field: "event name"
        })
    );
    let e = client.event().fire("x").tag_filter("v1").await.unwrap_err();
    assert!(e.is_validation());
    let e = client.event().list().name("").await.unwrap_err();
    assert!(e.is_validation());
    assert_eq!(recorder.count(), 0);
    // What only Consul can check: an invalid regular expression is its 500.
    let e = client.event().fire("x").node_filter("(").await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
}
