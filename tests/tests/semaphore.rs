//! Semaphores against a real agent, including `consul lock -n`.

use consul_integration_tests::gate::Gate;
use consul_integration_tests::{unique_prefix, TestAgent};
use consulate::lock::{LockError, LostReason};
use consulate::semaphore::{SemaphoreLock, SemaphoreOptions, SEMAPHORE_FLAG_VALUE};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Issue 7, item 20: the first `LIMIT` holders wait for each other inside, so the test
/// fails unless the semaphore admits `LIMIT` at once (a mutex would not), and never more.
#[tokio::test]
async fn ten_contenders_never_more_than_three_inside() {
    const LIMIT: usize = 3;
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = format!("{}sem", unique_prefix("semaphore"));
    let inside = Arc::new(AtomicUsize::new(0));
    let max_inside = Arc::new(AtomicUsize::new(0));
    let entered = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(tokio::sync::Barrier::new(LIMIT));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let semaphore = client.semaphore(&prefix, LIMIT as u32);
        let (inside, max_inside, entered, done, barrier) = (
            Arc::clone(&inside),
            Arc::clone(&max_inside),
            Arc::clone(&entered),
            Arc::clone(&done),
            Arc::clone(&barrier),
        );
        tasks.push(tokio::spawn(async move {
            let slot = semaphore.acquire().await.unwrap();
            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
            max_inside.fetch_max(now, Ordering::SeqCst);
            assert!(now <= LIMIT, "{now} holders inside");
            if entered.fetch_add(1, Ordering::SeqCst) < LIMIT {
                // The first LIMIT holders stay until all of them are inside together.
                tokio::time::timeout(Duration::from_secs(30), barrier.wait())
                    .await
                    .unwrap_or_else(|_| {
                        panic!(
                            "the first {LIMIT} holders were never inside together (at most {})",
                            max_inside.load(Ordering::SeqCst)
                        )
                    });
            }
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
    assert_eq!(max, LIMIT);
    eprintln!("semaphore limit 3, 10 contenders: at most {max} inside at once");

    // Everyone left: the record is empty, contender keys are gone.
    let opts = SemaphoreOptions::new(&prefix, 3);
    let pairs = client.kv().list(opts.list_prefix()).await.unwrap().value;
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].key, opts.lock_key());
    assert_eq!(pairs[0].flags, SEMAPHORE_FLAG_VALUE);
    let record = SemaphoreLock::decode(&pairs[0].value, 3).unwrap();
    assert!(record.holders.is_empty());
    client.semaphore(&prefix, 3).destroy().await.unwrap();
}

#[tokio::test]
async fn losing_the_session_loses_the_slot_and_limits_must_agree() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = format!("{}sem", unique_prefix("semloss"));
    let slot = client.semaphore(&prefix, 2).acquire().await.unwrap();
    let e = client.semaphore(&prefix, 5).acquire().await.unwrap_err();
    assert!(
        matches!(e, LockError::LimitConflict { theirs: 2, ours: 5 }),
        "{e:?}"
    );
    let e = client.semaphore(&prefix, 2).destroy().await.unwrap_err();
    assert!(matches!(e, LockError::InUse), "{e:?}");

    let started = Instant::now();
    client.session().destroy(slot.session()).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), slot.lost())
        .await
        .unwrap();
    eprintln!(
        "semaphore holder notified {:?} after sending the destroy",
        started.elapsed()
    );
    // Published at once; refined once the session is read.
    tokio::time::timeout(
        Duration::from_secs(5),
        slot.subscribe()
            .wait_for(|s| matches!(s, Some(LostReason::SessionInvalidated))),
    )
    .await
    .expect("the reason is refined to SessionInvalidated")
    .unwrap();
    // Its contender key went with the session (behavior delete), so the slot is free.
    let next = tokio::time::timeout(
        Duration::from_secs(5),
        client.semaphore(&prefix, 2).acquire(),
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
    let semaphore = client.semaphore(&prefix, 2);
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

/// Issue 7, item 16: a slot's loss is published at once, before the guard has learnt
/// from Consul whether its session ended; the reason is refined afterwards.
#[tokio::test]
async fn slot_loss_is_published_before_the_session_is_read() {
    let agent = TestAgent::dev().await;
    let (client, gate) = Gate::client(agent.config());
    let prefix = format!("{}sem", unique_prefix("semearly"));
    let slot = client.semaphore(&prefix, 2).acquire().await.unwrap();
    let mut rx = slot.subscribe();
    gate.hold(|r| r.uri().path().starts_with("/v1/session/info/"));
    agent
        .client()
        .session()
        .destroy(slot.session())
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), gate.held(1))
        .await
        .expect("the guard reads its session after losing the slot");
    assert!(!slot.is_held(), "still held while the session is read");
    let first = tokio::time::timeout(Duration::from_secs(1), slot.lost())
        .await
        .expect("lost() resolves before the session read answers");
    assert!(matches!(first, LostReason::KeyChanged), "{first:?}");
    gate.open();
    tokio::time::timeout(
        Duration::from_secs(5),
        rx.wait_for(|s| matches!(s, Some(LostReason::SessionInvalidated))),
    )
    .await
    .expect("the reason is refined once the session read answers")
    .unwrap();
    assert!(matches!(
        slot.lost_reason(),
        Some(LostReason::SessionInvalidated)
    ));
}

