//! Throughput of consulate beside a plain hyper-util client, side by side in the same run
//! against the same agent. Run it with `cargo xtask bench`, which starts a throwaway agent
//! and sets `CONSUL_HTTP_ADDR`.
//!
//! The baseline is what a hand-written client would do: hyper-util, then serde into minimal
//! structs with only the fields a caller typically reads. consulate decodes its full typed
//! models. Cases:
//!
//! - `kv_get`, `kv_put`: one small key, 1 and 64 requests in flight;
//! - `health_service`: the passing instances of a service with 2000 registered instances
//!   (about 3.4 MB of JSON per read, as the dev agent pretty-prints it), 1 and 64 in flight;
//! - `decode_health`, `decode_nodes`: decoding those bodies (recorded from the agent at the
//!   start of the run) with no network, in MB/s.
//!
//! Each case alternates rounds of the two sides (so drift in the agent's speed hits both
//! alike), reports the median of the rounds, and ends with one machine-readable line:
//! `BENCH kv_get c=64 ours_rps=<n> baseline_rps=<n> ratio=<ours/baseline>` or
//! `BENCH decode_health ours_mbps=<n> baseline_mbps=<n> ratio=<ours/baseline>`.
//!
//! `-- --quick` runs shorter rounds; `-- --save-bodies DIR` also writes the recorded bodies
//! to `DIR/health.json` and `DIR/nodes.json`, to profile decoding on its own.
//!
//! `-- --count SIDE CASE N` (SIDE `ours` or `baseline`, CASE `kv_get` or `kv_put`) only
//! makes N requests, 8 in flight, and exits: `cargo xtask bench` runs it under callgrind
//! with two values of N to count the client's instructions per request, a figure the
//! machine's noise does not move (`BENCH client_cost`).

use bytes::Bytes;
use consulate::agent::AgentService;
use consulate::catalog::{CatalogRegistration, HealthCheck};
use consulate::health::{CheckStatus, ServiceEntry};
use consulate::types::catalog::Node;
use consulate::Client;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client as HyperClient};
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "bench/value";
const VALUE: &[u8] =
    b"{\"replicas\":3,\"image\":\"registry.example/app:1.2.3\",\"note\":\"bench\"}";
const SERVICE: &str = "bench-web";
const INSTANCES: usize = 2000;

