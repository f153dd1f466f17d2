//! The discovery resolver against real agents: its snapshot and change stream following
//! registrations and TTL checks, the tag and node-meta filters, the datacenter fallback
//! over two federated datacenters, failed reads that keep the last set, the end of its
//! task on drop — and a `tower::balance` client over two HTTP servers that stops sending
//! to one within a second of its check turning critical.

use bytes::Bytes;
use consul_integration_tests::{
    eventually, recording_client, unique_prefix, Federation, LogCapture, TestAgent,
};
use consulate::agent::{CheckDefinition, ServiceRegistration};
use consulate::discovery::{Change, Changes, Instance, Resolver};
use consulate::Client;
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::balance::p2c::Balance;
use tower::load::{CompleteOnResponse, PendingRequests};
use tower::{BoxError, Service, ServiceExt};

/// Registers instance `id` of `service` on `port` with a TTL check `<id>-ttl`, passing.
async fn register(client: &Client, service: &str, id: &str, port: u16, tags: &[&str]) {
    let reg = ServiceRegistration::new(service)
        .id(id)
        .address("127.0.0.1")
        .port(port)
        .tags(tags.iter().copied())
        .check(CheckDefinition::ttl(Duration::from_secs(60)).id(format!("{id}-ttl")));
    client.agent().service_register(reg).await.unwrap();
    client.agent().pass_ttl(format!("{id}-ttl")).await.unwrap();
}

/// The next change of `changes` (errors skipped), at most 10 s.
async fn next_change(changes: &mut Changes) -> Change {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match changes.next().await.expect("the stream lives") {
                Ok(change) => return change,
                Err(e) => eprintln!("(reported: {e})"),
            }
        }
    })
    .await
    .expect("a change within 10 s")
}

/// The set once it is decided, at most 10 s.
async fn ready(resolver: &Resolver) -> consulate::discovery::Instances {
    tokio::time::timeout(Duration::from_secs(10), resolver.ready())
        .await
        .expect("decided within 10 s")
        .expect("a set")
}

fn ids(instances: &consulate::discovery::Instances) -> Vec<String> {
    instances.iter().map(|i| i.key.service_id.clone()).collect()
}

#[tokio::test]
async fn snapshot_and_changes_follow_registrations_checks_and_updates() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let service = unique_prefix("disc").replace('/', "-") + "web";
    register(&client, &service, "web-1", 8001, &["v1"]).await;

    let resolver = client.resolver(&service).start().unwrap();
    let first = ready(&resolver).await;
    assert_eq!(ids(&first), ["web-1"]);
    assert_eq!(
        first.datacenter(),
        None,
        "no list: the agent's own datacenter"
    );
    let web1 = first.by_service_id("web-1").unwrap();
    assert_eq!((web1.address.as_str(), web1.port), ("127.0.0.1", 8001));
    assert_eq!(web1.key.node, agent.node_name());
    assert_eq!(web1.key.datacenter, "dc1");

    let mut changes = resolver.changes();
    match next_change(&mut changes).await {
        Change::Added(i) => assert_eq!(i.key.service_id, "web-1"),
        other => panic!("a new stream starts with what is known, got {other:?}"),
    }

    register(&client, &service, "web-2", 8002, &["v1"]).await;
    match next_change(&mut changes).await {
        Change::Added(i) => assert_eq!((i.key.service_id.as_str(), i.port), ("web-2", 8002)),
        other => panic!("web-2 added, got {other:?}"),
    }

    // Same instance, new port: an update under the same key.
    register(&client, &service, "web-1", 9001, &["v1"]).await;
    match next_change(&mut changes).await {
        Change::Updated { old, new } => {
            assert_eq!(old.key, new.key);
            assert_eq!((old.port, new.port), (8001, 9001));
        }
        other => panic!("web-1 updated, got {other:?}"),
    }

    // A check output alone is not a change of the endpoint.
    client
        .agent()
        .pass_ttl("web-1-ttl")
        .note("still fine")
        .await
        .unwrap();
    client.agent().fail_ttl("web-2-ttl").await.unwrap();
    match next_change(&mut changes).await {
        Change::Removed(i) => assert_eq!(i.key.service_id, "web-2"),
        other => panic!("web-2 removed when critical, got {other:?}"),
    }
    let now = resolver.snapshot();
    assert_eq!(ids(&now), ["web-1"]);
    assert_eq!(now.by_service_id("web-1").unwrap().port, 9001);
    assert!(resolver.last_error().is_none());
}

