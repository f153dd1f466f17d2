//! Locks against a real agent: mutual exclusion, loss notification, lock-delay,
//! cancellation, fencing tokens, try-once acquisition, caller-supplied sessions, losing the
//! agent, and interoperation with `consul lock`.

use consul_integration_tests::gate::Gate;
use consul_integration_tests::{unique_prefix, TestAgent};
use consulate::lock::{cli_lock_key, Lock, LockError, LostReason, LOCK_FLAG_VALUE};
use consulate::session::{NewSession, SessionBehavior};
use consulate::Client;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A lock with a short lock-delay, so invalidations do not slow the suite.
fn lock(client: &Client, key: &str, lock_delay: Duration, behavior: SessionBehavior) -> Lock {
    client.lock(key).session_opts(
        NewSession::default()
            .name("consulate lock test")
            .ttl(Duration::from_secs(10))
            .lock_delay(lock_delay)
            .behavior(behavior),
    )
}

#[tokio::test]
async fn eight_contenders_exclude_each_other() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("mutex"));
    let counter_key = format!("{key}-counter");
    let inside = Arc::new(AtomicUsize::new(0));
    let max_inside = Arc::new(AtomicUsize::new(0));
    const TASKS: usize = 8;
    const ROUNDS: usize = 3;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let lock = client.lock(&key).value(format!("task-{t}"));
        let (client, counter_key) = (client.clone(), counter_key.clone());
        let (inside, max_inside) = (Arc::clone(&inside), Arc::clone(&max_inside));
        tasks.push(tokio::spawn(async move {
            for _ in 0..ROUNDS {
                let guard = lock.acquire().await.unwrap();
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_inside.fetch_max(now, Ordering::SeqCst);
                assert_eq!(now, 1, "another holder is inside");
                // Read-modify-write without CAS: only exclusion keeps it exact.
                let kv = client.kv();
                let current = kv
                    .get(&counter_key)
                    .await
                    .unwrap()
                    .value
                    .and_then(|p| p.value_str().and_then(|s| s.parse::<usize>().ok()))
                    .unwrap_or(0);
                tokio::time::sleep(Duration::from_millis(5)).await;
                kv.put(&counter_key, (current + 1).to_string())
                    .await
                    .unwrap();
                assert!(guard.is_held());
                inside.fetch_sub(1, Ordering::SeqCst);
                guard.release().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let total = client.kv().get(&counter_key).await.unwrap().value.unwrap();
    assert_eq!(
        total.value_str(),
        Some((TASKS * ROUNDS).to_string().as_str())
    );
    assert_eq!(max_inside.load(Ordering::SeqCst), 1);
    // Released, not deleted: the key keeps the lock flags, unheld.
    let pair = client.kv().get(&key).await.unwrap().value.unwrap();
    assert_eq!(pair.flags, LOCK_FLAG_VALUE);
    assert_eq!(pair.session, None);
    assert_eq!(pair.lock_index, (TASKS * ROUNDS) as u64);
    // No session left behind.
    let left = client.session().list().await.unwrap().value;
    assert!(left.iter().all(|s| s.name != "Consul API Lock"), "{left:?}");
}

/// Destroys the holder's session and returns how long the holder took to notice.
async fn destroy_and_time(client: &Client, key: &str, behavior: SessionBehavior) -> Duration {
    let lock = lock(client, key, Duration::from_millis(10), behavior);
    let guard = lock.acquire().await.unwrap();
    let mut rx = guard.subscribe();
    let started = Instant::now();
    client.session().destroy(guard.session()).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), guard.lost())
        .await
        .expect("holder notified");
    let took = started.elapsed();
    assert!(!guard.is_held());
    // Published at once; refined once the session is read.
    state_becomes(&mut rx, Duration::from_secs(5), |s| {
        matches!(s, Some(LostReason::SessionInvalidated))
    })
    .await;
    assert!(matches!(
        guard.lost_reason(),
        Some(LostReason::SessionInvalidated)
    ));
    drop(guard);
    took
}

#[tokio::test]
async fn destroying_the_holders_session_notifies_it() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let p = unique_prefix("invalidate");

    // Behavior delete: the key is gone.
    let key = format!("{p}delete");
    let took = destroy_and_time(&client, &key, SessionBehavior::Delete).await;
    eprintln!("behavior delete: holder notified {took:?} after sending the destroy");
    assert!(client.kv().get(&key).await.unwrap().value.is_none());

    // Behavior release: the key stays, unlocked.
    let key = format!("{p}release");
    let mut timings = Vec::new();
    for _ in 0..5 {
        timings.push(destroy_and_time(&client, &key, SessionBehavior::Release).await);
        let pair = client.kv().get(&key).await.unwrap().value.unwrap();
        assert_eq!(pair.session, None);
        assert_eq!(pair.flags, LOCK_FLAG_VALUE);
        tokio::time::sleep(Duration::from_millis(20)).await; // the 10 ms lock-delay
    }
    eprintln!("behavior release: holder notified after sending the destroy: {timings:?}");
    assert!(timings.iter().all(|t| *t < Duration::from_secs(1)));
}

