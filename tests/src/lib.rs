//! Shared helpers of the integration tests (see `tests/*.rs`): every test talks to a real
//! Consul agent started by `consul-test`.

pub mod gate;

use consul_transport::mock::Recording;
use consul_transport::HyperTransport;
use consulate::{Client, QueryOptions, WriteOptions};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use consul_test::{unique_prefix, Cluster, Federation, TestAgent};

/// A client for `agent` whose transport records every request, so a test can prove what
/// was sent (or that nothing was).
pub fn recording_client(agent: &TestAgent) -> (Client, Arc<Recording<HyperTransport>>) {
    let recorder = Arc::new(Recording::new(HyperTransport::new()));
    let client = Client::with_transport(agent.config(), Arc::clone(&recorder))
        .expect("valid test configuration");
    (client, recorder)
}

/// Default read options, for brevity in tests.
pub fn q() -> QueryOptions {
    QueryOptions::default()
}

/// Default write options, for brevity in tests.
pub fn w() -> WriteOptions {
    WriteOptions::default()
}

/// Polls `f` every 50 ms until it returns `Some`, for at most 15 s, for states that
/// Consul reaches asynchronously (gossip, anti-entropy) and no blocking query reports.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
