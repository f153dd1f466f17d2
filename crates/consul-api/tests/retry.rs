//! What the executor sends again, and where: retries by what a failure proves (reads on
//! anything passing, writes only when provably not applied or idempotent), their bounds
//! and pauses, blocking reads that keep their index, and a second address taking over when
//! the first cannot be reached. Time is paused: the pauses cost nothing.

use consul_api::{Client, Config, Error, RetryPolicy};
use consul_transport::mock::{MockTransport, Reply};
use consul_transport::TransportError;
use std::time::Duration;

const PAIR: &str = r#"[{"Key":"k","Value":"dg==","CreateIndex":5,"ModifyIndex":9}]"#;
const SESSION: &str = r#"[{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","TTL":"10s"}]"#;

fn client(mock: &MockTransport) -> Client {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("secret-token".into());
    Client::with_transport(config, mock.clone()).unwrap()
}

fn refused() -> Reply {
    let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
    Reply::Error(TransportError::connect(refused).with_target("127.0.0.1:8500"))
}

fn reset() -> Reply {
    Reply::Error(TransportError::io("connection reset"))
}

#[tokio::test(start_paused = true)]
async fn a_read_is_sent_again_through_lost_connections_and_leader_trouble() {
    let mock = MockTransport::new();
    mock.push(reset())
        .push(refused())
        .push(Reply::status(500, "No cluster leader"))
        .push(Reply::status(500, "rpc error making call: EOF"))
        .push(Reply::status(503, ""))
        .push(Reply::status(429, "rate limit exceeded"))
        .push(Reply::json(PAIR).header("x-consul-index", "9"));
    let pair = client(&mock).kv().get("k").await.unwrap();
    assert_eq!(pair.value.unwrap().value_str(), Some("v"));
    assert_eq!(mock.count(), 7);
    // The same request each time.
    let uris: Vec<_> = mock.requests().iter().map(|r| r.uri.clone()).collect();
    assert!(uris.iter().all(|u| *u == uris[0]), "{uris:?}");
}

