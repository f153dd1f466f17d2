//! Many watches from one process against a real agent with its default limits: identical
//! watches share their blocking reads, plain HTTP never opens more connections than the
//! cap (below the agent's own limit of 200 per client), and HTTP/2 opens another connection
//! when one carries as many requests as it may.

use consul_integration_tests::{eventually, unique_prefix, TestAgent};
use consul_test::TlsCerts;
use consul_transport::mock::Recording;
use consul_transport::{HyperTransport, TlsConfig};
use consulate::types::kv::KvPair;
use consulate::{Client, Config, QueryResponse};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// What a watcher task reports: which watcher, and the value it saw.
type Seen = (usize, Result<Option<String>, String>);

/// Starts one task per key, each watching its key (with `wait` per read when given) and
/// reporting every change.
fn watch_all(
    client: &Client,
    keys: &[String],
    wait: Option<Duration>,
) -> mpsc::UnboundedReceiver<Seen> {
    let (tx, rx) = mpsc::unbounded_channel();
    for (i, key) in keys.iter().enumerate() {
        let mut read = client.kv().get(key);
        if let Some(wait) = wait {
            read = read.wait_time(wait);
        }
        let mut watch = read.watch();
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(change) = watch.next().await {
                let seen = change
                    .map(|c: QueryResponse<Option<KvPair>>| {
                        c.value.and_then(|p| p.value_str().map(str::to_owned))
                    })
                    .map_err(|e| e.to_string());
                if tx.send((i, seen)).is_err() {
                    return;
                }
            }
        });
    }
    rx
}

