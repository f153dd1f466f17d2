//! Riding through a cluster in trouble (issue 13): the leader of three servers killed under
//! a stream of reads, CAS writes and a watch; an agent's RPC rate limit; and a client
//! given two agents that moves to the second when the first stops and comes back to it.

use consul_integration_tests::{eventually, recording_client, unique_prefix, Cluster, TestAgent};
use consulate::{Client, Error, RetryPolicy};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The index in `cluster.agents` of the server that leads, as `client` sees it.
async fn leader_of(cluster: &Cluster, client: &Client) -> Option<usize> {
    let leader = client.status().leader().await.ok()?.value?;
    cluster
        .agents
        .iter()
        .position(|a| leader.ends_with(&format!(":{}", a.ports().server)))
}

/// How long the reads, CAS writes and watch run in the leader-kill test.
const TRAFFIC: Duration = Duration::from_secs(30);

/// What the writer saw of its CAS increments.
#[derive(Debug, Default)]
struct Writes {
    /// Calls made (reads and writes), to tell the requests sent again.
    calls: AtomicU64,
    applied: AtomicU64,
    refused: AtomicU64,
    failed: Mutex<Vec<Error>>,
}

/// Increments the counter at `key` by CAS until `stop`: read it (value and index), then
/// write value + 1 at that index.
async fn increment_until(client: Client, key: String, stop: Arc<AtomicBool>, writes: Arc<Writes>) {
    let kv = client.kv();
    while !stop.load(Ordering::Relaxed) {
        writes.calls.fetch_add(2, Ordering::Relaxed);
        let pair = kv
            .get(&key)
            .await
            .expect("a read rides through")
            .value
            .expect("the counter exists");
        let n: u64 = pair.value_str().unwrap().parse().unwrap();
        match kv.cas(&key, (n + 1).to_string(), pair.modify_index).await {
            Ok(done) if done.value => writes.applied.fetch_add(1, Ordering::Relaxed),
            Ok(_) => writes.refused.fetch_add(1, Ordering::Relaxed),
            Err(e) => {
                writes.failed.lock().unwrap().push(e);
                0
            }
        };
    }
}

