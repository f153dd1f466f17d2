//! Locks and semaphores on a routing mock transport: the requests they make follow Go's
//! conventions (flags, session settings, key layout), errors and cancellation clean up.

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

    async fn wait_for(&self, method: &str, path: &str) -> RecordedRequest {
        for _ in 0..200 {
            if let Some(r) = self.find(method, path).pop() {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "no {method} {path}; saw {:?}",
            self.requests()
                .iter()
                .map(|r| r.uri.to_string())
                .collect::<Vec<_>>()
        );
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
            ("GET", "/v1/kv/app/leader") if r.query("consistent").is_some() => None,
            ("GET", "/v1/kv/app/leader") => Some((404, String::new(), 10)),
            ("PUT", "/v1/kv/app/leader") => Some((200, "true".into(), 0)),
            ("PUT", p) if p.starts_with("/v1/session/destroy/") => Some((200, "true".into(), 0)),
            _ => Some((500, format!("unexpected {path}"), 0)),
        }
    });
    let lock = client(&router)
        .lock_opts(LockOptions::new("app/leader").value("me"))
        .unwrap();
    let guard = lock.acquire().await.unwrap();
    assert!(guard.is_held());
    assert_eq!(guard.session(), SID);

    let create = router.find("PUT", "/v1/session/create").pop().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Name": "Consul API Lock", "TTL": "15s"})
    );

    let get = router.find("GET", "/v1/kv/app/leader").remove(0);
    assert_eq!(get.query("wait").as_deref(), Some("15000ms"));
    let put = router.find("PUT", "/v1/kv/app/leader").remove(0);
    assert_eq!(put.query("acquire").as_deref(), Some(SID));
    assert_eq!(put.query("flags"), Some(LOCK_FLAG_VALUE.to_string()));
    assert_eq!(&put.body[..], b"me");

    // The monitor blocks on the key, consistently, from the index it saw.
    let monitor = router.wait_for("GET", "/v1/kv/app/leader").await;
    let monitor = if monitor.query("consistent").is_some() {
        monitor
    } else {
        tokio::time::sleep(Duration::from_millis(50)).await;
        router.find("GET", "/v1/kv/app/leader").pop().unwrap()
    };
    assert!(monitor.query("consistent").is_some());
    assert_eq!(monitor.query("index").as_deref(), Some("10"));

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
    let e = client(&router)
        .lock_key("plain")
        .unwrap()
        .acquire()
        .await
        .unwrap_err();
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
    let lock = client(&router).lock_key("busy").unwrap();
    let r = tokio::time::timeout(Duration::from_millis(200), lock.acquire()).await;
    assert!(r.is_err(), "still waiting");
    router
        .wait_for("PUT", &format!("/v1/session/destroy/{SID}"))
        .await;
    let blocking = router.find("GET", "/v1/kv/busy").pop().unwrap();
    assert_eq!(blocking.query("index").as_deref(), Some("9"));
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
        ("GET", "/v1/kv/k") if r.query("consistent").is_some() => {
            Some((200, pair("k", LOCK_FLAG_VALUE, None), 30))
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
        .lock_opts(LockOptions::new("k").retry_time(Duration::from_millis(100)))
        .unwrap()
        .acquire()
        .await
        .unwrap();
    // Two refusals: pauses of 50 ms and 100 ms.
    assert_eq!(*attempts.lock().unwrap(), 3);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let reason = tokio::time::timeout(Duration::from_secs(2), guard.lost())
        .await
        .unwrap();
    assert!(
        matches!(reason, LostReason::SessionInvalidated),
        "{reason:?}"
    );
    assert!(!guard.is_held());
    let rx = guard.subscribe();
    assert!(matches!(*rx.borrow(), Some(LostReason::SessionInvalidated)));
}

#[tokio::test]
async fn invalid_options_send_nothing() {
    let router = Router::new(|_| Some((500, "should not be called".into(), 0)));
    let c = client(&router);
    assert!(c.lock_key("").unwrap_err().is_validation());
    assert!(c
        .lock_opts(LockOptions::new("k").session_ttl(Duration::from_secs(5)))
        .unwrap_err()
        .is_validation());
    assert!(c.semaphore_prefix("jobs", 0).unwrap_err().is_validation());
    assert!(c.semaphore_prefix("", 2).unwrap_err().is_validation());
    assert!(router.requests().is_empty());
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
        .semaphore_prefix("jobs", 2)
        .unwrap()
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
