//! The local agent: who it is, its members, and a service with a TTL check driven
//! through passing, warning and critical, then maintenance mode and clean-up.
//!
//! Run against any agent: `CONSUL_HTTP_ADDR=127.0.0.1:8500 cargo run --example agent`.

use consulate::agent::{CheckDefinition, CheckStatus, ServiceRegistration};
use consulate::{Client, QueryOptions, WriteOptions};
use std::time::Duration;

#[tokio::main]
async fn main() -> consulate::Result<()> {
    let client = Client::from_env()?;
    let agent = client.agent();
    let (q, w) = (QueryOptions::default(), WriteOptions::default());

    let me = agent.self_info(&q).await?.value;
    println!(
        "agent {} (Consul {}) in {}",
        me.config.node_name, me.config.version, me.config.datacenter
    );
    for member in agent.members(false, &q).await?.value {
        println!(
            "  member {} {}:{} {}",
            member.name, member.addr, member.port, member.status
        );
    }

    let service = ServiceRegistration::new("example-web")
        .id("example-web-1")
        .tags(["example", "v1"])
        .port(8080)
        .check(
            CheckDefinition::ttl(Duration::from_secs(60))
                .id("example-web-ttl")
                .name("example web heartbeat"),
        );
    agent.service_register(&service, &w).await?;
    for (status, note) in [
        (CheckStatus::Passing, "ready"),
        (CheckStatus::Warning, "slow"),
        (CheckStatus::Critical, "down"),
    ] {
        agent
            .update_ttl("example-web-ttl", note, status.clone(), &w)
            .await?;
        let check = agent.check("example-web-ttl", &q).await?.value;
        println!(
            "check {} is {} ({})",
            check.check_id, check.status, check.output
        );
    }
    agent.pass_ttl("example-web-ttl", "recovered", &w).await?;
    if let Some(info) = agent.health_service_by_id("example-web-1", &q).await?.value {
        println!("local health of example-web-1: {}", info.aggregated_status);
    }

    agent
        .enable_service_maintenance("example-web-1", "example run", &w)
        .await?;
    let info = agent.health_service_by_id("example-web-1", &q).await?.value;
    println!(
        "in maintenance: {}",
        info.map(|i| i.aggregated_status.to_string())
            .unwrap_or_default()
    );
    agent
        .disable_service_maintenance("example-web-1", &w)
        .await?;

    agent.service_deregister("example-web-1", &w).await?;
    println!(
        "services left: {:?}",
        agent.services(&q).await?.value.keys().collect::<Vec<_>>()
    );
    Ok(())
}
