//! KV throughput through consulate and through a plain hyper-util client, side by side in
//! the same run against the same agent. Run it with `cargo xtask bench`, which starts a
//! throwaway agent and sets `CONSUL_HTTP_ADDR`.
//!
//! Each case alternates rounds of the two clients (so drift in the agent's speed hits both
//! alike) and ends with one machine-readable line:
//! `BENCH kv_get c=64 ours_rps=<n> baseline_rps=<n> ratio=<ours/baseline>`.
//!
//! `-- --quick` runs shorter rounds.

use bytes::Bytes;
use consulate::Client;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client as HyperClient};
use hyper_util::rt::TokioExecutor;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "bench/value";
const VALUE: &[u8] =
    b"{\"replicas\":3,\"image\":\"registry.example/app:1.2.3\",\"note\":\"bench\"}";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Get,
    Put,
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
            (Side::Ours, Op::Get) => {
                let got = self.client.kv().get(KEY).await;
                assert!(got.expect("ours: get").value.is_some());
            }
            (Side::Ours, Op::Put) => {
                let put = self.client.kv().put(KEY, VALUE).await;
                assert!(put.expect("ours: put").value);
            }
            (Side::Baseline, op) => {
                let (method, body) = match op {
                    Op::Get => (http::Method::GET, Bytes::new()),
                    Op::Put => (http::Method::PUT, Bytes::from_static(VALUE)),
                };
                let request = http::Request::builder()
                    .method(method)
                    .uri(format!("{}/v1/kv/{KEY}", self.base))
                    .body(Full::new(body))
                    .expect("valid request");
                let response = self
                    .baseline
                    .request(request)
                    .await
                    .expect("baseline: send");
                assert!(response.status().is_success());
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .expect("baseline: body");
                assert!(!body.to_bytes().is_empty());
            }
        }
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

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, round_time) = if quick {
        (2, Duration::from_millis(700))
    } else {
        (4, Duration::from_secs(2))
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
        ctx.once(Side::Ours, Op::Put).await;
        println!("agent {addr}; {rounds} alternating rounds of {round_time:?} per client and case");

        let mut lines = Vec::new();
        for (op, name) in [(Op::Get, "kv_get"), (Op::Put, "kv_put")] {
            for concurrency in [1usize, 64] {
                // Warm both pools to the case's concurrency first.
                round(&ctx, Side::Ours, op, concurrency, Duration::from_millis(300)).await;
                round(&ctx, Side::Baseline, op, concurrency, Duration::from_millis(300)).await;
                let (mut ours, mut baseline) = (0.0, 0.0);
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
                            Side::Ours => ours += rps,
                            Side::Baseline => baseline += rps,
                        }
                    }
                }
                let (ours, baseline) = (ours / rounds as f64, baseline / rounds as f64);
                let line = format!(
                    "BENCH {name} c={concurrency} ours_rps={ours:.0} baseline_rps={baseline:.0} ratio={:.3}",
                    ours / baseline
                );
                println!("{line}");
                lines.push(line);
            }
        }
        println!("\nsummary:");
        for line in lines {
            println!("{line}");
        }
    });
}
