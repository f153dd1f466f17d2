//! A transport of your own: wraps another one, counts requests and logs each exchange.
//!
//! Anything that can answer an `http::Request<Bytes>` can carry consulate's traffic — a
//! recorder for tests, a transport with retries or metrics, one on another runtime. This
//! one wraps the default `HyperTransport`. Run it against an agent:
//!
//! ```text
//! cargo run -p consul-transport --example recording_transport -- http://127.0.0.1:8500
//! ```

use bytes::Bytes;
use consul_transport::{HyperTransport, Transport, TransportFuture};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Debug, Default)]
struct Recording {
    inner: HyperTransport,
    sent: AtomicUsize,
}

impl Transport for Recording {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        let n = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        // Path only: a query may carry user data, and headers may carry the token.
        let line = format!("#{n} {} {}", request.method(), request.uri().path());
        Box::pin(async move {
            let started = Instant::now();
            let result = self.inner.send(request).await;
            match &result {
                Ok(r) => println!("{line} -> {} in {:?}", r.status(), started.elapsed()),
                Err(e) => println!("{line} -> {e}"),
            }
            result
        })
    }
}

#[tokio::main]
async fn main() {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8500".into());
    let transport = Recording::default();
    for path in [
        "/v1/status/leader",
        "/v1/status/peers",
        "/v1/kv/does-not-exist",
    ] {
        let request = http::Request::get(format!("{base}{path}"))
            .body(Bytes::new())
            .expect("valid request");
        if let Ok(response) = transport.send(request).await {
            println!("   {}", String::from_utf8_lossy(response.body()).trim());
        }
    }
    println!("{} requests sent", transport.sent.load(Ordering::Relaxed));
}