#[tokio::test]
async fn someone_else_releasing_the_key_is_reported() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}k", unique_prefix("taken"));
    let guard = client.lock(&key).acquire().await.unwrap();
    // An operator forces the release.
    client
        .kv()
        .release(&key, "", guard.session())
        .await
        .unwrap();
    let reason = tokio::time::timeout(Duration::from_secs(5), guard.lost())
        .await
        .unwrap();
    assert!(matches!(reason, LostReason::KeyChanged), "{reason:?}");
    guard.release().await.unwrap();
}

#[tokio::test]
async fn a_new_acquire_waits_out_the_lock_delay() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("delay"));
    let delay = Duration::from_secs(2);
    let holder = client
        .lock(&key)
        .session_ttl(Duration::from_secs(10))
        .lock_delay(delay)
        .acquire()
        .await
        .unwrap();
    client.session().destroy(holder.session()).await.unwrap();
    let invalidated = Instant::now();
    let next = client
        .lock(&key)
        .retry_time(Duration::from_millis(250))
        .acquire()
        .await
        .unwrap();
    let waited = invalidated.elapsed();
    eprintln!("lock-delay {delay:?}: next holder acquired after {waited:?}");
    assert!(waited >= delay - Duration::from_millis(200), "{waited:?}");
    assert!(waited < delay + Duration::from_secs(2), "{waited:?}");
    state_becomes(&mut holder.subscribe(), Duration::from_secs(5), |s| {
        matches!(s, Some(LostReason::SessionInvalidated))
    })
    .await;
    next.release().await.unwrap();
    drop(holder);
}

#[tokio::test]
async fn cancelled_acquire_and_dropped_guard_leave_nothing_held() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("cancel"));
    let holder = client.lock(&key).acquire().await.unwrap();

    let waiter = client.lock(&key).session_name("cancelled waiter");
    let r = tokio::time::timeout(Duration::from_millis(500), waiter.acquire()).await;
    assert!(r.is_err(), "must still be waiting");
    // The waiter's session is destroyed in the background.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let sessions = client.session().list().await.unwrap().value;
        if sessions.iter().all(|s| s.name != "cancelled waiter") {
            break;
        }
        assert!(Instant::now() < deadline, "waiter session leaked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Dropping the guard releases (no lock-delay: a release, not an invalidation).
    let dropped_at = Instant::now();
    drop(holder);
    let next = tokio::time::timeout(Duration::from_secs(5), client.lock(&key).acquire())
        .await
        .expect("released on drop")
        .unwrap();
    eprintln!(
        "dropped guard: next holder after {:?}",
        dropped_at.elapsed()
    );
    next.release().await.unwrap();
    client.lock(&key).destroy().await.unwrap();
    assert!(client.kv().get(&key).await.unwrap().value.is_none());
}

#[tokio::test]
async fn a_key_of_another_use_is_refused() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}plain", unique_prefix("conflict"));
    client.kv().put(&key, "not a lock").await.unwrap();
    let e = client.lock(&key).acquire().await.unwrap_err();
    assert!(matches!(e, LockError::Conflict { flags: 0, .. }), "{e:?}");
    assert_eq!(
        client
            .kv()
            .get(&key)
            .await
            .unwrap()
            .value
            .unwrap()
            .value_str(),
        Some("not a lock")
    );
}

async fn wait_for_file(path: &Path, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if path.exists() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    path.exists()
}

