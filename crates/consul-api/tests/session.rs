//! The session endpoints on a mock transport: what is sent, and how answers are read.

use consul_api::session::{NewSession, ServiceCheck, SessionBehavior};
use consul_api::{Client, Config, Error, ValidationError};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

const INFO: &str = include_str!("../../consul-types/tests/fixtures/session/info.json");

#[tokio::test]
async fn create_sends_only_what_is_set() {
    let (client, mock) = client();
    mock.push(Reply::json(
        r#"{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e"}"#,
    ));
    let id = client
        .session()
        .dc("dc2")
        .create()
        .name("leader")
        .node("node-1")
        .ttl(Duration::from_secs(30))
        .lock_delay(Duration::from_millis(1500))
        .behavior(SessionBehavior::Delete)
        .service_checks(vec![ServiceCheck::new("service:web")])
        .without_checks()
        .await
        .unwrap()
        .value;
    assert_eq!(id, "adf4238a-882b-9ddc-4a9d-5b6758e4159e");
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/session/create");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "Name": "leader", "Node": "node-1", "TTL": "30s", "LockDelay": "1.5s",
            "Behavior": "delete", "NodeChecks": [], "ServiceChecks": [{"ID": "service:web"}]
        })
    );
    assert_eq!(req.headers["content-type"], "application/json");

    // A prepared set of settings, and the datacenter chosen on the request.
    mock.push(Reply::json(r#"{"ID":"x"}"#));
    let prepared = NewSession::default()
        .name("prepared")
        .checks(vec!["serfHealth".into()]);
    client
        .session()
        .create()
        .ttl(Duration::from_secs(99))
        .settings(prepared)
        .dc("dc3")
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("dc").as_deref(), Some("dc3"));
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Name": "prepared", "Checks": ["serfHealth"]}),
        "the settings replace what was set before"
    );
}

#[tokio::test]
async fn invalid_sessions_are_never_sent() {
    let (client, mock) = client();
    let s = client.session();
    let e = s.create().ttl(Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::OutOfRange {
            field: "session TTL",
            ..
        })
    ));
    let e = s
        .create()
        .behavior(SessionBehavior::from("destroy"))
        .await
        .unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::InvalidValue {
            field: "session behavior",
            ..
        })
    ));
    let e = s
        .create()
        .lock_delay(Duration::from_secs(90))
        .await
        .unwrap_err();
    assert!(e.is_validation());
    assert!(s.destroy("").await.unwrap_err().is_validation());
    assert!(s.renew("").await.unwrap_err().is_validation());
    assert!(s.info("").await.unwrap_err().is_validation());
    assert!(s.node("").await.unwrap_err().is_validation());
    assert!(s.destroy("..").await.unwrap_err().is_validation());
    // A watch of an invalid read yields the error and ends, without sending anything.
    let mut watch = s.info("").watch();
    assert!(watch.next().await.unwrap().unwrap_err().is_validation());
    assert!(watch.next().await.is_none());
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn info_and_blocking_list() {
    let (client, mock) = client();
    let s = client.session();
    mock.push(Reply::json(INFO).header("X-Consul-Index", "13"));
    let got = s
        .info("05fb3382-cd52-d44f-0481-3a6e4c92fbc0")
        .await
        .unwrap();
    let entry = got.value.expect("the session exists");
    assert_eq!(entry.behavior, SessionBehavior::Delete);
    assert_eq!(entry.ttl, Some(Duration::from_secs(10)));
    assert_eq!(got.meta.last_index, 13);
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/session/info/05fb3382-cd52-d44f-0481-3a6e4c92fbc0"
    );

    // Unknown: Consul answers 200 []; a read of one session is `None` (one not-found
    // rule), and so is a 404 with a message.
    mock.push(Reply::json("[]"));
    assert!(s.info("nope").await.unwrap().value.is_none());
    mock.push(Reply::status(404, "Session not found"));
    assert!(s.info("nope").await.unwrap().value.is_none());

    // Blocking reads, with the common read options.
    mock.push(Reply::json("[]").header("X-Consul-Index", "20"));
    assert!(s
        .list()
        .wait(13, Duration::from_secs(2))
        .stale()
        .dc("dc2")
        .await
        .unwrap()
        .value
        .is_empty());
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/session/list");
    assert_eq!(req.query("index").as_deref(), Some("13"));
    assert_eq!(req.query("wait").as_deref(), Some("2000ms"));
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));

    mock.push(Reply::json(INFO).header("X-Consul-Index", "21"));
    s.info("abc")
        .wait(20, Duration::from_secs(3))
        .consistent()
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("index").as_deref(), Some("20"));
    assert_eq!(req.query("consistent").as_deref(), Some(""));

    mock.push(Reply::json("null"));
    assert!(s.node("web 1").await.unwrap().value.is_empty());
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/session/node/web%201");
}

#[tokio::test]
async fn info_watch_yields_the_end_of_the_session_as_none() {
    let (client, mock) = client();
    mock.push(Reply::json(INFO).header("X-Consul-Index", "13"));
    mock.push(Reply::json("[]").header("X-Consul-Index", "14"));
    let mut watch = client
        .session()
        .info("abc")
        .wait(0, Duration::from_secs(5))
        .watch();
    let first = watch.next().await.unwrap().unwrap();
    assert!(first.value.is_some());
    let ended = watch.next().await.unwrap().unwrap();
    assert!(ended.value.is_none());
    assert_eq!(ended.meta.last_index, 14);
    let sent = mock.requests();
    assert_eq!(sent[1].query("index").as_deref(), Some("13"));
    assert_eq!(sent[1].query("wait").as_deref(), Some("5000ms"));
}

#[tokio::test]
async fn renew_and_destroy() {
    let (client, mock) = client();
    let s = client.session();
    mock.push(Reply::json(INFO));
    let renewed = s.renew("abc").await.unwrap();
    assert_eq!(renewed.value.name, "fixture-ttl");
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/session/renew/abc");

    mock.push(Reply::status(404, "Session id 'abc' not found"));
    let e = s.renew("abc").await.unwrap_err();
    assert!(matches!(&e, Error::NotFound { message } if message.contains("not found")));
    // An empty answer is the same action on nothing.
    mock.push(Reply::json("[]"));
    let e = s.renew("abc").await.unwrap_err();
    assert!(matches!(&e, Error::NotFound { message } if message.contains("'abc'")));

    mock.push(Reply::json("true"));
    assert!(s.destroy("a/b").await.unwrap().value);
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/session/destroy/a%2Fb");

    mock.push(Reply::status(
        500,
        "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]",
    ));
    let e = s.create().await.unwrap_err();
    assert_eq!(e.status().map(|c| c.as_u16()), Some(500));
}