/// Issue 7, item 20: a slot held for 2.5 times its session's TTL stays held.
#[tokio::test]
async fn a_slot_held_for_two_and_a_half_ttls_stays_held() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = format!("{}sem", unique_prefix("semlong"));
    let ttl = Duration::from_secs(10);
    let layout = SemaphoreOptions::new(&prefix, 1);
    let slot = client
        .semaphore(&prefix, 1)
        .session_ttl(ttl)
        .acquire()
        .await
        .unwrap();
    let held_for = ttl * 5 / 2;
    let lost = tokio::time::timeout(held_for, slot.lost()).await;
    assert!(lost.is_err(), "lost after less than {held_for:?}: {lost:?}");
    assert!(slot.is_held());
    let contender = client
        .kv()
        .get(layout.contender_key(slot.session()))
        .await
        .unwrap()
        .value
        .expect("contender key kept");
    assert_eq!(contender.session.as_deref(), Some(slot.session()));
    slot.release().await.unwrap();
}

/// Issue 7, item 25: `try_acquire` on a full semaphore waits once and leaves no
/// contender entry or session behind; on a free slot it returns a guard.
#[tokio::test]
async fn try_acquire_on_a_full_semaphore_gives_up_and_leaves_nothing() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = format!("{}sem", unique_prefix("semtry"));
    let holder = client.semaphore(&prefix, 1).acquire().await.unwrap();
    let wait = Duration::from_secs(1);
    // A prepared set of settings; the layout of the keys comes with it.
    let opts = SemaphoreOptions::new(&prefix, 1)
        .wait_time(wait)
        .session_name("try once");
    let trying = client.semaphore(&prefix, 1).options(opts.clone());
    let started = Instant::now();
    let got = trying.try_acquire().await.unwrap();
    let took = started.elapsed();
    eprintln!("try_acquire on a full semaphore gave up after {took:?}");
    assert!(got.is_none(), "got a slot beyond the limit");
    assert!(took >= wait, "{took:?}");
    assert!(took < wait + Duration::from_secs(2), "{took:?}");
    let sessions = client.session().list().await.unwrap().value;
    assert!(
        sessions.iter().all(|s| s.name != "try once"),
        "{sessions:?}"
    );
    let pairs = client.kv().list(opts.list_prefix()).await.unwrap().value;
    let keys: Vec<&str> = pairs.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys.len(), 2, "only the record and the holder: {keys:?}");
    assert!(keys.contains(&opts.lock_key().as_str()));
    assert!(keys.contains(&opts.contender_key(holder.session()).as_str()));

    holder.release().await.unwrap();
    let slot = trying.try_acquire().await.unwrap().expect("a free slot");
    assert!(slot.is_held());
    slot.release().await.unwrap();
}

/// Issue 7, item 19: a caller-supplied session that does not exist is refused.
#[tokio::test]
async fn a_missing_caller_session_is_refused() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = format!("{}sem", unique_prefix("semnosession"));
    let missing = "6f1c52a2-0000-4000-8000-000000000001";
    let e = client
        .semaphore(&prefix, 2)
        .session(missing)
        .acquire()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, LockError::SessionNotFound { session } if session == missing),
        "{e:?}"
    );
    let pairs = client.kv().list(format!("{prefix}/")).await.unwrap().value;
    assert!(pairs.is_empty(), "{pairs:?}");
}