/// `consul lock -http-addr=… <prefix> <script>`, killed on drop.
fn consul_lock(
    agent: &TestAgent,
    prefix: &str,
    extra: &[&str],
    script: &str,
) -> tokio::process::Child {
    let consul = consul_test::find_consul().expect("consul binary");
    tokio::process::Command::new(consul)
        .arg("lock")
        .arg(format!("-http-addr={}", agent.http_addr()))
        .args(extra)
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
async fn consul_lock_and_this_library_exclude_each_other() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = unique_prefix("cli");
    let dir = std::env::temp_dir().join(format!(
        "consulate-cli-lock-{}-{}",
        std::process::id(),
        prefix.len() ^ Instant::now().elapsed().subsec_nanos() as usize
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let held = dir.join("cli-held");
    let release = dir.join("cli-release");
    let lock = client.lock(cli_lock_key(&prefix));

    // 1. `consul lock` holds: this library cannot acquire.
    let script = format!(
        "touch {held}; while [ ! -f {release} ]; do sleep 0.05; done",
        held = held.display(),
        release = release.display()
    );
    let mut child = consul_lock(&agent, &prefix, &[], &script);
    assert!(
        wait_for_file(&held, Duration::from_secs(15)).await,
        "consul lock never ran its child"
    );
    let pair = client
        .kv()
        .get(cli_lock_key(&prefix))
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(pair.flags, LOCK_FLAG_VALUE, "same flags as consul lock");
    assert!(pair.session.is_some());
    let blocked = tokio::time::timeout(Duration::from_millis(1500), lock.acquire()).await;
    assert!(blocked.is_err(), "acquired while consul lock held it");
    // The child finishes: consul lock releases, and we get it.
    std::fs::write(&release, b"").unwrap();
    let started = Instant::now();
    let guard = tokio::time::timeout(Duration::from_secs(10), lock.acquire())
        .await
        .expect("acquired after consul lock released")
        .unwrap();
    eprintln!(
        "consul lock released -> acquired here after {:?}",
        started.elapsed()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");

    // 2. This library holds: `consul lock` waits and does not run its child.
    let marker = dir.join("cli-ran");
    let mut child = consul_lock(&agent, &prefix, &[], &format!("touch {}", marker.display()));
    assert!(
        !wait_for_file(&marker, Duration::from_millis(1500)).await,
        "consul lock ran while we held the lock"
    );
    let mut timed = consul_lock(
        &agent,
        &prefix,
        &["-timeout=1s"],
        &format!("touch {}.2", marker.display()),
    );
    let status = tokio::time::timeout(Duration::from_secs(10), timed.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(!status.success(), "consul lock -timeout should give up");
    guard.release().await.unwrap();
    assert!(
        wait_for_file(&marker, Duration::from_secs(10)).await,
        "consul lock never got the lock"
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
    // consul lock cleans up (Go's Destroy) once nobody holds the key.
    assert!(client
        .kv()
        .get(cli_lock_key(&prefix))
        .await
        .unwrap()
        .value
        .is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits (at most `limit`, as a failure bound) until the guard's state satisfies `want`.
async fn state_becomes(
    rx: &mut consulate::lock::watch::Receiver<Option<LostReason>>,
    limit: Duration,
    want: impl FnMut(&Option<LostReason>) -> bool,
) -> Option<LostReason> {
    tokio::time::timeout(limit, rx.wait_for(want))
        .await
        .expect("the guard's state never became what the test waits for")
        .expect("guard alive")
        .clone()
}

/// Issue 7, item 16: the loss is published as soon as the monitor sees the key leave the
/// session, while the guard is still asking Consul why; the reason is refined afterwards.
#[tokio::test]
async fn loss_is_published_before_the_session_is_read() {
    let agent = TestAgent::dev().await;
    let (client, gate) = Gate::client(agent.config());
    let key = format!("{}leader", unique_prefix("early"));
    let guard = lock(
        &client,
        &key,
        Duration::from_millis(10),
        SessionBehavior::Release,
    )
    .acquire()
    .await
    .unwrap();
    let mut rx = guard.subscribe();
    // Reading the session cannot answer until the gate opens.
    gate.hold(|r| r.uri().path().starts_with("/v1/session/info/"));
    agent
        .client()
        .session()
        .destroy(guard.session())
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), gate.held(1))
        .await
        .expect("the guard reads its session after the key left it");
    // The session read is still unanswered: the loss is already visible.
    assert!(!guard.is_held(), "still held while the session is read");
    let first = tokio::time::timeout(Duration::from_secs(1), guard.lost())
        .await
        .expect("lost() resolves before the session read answers");
    assert!(matches!(first, LostReason::KeyChanged), "{first:?}");
    assert!(matches!(*rx.borrow(), Some(LostReason::KeyChanged)));
    // The session read answers: the reason is refined.
    gate.open();
    let refined = state_becomes(&mut rx, Duration::from_secs(5), |s| {
        matches!(s, Some(LostReason::SessionInvalidated))
    })
    .await;
    assert!(matches!(refined, Some(LostReason::SessionInvalidated)));
    assert!(matches!(
        guard.lost_reason(),
        Some(LostReason::SessionInvalidated)
    ));
    assert!(matches!(guard.lost().await, LostReason::SessionInvalidated));
}

/// Issue 7, item 17: the guard hands out the key's indexes at acquisition; the
/// `ModifyIndex` grows strictly from one holder to the next.
#[tokio::test]
async fn successive_holders_get_increasing_fencing_tokens() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("fence"));
    let lock = client.lock(&key);
    let mut tokens = Vec::new();
    let mut lock_indexes = Vec::new();
    for round in 0..3 {
        let guard = lock.acquire().await.unwrap();
        let pair = client
            .kv()
            .get(&key)
            .consistent()
            .await
            .unwrap()
            .value
            .unwrap();
        assert_eq!(pair.session.as_deref(), Some(guard.session()));
        assert_eq!(guard.fencing_token(), pair.modify_index, "round {round}");
        assert_eq!(guard.lock_index(), pair.lock_index, "round {round}");
        tokens.push(guard.fencing_token());
        lock_indexes.push(guard.lock_index());
        // Unrelated writes between holders do not break the order.
        client
            .kv()
            .put(format!("{key}-other"), round.to_string())
            .await
            .unwrap();
        guard.release().await.unwrap();
    }
    eprintln!("fencing tokens {tokens:?}, lock indexes {lock_indexes:?}");
    assert!(tokens.windows(2).all(|t| t[0] < t[1]), "{tokens:?}");
    assert_eq!(lock_indexes, vec![1, 2, 3]);
}

/// Issue 7, item 20: a guard outlives its session's TTL many times over: the session is
/// renewed and the key keeps carrying it.
#[tokio::test]
async fn a_guard_held_for_two_and_a_half_ttls_stays_held() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("long"));
    let ttl = Duration::from_secs(10); // Consul's minimum
    let guard = client.lock(&key).session_ttl(ttl).acquire().await.unwrap();
    let held_for = ttl * 5 / 2;
    let lost = tokio::time::timeout(held_for, guard.lost()).await;
    assert!(lost.is_err(), "lost after less than {held_for:?}: {lost:?}");
    assert!(guard.is_held());
    let pair = client.kv().get(&key).await.unwrap().value.unwrap();
    assert_eq!(pair.session.as_deref(), Some(guard.session()));
    assert!(client
        .session()
        .info(guard.session())
        .await
        .unwrap()
        .value
        .is_some());
    guard.release().await.unwrap();
}

/// Issue 7, items 19 and 20: the agent dies under held guards. Whatever the monitor's
/// retries, each guard reports the loss within about one session TTL: an owned session
/// through its failing renewals, a caller-supplied one through its failing checks.
#[tokio::test]
async fn killing_the_agent_reports_the_loss_within_a_ttl() {
    let mut agent = TestAgent::dev().await;
    let client = agent.client();
    let p = unique_prefix("killed");
    let ttl = Duration::from_secs(10);
    let given = client
        .session()
        .create()
        .name("caller's session")
        .ttl(ttl)
        .await
        .unwrap()
        .value;
    let plain = client
        .lock(format!("{p}plain"))
        .session_ttl(ttl)
        .acquire()
        .await
        .unwrap();
    // Monitors that ride out failures for far longer than the TTL.
    let patient = |key: String| {
        client
            .lock(key)
            .session_ttl(ttl)
            .monitor_retries(u32::MAX)
            .monitor_retry_time(Duration::from_millis(500))
    };
    let owned = patient(format!("{p}owned")).acquire().await.unwrap();
    let caller = patient(format!("{p}given"))
        .session(&given)
        .acquire()
        .await
        .unwrap();
    agent.kill();
    let killed = Instant::now();
    let bound = ttl + Duration::from_secs(3);
    for (name, guard) in [("plain", &plain), ("owned", &owned), ("caller", &caller)] {
        let reason = tokio::time::timeout(bound.saturating_sub(killed.elapsed()), guard.lost())
            .await
            .unwrap_or_else(|_| panic!("{name}: no loss reported within {bound:?}"));
        eprintln!(
            "{name}: loss reported {:?} after the kill: {reason}",
            killed.elapsed()
        );
        assert!(
            matches!(reason, LostReason::MonitorFailed(_)),
            "{name}: {reason:?}"
        );
        assert!(!guard.is_held());
    }
}

/// Issue 7, item 19: cut off from Consul (requests go unanswered, the blocking read of
/// the key hangs), a guard on a caller-supplied session still reports the loss within
/// about one TTL, and so does one on its own session.
#[tokio::test]
async fn a_partitioned_guard_reports_the_loss_within_a_ttl() {
    let agent = TestAgent::dev().await;
    let (client, gate) = Gate::client(agent.config());
    let p = unique_prefix("partition");
    let ttl = Duration::from_secs(10);
    let given = client
        .session()
        .create()
        .name("caller's session")
        .ttl(ttl)
        .await
        .unwrap()
        .value;
    let caller = client
        .lock(format!("{p}given"))
        .session(&given)
        .acquire()
        .await
        .unwrap();
    let owned = client
        .lock(format!("{p}owned"))
        .session_ttl(ttl)
        .acquire()
        .await
        .unwrap();
    gate.hold(|_| true);
    let cut = Instant::now();
    let bound = ttl + Duration::from_secs(3);
    for (name, guard) in [("caller", &caller), ("owned", &owned)] {
        let reason = tokio::time::timeout(bound.saturating_sub(cut.elapsed()), guard.lost())
            .await
            .unwrap_or_else(|_| panic!("{name}: no loss reported within {bound:?}"));
        eprintln!(
            "{name}: loss reported {:?} after the cut: {reason}",
            cut.elapsed()
        );
        assert!(
            matches!(reason, LostReason::MonitorFailed(_)),
            "{name}: {reason:?}"
        );
    }
    gate.open();
    drop((caller, owned));
    agent.client().session().destroy(&given).await.unwrap();
}

/// Issue 7, item 19: a caller-supplied session that does not exist fails the acquire
/// with a typed error, before any key is touched.
#[tokio::test]
async fn a_missing_caller_session_is_refused() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("nosession"));
    let missing = "6f1c52a2-0000-4000-8000-000000000000";
    let e = client
        .lock(&key)
        .session(missing)
        .acquire()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, LockError::SessionNotFound { session } if session == missing),
        "{e:?}"
    );
    assert!(client.kv().get(&key).await.unwrap().value.is_none());
}

