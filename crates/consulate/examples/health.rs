//! Health: healthy instances of a service, checks by service and by state, and a watch
//! that sees an instance leave the healthy set when its check fails.
//!
//! The instance is registered in the catalog directly (an external service whose check
//! status the registration sets), so the example runs against any agent:
//! `CONSUL_HTTP_ADDR=127.0.0.1:8500 cargo run --example health`.

use consulate::catalog::{AgentService, CatalogRegistration, CheckStatus, HealthCheck};
use consulate::health::HealthState;
use consulate::Client;
use std::time::Duration;

/// The example's node, with its service and a check in `status`.
fn registration(status: CheckStatus, output: &str) -> CatalogRegistration {
    CatalogRegistration::new("example-node", "192.0.2.20")
        .service(AgentService::new("example-api-1", "example-api").port(9000))
        .check(
            HealthCheck::new("example-api-alive", "api alive", status)
                .service_id("example-api-1")
                .output(output),
        )
}

#[tokio::main]
async fn main() -> consulate::Result<()> {
    let client = Client::from_env()?;
    let (catalog, health) = (client.catalog(), client.health());
    catalog
        .register(registration(CheckStatus::Passing, "ready"))
        .await?;

    // Watch the healthy instances: the first answer at once, then each change.
    let mut healthy = health.service("example-api").passing().watch();
    let now = healthy.next().await.expect("a watch does not end")?;
    for entry in &now.value {
        println!(
            "healthy: {} on {} ({})",
            entry.service.id,
            entry.node.node,
            entry
                .aggregated_status()
                .map_or_else(|| "no status".to_owned(), |s| s.to_string())
        );
    }

    // The check fails: the watch wakes with the instance gone from the healthy set.
    catalog
        .register(registration(CheckStatus::Critical, "simulated outage"))
        .await?;
    let change = tokio::time::timeout(Duration::from_secs(10), healthy.next())
        .await
        .expect("the change within 10 s")
        .expect("a watch does not end")?;
    println!(
        "passing instances now: {} (index {} -> {})",
        change.value.len(),
        now.meta.last_index,
        change.meta.last_index
    );
    for check in health.checks("example-api").await?.value {
        println!(
            "check {}: {} ({})",
            check.check_id, check.status, check.output
        );
    }
    for check in health.state(HealthState::Critical).await?.value {
        println!("critical: {} on {}", check.check_id, check.node);
    }

    catalog.deregister_node("example-node").await?;
    Ok(())
}
