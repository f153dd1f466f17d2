//! Real Consul agents for integration tests.
//!
//! [`TestAgent`] starts `consul agent` as a child process on free loopback ports, waits
//! until it is ready by polling its HTTP API (never by sleeping), and on drop kills the
//! process and removes its data folder. [`AgentBuilder`] adds what later tests need: ACLs
//! with a known master token, server agents with `-bootstrap-expect`, LAN and WAN joins,
//! other datacenters, extra HCL, HTTPS with certificates made by `consul tls`
//! ([`TlsCerts`], [`AgentBuilder::https`]). [`Cluster`] starts several servers that elect a leader
//! (and client agents joined to them); [`Federation`] starts two datacenters joined over WAN.
//!
//! The binary comes from `CONSUL_BIN`, then `PATH`. Without one, starting an agent fails
//! with instructions to install it: tests never pass silently without Consul.
//!
//! ```no_run
//! # async fn demo() {
//! let agent = consul_test::TestAgent::dev().await;
//! let client = agent.client();
//! // ... use the client; the agent stops when `agent` is dropped.
//! # }
//! ```

mod agent;
mod binary;
mod cluster;
mod federation;
mod ports;
mod tls;

pub use agent::{AgentBuilder, HarnessError, TestAgent};
pub use binary::{find_consul, INSTALL_HINT};
pub use cluster::Cluster;
pub use federation::Federation;
pub use ports::Ports;
pub use tls::TlsCerts;

use std::sync::atomic::{AtomicU64, Ordering};

/// A new gossip encryption key, as `consul keygen` makes it (for
/// [`AgentBuilder::encrypt`]).
///
/// # Errors
/// [`HarnessError`] when there is no Consul binary or `consul keygen` fails.
pub fn gossip_key() -> Result<String, HarnessError> {
    let binary = find_consul().map_err(HarnessError)?;
    let output = std::process::Command::new(&binary)
        .arg("keygen")
        .output()
        .map_err(|e| HarnessError(format!("cannot run {} keygen: {e}", binary.display())))?;
    let key = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || key.is_empty() {
        return Err(HarnessError(format!(
            "consul keygen failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(key)
}

/// A key prefix no other test uses (Go's `testKey()`), so tests can share an agent.
pub fn unique_prefix(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("test/{name}-{}-{n}-{nanos:x}/", std::process::id())
}
