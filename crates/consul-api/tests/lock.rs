//! Locks and semaphores on a routing mock transport: the requests they make follow Go's
//! conventions (flags, session settings, key layout), errors and cancellation clean up.
#![cfg(feature = "session")]

use bytes::Bytes;
use consul_api::lock::{LockError, LockOptions, LostReason, LOCK_FLAG_VALUE};
use consul_api::semaphore::SEMAPHORE_FLAG_VALUE;
use consul_api::{Client, Config};
use consul_transport::mock::RecordedRequest;
use consul_transport::{Transport, TransportFuture};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fake agent answers: `Some((status, body, index))`, or `None` to hang like a
/// blocking read that never returns.
type Handler = dyn Fn(&RecordedRequest) -> Option<(u16, String, u64)> + Send + Sync;

#[derive(Clone)]
struct Router {
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<RecordedRequest>>>,
    /// Counts the requests seen, so a test can wait for one without polling a clock.
    count: Arc<tokio::sync::watch::Sender<usize>>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Router")
    }
}

impl Router {
    fn new(
        h: impl Fn(&RecordedRequest) -> Option<(u16, String, u64)> + Send + Sync + 'static,
    ) -> Self {
        Router {
            handler: Arc::new(h),
            seen: Arc::default(),
            count: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }

    fn requests(&self) -> Vec<RecordedRequest> {
        self.seen.lock().unwrap().clone()
    }

    fn find(&self, method: &str, path: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.uri.path() == path)
            .collect()
    }

    /// Waits until a request matching `want` has been sent (for at most 5 s, as a failure
    /// bound: the wait itself is woken by each request, not by a clock).
    async fn wait_until(
        &self,
        what: &str,
        want: impl Fn(&RecordedRequest) -> bool,
    ) -> RecordedRequest {
        let mut count = self.count.subscribe();
        let found = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                count.borrow_and_update();
                if let Some(r) = self.requests().into_iter().rev().find(|r| want(r)) {
                    return r;
                }
                count.changed().await.expect("router alive");
            }
        })
        .await;
        found.unwrap_or_else(|_| {
            panic!(
                "no {what}; saw {:?}",
                self.requests()
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.uri))
                    .collect::<Vec<_>>()
            )
        })
    }

    async fn wait_for(&self, method: &str, path: &str) -> RecordedRequest {
        self.wait_until(&format!("{method} {path}"), |r| {
            r.method == method && r.uri.path() == path
        })
        .await
    }
}

impl Transport for Router {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        let rec = RecordedRequest {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: request.body().clone(),
            timeout: request
                .extensions()
                .get::<consul_transport::RequestTimeout>()
                .map(|t| t.0),
        };
        self.seen.lock().unwrap().push(rec.clone());
        self.count.send_modify(|n| *n += 1);
        let answer = (self.handler)(&rec);
        Box::pin(async move {
            match answer {
                None => std::future::pending().await,
                Some((status, body, index)) => {
                    let mut r = http::Response::new(Bytes::from(body));
                    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
                    r.headers_mut()
                        .insert("x-consul-index", index.to_string().parse().unwrap());
                    Ok(r)
                }
            }
        })
    }
}

fn client(router: &Router) -> Client {
    Client::with_transport(
        Config::new("http://127.0.0.1:8500").unwrap(),
        router.clone(),
    )
    .unwrap()
}

/// A lock key held by `session`, last written at `modify_index`.
fn held_pair(key: &str, session: &str, lock_index: u64, modify_index: u64) -> String {
    serde_json::json!([{"Key": key, "Flags": LOCK_FLAG_VALUE, "Value": null, "Session": session,
        "LockIndex": lock_index, "CreateIndex": 5, "ModifyIndex": modify_index}])
    .to_string()
}

fn pair(key: &str, flags: u64, session: Option<&str>) -> String {
    let mut v = serde_json::json!([{"Key": key, "Flags": flags, "Value": null,
        "LockIndex": 1, "CreateIndex": 5, "ModifyIndex": 7}]);
    if let Some(s) = session {
        v[0]["Session"] = s.into();
    }
    v.to_string()
}

const SID: &str = "11111111-2222-3333-4444-555555555555";

