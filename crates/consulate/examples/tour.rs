//! A tour of consulate, following aioconsul's tutorial: run it with `cargo xtask demo`,
//! which starts a throwaway agent (plus a second one to join, named by `TOUR_JOIN_ADDR`)
//! and sets `CONSUL_HTTP_ADDR`.

use consulate::agent::ServiceRegistration;
use consulate::codec::Json;
use consulate::discovery::Change;
use consulate::lock::{cli_lock_key, LostReason};
use consulate::Client;
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn scene(title: &str) {
    println!(
        "\n── {title} {}",
        "─".repeat(60usize.saturating_sub(title.len()))
    );
}

#[tokio::main]
async fn main() -> Result {
    let client = Client::from_env()?;
    println!("consulate tour against {}", client.address());
    agent_scene(&client).await?;
    catalog_scene(&client).await?;
    kv_scene(&client).await?;
    leader_scene(&client).await?;
    service_scene(&client).await?;
    println!("\nThe tour is over.");
    Ok(())
}

async fn agent_scene(client: &Client) -> Result {
    let agent = client.agent();

    scene("Agent: who am I?");
    let me = agent.self_info().await?.value;
    println!(
        "node {} in datacenter {}, Consul {} (server: {})",
        me.config.node_name, me.config.datacenter, me.config.version, me.config.server
    );

    scene("Agent: members, then join another agent");
    let members = agent.members().await?.value;
    println!(
        "members before joining: {} (I am alone in my cluster)",
        members.len()
    );
    match std::env::var("TOUR_JOIN_ADDR") {
        Ok(addr) if !addr.is_empty() => {
            agent.join(&addr).await?;
            for m in agent.members().await?.value {
                println!("  {:<14} {}:{}  {:?}", m.name, m.addr, m.port, m.status);
            }
            println!("I'm not alone anymore");
        }
        _ => println!("(set TOUR_JOIN_ADDR to a second agent's Serf LAN address to join it)"),
    }

    scene("Agent: a service with a TTL check");
    let service = ServiceRegistration::with_ttl("tour-web", Duration::from_secs(30))
        .tag("v1")
        .tag("primary");
    agent.service_register(service.clone()).await?;
    let health = client.health();
    let passing = health.service("tour-web").passing().await?.value;
    println!(
        "registered tour-web; passing instances before the first heartbeat: {}",
        passing.len()
    );
    agent.pass_ttl("service:tour-web").note("warmed up").await?;
    let passing = health.service("tour-web").passing().await?.value;
    println!("after pass_ttl: {} passing instance(s)", passing.len());
    Ok(())
}

async fn catalog_scene(client: &Client) -> Result {
    let catalog = client.catalog();

    scene("Catalog: datacenters, services and nodes");
    for dc in catalog.datacenters().await?.value {
        println!("datacenter {dc}");
    }
    for (service, tags) in catalog.services().await?.value {
        println!("service {service:<10} tags {tags:?}");
    }
    for node in catalog.nodes().await?.value {
        println!("node {:<14} {}", node.node, node.address);
    }
    client.agent().service_deregister("tour-web").await?;
    Ok(())
}

