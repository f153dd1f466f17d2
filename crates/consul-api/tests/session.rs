//! The session endpoints on a mock transport: what is sent, and how answers are read.

use consul_api::session::{NewSession, ServiceCheck, SessionBehavior};
use consul_api::{Client, Config, Error, QueryOptions, ValidationError, WriteOptions};
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
    let new = NewSession::default()
        .name("leader")
        .node("node-1")
        .ttl(Duration::from_secs(30))
        .lock_delay(Duration::from_millis(1500))
        .behavior(SessionBehavior::Delete)
        .service_checks(vec![ServiceCheck::new("service:web")])
        .without_checks();
    let id = client
        .session()
        .dc("dc2")
        .create(&new, &WriteOptions::default())
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
}

#[tokio::test]
async fn invalid_sessions_are_never_sent() {
    let (client, mock) = client();
    let s = client.session();
    let w = WriteOptions::default();
    let e = s
        .create(&NewSession::default().ttl(Duration::from_secs(5)), &w)
        .await
        .unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::OutOfRange {
            field: "session TTL",
            ..
        })
    ));
    let e = s
        .create(
            &NewSession::default().behavior(SessionBehavior::from("destroy")),
            &w,
        )
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
        .create(
            &NewSession::default().lock_delay(Duration::from_secs(90)),
            &w,
        )
        .await
        .unwrap_err();
    assert!(e.is_validation());
    assert!(s.destroy("", &w).await.unwrap_err().is_validation());
    assert!(s.renew("", &w).await.unwrap_err().is_validation());
    assert!(s
        .info("", &QueryOptions::default())
        .await
        .unwrap_err()
        .is_validation());
    assert!(s
        .node("", &QueryOptions::default())
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn get_info_and_blocking_list() {
    let (client, mock) = client();
    let s = client.session();
    mock.push(Reply::json(INFO).header("X-Consul-Index", "13"));
    let got = s
        .get(
            "05fb3382-cd52-d44f-0481-3a6e4c92fbc0",
            &QueryOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(got.value.behavior, SessionBehavior::Delete);
    assert_eq!(got.value.ttl, Some(Duration::from_secs(10)));
    assert_eq!(got.meta.last_index, 13);
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/session/info/05fb3382-cd52-d44f-0481-3a6e4c92fbc0"
    );

    // Unknown: Consul answers 200 []; `info` is None, `get` is a typed NotFound.
    mock.push(Reply::json("[]"));
    assert!(s
        .info("nope", &QueryOptions::default())
        .await
        .unwrap()
        .value
        .is_none());
    mock.push(Reply::json("[]"));
    let e = s.get("nope", &QueryOptions::default()).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");

    mock.push(Reply::json("[]").header("X-Consul-Index", "20"));
    let q = QueryOptions::default()
        .wait_index(13)
        .wait_time(Duration::from_secs(2));
    assert!(s.list(&q).await.unwrap().value.is_empty());
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/session/list");
    assert_eq!(req.query("index").as_deref(), Some("13"));
    assert_eq!(req.query("wait").as_deref(), Some("2000ms"));

    mock.push(Reply::json("null"));
    assert!(s
        .node("web 1", &QueryOptions::default())
        .await
        .unwrap()
        .value
        .is_empty());
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/session/node/web%201");
}

#[tokio::test]
async fn renew_and_destroy() {
    let (client, mock) = client();
    let s = client.session();
    mock.push(Reply::json(INFO));
    let renewed = s.renew("abc", &WriteOptions::default()).await.unwrap();
    assert_eq!(renewed.value.name, "fixture-ttl");
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/session/renew/abc");

    mock.push(Reply::status(404, "Session id 'abc' not found"));
    let e = s.renew("abc", &WriteOptions::default()).await.unwrap_err();
    assert!(matches!(&e, Error::NotFound { message } if message.contains("not found")));

    mock.push(Reply::json("true"));
    assert!(
        s.destroy("a/b", &WriteOptions::default())
            .await
            .unwrap()
            .value
    );
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/session/destroy/a%2Fb");

    mock.push(Reply::status(
        500,
        "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]",
    ));
    let e = s
        .create(&NewSession::default(), &WriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|c| c.as_u16()), Some(500));
}