#[tokio::test]
async fn tag_and_node_meta_filters_select_instances() {
    let agent = TestAgent::builder()
        .hcl(r#"node_meta { rack = "r1" }"#)
        .start()
        .await
        .unwrap();
    let client = agent.client();
    let service = unique_prefix("disc").replace('/', "-") + "api";
    register(&client, &service, "api-v1", 7001, &["v1", "blue"]).await;
    register(&client, &service, "api-v2", 7002, &["v2", "blue"]).await;

    let v1 = client.resolver(&service).tag("v1").start().unwrap();
    assert_eq!(ids(&ready(&v1).await), ["api-v1"]);
    let both = client
        .resolver(&service)
        .tag("blue")
        .tag("v2")
        .start()
        .unwrap();
    assert_eq!(ids(&ready(&both).await), ["api-v2"], "every tag must match");
    let rack = client
        .resolver(&service)
        .node_meta("rack", "r1")
        .start()
        .unwrap();
    assert_eq!(ids(&ready(&rack).await), ["api-v1", "api-v2"]);
    let other_rack = client
        .resolver(&service)
        .node_meta("rack", "r2")
        .start()
        .unwrap();
    let none = ready(&other_rack).await;
    assert!(none.is_empty() && none.is_resolved());
    let near = client.resolver(&service).near("_agent").start().unwrap();
    assert_eq!(ready(&near).await.len(), 2);
}

#[tokio::test]
async fn invalid_settings_are_refused_before_anything_is_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    for builder in [
        client.resolver(""),
        client.resolver("web").tag(""),
        client.resolver("web").datacenters(["dc1", ""]),
        client.resolver("web").wait_time(Duration::from_secs(3600)),
    ] {
        let e = builder.start().unwrap_err();
        assert!(
            e.to_string().starts_with("invalid resolver settings: "),
            "{e}"
        );
    }
    assert_eq!(recorder.count(), 0);
}

#[tokio::test]
async fn datacenter_fallback_uses_the_first_datacenter_with_a_passing_instance() {
    let fed = Federation::start().await.unwrap();
    let (dc1, dc2) = (fed.primary.client(), fed.secondary.client());
    let service = unique_prefix("disc").replace('/', "-") + "db";
    register(&dc2, &service, "db-dc2", 5432, &[]).await;

    let resolver = dc1
        .resolver(&service)
        .datacenters(["dc1", "dc2"])
        .start()
        .unwrap();
    let first = ready(&resolver).await;
    assert_eq!(first.datacenter(), Some("dc2"), "dc1 has none");
    assert_eq!(ids(&first), ["db-dc2"]);
    assert_eq!(first.iter().next().unwrap().key.datacenter, "dc2");
    let mut changes = resolver.changes();
    assert!(matches!(next_change(&mut changes).await, Change::Added(_)));

    // dc1 gets a passing instance: the set moves back to it.
    register(&dc1, &service, "db-dc1", 5432, &[]).await;
    let mut seen = [
        next_change(&mut changes).await,
        next_change(&mut changes).await,
    ];
    seen.sort_by_key(|c| matches!(c, Change::Added(_)));
    assert!(matches!(&seen[0], Change::Removed(i) if i.key.service_id == "db-dc2"));
    assert!(matches!(&seen[1], Change::Added(i) if i.key.service_id == "db-dc1"));
    assert_eq!(resolver.snapshot().datacenter(), Some("dc1"));

    // Critical in dc1: back to dc2.
    dc1.agent().fail_ttl("db-dc1-ttl").await.unwrap();
    let mut seen = [
        next_change(&mut changes).await,
        next_change(&mut changes).await,
    ];
    seen.sort_by_key(|c| matches!(c, Change::Added(_)));
    assert!(matches!(&seen[0], Change::Removed(i) if i.key.service_id == "db-dc1"));
    assert!(matches!(&seen[1], Change::Added(i) if i.key.service_id == "db-dc2"));
    assert_eq!(resolver.snapshot().datacenter(), Some("dc2"));
}

#[tokio::test]
async fn an_unreadable_datacenter_is_reported_and_skipped() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let service = unique_prefix("disc").replace('/', "-") + "cache";
    register(&client, &service, "cache-1", 6379, &[]).await;
    let resolver = client
        .resolver(&service)
        .datacenters(["nowhere", "dc1"])
        .start()
        .unwrap();
    let set = ready(&resolver).await;
    assert_eq!(set.datacenter(), Some("dc1"));
    let error = resolver
        .last_error()
        .expect("the failing datacenter is reported");
    assert_eq!(
        error
            .consul_error()
            .and_then(|e| e.status())
            .map(|s| s.as_u16()),
        Some(500)
    );
    assert!(error.to_string().contains("in nowhere failed"), "{error}");
    assert!(
        error.to_string().contains("No path to datacenter"),
        "{error}"
    );
}

#[tokio::test]
async fn a_failed_read_is_reported_the_last_good_set_kept_and_recovered() {
    let mut agent = TestAgent::dev().await;
    let client = agent.client();
    let service = unique_prefix("disc").replace('/', "-") + "queue";
    register(&client, &service, "queue-1", 5672, &[]).await;
    let resolver = client.resolver(&service).start().unwrap();
    assert_eq!(ids(&ready(&resolver).await), ["queue-1"]);
    let mut changes = resolver.changes();
    assert!(matches!(next_change(&mut changes).await, Change::Added(_)));

    agent.kill();
    let reported = tokio::time::timeout(Duration::from_secs(10), changes.next())
        .await
        .expect("the failure is reported within 10 s")
        .expect("the stream goes on");
    let error = reported.expect_err("a failed read");
    assert!(
        error.consul_error().is_some_and(|e| e.is_retryable()),
        "{error}"
    );
    assert_eq!(
        ids(&resolver.snapshot()),
        ["queue-1"],
        "the last good set stays"
    );
    assert!(resolver.last_error().is_some());

    // The agent comes back with fresh state and the instance registers again: the error
    // clears and the instance is there.
    agent.restart().await.unwrap();
    register(&client, &service, "queue-1", 5672, &[]).await;
    eventually("the resolver to recover", || {
        let recovered = resolver.last_error().is_none() && ids(&resolver.snapshot()) == ["queue-1"];
        async move { recovered.then_some(()) }
    })
    .await;
}