async fn leader_scene(client: &Client) -> Result {
    scene("Leader election (interoperates with `consul lock tour/leader …`)");
    let key = cli_lock_key("tour/leader");
    let alice = client.lock(key.clone()).value("alice");
    let bob = client.lock(key).value("bob");

    let alice_guard = alice.acquire().await?;
    println!("alice leads (session {})", alice_guard.session());
    let bob_waiting = tokio::spawn(async move {
        let guard = bob.acquire().await;
        (guard, Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    println!("bob is waiting: {}", !bob_waiting.is_finished());
    let stepped_down = Instant::now();
    alice_guard.release().await?;
    let (bob_guard, took_over) = bob_waiting.await?;
    let bob_guard = bob_guard?;
    println!(
        "alice stepped down; bob took over {:.1?} later",
        took_over.duration_since(stepped_down)
    );

    // Losing the lock is noticed by the holder: here an operator destroys bob's session.
    let destroyed = Instant::now();
    client.session().destroy(bob_guard.session()).await?;
    bob_guard.lost().await;
    let noticed = destroyed.elapsed();
    // The loss is published at once; why it happened is settled by asking Consul about the
    // session, which refines "key changed" to "session invalidated" moments later.
    let mut reason = bob_guard.subscribe();
    let _ = tokio::time::timeout(
        Duration::from_secs(3),
        reason.wait_for(|r| matches!(r, Some(LostReason::SessionInvalidated))),
    )
    .await;
    let reason = bob_guard.lost_reason().map(|r| r.to_string());
    println!(
        "bob's session was destroyed; bob noticed in {noticed:.1?}: {}",
        reason.unwrap_or_default()
    );
    Ok(())
}

async fn kv_scene(client: &Client) -> Result {
    let kv = client.kv();
    let prefix = "tour/";
    kv.delete_tree(prefix).await?;

    scene("KV: put and get");
    kv.put("tour/greeting", "hello, consul").await?;
    let got = kv.get("tour/greeting").await?;
    let pair = got.value.ok_or("the key we just wrote is missing")?;
    println!(
        "tour/greeting = {:?} (modify index {}, read at index {}, leader known: {:?})",
        pair.value_str().unwrap_or("<binary>"),
        pair.modify_index,
        got.meta.last_index,
        got.meta.known_leader
    );

    #[derive(serde::Serialize, serde::Deserialize, Debug)]
    struct Settings {
        replicas: u32,
        regions: Vec<String>,
    }
    let settings = Settings {
        replicas: 3,
        regions: vec!["eu-west".into(), "us-east".into()],
    };
    kv.put_encoded("tour/settings", &settings, &Json)?.await?;
    let back: Option<Settings> = kv.get_decoded("tour/settings", Json).await?.value;
    println!("tour/settings through the JSON codec: {back:?}");

    scene("KV: list and folders");
    for key in [
        "tour/services/web",
        "tour/services/db",
        "tour/flags/dark-mode",
    ] {
        kv.put(key, "on").await?;
    }
    for pair in kv.list(prefix).await?.value {
        println!("  {:<26} {} bytes", pair.key, pair.value.len());
    }
    let folders = kv.keys(prefix).separator("/").await?.value;
    println!("folders and keys directly under {prefix}: {folders:?}");

    scene("KV: check-and-set");
    let current = kv.get("tour/greeting").await?.value.ok_or("missing")?;
    let first = kv
        .cas("tour/greeting", "hello again", current.modify_index)
        .await?;
    let second = kv
        .cas("tour/greeting", "too late", current.modify_index)
        .await?;
    println!(
        "CAS at index {}: first writer {}, second writer {} (its index was stale)",
        current.modify_index,
        if first.value { "won" } else { "lost" },
        if second.value { "won" } else { "lost" }
    );
    let created = kv.cas("tour/once", "created", 0).await?.value;
    let again = kv.cas("tour/once", "again", 0).await?.value;
    println!("CAS with index 0 creates only if absent: first {created}, second {again}");

    scene("KV: a blocking read woken by a write");
    let before = kv.get("tour/greeting").await?;
    let writer = {
        let kv = kv.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            kv.put("tour/greeting", "changed while you waited").await
        })
    };
    let started = Instant::now();
    let after = kv
        .get("tour/greeting")
        .wait(before.meta.last_index, Duration::from_secs(30))
        .await?;
    writer.await??;
    println!(
        "blocked at index {} for {:.2?}; woke at index {} with {:?}",
        before.meta.last_index,
        started.elapsed(),
        after.meta.last_index,
        after.value.as_ref().and_then(|p| p.value_str())
    );

    scene("KV: delete");
    kv.delete("tour/once").await?;
    kv.delete_tree(prefix).await?;
    println!(
        "deleted {prefix}: {} keys left",
        kv.keys(prefix).await?.value.len()
    );
    Ok(())
}

/// The limits the tour's service reads from KV, following changes.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Limits {
    max_connections: u32,
}

/// Registration, discovery and live configuration together: what a service built on
/// consulate does all day.
async fn service_scene(client: &Client) -> Result {
    scene("A service's life: configure, register, discover");
    let kv = client.kv();
    kv.put("tour/api/limits", r#"{"max_connections": 100}"#)
        .await?;
    let limits = client
        .config_key::<Limits, _>("tour/api/limits", Json)
        .start()
        .await?;
    println!("configuration from tour/api/limits: {:?}", limits.current());

    // Two instances, each kept registered and passing by its own heartbeat.
    let mut instances = Vec::new();
    for (id, port) in [("tour-api-1", 9001), ("tour-api-2", 9002)] {
        let guard = client
            .service_registration("tour-api")
            .id(id)
            .address("127.0.0.1")
            .port(port)
            .ttl(Duration::from_secs(5))
            .start()
            .await?;
        instances.push(guard);
    }
    let resolver = client.resolver("tour-api").start()?;
    let mut changes = resolver.changes();
    let mut seen = 0;
    while seen < 2 {
        let change = changes.next().await.ok_or("discovery ended")??;
        if let Change::Added(instance) = change {
            println!("discovered {} at {}", instance.key, instance.authority());
            seen += 1;
        }
    }

    // One instance reports itself failing: discovery drops it at once.
    let started = Instant::now();
    instances[1].fail("database unreachable").await?;
    loop {
        let change = changes.next().await.ok_or("discovery ended")??;
        if let Change::Removed(instance) = change {
            println!(
                "{} failing: gone from discovery after {:.0?}, {} instance left",
                instance.key,
                started.elapsed(),
                resolver.snapshot().len()
            );
            break;
        }
    }

    // The configuration changes in KV: the service sees the new value.
    let mut updates = limits.changes();
    kv.put("tour/api/limits", r#"{"max_connections": 250}"#)
        .await?;
    if let Some(update) = updates.next().await {
        println!("configuration changed: {:?}", update?);
    }

    // Shutting down deregisters, confirmed by Consul.
    for guard in instances {
        guard.shutdown().await?;
    }
    kv.delete_tree("tour/api/").await?;
    println!(
        "deregistered; catalog has tour-api: {}",
        client
            .catalog()
            .services()
            .await?
            .value
            .contains_key("tour-api")
    );
    Ok(())
}
