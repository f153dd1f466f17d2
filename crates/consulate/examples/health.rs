//! Health: healthy instances of a service, checks by state, and a blocking read that
//! wakes when a check changes.
//!
//! Run against any agent: `CONSUL_HTTP_ADDR=127.0.0.1:8500 cargo run --example health`.

use consulate::agent::ServiceRegistration;
use consulate::health::HealthState;
use consulate::{Client, QueryOptions, WriteOptions};
use std::time::Duration;

#[tokio::main]
async fn main() -> consulate::Result<()> {
    let client = Client::from_env()?;
    let (agent, health) = (client.agent(), client.health());
    let (q, w) = (QueryOptions::default(), WriteOptions::default());

    agent
        .service_register(
            &ServiceRegistration::with_ttl("example-api", Duration::from_secs(60)).port(9000),
            &w,
        )
        .await?;
    agent.pass_ttl("service:example-api", "ready", &w).await?;

    // Wait (blocking query) until the passing instance reaches the catalog.
    let mut index = 0;
    let healthy = loop {
        let opts = q
            .clone()
            .wait_index(index)
            .wait_time(Duration::from_secs(5));
        let response = health.service("example-api", None, true, &opts).await?;
        index = response.meta.last_index;
        if !response.value.is_empty() {
            break response.value;
        }
    };
    for entry in &healthy {
        println!(
            "healthy: {} on {} ({})",
            entry.service.id,
            entry.node.node,
            entry
                .aggregated_status()
                .map_or_else(|| "no status".to_owned(), |s| s.to_string())
        );
    }

    // A change to the check wakes a blocking read of the service's checks.
    let before = health.checks("example-api", &q).await?.meta.last_index;
    agent
        .fail_ttl("service:example-api", "simulated outage", &w)
        .await?;
    let opts = q
        .clone()
        .wait_index(before)
        .wait_time(Duration::from_secs(5));
    for check in health.checks("example-api", &opts).await?.value {
        println!(
            "check {}: {} ({})",
            check.check_id, check.status, check.output
        );
    }
    let passing = health.service("example-api", None, true, &q).await?.value;
    println!("passing instances now: {}", passing.len());
    for check in health.state(HealthState::Critical, &q).await?.value {
        println!("critical: {} on {}", check.check_id, check.node);
    }

    agent.service_deregister("example-api", &w).await?;
    Ok(())
}
