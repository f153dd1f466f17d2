//! Options and metadata the Go client has: the client's default wait, the cache's
//! stale-if-error, address translation; and options refused where Consul ignores them.

use consul_integration_tests::{eventually, recording_client, unique_prefix, TestAgent};
use consulate::agent::{CheckDefinition, ServiceRegistration};
use consulate::transport::mock::Recording;
use consulate::transport::HyperTransport;
use consulate::{Client, QueryOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_clients_default_wait_bounds_blocking_reads_that_set_none() {
    let agent = TestAgent::dev().await;
    let recorder = Arc::new(Recording::new(HyperTransport::new()));
    let client = Client::builder()
        .config(agent.config())
        .wait_time(Duration::from_secs(1))
        .transport(Arc::clone(&recorder))
        .build()
        .unwrap();
    let kv = client.kv();
    let key = format!("{}quiet", unique_prefix("wait"));
    kv.put(&key, "v").await.unwrap();
    let index = kv.get(&key).await.unwrap().meta.last_index;

    // Zero is "the default": the client's, here 1 s, not the agent's 5 minutes.
    let started = Instant::now();
    kv.get(&key).wait(index, Duration::ZERO).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(
        recorder.requests().last().unwrap().query("wait").as_deref(),
        Some("1000ms")
    );
    // A read that chooses keeps its own.
    kv.get(&key)
        .wait(index, Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(
        recorder.requests().last().unwrap().query("wait").as_deref(),
        Some("200ms")
    );
    // A read that does not block sends none.
    kv.get(&key).await.unwrap();
    assert_eq!(recorder.requests().last().unwrap().query("wait"), None);

    // Every read of a watch uses it.
    let before = recorder.count();
    let mut watch = kv.get(&key).watch();
    watch.next().await.unwrap().unwrap();
    let watching = tokio::spawn(async move { watch.next().await.map(|r| r.is_ok()) });
    let waited = eventually("the watch's blocking read", || {
        let sent = recorder.requests();
        async move {
            sent[before..]
                .iter()
                .find(|r| r.query("index").is_some())
                .map(|r| r.query("wait"))
        }
    })
    .await;
    assert_eq!(waited.as_deref(), Some("1000ms"));
    watching.abort();

    // Longer than Consul allows is refused when the client is made.
    let err = Client::builder()
        .config(agent.config())
        .wait_time(Duration::from_secs(601))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("10 minutes"), "{err}");
}

#[tokio::test]
async fn a_cached_read_may_accept_a_stale_answer_when_the_servers_fail() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    client
        .agent()
        .service_register(
            ServiceRegistration::new("cached-web")
                .check(CheckDefinition::ttl(Duration::from_secs(30))),
        )
        .await
        .unwrap();
    let first = client
        .health()
        .service("cached-web")
        .cached(Duration::from_secs(30))
        .stale_if_error(Duration::from_secs(600))
        .await
        .unwrap();
    assert!(first.meta.cache_hit.is_some(), "the agent cache answered");
    let sent = recorder.requests().pop().unwrap();
    assert_eq!(sent.query("cached").as_deref(), Some(""));
    assert_eq!(
        sent.headers["cache-control"],
        "max-age=30, stale-if-error=600"
    );
    // Without the cache it means nothing, and is refused before sending.
    let count = recorder.count();
    let opts = QueryOptions::default().stale_if_error(Duration::from_secs(60));
    let err = client
        .health()
        .service("cached-web")
        .options(&opts)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(recorder.count(), count);
}

#[tokio::test]
async fn address_translation_is_reported_in_the_metadata() {
    let plain = TestAgent::dev().await;
    let meta = plain.client().catalog().nodes().await.unwrap().meta;
    assert_eq!(meta.address_translation_enabled, None);
    let translating = TestAgent::builder()
        .hcl("translate_wan_addrs = true")
        .start()
        .await
        .unwrap();
    let meta = translating.client().catalog().nodes().await.unwrap().meta;
    assert_eq!(meta.address_translation_enabled, Some(true));
    // Consul 1.8.7 does not send X-Consul-Default-ACL-Policy (1.9+); its parsing is
    // unit-tested in consul-types.
    assert_eq!(meta.default_acl_policy, None);
}

#[tokio::test]
async fn keyring_and_query_options_are_refused_where_consul_ignores_them() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    for opts in [
        QueryOptions::default().relay_factor(2),
        QueryOptions::default().local_only(true),
        QueryOptions::default().connect(true),
    ] {
        let err = client.catalog().nodes().options(&opts).await.unwrap_err();
        assert!(err.to_string().contains("does not apply"), "{err}");
    }
    let w = consulate::WriteOptions::default().relay_factor(1);
    let err = client.kv().put("k", "v").options(&w).await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(recorder.count(), 0);
}
