//! Many watches from one process: how many connections they take, how much memory, and
//! how fast a write reaches its watcher. Run it with `cargo xtask bench`, which starts a
//! throwaway agent serving HTTPS (and so HTTP/2) beside plain HTTP, with Consul's default
//! limits (200 connections per client address), and sets `CONSUL_HTTP_ADDR` (its HTTPS
//! address), `CONSUL_CACERT` and `BENCH_WATCHES_HTTP_ADDR` (its plain HTTP address).
//!
//! Two cases, one machine-readable line each:
//!
//! - `BENCH watches n=10000 conns=<peak> rss_mb=<peak> delivered=<d>/1000 p99_ms=<ms>`:
//!   10,000 watches on 10,000 different keys over HTTPS with the client's defaults. Once
//!   every watch has its first answer, 1,000 writes to distinct keys picked at random (200
//!   a second) must each reach the watch of their key. `conns` is the most connections
//!   this process had open to the agent at once (targets: at most 10,000 / 250 + 1 = 41,
//!   as one HTTP/2 connection carries 250 blocking reads), `rss_mb` the most resident
//!   memory of the process (`VmRSS`; target 64 MB), `p99_ms` the 99th percentile of the
//!   time from a write's start to its watcher seeing the value (target under 1 s).
//! - `BENCH watches_http n=1000 conns=<peak> delivered=<d>/1000 p99_ms=<ms>`: 1,000
//!   watches over plain HTTP/1.1, where a connection carries one request at a time. The
//!   client's cap (128 connections, below the agent's 200) must hold, and every write must
//!   still arrive: the watches wait 1 s per read so that they take turns on the
//!   connections, as the documentation recommends; the delay is that of the queue.
//!
//! Connections are counted from the kernel's table of this process's sockets, not from the
//! client's own count. The run fails (exit status 1) when a watch cannot be established,
//! a write is not delivered or a connection cap is exceeded; a missed memory or latency
//! target is reported but does not fail it.

use consulate::Client;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Writes per case, each to a different key.
const WRITES: usize = 1_000;
/// Writes started per second.
const WRITE_RATE: u32 = 200;
/// How long everything may take to be established, and the writes to be delivered.
const PATIENCE: Duration = Duration::from_secs(120);
/// How often connections and memory are sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// What a watch reports: which watch, the number it saw in its key (0 before any write),
/// and when.
struct Seen {
    watch: usize,
    value: Result<u32, String>,
    at: Instant,
}

/// One case's figures.
#[derive(Debug)]
struct Outcome {
    established: Duration,
    peak_conns: usize,
    peak_rss_kb: u64,
    delivered: usize,
    p99: Duration,
    max: Duration,
    errors: usize,
}

