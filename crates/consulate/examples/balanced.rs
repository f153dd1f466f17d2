//! Client-side load balancing over the passing instances of a service.
//!
//! Two tiny HTTP servers, `a` and `b`, register in Consul with TTL checks. A
//! `tower::balance::p2c::Balance` fed by the discovery resolver sends requests to both.
//! `a`'s check turns critical: it receives no more requests within a second. It recovers
//! and receives them again. Both are deregistered at the end.
//!
//! ```text
//! CONSUL_HTTP_ADDR=127.0.0.1:8500 cargo run -p consulate --features discovery,tower --example balanced
//! ```

use bytes::Bytes;
use consulate::agent::{CheckDefinition, ServiceRegistration};
use consulate::discovery::Instance;
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

const SERVICE: &str = "example-balanced";

/// Starts an HTTP server on a free loopback port that answers `name` and counts requests.
async fn serve(name: &'static str) -> std::io::Result<(u16, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let answer = hyper::service::service_fn(move |_request| {
                    counter.fetch_add(1, Ordering::Relaxed);
                    let body = Full::new(Bytes::from(name));
                    async move { Ok::<_, Infallible>(hyper::Response::new(body)) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), answer)
                    .await;
            });
        }
    });
    Ok((port, hits))
}

/// Registers instance `id` on `port` with a TTL check `<id>-ttl`, passing.
async fn register(client: &Client, id: &str, port: u16) -> consulate::Result<()> {
    let registration = ServiceRegistration::new(SERVICE)
        .id(id)
        .address("127.0.0.1")
        .port(port)
        .check(CheckDefinition::ttl(Duration::from_secs(30)).id(format!("{id}-ttl")));
    client.agent().service_register(registration).await?;
    client.agent().pass_ttl(format!("{id}-ttl")).await?;
    Ok(())
}

/// One request through the balancer; the name of the server that answered.
async fn ask<S>(balancer: &mut S) -> Result<String, BoxError>
where
    S: Service<(), Response = String, Error = BoxError>,
{
    let call = async { balancer.ready().await?.call(()).await };
    tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .map_err(|_| "no passing instance within 10 s")?
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let client = Client::from_env()?;
    let (port_a, hits_a) = serve("a").await?;
    let (port_b, hits_b) = serve("b").await?;
    register(&client, "example-balanced-a", port_a).await?;
    register(&client, "example-balanced-b", port_b).await?;

    // One HTTP client service per passing instance, balanced by "power of two choices".
    let resolver = client.resolver(SERVICE).start()?;
    let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .build::<_, Empty<Bytes>>(HttpConnector::new());
    let mut balancer = Balance::new(resolver.discover(move |instance: &Instance| {
        let http = http.clone();
        let uri = http::Uri::builder()
            .scheme("http")
            .authority(instance.authority())
            .path_and_query("/")
            .build()
            .map_err(|e| format!("instance {}: {e}", instance.key));
        let endpoint = tower::service_fn(move |()| {
            let (http, uri) = (http.clone(), uri.clone());
            async move {
                let response = http.get(uri?).await?;
                let body = response.into_body().collect().await?.to_bytes();
                Ok::<_, BoxError>(String::from_utf8_lossy(&body).into_owned())
            }
        });
        PendingRequests::new(endpoint, CompleteOnResponse::default())
    }));

    for _ in 0..100 {
        ask(&mut balancer).await?;
    }
    let (a, b) = (
        hits_a.load(Ordering::Relaxed),
        hits_b.load(Ordering::Relaxed),
    );
    println!("100 requests: a got {a}, b got {b}");
    if a == 0 || b == 0 {
        return Err("both instances should get requests".into());
    }

    client
        .agent()
        .fail_ttl("example-balanced-a-ttl")
        .note("simulated outage")
        .await?;
    let critical_at = Instant::now();
    let mut sent = 0;
    while critical_at.elapsed() < Duration::from_secs(1) {
        ask(&mut balancer).await?;
        sent += 1;
    }
    let a_then = hits_a.load(Ordering::Relaxed);
    for _ in 0..100 {
        ask(&mut balancer).await?;
    }
    let a_after = hits_a.load(Ordering::Relaxed) - a_then;
    println!("a critical: {sent} requests in the first second, then a got {a_after} of 100");
    if a_after != 0 {
        return Err("a critical instance should get no requests after a second".into());
    }

    client.agent().pass_ttl("example-balanced-a-ttl").await?;
    let recovered_at = Instant::now();
    while hits_a.load(Ordering::Relaxed) == a_then + a_after {
        ask(&mut balancer).await?;
        if recovered_at.elapsed() > Duration::from_secs(10) {
            return Err("a recovered instance should get requests again".into());
        }
    }
    println!(
        "a passing again: it got a request {:?} later",
        recovered_at.elapsed()
    );

    for id in ["example-balanced-a", "example-balanced-b"] {
        client.agent().service_deregister(id).await?;
    }
    Ok(())
}
