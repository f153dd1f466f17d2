//! A tour of consulate, following aioconsul's tutorial: run it with `cargo xtask demo`,
//! which starts a throwaway agent and sets `CONSUL_HTTP_ADDR`.

use consulate::codec::Json;
use consulate::{Client, QueryOptions, WriteOptions};
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
    kv_scene(&client).await?;
    println!("\nThe tour is over.");
    Ok(())
}

async fn kv_scene(client: &Client) -> Result {
    let kv = client.kv();
    let w = WriteOptions::default();
    let q = QueryOptions::default();
    let prefix = "tour/";
    kv.delete_tree(prefix, &w).await?;

    scene("KV: put and get");
    kv.put("tour/greeting", "hello, consul", &w).await?;
    let got = kv.get("tour/greeting", &q).await?;
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
    kv.put_encoded("tour/settings", &settings, &Json, &w)
        .await?;
    let back: Option<Settings> = kv.get_decoded("tour/settings", &Json, &q).await?.value;
    println!("tour/settings through the JSON codec: {back:?}");

    scene("KV: list and folders");
    for key in [
        "tour/services/web",
        "tour/services/db",
        "tour/flags/dark-mode",
    ] {
        kv.put(key, "on", &w).await?;
    }
    for pair in kv.list(prefix, &q).await?.value {
        println!("  {:<26} {} bytes", pair.key, pair.value.len());
    }
    let folders = kv.keys(prefix, Some("/"), &q).await?.value;
    println!("folders and keys directly under {prefix}: {folders:?}");

    scene("KV: check-and-set");
    let current = kv.get("tour/greeting", &q).await?.value.ok_or("missing")?;
    let first = kv
        .cas("tour/greeting", "hello again", current.modify_index, &w)
        .await?;
    let second = kv
        .cas("tour/greeting", "too late", current.modify_index, &w)
        .await?;
    println!(
        "CAS at index {}: first writer {}, second writer {} (its index was stale)",
        current.modify_index,
        if first.value { "won" } else { "lost" },
        if second.value { "won" } else { "lost" }
    );
    let created = kv.cas("tour/once", "created", 0, &w).await?.value;
    let again = kv.cas("tour/once", "again", 0, &w).await?.value;
    println!("CAS with index 0 creates only if absent: first {created}, second {again}");

    scene("KV: a blocking read woken by a write");
    let before = kv.get("tour/greeting", &q).await?;
    let writer = {
        let kv = kv.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            kv.put(
                "tour/greeting",
                "changed while you waited",
                &WriteOptions::default(),
            )
            .await
        })
    };
    let started = Instant::now();
    let opts = QueryOptions::default()
        .wait_index(before.meta.last_index)
        .wait_time(Duration::from_secs(30));
    let after = kv.get("tour/greeting", &opts).await?;
    writer.await??;
    println!(
        "blocked at index {} for {:.2?}; woke at index {} with {:?}",
        before.meta.last_index,
        started.elapsed(),
        after.meta.last_index,
        after.value.as_ref().and_then(|p| p.value_str())
    );

    scene("KV: delete");
    kv.delete("tour/once", &w).await?;
    kv.delete_tree(prefix, &w).await?;
    println!(
        "deleted {prefix}: {} keys left",
        kv.keys(prefix, None, &q).await?.value.len()
    );
    Ok(())
}