#[tokio::test]
async fn dropping_the_resolver_and_its_streams_ends_the_task() {
    let logs = LogCapture::start();
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let service = unique_prefix("disc").replace('/', "-") + "gone";
    let resolver = client.resolver(&service).start().unwrap();
    let changes = resolver.changes();
    assert!(ready(&resolver).await.is_empty());
    drop(resolver);
    assert!(
        !logs.text().contains("health watches stopped"),
        "a stream still holds it"
    );
    drop(changes);
    eventually("the resolver's task to end", || {
        let text = logs.text();
        async move { text.contains("health watches stopped").then_some(()) }
    })
    .await;
}

/// A tiny HTTP server answering every request with its name, counting them.
struct NamedServer {
    port: u16,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for NamedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(name: &'static str) -> NamedServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let answer = hyper::service::service_fn(move |_request| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async move {
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(name))))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), answer)
                    .await;
            });
        }
    });
    NamedServer { port, hits, task }
}

/// One request through the balancer: the name of the server that answered.
async fn ask<S>(balancer: &mut S) -> String
where
    S: Service<(), Response = String, Error = BoxError>,
{
    let call = async { balancer.ready().await?.call(()).await };
    tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("a ready instance within 10 s")
        .expect("an answer")
}

#[tokio::test]
async fn a_balanced_client_stops_sending_to_a_critical_instance_within_a_second() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let service = unique_prefix("disc").replace('/', "-") + "balanced";
    let (a, b) = (serve("a").await, serve("b").await);
    register(&client, &service, "a", a.port, &[]).await;
    register(&client, &service, "b", b.port, &[]).await;

    let resolver = client.resolver(&service).start().unwrap();
    let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .build::<_, Empty<Bytes>>(HttpConnector::new());
    let discover = resolver.discover(move |instance: &Instance| {
        let http = http.clone();
        let uri: http::Uri = format!("http://{}/", instance.authority()).parse().unwrap();
        let endpoint = tower::service_fn(move |()| {
            let (http, uri) = (http.clone(), uri.clone());
            async move {
                let response = http.get(uri).await?;
                let body = response.into_body().collect().await?.to_bytes();
                Ok::<_, BoxError>(String::from_utf8_lossy(&body).into_owned())
            }
        });
        PendingRequests::new(endpoint, CompleteOnResponse::default())
    });
    let mut balancer = Balance::new(discover);

    // Both serve: within 200 requests each gets some (p2c picks at random among equals).
    let mut answers = Vec::new();
    for _ in 0..200 {
        answers.push(ask(&mut balancer).await);
        if answers.iter().any(|n| n == "a") && answers.iter().any(|n| n == "b") {
            break;
        }
    }
    assert!(answers.iter().any(|n| n == "a") && answers.iter().any(|n| n == "b"));

    // `a` turns critical: requests keep flowing, and from one second on none reaches it.
    let mut changes = resolver.changes();
    next_change(&mut changes).await;
    next_change(&mut changes).await;
    let removed = tokio::spawn(async move {
        let change = next_change(&mut changes).await;
        (change, Instant::now())
    });
    let failing_at = Instant::now();
    client.agent().fail_ttl("a-ttl").await.unwrap();
    let critical_at = Instant::now();
    let mut last_to_a = None;
    while critical_at.elapsed() < Duration::from_secs(1) {
        if ask(&mut balancer).await == "a" {
            last_to_a = Some(critical_at.elapsed());
        }
    }
    let hits_a = a.hits.load(Ordering::SeqCst);
    for _ in 0..50 {
        assert_eq!(ask(&mut balancer).await, "b");
    }
    assert_eq!(
        a.hits.load(Ordering::SeqCst),
        hits_a,
        "no request reached a"
    );
    let (change, removed_at) = removed.await.unwrap();
    assert!(matches!(change, Change::Removed(i) if i.key.service_id == "a"));
    println!(
        "critical instance removed {:?} after its check was set failing (the write took {:?}); \
         last request to it {last_to_a:?} after",
        removed_at - failing_at,
        critical_at - failing_at
    );

    // It recovers: it receives requests again.
    client.agent().pass_ttl("a-ttl").await.unwrap();
    let recovered_at = Instant::now();
    let mut sent = 0;
    while a.hits.load(Ordering::SeqCst) == hits_a {
        ask(&mut balancer).await;
        sent += 1;
        assert!(
            recovered_at.elapsed() < Duration::from_secs(10),
            "a got nothing in 10 s ({sent} requests) after recovering"
        );
    }
    println!(
        "the recovered instance got a request {:?} after its check passed",
        recovered_at.elapsed()
    );
}