/// Issue 13, item 1: during 30 s in which a client of a follower reads, increments a
/// counter by CAS and watches it, with the default retry policy, the leader of three
/// servers is killed (SIGKILL). The reads and the watch see no error; every CAS write
/// either succeeded once or failed with a typed error that says it may have been applied;
/// nothing was applied twice: the counter went up by one per applied write, and no value
/// appeared at two indexes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leader_killed_under_reads_and_cas_writes_is_ridden_through() {
    let mut cluster = Cluster::start(3).await.unwrap();
    let probe = cluster.first().client();
    let leader = leader_of(&cluster, &probe).await.expect("a leader");
    let follower = (leader + 1) % cluster.agents.len();
    let client = cluster.agents[follower].client();
    // The writer's and the reader's client records what it sends: requests sent again are
    // those beyond the calls made.
    let (recorded, sent) = recording_client(&cluster.agents[follower]);
    let key = format!("{}counter", unique_prefix("leader-kill"));
    client.kv().put(&key, "0").await.unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(Writes::default());
    let traffic_started = tokio::time::Instant::now();
    let writer = tokio::spawn(increment_until(
        recorded.clone(),
        key.clone(),
        Arc::clone(&stop),
        Arc::clone(&writes),
    ));
    // Plain reads, each timed: the longest is how long the trouble held a caller.
    let reads = Arc::new(AtomicU64::new(0));
    let slowest = Arc::new(Mutex::new(Duration::ZERO));
    let reader = {
        let (client, stop, reads, slowest) = (
            recorded.clone(),
            Arc::clone(&stop),
            Arc::clone(&reads),
            Arc::clone(&slowest),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                client
                    .catalog()
                    .nodes()
                    .await
                    .expect("a read rides through");
                let took = started.elapsed();
                let mut slowest = slowest.lock().unwrap();
                *slowest = (*slowest).max(took);
                reads.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // A watch of the counter: its index history.
    let mut watch = client.kv().get(&key).watch();
    let history = Arc::new(Mutex::new(Vec::<(u64, u64)>::new()));
    let watcher = {
        let history = Arc::clone(&history);
        tokio::spawn(async move {
            while let Some(change) = watch.next().await {
                let change = change.expect("the watch rides through");
                let pair = change.value.expect("the counter exists");
                let n: u64 = pair.value_str().unwrap().parse().unwrap();
                history.lock().unwrap().push((pair.modify_index, n));
            }
        })
    };

    let applied = |n: u64| {
        let writes = Arc::clone(&writes);
        move || {
            let writes = Arc::clone(&writes);
            async move { (writes.applied.load(Ordering::Relaxed) >= n).then_some(()) }
        }
    };
    eventually("writes before the kill", applied(20)).await;
    let before = writes.applied.load(Ordering::Relaxed);
    let killed = Instant::now();
    cluster.agents[leader].kill();
    let new_leader = eventually("a new leader", || async {
        leader_of(&cluster, &client).await.filter(|&l| l != leader)
    })
    .await;
    let elected = killed.elapsed();
    eventually("writes after the election", applied(before + 20)).await;
    // The scenario: 30 s of traffic in all, the kill and the election inside it.
    tokio::time::sleep_until(traffic_started + TRAFFIC).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    reader.await.unwrap();

    let final_value: u64 = client
        .kv()
        .get(&key)
        .await
        .unwrap()
        .value
        .unwrap()
        .value_str()
        .unwrap()
        .parse()
        .unwrap();
    // The watch has seen the last write.
    eventually("the watch at the last value", || async {
        let seen = history.lock().unwrap().last().map(|&(_, n)| n);
        (seen == Some(final_value)).then_some(())
    })
    .await;
    watcher.abort();

    let applied = writes.applied.load(Ordering::Relaxed);
    let failed = std::mem::take(&mut *writes.failed.lock().unwrap());
    let calls = writes.calls.load(Ordering::Relaxed) + reads.load(Ordering::Relaxed);
    let sent_again = (sent.count() as u64).saturating_sub(calls);
    eprintln!(
        "leader {leader} killed, server {new_leader} elected after {elected:?}: {} reads \
         (slowest {:?}), {applied} CAS writes applied, {} refused, {} failed {:?}; counter at \
         {final_value}; {calls} calls sent as {} requests ({sent_again} sent again)",
        reads.load(Ordering::Relaxed),
        slowest.lock().unwrap(),
        writes.refused.load(Ordering::Relaxed),
        failed.len(),
        failed.iter().map(ToString::to_string).collect::<Vec<_>>(),
        sent.count(),
    );
    // One writer: a CAS is refused only when its own earlier attempt applied it, and that
    // is reported as the earlier failure instead.
    assert_eq!(writes.refused.load(Ordering::Relaxed), 0);
    // Each failure is typed, and one that may have applied the write.
    for e in &failed {
        let maybe_applied = e.as_transport().is_some_and(|t| t.is_io())
            || e.status().is_some_and(|s| s.is_server_error());
        assert!(maybe_applied, "{e:?}");
    }
    // Every applied write counted once: the counter is the number of writes applied, which
    // is those reported applied plus at most the failed ones.
    assert!(final_value >= applied, "{final_value} < {applied}");
    assert!(
        final_value - applied <= failed.len() as u64,
        "{final_value} - {applied} > {}",
        failed.len()
    );
    // The index history: values only go up, and no value appears at two indexes.
    let history = history.lock().unwrap();
    for pair in history.windows(2) {
        let ((i0, n0), (i1, n1)) = (pair[0], pair[1]);
        assert!(i1 > i0 && n1 > n0, "{history:?}");
        assert!(n1 - n0 <= i1 - i0, "{history:?}");
    }
}

/// Reads and plain writes sent faster than the agent's RPC rate limit (`429 Too Many
/// Requests`, refused before anything is done) all get through with the default policy;
/// without retries some of them are refused.
#[tokio::test]
async fn the_agents_rate_limit_is_ridden_through() {
    let mut cluster = Cluster::start(1).await.unwrap();
    let limited = TestAgent::builder().hcl("limits { rpc_rate = 10 rpc_max_burst = 1 }");
    let i = cluster.add_client_with(limited).await.unwrap();
    let client = cluster.agents[i].client();
    let p = unique_prefix("rate");

    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let nodes = client.catalog().nodes().retry(RetryPolicy::none());
        burst.spawn(async move { nodes.await.err() });
    }
    let mut refused = 0;
    while let Some(outcome) = burst.join_next().await {
        if let Some(e) = outcome.unwrap() {
            assert_eq!(e.status().map(|s| s.as_u16()), Some(429), "{e:?}");
            refused += 1;
        }
    }
    assert!(refused > 0, "the limit refuses some of a burst");

    let mut burst = tokio::task::JoinSet::new();
    for n in 0..15 {
        let client = client.clone();
        let key = format!("{p}{n}");
        burst.spawn(async move {
            if n % 3 == 0 {
                // A plain write: sent again only because 429 proves it was not applied.
                assert!(client.kv().put(&key, "v").await.unwrap().value);
            } else {
                client.catalog().nodes().await.unwrap();
            }
        });
    }
    while let Some(outcome) = burst.join_next().await {
        outcome.unwrap();
    }
    assert_eq!(client.kv().keys(&p).await.unwrap().value.len(), 5);
}