#[tokio::test(start_paused = true)]
async fn refusals_that_would_repeat_are_not_retried() {
    let mock = MockTransport::new();
    mock.push(Reply::status(500, "No path to datacenter"))
        .push(Reply::status(403, "Permission denied"))
        .push(Reply::status(400, "Bad request"))
        .push(Reply::Error(TransportError::timeout("late")));
    let kv = client(&mock).kv();
    for _ in 0..4 {
        kv.get("k").await.unwrap_err();
    }
    assert_eq!(mock.count(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_plain_write_goes_again_only_when_it_never_reached_consul() {
    let mock = MockTransport::new();
    let kv = client(&mock).kv();
    // Not sent (no connection), then refused before anything was done (429): sent again.
    mock.push(refused())
        .push(Reply::status(429, ""))
        .push(Reply::json("true"));
    assert!(kv.put("k", "v").await.unwrap().value);
    assert_eq!(mock.count(), 3);
    // May have been applied: reported, not sent again.
    mock.push(reset());
    let err = kv.put("k", "v").await.unwrap_err();
    assert!(err.as_transport().is_some_and(|t| t.is_io()), "{err:?}");
    mock.push(Reply::status(500, "rpc error making call: EOF"));
    let err = kv.put("k", "v").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(mock.count(), 5);
}

#[tokio::test(start_paused = true)]
async fn idempotent_writes_ride_through_leader_trouble() {
    let mock = MockTransport::new();
    let client = client(&mock);
    mock.push(reset())
        .push(Reply::status(500, "No cluster leader"))
        .push(Reply::json(SESSION));
    let renewed = client
        .session()
        .renew("adf4238a-882b-9ddc-4a9d-5b6758e4159e");
    assert_eq!(
        renewed.await.unwrap().value.ttl,
        Some(Duration::from_secs(10))
    );
    assert_eq!(mock.count(), 3);
    mock.push(Reply::status(500, "leadership lost while committing log"))
        .push(Reply::status(200, ""));
    client.agent().pass_ttl("service:web").await.unwrap();
    assert_eq!(mock.count(), 5);
    // A CAS answered `true` on its retry was applied once, by that retry.
    mock.push(Reply::status(500, "No cluster leader"))
        .push(Reply::json("true"));
    assert!(client.kv().cas("k", "2", 9).await.unwrap().value);
    assert_eq!(mock.count(), 7);
    assert_eq!(mock.last().unwrap().query("cas").as_deref(), Some("9"));
}

#[tokio::test(start_paused = true)]
async fn a_cas_refused_after_a_failure_that_may_have_applied_it_reports_that_failure() {
    let mock = MockTransport::new();
    let kv = client(&mock).kv();
    // The first attempt may have applied it: its retry's `false` would hide that.
    mock.push(reset()).push(Reply::json("false"));
    let err = kv.cas("k", "2", 9).await.unwrap_err();
    assert!(err.as_transport().is_some_and(|t| t.is_io()), "{err:?}");
    assert_eq!(mock.count(), 2);
    mock.push(Reply::status(500, "rpc error making call: EOF"))
        .push(Reply::json("false"));
    let err = kv.delete_cas("k", 9).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
    // The first attempt never left: `false` is the truth.
    mock.push(refused()).push(Reply::json("false"));
    assert!(!kv.cas("k", "2", 9).await.unwrap().value);
    // A later failure that proves nothing does not hide an earlier one that may have
    // applied the write.
    mock.push(reset())
        .push(refused())
        .push(Reply::status(400, "bad"));
    let err = kv.cas("k", "2", 9).await.unwrap_err();
    assert!(err.as_transport().is_some_and(|t| t.is_io()), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn attempts_and_time_are_bounded_and_pauses_grow() {
    let mock = MockTransport::new();
    for _ in 0..40 {
        mock.push(Reply::status(500, "No cluster leader"));
    }
    let kv = client(&mock).kv();
    let started = tokio::time::Instant::now();
    let err = kv.get("k").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    let default = RetryPolicy::default();
    assert_eq!(mock.count(), default.max_attempts as usize);
    let took = started.elapsed();
    // Nine pauses: 50-100 ms doubling to the 1-2 s cap, within the 15 s budget.
    assert!(
        took >= Duration::from_millis(50 + 100 + 200 + 400 + 800 + 4 * 1000)
            && took <= default.max_elapsed,
        "{took:?}"
    );

    let before = mock.count();
    let short = RetryPolicy::default().max_attempts(3);
    kv.get("k").retry(short).await.unwrap_err();
    assert_eq!(mock.count() - before, 3);

    let before = mock.count();
    let started = tokio::time::Instant::now();
    let brief = RetryPolicy::default()
        .max_attempts(100)
        .max_elapsed(Duration::from_secs(1));
    kv.get("k").retry(brief).await.unwrap_err();
    assert!(started.elapsed() <= Duration::from_secs(1));
    assert!(mock.count() - before >= 3, "{}", mock.count() - before);

    let before = mock.count();
    kv.get("k").retry(RetryPolicy::none()).await.unwrap_err();
    assert_eq!(mock.count() - before, 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_for() {
    let mock = MockTransport::new();
    mock.push(Reply::status(429, "slow down").header("retry-after", "3"))
        .push(Reply::json(PAIR));
    let started = tokio::time::Instant::now();
    client(&mock).kv().get("k").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // More than the budget: given up at once.
    mock.push(Reply::status(429, "slow down").header("retry-after", "60"));
    let started = tokio::time::Instant::now();
    let err = client(&mock).kv().get("k").await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_retried_blocking_read_keeps_its_index() {
    let mock = MockTransport::new();
    mock.push(Reply::status(500, "No cluster leader"))
        .push(Reply::json(PAIR).header("x-consul-index", "12"));
    let read = client(&mock)
        .kv()
        .get("k")
        .wait(9, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(read.meta.last_index, 12);
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert_eq!(request.query("index").as_deref(), Some("9"));
    }
    // What is left of the wait, in whole seconds.
    let wait = sent[1].query("wait").unwrap();
    assert!(["29000ms", "30000ms"].contains(&wait.as_str()), "{wait}");
    // After a lost connection the agent may be a fresh one: the state at once.
    mock.push(reset())
        .push(Reply::json(PAIR).header("x-consul-index", "3"));
    let read = client(&mock)
        .kv()
        .get("k")
        .wait(9, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(read.meta.last_index, 3);
    let last = mock.last().unwrap();
    assert_eq!(last.query("index").as_deref(), Some("9"));
    assert_eq!(last.query("wait").as_deref(), Some("1ms"));
}

#[tokio::test(start_paused = true)]
async fn the_clients_policy_applies_unless_the_request_has_its_own() {
    let mock = MockTransport::new();
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.retry = RetryPolicy::none();
    let client = Client::with_transport(config, mock.clone()).unwrap();
    assert_eq!(client.retry_policy(), &RetryPolicy::none());
    mock.push(reset());
    client.kv().get("k").await.unwrap_err();
    assert_eq!(mock.count(), 1);
    mock.push(reset()).push(Reply::json(PAIR));
    client
        .kv()
        .get("k")
        .retry(RetryPolicy::default())
        .await
        .unwrap();
    assert_eq!(mock.count(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_agent_hands_over_to_the_next_address() {
    let mock = MockTransport::new();
    let client = Client::builder()
        .addresses(["10.0.0.1:8500", "10.0.0.2:8500"])
        .token("secret-token")
        .retry(RetryPolicy::none())
        .transport(mock.clone())
        .build()
        .unwrap();
    assert_eq!(client.addresses().len(), 2);
    assert_eq!(client.active_address().to_string(), "http://10.0.0.1:8500");
    // Not a retry: the request never left, and goes to the next agent at once.
    mock.push(refused()).push(Reply::json("true"));
    assert!(client.kv().put("k", "v").await.unwrap().value);
    let hosts: Vec<_> = mock
        .requests()
        .iter()
        .map(|r| r.uri.authority().unwrap().to_string())
        .collect();
    assert_eq!(hosts, ["10.0.0.1:8500", "10.0.0.2:8500"]);
    assert_eq!(client.active_address().to_string(), "http://10.0.0.2:8500");
    // Within the cool-down, requests stay on the fallback, with the same token.
    mock.push(Reply::json(PAIR));
    client.kv().get("k").await.unwrap();
    let last = mock.last().unwrap();
    assert_eq!(last.uri.authority().unwrap().as_str(), "10.0.0.2:8500");
    assert_eq!(last.headers["x-consul-token"], "secret-token");
    // Every agent unreachable: the connect error of the last one tried.
    mock.push(refused()).push(refused());
    let err = client.kv().get("k").await.unwrap_err();
    assert!(err.as_transport().is_some_and(|t| t.is_connect()));
}

#[test]
fn fallbacks_must_share_the_scheme_and_cannot_follow_a_socket() {
    let build = |addresses: &[&str]| {
        Client::builder()
            .addresses(addresses.iter().copied())
            .transport(MockTransport::new())
            .build()
    };
    for bad in [
        &["http://a:8500", "https://b:8501"][..],
        &["https://a:8501", "b:8500"],
        &["unix:///run/consul.sock", "b:8500"],
        &["a:8500", "unix:///run/consul.sock"],
        &[],
    ] {
        match build(bad) {
            Err(Error::Config(msg)) => assert!(!msg.is_empty(), "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    build(&["https://a:8501", "https://b:8501"]).unwrap();
    let zero = Client::builder()
        .failback_after(Duration::ZERO)
        .transport(MockTransport::new())
        .build();
    assert!(matches!(zero, Err(Error::Config(m)) if m.contains("failback_after")));
}