/// Issue 7, item 22: a second lock reclaiming the key through the same session, then
/// releasing, leaves the key unlocked; the first holder sees it.
#[tokio::test]
async fn releasing_a_reclaimed_lock_unlocks_the_key() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("reclaim"));
    let session = client
        .session()
        .create()
        .name("shared session")
        .ttl(Duration::from_secs(10))
        .await
        .unwrap()
        .value;
    let lock = client.lock(&key).session(&session);
    let first = lock.acquire().await.unwrap();
    let second = tokio::time::timeout(Duration::from_secs(5), lock.acquire())
        .await
        .expect("the same session reclaims at once")
        .unwrap();
    second.release().await.unwrap();
    let pair = client.kv().get(&key).await.unwrap().value.unwrap();
    assert_eq!(pair.session, None, "released through the reclaiming guard");
    let reason = tokio::time::timeout(Duration::from_secs(5), first.lost())
        .await
        .expect("the first holder sees the unlock");
    assert!(matches!(reason, LostReason::KeyChanged), "{reason:?}");
    drop(first);
    // The caller's session is the caller's: neither guard destroyed it.
    assert!(client
        .session()
        .info(&session)
        .await
        .unwrap()
        .value
        .is_some());
    client.session().destroy(&session).await.unwrap();
}

