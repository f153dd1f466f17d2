//! Leader election with a Consul lock.
//!
//! Run several copies against an agent (`CONSUL_HTTP_ADDR`, default 127.0.0.1:8500):
//! one leads, the others wait; when the leader steps down, is killed (its session
//! then ends with its TTL) or its session is destroyed, another takes over.
//! `consul lock service/example/leader <command>` contends for the same lock. Each leader
//! prints its fencing token, which grows from one leader to the next: work done on the
//! leader's behalf carries it, so a deposed leader's late writes can be refused.
//!
//! ```text
//! cargo run -p consulate --example lock -- [seconds to lead, default 10]
//! ```

use consulate::lock::cli_lock_key;
use consulate::Client;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lead_for: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let client = Client::from_env()?;
    let me = format!("pid-{}", std::process::id());
    let lock = client
        .lock(cli_lock_key("service/example/leader"))
        .value(me.clone())
        .session_name(format!("leader election ({me})"));

    println!("{me}: waiting for leadership");
    let guard = lock.acquire().await?;
    println!(
        "{me}: leading (session {}, fencing token {})",
        guard.session(),
        guard.fencing_token()
    );

    tokio::select! {
        reason = guard.lost() => {
            println!("{me}: lost leadership: {reason}");
        }
        _ = tokio::time::sleep(Duration::from_secs(lead_for)) => {
            guard.release().await?;
            println!("{me}: stepped down after {lead_for}s");
        }
    }
    Ok(())
}