/// Issue 13, item 2: a client given two client agents of one cluster. When the first
/// stops, requests go to the second at once (no retry needed: a refused connection is
/// not a request sent); when it is back, the client returns to it after the cool-down.
#[tokio::test]
async fn a_client_moves_to_the_second_agent_and_back_to_the_first() {
    let mut cluster = Cluster::start(1).await.unwrap();
    let a = cluster.add_client().await.unwrap();
    let b = cluster.add_client().await.unwrap();
    let (first, second) = (cluster.agents[a].http_addr(), cluster.agents[b].http_addr());
    let client = Client::builder()
        .addresses([first.as_str(), second.as_str()])
        .failback_after(Duration::from_millis(500))
        .build()
        .unwrap();
    let node = || async {
        client
            .agent()
            .self_info()
            .await
            .unwrap()
            .value
            .config
            .node_name
    };
    let kv = client.kv();
    let key = format!("{}k", unique_prefix("failover"));
    kv.put(&key, "1").await.unwrap();
    assert_eq!(client.active_address().to_string(), first);
    assert_eq!(node().await, cluster.agents[a].node_name());

    cluster.agents[a].stop().await;
    let once = RetryPolicy::none;
    let stopped = Instant::now();
    assert!(kv.put(&key, "2").retry(once()).await.unwrap().value);
    let moved = stopped.elapsed();
    let read = kv.get(&key).retry(once()).await.unwrap().value.unwrap();
    assert_eq!(read.value_str(), Some("2"));
    assert_eq!(client.active_address().to_string(), second);
    assert_eq!(node().await, cluster.agents[b].node_name());

    cluster.agents[a].restart().await.unwrap();
    let restarted = Instant::now();
    eventually("the client back on the first agent", || async {
        // After the cool-down a request probes the first agent; once it has rejoined, it
        // serves (until then its "No known Consul servers" is retried).
        kv.get(&key).await.ok()?;
        (client.active_address().to_string() == first).then_some(())
    })
    .await;
    eprintln!(
        "first write after the stop took {moved:?}; back on the first agent {:?} after its \
         restart (cool-down 500 ms)",
        restarted.elapsed()
    );
    assert_eq!(node().await, cluster.agents[a].node_name());
    let read = kv.get(&key).await.unwrap().value.unwrap();
    assert_eq!(read.value_str(), Some("2"));
}