#[tokio::test]
async fn acquire_and_release_follow_go_conventions() {
    let router = Router::new(|r| {
        let path = r.uri.path();
        match (r.method.as_str(), path) {
            ("PUT", "/v1/session/create") => Some((200, format!(r#"{{"ID":"{SID}"}}"#), 0)),
            // The monitor's blocking read hangs.
            ("GET", "/v1/kv/app/leader") if r.query("index").is_some() => None,
            // Read right after acquiring: held by the session, written at index 11.
            ("GET", "/v1/kv/app/leader") if r.query("consistent").is_some() => {
                Some((200, held_pair("app/leader", SID, 1, 11), 11))
            }
            ("GET", "/v1/kv/app/leader") => Some((404, String::new(), 10)),
            ("PUT", "/v1/kv/app/leader") => Some((200, "true".into(), 0)),
            ("PUT", p) if p.starts_with("/v1/session/destroy/") => Some((200, "true".into(), 0)),
            _ => Some((500, format!("unexpected {path}"), 0)),
        }
    });
    let lock = client(&router).lock("app/leader").value("me");
    let guard = lock.acquire().await.unwrap();
    assert!(guard.is_held());
    assert_eq!(guard.session(), SID);
    assert_eq!(guard.fencing_token(), 11);
    assert_eq!(guard.lock_index(), 1);

    let create = router.find("PUT", "/v1/session/create").pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Name": "Consul API Lock", "TTL": "15s"})
    );

    // The first read answers at once (no index: nothing to block on yet; the wait time
    // applies to the blocking reads, see `dropping_a_waiting_acquire_destroys_its_session`).
    let get = router.find("GET", "/v1/kv/app/leader").remove(0);
    assert_eq!(get.query("index"), None);
    assert_eq!(get.query("consistent"), None);
    let put = router.find("PUT", "/v1/kv/app/leader").remove(0);
    assert_eq!(put.query("acquire").as_deref(), Some(SID));
    assert_eq!(put.query("flags"), Some(LOCK_FLAG_VALUE.to_string()));
    assert_eq!(&put.body[..], b"me");

    // After the write, a consistent read hands out the indexes.
    let gets = router.find("GET", "/v1/kv/app/leader");
    assert!(gets[1].query("consistent").is_some(), "{:?}", gets[1].uri);
    assert_eq!(gets[1].query("index"), None);
    // The monitor blocks on the key, consistently, from the index of that read.
    let monitor = router
        .wait_until("the monitor's blocking read", |r| {
            r.uri.path() == "/v1/kv/app/leader" && r.query("index").is_some()
        })
        .await;
    assert!(monitor.query("consistent").is_some());
    assert_eq!(monitor.query("index").as_deref(), Some("11"));

    guard.release().await.unwrap();
    let puts = router.find("PUT", "/v1/kv/app/leader");
    let release = puts.last().unwrap();
    assert_eq!(release.query("release").as_deref(), Some(SID));
    assert_eq!(release.query("flags"), Some(LOCK_FLAG_VALUE.to_string()));
    assert_eq!(&release.body[..], b"me");
    router
        .wait_for("PUT", &format!("/v1/session/destroy/{SID}"))
        .await;
}

#[tokio::test]
async fn a_key_of_another_use_is_a_conflict_and_the_session_is_destroyed() {
    let router = Router::new(|r| match (r.method.as_str(), r.uri.path()) {
        ("PUT", "/v1/session/create") => Some((200, format!(r#"{{"ID":"{SID}"}}"#), 0)),
        ("GET", "/v1/kv/plain") => Some((200, pair("plain", 0, None), 3)),
        _ => Some((200, "true".into(), 0)),
    });
    let e = client(&router).lock("plain").acquire().await.unwrap_err();
    assert!(matches!(e, LockError::Conflict { flags: 0, .. }), "{e:?}");
    router
        .wait_for("PUT", &format!("/v1/session/destroy/{SID}"))
        .await;
    assert!(
        router.find("PUT", "/v1/kv/plain").is_empty(),
        "never written"
    );
}

#[tokio::test]
async fn dropping_a_waiting_acquire_destroys_its_session() {
    let router = Router::new(|r| match (r.method.as_str(), r.uri.path()) {
        ("PUT", "/v1/session/create") => Some((200, format!(r#"{{"ID":"{SID}"}}"#), 0)),
        // Held by someone else: the first read answers, the blocking one hangs.
        ("GET", "/v1/kv/busy") if r.query("index").is_some() => None,
        ("GET", "/v1/kv/busy") => Some((200, pair("busy", LOCK_FLAG_VALUE, Some("other")), 9)),
        _ => Some((200, "true".into(), 0)),
    });
    let lock = client(&router)
        .lock("busy")
        .wait_time(Duration::from_secs(7));
    let mut acquire = Box::pin(lock.acquire());
    tokio::select! {
        r = &mut acquire => panic!("acquired a held lock: {r:?}"),
        _ = router.wait_until("the blocking read", |r| r.query("index").is_some()) => {}
    }
    drop(acquire);
    router
        .wait_for("PUT", &format!("/v1/session/destroy/{SID}"))
        .await;
    let blocking = router.find("GET", "/v1/kv/busy").pop().unwrap();
    assert_eq!(blocking.query("index").as_deref(), Some("9"));
    assert_eq!(blocking.query("wait").as_deref(), Some("7000ms"));
    // The request may take its wait, Consul's jitter (1/16) and a margin, no less.
    assert!(blocking.timeout.unwrap() > Duration::from_millis(7437));
    assert!(
        router.find("PUT", "/v1/kv/busy").is_empty(),
        "never tried to take it"
    );
}

#[tokio::test]
async fn lock_delay_refusals_are_retried_and_loss_is_reported() {
    let attempts = Arc::new(Mutex::new(0));
    let a = Arc::clone(&attempts);
    let router = Router::new(move |r| match (r.method.as_str(), r.uri.path()) {
        ("PUT", "/v1/session/create") => Some((200, format!(r#"{{"ID":"{SID}"}}"#), 0)),
        // Monitor: the key lost its session (the session was destroyed).
        ("GET", "/v1/kv/k") if r.query("index").is_some() => {
            Some((200, pair("k", LOCK_FLAG_VALUE, None), 30))
        }
        // Read right after acquiring.
        ("GET", "/v1/kv/k") if r.query("consistent").is_some() => {
            Some((200, held_pair("k", SID, 1, 21), 21))
        }
        ("GET", "/v1/kv/k") => Some((200, pair("k", LOCK_FLAG_VALUE, None), 20)),
        ("PUT", "/v1/kv/k") if r.query("acquire").is_some() => {
            let mut n = a.lock().unwrap();
            *n += 1;
            Some((200, (*n >= 3).to_string(), 0))
        }
        ("GET", p) if p.starts_with("/v1/session/info/") => Some((200, "[]".into(), 31)),
        _ => Some((200, "true".into(), 0)),
    });
    let started = std::time::Instant::now();
    let guard = client(&router)
        .lock("k")
        .retry_time(Duration::from_millis(100))
        .acquire()
        .await
        .unwrap();
    // Two refusals: pauses of 50 ms and 100 ms.
    assert_eq!(*attempts.lock().unwrap(), 3);
    assert!(started.elapsed() >= Duration::from_millis(150));
    // The loss is published at once; reading the session (gone: `[]`) refines it.
    tokio::time::timeout(Duration::from_secs(2), guard.lost())
        .await
        .unwrap();
    assert!(!guard.is_held());
    let mut rx = guard.subscribe();
    tokio::time::timeout(
        Duration::from_secs(2),
        rx.wait_for(|s| matches!(s, Some(LostReason::SessionInvalidated))),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(matches!(
        guard.lost_reason(),
        Some(LostReason::SessionInvalidated)
    ));
}

#[tokio::test]
async fn invalid_options_send_nothing() {
    let router = Router::new(|_| Some((500, "should not be called".into(), 0)));
    let c = client(&router);
    assert!(c.lock("").acquire().await.unwrap_err().is_validation());
    assert!(c.lock("").try_acquire().await.unwrap_err().is_validation());
    assert!(c.lock("").destroy().await.unwrap_err().is_validation());
    let short_ttl = c.lock("k").session_ttl(Duration::from_secs(5));
    assert!(short_ttl.acquire().await.unwrap_err().is_validation());
    let long_delay = c.lock("k").lock_delay(Duration::from_secs(61));
    assert!(long_delay.acquire().await.unwrap_err().is_validation());
    let no_wait = c.lock("k").wait_time(Duration::ZERO);
    assert!(no_wait.try_acquire().await.unwrap_err().is_validation());
    assert!(c
        .lock("k")
        .session("")
        .acquire()
        .await
        .unwrap_err()
        .is_validation());
    assert!(c
        .semaphore("jobs", 0)
        .acquire()
        .await
        .unwrap_err()
        .is_validation());
    assert!(c
        .semaphore("", 2)
        .acquire()
        .await
        .unwrap_err()
        .is_validation());
    assert!(c
        .semaphore("", 2)
        .destroy()
        .await
        .unwrap_err()
        .is_validation());
    assert!(c
        .semaphore("jobs", 2)
        .session_ttl(Duration::from_secs(1))
        .try_acquire()
        .await
        .unwrap_err()
        .is_validation());
    assert!(router.requests().is_empty());
}

#[tokio::test]
async fn settings_chain_and_a_prepared_set_keeps_the_key() {
    let router = Router::new(|r| match (r.method.as_str(), r.uri.path()) {
        ("PUT", "/v1/session/create") => Some((200, format!(r#"{{"ID":"{SID}"}}"#), 0)),
        ("GET", "/v1/kv/mine") if r.query("index").is_some() => None,
        ("GET", "/v1/kv/mine") if r.query("consistent").is_some() => {
            Some((200, held_pair("mine", SID, 1, 11), 11))
        }
        ("GET", "/v1/kv/mine") => Some((404, String::new(), 10)),
        ("PUT", "/v1/kv/mine") => Some((200, "true".into(), 0)),
        (m, p) => Some((500, format!("unexpected {m} {p}"), 0)),
    });
    let prepared = LockOptions::new("not/this/key")
        .session_name("prepared")
        .value("v")
        .session_ttl(Duration::from_secs(20));
    let lock = client(&router)
        .lock("mine")
        .session_name("replaced")
        .options(prepared)
        .lock_delay(Duration::from_millis(1500));
    assert_eq!(lock.options_ref().key, "mine");
    let guard = lock.acquire().await.unwrap();
    assert_eq!(guard.key(), "mine");
    let create = router.find("PUT", "/v1/session/create").pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Name": "prepared", "TTL": "20s", "LockDelay": "1.5s"})
    );
    assert_eq!(&router.find("PUT", "/v1/kv/mine")[0].body[..], b"v");
    assert!(router.find("GET", "/v1/kv/not/this/key").is_empty());
    drop(guard);

    // A semaphore's prepared set keeps its prefix and limit.
    let semaphore = client(&router)
        .semaphore("jobs", 2)
        .options(consul_api::semaphore::SemaphoreOptions::new("other", 9).session_name("s"))
        .monitor_retries(3);
    let opts = semaphore.options_ref();
    assert_eq!((opts.prefix.as_str(), opts.limit), ("jobs", 2));
    assert_eq!((opts.session_name.as_str(), opts.monitor_retries), ("s", 3));
}

#[tokio::test]
async fn semaphore_writes_contender_and_record_like_go() {
    let router = Router::new(|r| {
        let path = r.uri.path();
        match (r.method.as_str(), path) {
            ("PUT", "/v1/session/create") => Some((200, format!(r#"{{"ID":"{SID}"}}"#), 0)),
            ("GET", "/v1/kv/jobs/") if r.query("consistent").is_some() => None,
            ("GET", "/v1/kv/jobs/") => Some((
                200,
                pair(&format!("jobs/{SID}"), SEMAPHORE_FLAG_VALUE, Some(SID)),
                40,
            )),
            ("GET", "/v1/kv/jobs/.lock") => {
                use base64::Engine as _;
                let record = format!(r#"{{"Limit":2,"Holders":{{"{SID}":true}}}}"#);
                let value = base64::engine::general_purpose::STANDARD.encode(record);
                let body = serde_json::json!([{"Key": "jobs/.lock", "Flags": SEMAPHORE_FLAG_VALUE,
                    "Value": value, "CreateIndex": 41, "ModifyIndex": 41}]);
                Some((200, body.to_string(), 41))
            }
            _ => Some((200, "true".into(), 0)),
        }
    });
    let slot = client(&router)
        .semaphore("jobs", 2)
        .acquire()
        .await
        .unwrap();
    let create = router.find("PUT", "/v1/session/create").pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Name": "Consul API Semaphore", "TTL": "15s", "Behavior": "delete"})
    );
    let contender = router.find("PUT", &format!("/v1/kv/jobs/{SID}")).remove(0);
    assert_eq!(contender.query("acquire").as_deref(), Some(SID));
    assert_eq!(
        contender.query("flags"),
        Some(SEMAPHORE_FLAG_VALUE.to_string())
    );
    let list = router.find("GET", "/v1/kv/jobs/").remove(0);
    assert!(list.query("recurse").is_some());
    let record = router.find("PUT", "/v1/kv/jobs/.lock").remove(0);
    assert_eq!(record.query("cas").as_deref(), Some("0"));
    assert_eq!(
        record.query("flags"),
        Some(SEMAPHORE_FLAG_VALUE.to_string())
    );
    assert_eq!(
        std::str::from_utf8(&record.body).unwrap(),
        format!(r#"{{"Limit":2,"Holders":{{"{SID}":true}}}}"#)
    );
    drop(slot);
    // Dropping releases in the background: out of the record (check-and-set), contender
    // key deleted, session destroyed.
    router
        .wait_for("DELETE", &format!("/v1/kv/jobs/{SID}"))
        .await;
    router
        .wait_for("PUT", &format!("/v1/session/destroy/{SID}"))
        .await;
    let update = router.find("PUT", "/v1/kv/jobs/.lock").pop().unwrap();
    assert_eq!(update.query("cas").as_deref(), Some("41"));
    assert_eq!(&update.body[..], br#"{"Limit":2,"Holders":{}}"#);
}

/// A fake agent for a lock on `k` held through the caller's session `SID` (TTL 10 s),
/// whose monitoring read never answers; `info` answers each `session/info` read, by
/// how many came before it.
fn callers_session_router(
    info: impl Fn(usize) -> Option<(u16, String, u64)> + Send + Sync + 'static,
) -> Router {
    let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Router::new(move |r| match (r.method.as_str(), r.uri.path()) {
        ("GET", p) if p == format!("/v1/session/info/{SID}") => {
            info(reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
        }
        ("GET", "/v1/kv/k") if r.query("index").is_some() => None,
        ("GET", "/v1/kv/k") if r.query("consistent").is_some() => {
            Some((200, held_pair("k", SID, 1, 12), 12))
        }
        ("GET", "/v1/kv/k") => Some((404, String::new(), 10)),
        ("PUT", "/v1/kv/k") => Some((200, "true".into(), 13)),
        (m, p) => Some((500, format!("unexpected {m} {p}"), 0)),
    })
}

fn alive() -> Option<(u16, String, u64)> {
    let body = serde_json::json!([{"ID": SID, "Name": "caller's", "Node": "n1",
        "Behavior": "release", "TTL": "10s", "LockDelay": 15_000_000_000u64,
        "CreateIndex": 3, "ModifyIndex": 3}]);
    Some((200, body.to_string(), 3))
}

/// Issue 7, item 19: a caller-supplied session is read every half TTL, never renewed
/// nor destroyed; its end is reported even when the key's monitoring read says nothing.
#[tokio::test(start_paused = true)]
async fn a_callers_session_is_checked_and_its_end_reported() {
    // Alive at the start and at the first check (5 s), gone at the second (10 s).
    let router = callers_session_router(|n| {
        if n < 2 {
            alive()
        } else {
            Some((200, "[]".into(), 4))
        }
    });
    let guard = client(&router)
        .lock("k")
        .session(SID)
        .acquire()
        .await
        .unwrap();
    let acquired = tokio::time::Instant::now();
    let reason = guard.lost().await;
    let after = acquired.elapsed();
    assert!(
        matches!(reason, LostReason::SessionInvalidated),
        "{reason:?}"
    );
    assert!(
        after >= Duration::from_secs(10) && after < Duration::from_secs(11),
        "{after:?}"
    );
    assert_eq!(
        router.find("GET", &format!("/v1/session/info/{SID}")).len(),
        3
    );
    guard.release().await.unwrap();
    let sessions: Vec<String> = router
        .requests()
        .iter()
        .filter(|r| r.uri.path().starts_with("/v1/session/") && r.method != "GET")
        .map(|r| r.uri.to_string())
        .collect();
    assert!(
        sessions.is_empty(),
        "the caller's session was touched: {sessions:?}"
    );
}

/// Issue 7, item 19: when the caller's session cannot be read (no answer), the loss is
/// reported about one TTL after the last successful read, not minutes later.
#[tokio::test(start_paused = true)]
async fn an_unreadable_callers_session_is_reported_within_its_ttl() {
    let router = callers_session_router(|n| if n < 1 { alive() } else { None });
    let guard = client(&router)
        .lock("k")
        .session(SID)
        .acquire()
        .await
        .unwrap();
    let acquired = tokio::time::Instant::now();
    let reason = guard.lost().await;
    let after = acquired.elapsed();
    assert!(matches!(reason, LostReason::MonitorFailed(_)), "{reason:?}");
    assert!(after <= Duration::from_secs(10), "{after:?}");
    assert!(after >= Duration::from_secs(9), "{after:?}");
}

/// Issue 7, item 19: a caller's session that does not exist fails the acquire before
/// the key is touched.
#[tokio::test]
async fn a_missing_callers_session_is_a_typed_error() {
    let router = callers_session_router(|_| Some((200, "[]".into(), 4)));
    let e = client(&router)
        .lock("k")
        .session(SID)
        .acquire()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, LockError::SessionNotFound { session } if session == SID),
        "{e:?}"
    );
    assert!(router.find("GET", "/v1/kv/k").is_empty());
    assert!(router.find("PUT", "/v1/kv/k").is_empty());
}
