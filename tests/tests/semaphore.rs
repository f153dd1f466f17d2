//! Semaphores against a real agent, including `consul lock -n`.

use consul_integration_tests::{unique_prefix, TestAgent};
use consulate::lock::{LockError, LostReason};
use consulate::semaphore::{SemaphoreLock, SemaphoreOptions, SEMAPHORE_FLAG_VALUE};
use consulate::{QueryOptions, WriteOptions};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test]
async fn ten_contenders_never_more_than_three_inside() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = format!("{}sem", unique_prefix("semaphore"));
    let inside = Arc::new(AtomicUsize::new(0));
    let max_inside = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let semaphore = client.semaphore_prefix(&prefix, 3).unwrap();
        let (inside, max_inside, done) = (
            Arc::clone(&inside),
            Arc::clone(&max_inside),
            Arc::clone(&done),
        );
        tasks.push(tokio::spawn(async move {
            let slot = semaphore.acquire().await.unwrap();
            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
            max_inside.fetch_max(now, Ordering::SeqCst);
            assert!(now <= 3, "{now} holders inside");
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert!(slot.is_held());
            inside.fetch_sub(1, Ordering::SeqCst);
            slot.release().await.unwrap();
            done.fetch_add(1, Ordering::SeqCst);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(done.load(Ordering::SeqCst), 10);
    let max = max_inside.load(Ordering::SeqCst);
    assert!((1..=3).contains(&max), "{max}");
    eprintln!("semaphore limit 3, 10 contenders: at most {max} inside at once");

    // Everyone left: the record is empty, contender keys are gone.
    let opts = SemaphoreOptions::new(&prefix, 3);
    let pairs = client
        .kv()
        .list(&opts.list_prefix(), &QueryOptions::default())
        .await
        .unwrap()
        .value;
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].key, opts.lock_key());
    assert_eq!(pairs[0].flags, SEMAPHORE_FLAG_VALUE);
    let record = SemaphoreLock::decode(&pairs[0].value, 3).unwrap();
    assert!(record.holders.is_empty());
    client
        .semaphore_prefix(&prefix, 3)
        .unwrap()
        .destroy()
        .await
        .unwrap();
}

#[tokio::test]
async fn losing_the_session_loses_the_slot_and_limits_must_agree() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = format!("{}sem", unique_prefix("semloss"));
    let slot = client
        .semaphore_prefix(&prefix, 2)
        .unwrap()
        .acquire()
        .await
        .unwrap();
    let e = client
        .semaphore_prefix(&prefix, 5)
        .unwrap()
        .acquire()
        .await
        .unwrap_err();
    assert!(
        matches!(e, LockError::LimitConflict { theirs: 2, ours: 5 }),
        "{e:?}"
    );
    let e = client
        .semaphore_prefix(&prefix, 2)
        .unwrap()
        .destroy()
        .await
        .unwrap_err();
    assert!(matches!(e, LockError::InUse), "{e:?}");

    let started = Instant::now();
    client
        .session()
        .destroy(slot.session(), &WriteOptions::default())
        .await
        .unwrap();
    let reason = tokio::time::timeout(Duration::from_secs(5), slot.lost())
        .await
        .unwrap();
    eprintln!(
        "semaphore holder notified {:?} after sending the destroy",
        started.elapsed()
    );
    assert!(
        matches!(reason, LostReason::SessionInvalidated),
        "{reason:?}"
    );
    // Its contender key went with the session (behavior delete), so the slot is free.
    let next = tokio::time::timeout(
        Duration::from_secs(5),
        client.semaphore_prefix(&prefix, 2).unwrap().acquire(),
    )
    .await
    .unwrap()
    .unwrap();
    next.release().await.unwrap();
    drop(slot);
}

fn consul_lock_n(agent: &TestAgent, n: u32, prefix: &str, script: &str) -> tokio::process::Child {
    tokio::process::Command::new(consul_test::find_consul().expect("consul binary"))
        .arg("lock")
        .arg(format!("-http-addr={}", agent.http_addr()))
        .arg(format!("-n={n}"))
        .arg(prefix)
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn consul lock")
}

#[tokio::test]
async fn shares_slots_with_consul_lock_n() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = unique_prefix("clisem").trim_end_matches('/').to_owned();
    let dir = std::env::temp_dir().join(format!(
        "consulate-cli-sem-{}-{}",
        std::process::id(),
        prefix.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let held = dir.join("held");
    let release = dir.join("release");
    let _ = std::fs::remove_file(&release);
    let script = format!(
        "touch {}; while [ ! -f {} ]; do sleep 0.05; done",
        held.display(),
        release.display()
    );
    let mut child = consul_lock_n(&agent, 2, &prefix, &script);
    let deadline = Instant::now() + Duration::from_secs(15);
    while !held.exists() {
        assert!(
            Instant::now() < deadline,
            "consul lock -n 2 never ran its child"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // One slot left: we get it; a third contender waits.
    let semaphore = client.semaphore_prefix(&prefix, 2).unwrap();
    let mine = tokio::time::timeout(Duration::from_secs(5), semaphore.acquire())
        .await
        .unwrap()
        .unwrap();
    let third = tokio::time::timeout(Duration::from_millis(1500), semaphore.acquire()).await;
    assert!(third.is_err(), "a third holder got in with limit 2");
    // The CLI's holder leaves: the third contender gets in.
    std::fs::write(&release, b"").unwrap();
    let third = tokio::time::timeout(Duration::from_secs(10), semaphore.acquire())
        .await
        .expect("slot freed by consul lock")
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    third.release().await.unwrap();
    mine.release().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