/// Waits until every watcher in `expect` reported its expected value (at most 60 s);
/// any error a watcher reports fails the test.
async fn until_seen(
    rx: &mut mpsc::UnboundedReceiver<Seen>,
    mut expect: HashMap<usize, Option<String>>,
) {
    tokio::time::timeout(Duration::from_secs(60), async {
        while !expect.is_empty() {
            let (i, seen) = rx.recv().await.expect("watchers run");
            let seen = seen.unwrap_or_else(|e| panic!("watcher {i} failed: {e}"));
            if expect.get(&i) == Some(&seen) {
                expect.remove(&i);
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("not seen in time by {} watchers", expect.len()));
}

/// Established TCP connections to `port` on 127.0.0.1, from `/proc/net/tcp`: what the
/// agent counts against its per-client limit.
fn connections_to(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let remote = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(2) == Some(&remote.as_str()) && fields.get(3) == Some(&"01")
        })
        .count()
}

/// Watchers of one key that go through one recording client, with coalescing on or off:
/// the first reads sent, and the blocking reads sent per index, after three writes that
/// every watcher saw.
async fn blocking_reads_of_identical_watches(
    coalesce: bool,
    watchers: usize,
) -> (usize, HashMap<String, usize>) {
    let agent = TestAgent::dev().await;
    let recorder = Arc::new(Recording::new(HyperTransport::new()));
    let mut config = agent.config();
    config.coalesce_blocking_reads = coalesce;
    let client = Client::with_transport(config, Arc::clone(&recorder)).unwrap();
    let key = format!("{}shared", unique_prefix("many-watches"));
    client.kv().put(&key, "v0").await.unwrap();
    let keys = vec![key.clone(); watchers];
    let mut rx = watch_all(&client, &keys, None);
    let all = |value: &str| (0..watchers).map(|i| (i, Some(value.to_owned()))).collect();
    until_seen(&mut rx, all("v0")).await;
    // Each watcher now waits on the index it saw (on a current-thread runtime a watcher
    // has made its next read before the test runs again).
    for round in 1..=3 {
        let value = format!("v{round}");
        client.kv().put(&key, value.clone()).await.unwrap();
        until_seen(&mut rx, all(&value)).await;
    }
    let path = format!("/v1/kv/{key}");
    let mut per_index: HashMap<String, usize> = HashMap::new();
    let mut first_reads = 0;
    for request in recorder.requests() {
        if request.method != http::Method::GET || request.uri.path() != path {
            continue;
        }
        match request.query("index") {
            Some(index) => *per_index.entry(index).or_default() += 1,
            None => first_reads += 1,
        }
    }
    (first_reads, per_index)
}

#[tokio::test]
async fn identical_watches_send_one_blocking_read_per_index() {
    const WATCHERS: usize = 25;
    let (first_reads, per_index) = blocking_reads_of_identical_watches(true, WATCHERS).await;
    assert_eq!(
        first_reads, WATCHERS,
        "first reads do not block: each is sent"
    );
    assert!(
        per_index.len() >= 4,
        "one index per write and the first: {per_index:?}"
    );
    for (index, sent) in &per_index {
        assert_eq!(
            *sent, 1,
            "{WATCHERS} watchers waiting on index {index}: {per_index:?}"
        );
    }
}

#[tokio::test]
async fn without_coalescing_each_identical_watch_sends_its_own_blocking_read() {
    // The counter above would see it: the same watchers, each read sent.
    const WATCHERS: usize = 5;
    let (first_reads, per_index) = blocking_reads_of_identical_watches(false, WATCHERS).await;
    assert_eq!(first_reads, WATCHERS);
    assert!(per_index.len() >= 4, "{per_index:?}");
    assert!(
        per_index.values().all(|sent| *sent == WATCHERS),
        "every watcher sends its read for every index: {per_index:?}"
    );
}

#[tokio::test]
async fn plain_http_stays_under_the_connection_cap_with_more_watches_than_the_agent_allows() {
    // The agent keeps its default `http_max_conns_per_client` of 200: 250 watches over
    // HTTP/1.1 with a connection each would have connections refused.
    let agent = TestAgent::dev().await;
    let port = agent.ports().http;
    let transport = HyperTransport::new();
    let client = Client::with_transport(agent.config(), transport.clone()).unwrap();
    let prefix = unique_prefix("capped");
    const WATCHES: usize = 250;
    let keys: Vec<String> = (0..WATCHES).map(|i| format!("{prefix}k{i}")).collect();
    // Short waits, so the watches take turns on the connections.
    let mut rx = watch_all(&client, &keys, Some(Duration::from_secs(1)));
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sampler = {
        let (transport, peak) = (transport.clone(), std::sync::Arc::clone(&peak));
        tokio::spawn(async move {
            loop {
                let open = transport.open_connections().max(connections_to(port));
                peak.fetch_max(open, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    until_seen(&mut rx, (0..WATCHES).map(|i| (i, None)).collect()).await;
    // Every key written through the same client: the writes wait their turn too.
    let writes: Vec<_> = keys
        .iter()
        .map(|key| {
            let (client, key) = (client.clone(), key.clone());
            tokio::spawn(async move { client.kv().put(&key, "written").await })
        })
        .collect();
    for write in writes {
        assert!(write.await.unwrap().unwrap().value);
    }
    until_seen(
        &mut rx,
        (0..WATCHES).map(|i| (i, Some("written".into()))).collect(),
    )
    .await;
    sampler.abort();
    let peak = peak.load(std::sync::atomic::Ordering::Relaxed);
    assert!(peak <= 128, "{peak} connections at once");
    assert!(
        peak >= 100,
        "the watches did use connections in parallel: {peak}"
    );
    assert!(connections_to(port) <= 128);
}

#[tokio::test]
async fn http2_opens_another_connection_when_one_carries_its_limit() {
    let certs = TlsCerts::make().unwrap();
    let agent = TestAgent::builder().https(&certs).start().await.unwrap();
    let port = agent.https_port().unwrap();
    let config = || agent.https_config().unwrap();
    let tls = TlsConfig::default().ca_file(certs.ca());
    let prefix = unique_prefix("h2");

    // Four streams per connection: ten watches need three connections.
    let small = HyperTransport::builder()
        .tls(&tls)
        .unwrap()
        .max_streams_per_connection(4)
        .build();
    let client = Client::with_transport(config(), small.clone()).unwrap();
    let keys: Vec<String> = (0..10).map(|i| format!("{prefix}small{i}")).collect();
    let mut rx = watch_all(&client, &keys, None);
    until_seen(&mut rx, (0..10).map(|i| (i, None)).collect()).await;
    // Every watch now holds a blocking read open.
    eventually("three connections", || async {
        (small.open_connections() == 3).then_some(())
    })
    .await;
    assert_eq!(connections_to(port), 3);
    let writer = agent.client();
    for key in &keys {
        writer.kv().put(key, "x").await.unwrap();
    }
    until_seen(&mut rx, (0..10).map(|i| (i, Some("x".into()))).collect()).await;
    assert_eq!(small.open_connections(), 3, "freed streams are reused");
    drop(rx);

    // The default of 250: a hundred watches on one connection.
    let default = HyperTransport::builder().tls(&tls).unwrap().build();
    let client = Client::with_transport(config(), default.clone()).unwrap();
    let keys: Vec<String> = (0..100).map(|i| format!("{prefix}default{i}")).collect();
    let mut rx = watch_all(&client, &keys, None);
    until_seen(&mut rx, (0..100).map(|i| (i, None)).collect()).await;
    let written: HashSet<usize> = [3, 42, 99].into();
    for i in &written {
        writer.kv().put(&keys[*i], "y").await.unwrap();
    }
    until_seen(
        &mut rx,
        written.iter().map(|i| (*i, Some("y".into()))).collect(),
    )
    .await;
    assert_eq!(default.open_connections(), 1);
}

#[tokio::test]
async fn the_client_settings_reach_the_default_transport() {
    let certs = TlsCerts::make().unwrap();
    let agent = TestAgent::builder().https(&certs).start().await.unwrap();
    let port = agent.https_port().unwrap();
    let client = Client::builder()
        .config(agent.https_config().unwrap())
        .max_streams_per_connection(2)
        .build()
        .unwrap();
    let prefix = unique_prefix("settings");
    let keys: Vec<String> = (0..5).map(|i| format!("{prefix}k{i}")).collect();
    let mut rx = watch_all(&client, &keys, None);
    until_seen(&mut rx, (0..5).map(|i| (i, None)).collect()).await;
    eventually("three connections of at most two watches", || async {
        (connections_to(port) == 3).then_some(())
    })
    .await;

    // Over plain HTTP, a cap of two: five watches (one second each) take turns on two
    // connections, and every change still arrives.
    let client = Client::builder()
        .config(agent.config())
        .max_connections(2)
        .build()
        .unwrap();
    let http_port = agent.ports().http;
    let keys: Vec<String> = (0..5).map(|i| format!("{prefix}plain{i}")).collect();
    let mut rx = watch_all(&client, &keys, Some(Duration::from_secs(1)));
    until_seen(&mut rx, (0..5).map(|i| (i, None)).collect()).await;
    assert!(connections_to(http_port) <= 2);
    let writer = Client::new(Config::new(&agent.http_addr()).unwrap()).unwrap();
    for key in &keys {
        writer.kv().put(key, "z").await.unwrap();
    }
    until_seen(&mut rx, (0..5).map(|i| (i, Some("z".into()))).collect()).await;
}
