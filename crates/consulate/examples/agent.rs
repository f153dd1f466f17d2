//! The local agent: who it is, its members, and a service with a TTL check driven
//! through passing, warning and critical, a watch on its definition, then maintenance mode
//! and clean-up.
//!
//! Run against any agent: `CONSUL_HTTP_ADDR=127.0.0.1:8500 cargo run --example agent`.

use consulate::agent::{CheckDefinition, CheckStatus, ServiceRegistration};
use consulate::Client;
use std::time::Duration;

#[tokio::main]
async fn main() -> consulate::Result<()> {
    let client = Client::from_env()?;
    let agent = client.agent();
    let me = agent.self_info().await?.value;
    println!(
        "agent {} (Consul {}) in {}",
        me.config.node_name, me.config.version, me.config.datacenter
    );
    for member in agent.members().await?.value {
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
    agent.service_register(service.clone()).await?;
    for (status, note) in [
        (CheckStatus::Passing, "ready"),
        (CheckStatus::Warning, "slow"),
        (CheckStatus::Critical, "down"),
    ] {
        agent
            .update_ttl("example-web-ttl", status)
            .output(note)
            .await?;
        match agent.check("example-web-ttl").await?.value {
            Some(check) => println!(
                "check {} is {} ({})",
                check.check_id, check.status, check.output
            ),
            None => println!("check example-web-ttl is gone"),
        }
    }
    agent.pass_ttl("example-web-ttl").note("recovered").await?;
    if let Some(info) = agent.health_service_by_id("example-web-1").await?.value {
        println!("local health of example-web-1: {}", info.aggregated_status);
    }

    // Go's `agent_service` watch plan: the definition now, then each change of it.
    let mut changes = agent.service("example-web-1").watch();
    if let Some(first) = changes.next().await.transpose()? {
        println!("watching tags {:?}", first.value.map(|s| s.tags));
    }
    agent.service_register(service.tag("v2")).await?;
    if let Ok(Some(change)) = tokio::time::timeout(Duration::from_secs(10), changes.next()).await {
        println!("tags now {:?}", change?.value.map(|s| s.tags));
    }
    drop(changes);

    agent
        .enable_service_maintenance("example-web-1", "example run")
        .await?;
    let info = agent.health_service_by_id("example-web-1").await?.value;
    println!(
        "in maintenance: {}",
        info.map(|i| i.aggregated_status.to_string())
            .unwrap_or_default()
    );
    agent.disable_service_maintenance("example-web-1").await?;

    agent.service_deregister("example-web-1").await?;
    println!(
        "services left: {:?}",
        agent.services().await?.value.keys().collect::<Vec<_>>()
    );
    Ok(())
}
