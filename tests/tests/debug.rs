//! The agent's Go profiles (`/debug/pprof`), on a dev agent (which runs with `enable_debug`)
//! and on one that does not.

use consul_integration_tests::{recording_client, TestAgent};
use std::time::{Duration, Instant};

const GZIP: [u8; 2] = [0x1f, 0x8b];

#[tokio::test]
async fn heap_goroutines_profile_and_trace_stream_from_the_agent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let debug = client.debug();

    let heap = debug.heap().await.unwrap().value.collect().await.unwrap();
    assert_eq!(heap[..2], GZIP, "a gzipped pprof profile");
    assert_eq!(recorder.requests()[0].uri.path(), "/debug/pprof/heap");
    let goroutines = debug
        .goroutine()
        .await
        .unwrap()
        .value
        .collect()
        .await
        .unwrap();
    assert_eq!(goroutines[..2], GZIP);

    // The agent records for the time asked, and answers only then.
    let started = Instant::now();
    let cpu = debug
        .profile(Duration::from_secs(2))
        .await
        .unwrap()
        .value
        .collect()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(cpu[..2], GZIP);
    let sent = recorder.requests().pop().unwrap();
    assert_eq!(sent.uri.path(), "/debug/pprof/profile");
    assert_eq!(sent.query("seconds").as_deref(), Some("2"));

    let trace = debug
        .trace(Duration::from_secs(1))
        .await
        .unwrap()
        .value
        .collect()
        .await
        .unwrap();
    assert!(!trace.is_empty());
}

#[tokio::test]
async fn a_long_profile_is_not_cut_short_by_the_request_timeout() {
    let agent = TestAgent::dev().await;
    let mut config = agent.config();
    config.request_timeout = Some(Duration::from_secs(1));
    let client = consulate::Client::new(config).unwrap();
    let cpu = client
        .debug()
        .profile(Duration::from_secs(3))
        .await
        .expect("the time limit covers the recording")
        .value
        .collect()
        .await
        .unwrap();
    assert_eq!(cpu[..2], GZIP);
}

#[tokio::test]
async fn an_agent_without_enable_debug_refuses_typed() {
    let agent = TestAgent::builder()
        .hcl("enable_debug = false")
        .start()
        .await
        .unwrap();
    let err = agent.client().debug().heap().await.unwrap_err();
    // Consul 1.8.7 then wants `operator:read`, which with ACLs off it cannot grant.
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err:?}");
    assert!(err.to_string().contains("ACL support disabled"), "{err}");
}