fn main() {
    let https = std::env::var("CONSUL_HTTP_ADDR")
        .expect("CONSUL_HTTP_ADDR is not set: run this benchmark with `cargo xtask bench`");
    let http = std::env::var("BENCH_WATCHES_HTTP_ADDR")
        .expect("BENCH_WATCHES_HTTP_ADDR is not set: run this benchmark with `cargo xtask bench`");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut failures = Vec::new();
    runtime.block_on(async {
        // HTTPS with every default: HTTP/2, 250 streams per connection, coalescing on.
        let client = Client::from_env().expect("client from CONSUL_HTTP_ADDR and CONSUL_CACERT");
        let n = 10_000;
        println!("agent {https}: {n} watches over HTTPS, {WRITES} writes at {WRITE_RATE}/s");
        let o = run(&client, port_of(&https), "bench/watches/", n).await;
        drop(client);
        let max_conns = n.div_ceil(250) + 1;
        println!(
            "  established in {:.1} s, {} watch errors, slowest delivery {} ms, peak VmRSS {} kB",
            o.established.as_secs_f64(),
            o.errors,
            o.max.as_millis(),
            o.peak_rss_kb
        );
        let rss_mb = o.peak_rss_kb as f64 / 1024.0;
        println!(
            "BENCH watches n={n} conns={} rss_mb={rss_mb:.1} delivered={}/{WRITES} p99_ms={}",
            o.peak_conns,
            o.delivered,
            o.p99.as_millis()
        );
        if o.delivered < WRITES {
            failures.push(format!(
                "watches: {} writes not delivered",
                WRITES - o.delivered
            ));
        }
        if o.peak_conns > max_conns {
            failures.push(format!(
                "watches: {} connections, over {max_conns}",
                o.peak_conns
            ));
        }
        if rss_mb > 64.0 {
            println!("  note: resident memory over the 64 MB target");
        }
        if o.p99 >= Duration::from_secs(1) {
            println!("  note: p99 delivery over the 1 s target");
        }

        // Plain HTTP/1.1 with the default cap of 128 connections; reads wait 1 s so that
        // the watches take turns on the connections.
        let client = Client::builder()
            .address(&http)
            .wait_time(Duration::from_secs(1))
            .build()
            .expect("client for BENCH_WATCHES_HTTP_ADDR");
        let n = 1_000;
        println!("agent {http}: {n} watches over plain HTTP (1 s per read), {WRITES} writes");
        let o = run(&client, port_of(&http), "bench/watches-http/", n).await;
        println!(
            "  established in {:.1} s, {} watch errors, slowest delivery {} ms",
            o.established.as_secs_f64(),
            o.errors,
            o.max.as_millis()
        );
        println!(
            "BENCH watches_http n={n} conns={} delivered={}/{WRITES} p99_ms={}",
            o.peak_conns,
            o.delivered,
            o.p99.as_millis()
        );
        if o.delivered < WRITES {
            failures.push(format!(
                "watches_http: {} writes not delivered",
                WRITES - o.delivered
            ));
        }
        if o.peak_conns > 128 {
            failures.push(format!(
                "watches_http: {} connections, over 128",
                o.peak_conns
            ));
        }
    });
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("FAILED {f}");
        }
        std::process::exit(1);
    }
}