/// Issue 7, item 25: `try_acquire` waits once, at most the wait time, and cleans up.
#[tokio::test]
async fn try_acquire_gives_up_after_one_wait_and_leaves_nothing() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}leader", unique_prefix("tryonce"));
    let holder = client.lock(&key).acquire().await.unwrap();
    let wait = Duration::from_secs(1);
    let trying = client.lock(&key).wait_time(wait).session_name("try once");
    let started = Instant::now();
    let got = trying.try_acquire().await.unwrap();
    let took = started.elapsed();
    eprintln!("try_acquire on a held lock gave up after {took:?}");
    assert!(got.is_none(), "acquired a held lock");
    assert!(took >= wait, "{took:?}");
    assert!(took < wait + Duration::from_secs(2), "{took:?}");
    // Its session is gone already, and the key is still the holder's.
    let sessions = client.session().list().await.unwrap().value;
    assert!(
        sessions.iter().all(|s| s.name != "try once"),
        "{sessions:?}"
    );
    let pair = client.kv().get(&key).await.unwrap().value.unwrap();
    assert_eq!(pair.session.as_deref(), Some(holder.session()));

    holder.release().await.unwrap();
    let guard = trying.try_acquire().await.unwrap().expect("a free lock");
    assert!(guard.is_held());
    let pair = client.kv().get(&key).await.unwrap().value.unwrap();
    assert_eq!(pair.session.as_deref(), Some(guard.session()));
    guard.release().await.unwrap();
}
