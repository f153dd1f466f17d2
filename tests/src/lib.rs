//! Shared helpers of the integration tests (see `tests/*.rs`): every test talks to a real
//! Consul agent started by `consul-test`.

use consul_transport::mock::Recording;
use consul_transport::HyperTransport;
use consulate::Client;
use std::sync::Arc;

pub use consul_test::{unique_prefix, Cluster, Federation, TestAgent};

/// A client for `agent` whose transport records every request, so a test can prove what
/// was sent (or that nothing was).
pub fn recording_client(agent: &TestAgent) -> (Client, Arc<Recording<HyperTransport>>) {
    let recorder = Arc::new(Recording::new(HyperTransport::new()));
    let client = Client::with_transport(agent.config(), Arc::clone(&recorder))
        .expect("valid test configuration");
    (client, recorder)
}
