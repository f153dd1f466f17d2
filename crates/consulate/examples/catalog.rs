//! The catalog, as in aioconsul's tutorial: datacenters, services with their tags, nodes
//! with their addresses; then an external node registered and removed again.
//!
//! Run against any agent: `CONSUL_HTTP_ADDR=127.0.0.1:8500 cargo run --example catalog`.

use consulate::catalog::{AgentService, CatalogRegistration, CheckStatus, HealthCheck};
use consulate::Client;

#[tokio::main]
async fn main() -> consulate::Result<()> {
    let client = Client::from_env()?;
    let catalog = client.catalog();

    for dc in catalog.datacenters().await?.value {
        println!("datacenter {dc}");
    }
    for (service, tags) in catalog.services().await?.value {
        println!("service {service} {tags:?}");
    }
    for node in catalog.nodes().near("_agent").await?.value {
        println!("node {} {}", node.node, node.address);
    }

    let registration = CatalogRegistration::new("example-external-db", "192.0.2.10")
        .node_meta("kind", "external")
        .service(
            AgentService::new("example-db-1", "example-db")
                .tags(["primary"])
                .port(5432),
        )
        .check(
            HealthCheck::new("example-db-alive", "db alive", CheckStatus::Passing)
                .service_id("example-db-1"),
        );
    catalog.register(registration).await?;
    for instance in catalog.service("example-db").tag("primary").await?.value {
        println!(
            "instance {} at {}:{}",
            instance.service_id,
            instance.effective_address(),
            instance.service_port
        );
    }
    if let Some(node) = catalog.node("example-external-db").await?.value {
        println!(
            "{} runs {:?}",
            node.node.node,
            node.services.keys().collect::<Vec<_>>()
        );
    }
    catalog.deregister_node("example-external-db").await?;
    println!("external node removed");
    Ok(())
}