/// Writes `n` keys under `prefix`, watches each of them, then writes `WRITES` of them at
/// random and times each write's delivery to its watch.
async fn run(client: &Client, port: u16, prefix: &str, n: usize) -> Outcome {
    populate(client, prefix, n).await;

    let peak_conns = Arc::new(AtomicUsize::new(0));
    let peak_rss = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let (peak_conns, peak_rss) = (Arc::clone(&peak_conns), Arc::clone(&peak_rss));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SAMPLE_EVERY);
            loop {
                tick.tick().await;
                peak_conns.fetch_max(connections_to(port), Ordering::Relaxed);
                peak_rss.fetch_max(rss_kb() as usize, Ordering::Relaxed);
            }
        })
    };

    // One task per watch, as an application would have.
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel::<Seen>();
    let watches: Vec<_> = (0..n)
        .map(|i| {
            let (client, tx) = (client.clone(), tx.clone());
            let key = format!("{prefix}{i:05}");
            tokio::spawn(async move {
                let mut watch = client.kv().get(key).watch();
                while let Some(change) = watch.next().await {
                    let value = change.map_err(|e| e.to_string()).and_then(|c| {
                        c.value
                            .and_then(|p| p.value_str().and_then(|s| s.parse().ok()))
                            .ok_or_else(|| "no number in the key".to_owned())
                    });
                    let seen = Seen {
                        watch: i,
                        value,
                        at: Instant::now(),
                    };
                    if tx.send(seen).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    drop(tx);

    let mut errors = 0;
    let mut pending: HashSet<usize> = (0..n).collect();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !pending.is_empty() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(seen)) => match seen.value {
                Ok(_) => {
                    pending.remove(&seen.watch);
                }
                Err(e) => {
                    errors += 1;
                    if errors <= 5 {
                        eprintln!("  watch {}: {e}", seen.watch);
                    }
                }
            },
            _ => panic!("{} of {n} watches not established", pending.len()),
        }
    }
    let established = started.elapsed();

    // Distinct keys at random; write `j` puts the number `j + 1` in its key.
    let targets = pick(n, WRITES);
    let starts: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; WRITES]));
    let writer = {
        let (client, prefix, targets, starts) = (
            client.clone(),
            prefix.to_owned(),
            targets.clone(),
            Arc::clone(&starts),
        );
        tokio::spawn(async move {
            let begin = tokio::time::Instant::now();
            let mut writes = Vec::with_capacity(WRITES);
            for (j, &target) in targets.iter().enumerate() {
                tokio::time::sleep_until(begin + Duration::from_secs(1) * j as u32 / WRITE_RATE)
                    .await;
                let (client, starts) = (client.clone(), Arc::clone(&starts));
                let key = format!("{prefix}{target:05}");
                writes.push(tokio::spawn(async move {
                    starts.lock().unwrap()[j] = Some(Instant::now());
                    let put = client.kv().put(key, (j + 1).to_string()).await;
                    assert!(put.expect("write").value, "write {j} refused");
                }));
            }
            for w in writes {
                w.await.expect("write task");
            }
        })
    };
    let mut watch_of_write = vec![usize::MAX; n];
    for (j, &target) in targets.iter().enumerate() {
        watch_of_write[target] = j;
    }
    let mut seen_at: Vec<Option<Instant>> = vec![None; WRITES];
    let mut delivered = 0;
    while delivered < WRITES {
        let Ok(Some(seen)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
            break;
        };
        match seen.value {
            Ok(0) => {}
            Ok(number) => {
                let j = number as usize - 1;
                if watch_of_write[seen.watch] == j && seen_at[j].is_none() {
                    seen_at[j] = Some(seen.at);
                    delivered += 1;
                }
            }
            Err(e) => {
                errors += 1;
                if errors <= 5 {
                    eprintln!("  watch {}: {e}", seen.watch);
                }
            }
        }
    }
    writer.await.expect("writer");
    sampler.abort();
    for w in &watches {
        w.abort();
    }

    let starts = starts.lock().unwrap();
    let mut delays: Vec<Duration> = seen_at
        .iter()
        .zip(starts.iter())
        .filter_map(|(seen, start)| Some(seen.as_ref()?.saturating_duration_since((*start)?)))
        .collect();
    delays.sort();
    let p99 = delays
        .get((delays.len() * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or_default();
    Outcome {
        established,
        peak_conns: peak_conns.load(Ordering::Relaxed),
        peak_rss_kb: peak_rss.load(Ordering::Relaxed) as u64,
        delivered,
        p99,
        max: delays.last().copied().unwrap_or_default(),
        errors,
    }
}

/// Puts `0` in the `n` keys, 64 at a time: watches of keys that exist wake only when
/// their own key changes (a missing key's read wakes on any write near it).
async fn populate(client: &Client, prefix: &str, n: usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (client, next, prefix) = (client.clone(), Arc::clone(&next), prefix.to_owned());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let put = client.kv().put(format!("{prefix}{i:05}"), "0").await;
                    assert!(put.expect("populate").value);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("populate task");
    }
}

/// `count` distinct numbers below `n`, at random (a partial Fisher–Yates shuffle driven by
/// a fixed-seed xorshift, so every run writes the same keys).
fn pick(n: usize, count: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..count.min(n) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = i + (state % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(count);
    all
}

/// The port of `scheme://host:port`.
fn port_of(addr: &str) -> u16 {
    addr.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {addr}"))
}

/// This process's resident memory (`VmRSS` of `/proc/self/status`), in kB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Established TCP connections from this process to `port` on 127.0.0.1: the sockets among
/// this process's open files, looked up in `/proc/net/tcp`. What the agent counts against
/// its `limits.http_max_conns_per_client`.
fn connections_to(port: u16) -> usize {
    let mut inodes = HashSet::new();
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                let target = target.to_string_lossy();
                if let Some(inode) = target
                    .strip_prefix("socket:[")
                    .and_then(|s| s.strip_suffix(']'))
                {
                    inodes.insert(inode.to_owned());
                }
            }
        }
    }
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let remote = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(2) == Some(&remote.as_str())
                && fields.get(3) == Some(&"01")
                && fields.get(9).is_some_and(|inode| inodes.contains(*inode))
        })
        .count()
}