// The baseline's minimal models: what a hand-written client would decode.

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MinPair {
    #[allow(dead_code)]
    key: String,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct MinEntry {
    node: MinNode,
    service: MinService,
    checks: Vec<MinCheck>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct MinNode {
    node: String,
    address: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct MinService {
    #[serde(rename = "ID")]
    id: String,
    service: String,
    tags: Option<Vec<String>>,
    address: String,
    port: u16,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
struct MinCheck {
    #[serde(rename = "CheckID")]
    check_id: String,
    status: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    KvGet,
    KvPut,
    HealthService,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    Ours,
    Baseline,
}

struct Ctx {
    client: Client,
    baseline: HyperClient<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Ctx {
    async fn once(&self, side: Side, op: Op) {
        match (side, op) {
            (Side::Ours, Op::KvGet) => {
                let got = self.client.kv().get(KEY).await;
                assert!(got.expect("ours: get").value.is_some());
            }
            (Side::Ours, Op::KvPut) => {
                let put = self.client.kv().put(KEY, VALUE).await;
                assert!(put.expect("ours: put").value);
            }
            (Side::Ours, Op::HealthService) => {
                let got = self.client.health().service(SERVICE).passing().await;
                assert_eq!(got.expect("ours: health").value.len(), INSTANCES);
            }
            (Side::Baseline, op) => {
                let (method, path, body) = match op {
                    Op::KvGet => (http::Method::GET, format!("kv/{KEY}"), Bytes::new()),
                    Op::KvPut => (
                        http::Method::PUT,
                        format!("kv/{KEY}"),
                        Bytes::from_static(VALUE),
                    ),
                    Op::HealthService => (
                        http::Method::GET,
                        format!("health/service/{SERVICE}?passing"),
                        Bytes::new(),
                    ),
                };
                let body = self.baseline_exchange(method, &path, body).await;
                match op {
                    Op::KvGet => {
                        let pairs: Vec<MinPair> = serde_json::from_slice(&body).expect("kv");
                        assert!(pairs[0].value.is_some());
                    }
                    Op::KvPut => {
                        let ok: bool = serde_json::from_slice(&body).expect("put");
                        assert!(ok);
                    }
                    Op::HealthService => {
                        let entries: Vec<MinEntry> = serde_json::from_slice(&body).expect("health");
                        assert_eq!(entries.len(), INSTANCES);
                    }
                }
            }
        }
    }

    async fn baseline_exchange(&self, method: http::Method, path: &str, body: Bytes) -> Bytes {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{}/v1/{path}", self.base))
            .body(Full::new(body))
            .expect("valid request");
        let response = self
            .baseline
            .request(request)
            .await
            .expect("baseline: send");
        assert!(response.status().is_success());
        response
            .into_body()
            .collect()
            .await
            .expect("baseline: body")
            .to_bytes()
    }
}

/// `--count SIDE CASE N`, when given.
fn count_request() -> Option<(Side, Op, usize)> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--count")?;
    let side = match args.get(at + 1).map(String::as_str) {
        Some("ours") => Side::Ours,
        Some("baseline") => Side::Baseline,
        other => panic!("--count: the side is `ours` or `baseline`, not {other:?}"),
    };
    let op = match args.get(at + 2).map(String::as_str) {
        Some("kv_get") => Op::KvGet,
        Some("kv_put") => Op::KvPut,
        other => panic!("--count: the case is `kv_get` or `kv_put`, not {other:?}"),
    };
    let n = args
        .get(at + 3)
        .and_then(|n| n.parse().ok())
        .expect("--count: the number of requests");
    Some((side, op, n))
}

/// Makes `n` requests of `op` as `side`, eight in flight.
async fn count(ctx: &Arc<Ctx>, side: Side, op: Op, n: usize) {
    const IN_FLIGHT: usize = 8;
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|i| {
            let ctx = Arc::clone(ctx);
            // The remainder goes to the first tasks: exactly `n` in all.
            let share = n / IN_FLIGHT + usize::from(i < n % IN_FLIGHT);
            tokio::spawn(async move {
                for _ in 0..share {
                    ctx.once(side, op).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("count task");
    }
}

/// Requests per second of `concurrency` tasks looping for `duration`.
async fn round(ctx: &Arc<Ctx>, side: Side, op: Op, concurrency: usize, duration: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let ctx = Arc::clone(ctx);
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    ctx.once(side, op).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("bench task");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// MB/s of `decode` over `body`, run for about `duration`.
fn decode_rate(body: &[u8], duration: Duration, decode: impl Fn(&[u8]) -> usize) -> f64 {
    let started = Instant::now();
    let mut bytes = 0u64;
    while started.elapsed() < duration {
        black_box(decode(black_box(body)));
        bytes += body.len() as u64;
    }
    bytes as f64 / 1e6 / started.elapsed().as_secs_f64()
}

/// Registers `INSTANCES` nodes, each with one instance of `SERVICE` and a passing check,
/// the shape of a real service's health answer (node metadata, tagged addresses, tags,
/// checks).
async fn register_instances(client: &Client) {
    let present = client.health().service(SERVICE).await.expect("health");
    if present.value.len() >= INSTANCES {
        return;
    }
    let catalog = client.catalog();
    for i in 0..INSTANCES {
        let node = format!("bench-node-{i:04}");
        let address = format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256);
        let mut service = AgentService::default();
        service.id = format!("{SERVICE}-{i}");
        service.service = SERVICE.into();
        service.tags = vec!["v1".into(), format!("shard-{}", i % 16)];
        service.port = 8080;
        service.address = address.clone();
        service.meta.insert("version".into(), "1.2.3".into());
        let mut check = HealthCheck::new(
            format!("{SERVICE}-{i}-alive"),
            "alive",
            CheckStatus::Passing,
        );
        check.service_id = service.id.clone();
        check.output = "HTTP GET http://10.0.0.1:8080/health: 200 OK".into();
        let mut registration = CatalogRegistration::new(&node, &address)
            .node_meta("rack", format!("r{}", i % 8))
            .tagged_address("wan", format!("198.51.100.{}", i % 250))
            .check(check);
        registration.service = Some(service);
        catalog
            .register(registration)
            .await
            .expect("register an instance");
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, round_time, decode_time) = if quick {
        (3, Duration::from_millis(700), Duration::from_millis(300))
    } else {
        (5, Duration::from_secs(2), Duration::from_secs(1))
    };
    let addr = std::env::var("CONSUL_HTTP_ADDR")
        .expect("CONSUL_HTTP_ADDR is not set: run this benchmark with `cargo xtask bench`");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let client = Client::from_env().expect("client from CONSUL_HTTP_ADDR");
        let base = match client.address() {
            consulate::Address::Http { base } => base.clone(),
            other => panic!("the baseline needs an HTTP address, not {other}"),
        };
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let baseline = HyperClient::builder(TokioExecutor::new()).build(connector);
        let ctx = Arc::new(Ctx {
            client,
            baseline,
            base,
        });
        ctx.once(Side::Ours, Op::KvPut).await;
        if let Some((side, op, n)) = count_request() {
            count(&ctx, side, op, n).await;
            return;
        }
        register_instances(&ctx.client).await;
        println!(
            "agent {addr}; {rounds} alternating rounds of {round_time:?} per client and case; medians"
        );

        let mut lines = Vec::new();
        for (op, name) in [
            (Op::KvGet, "kv_get"),
            (Op::KvPut, "kv_put"),
            (Op::HealthService, "health_service"),
        ] {
            for concurrency in [1usize, 64] {
                // Warm both pools to the case's concurrency first.
                round(&ctx, Side::Ours, op, concurrency, Duration::from_millis(300)).await;
                round(&ctx, Side::Baseline, op, concurrency, Duration::from_millis(300)).await;
                let (mut ours, mut baseline) = (Vec::new(), Vec::new());
                for r in 0..rounds {
                    // Alternate who goes first so neither always gets the warmer agent.
                    let order = if r % 2 == 0 {
                        [Side::Ours, Side::Baseline]
                    } else {
                        [Side::Baseline, Side::Ours]
                    };
                    for side in order {
                        let rps = round(&ctx, side, op, concurrency, round_time).await;
                        match side {
                            Side::Ours => ours.push(rps),
                            Side::Baseline => baseline.push(rps),
                        }
                    }
                }
                let (ours, baseline) = (median(ours), median(baseline));
                let line = format!(
                    "BENCH {name} c={concurrency} ours_rps={ours:.0} baseline_rps={baseline:.0} ratio={:.3}",
                    ours / baseline
                );
                println!("{line}");
                lines.push(line);
            }
        }

        // Bodies recorded from the agent, decoded with no network.
        let health = ctx
            .baseline_exchange(http::Method::GET, &format!("health/service/{SERVICE}"), Bytes::new())
            .await;
        let nodes = ctx
            .baseline_exchange(http::Method::GET, "catalog/nodes", Bytes::new())
            .await;
        let args: Vec<String> = std::env::args().collect();
        if let Some(dir) = args
            .iter()
            .position(|a| a == "--save-bodies")
            .and_then(|i| args.get(i + 1))
        {
            std::fs::write(format!("{dir}/health.json"), &health).expect("save the health body");
            std::fs::write(format!("{dir}/nodes.json"), &nodes).expect("save the nodes body");
        }
        type Decoder = fn(&[u8]) -> usize;
        let cases: [(&str, &Bytes, Decoder, Decoder); 2] = [
            (
                "decode_health",
                &health,
                |b| serde_json::from_slice::<Vec<ServiceEntry>>(b).expect("ours").len(),
                |b| serde_json::from_slice::<Vec<MinEntry>>(b).expect("baseline").len(),
            ),
            (
                "decode_nodes",
                &nodes,
                |b| serde_json::from_slice::<Vec<Node>>(b).expect("ours").len(),
                |b| serde_json::from_slice::<Vec<MinNode>>(b).expect("baseline").len(),
            ),
        ];
        for (name, body, ours_decode, baseline_decode) in cases {
            let (mut ours, mut baseline) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                ours.push(decode_rate(body, decode_time, ours_decode));
                baseline.push(decode_rate(body, decode_time, baseline_decode));
            }
            let (ours, baseline) = (median(ours), median(baseline));
            let line = format!(
                "BENCH {name} ours_mbps={ours:.0} baseline_mbps={baseline:.0} ratio={:.3} bytes={}",
                ours / baseline,
                body.len()
            );
            println!("{line}");
            lines.push(line);
        }

        println!("\nsummary:");
        for line in lines {
            println!("{line}");
        }
    });
}
