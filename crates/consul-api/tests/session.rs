//! The session endpoints on a mock transport: what is sent, and how answers are read.

use consul_api::session::{NewSession, RenewalEnd, ServiceCheck, SessionBehavior};
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

const RENEW: &str = include_str!("../../consul-types/tests/fixtures/session/renew.json");
const SID: &str = "05fb3382-cd52-d44f-0481-3a6e4c92fbc0";

fn renew_path() -> String {
    format!("/v1/session/renew/{SID}")
}

/// `renew_periodic` renews at once, then every half of the TTL Consul answers with
/// (10 s here), and reports the session's end at the renewal that finds it gone.
#[tokio::test(start_paused = true)]
async fn renew_periodic_renews_every_half_ttl_until_the_session_ends() {
    let (client, mock) = client();
    mock.push(Reply::json(RENEW))
        .push(Reply::json(RENEW))
        .push(Reply::json(RENEW))
        .push(Reply::status(404, format!("Session id '{SID}' not found")));
    let started = tokio::time::Instant::now();
    let renewal = client
        .session()
        .dc("dc2")
        .renew_periodic(SID)
        .await
        .unwrap();
    assert_eq!(renewal.session(), SID);
    assert_eq!(mock.count(), 1, "the first renewal is sent at once");
    assert!(renewal.is_renewing() && renewal.end_reason().is_none());

    let end = renewal.ended().await;
    assert!(matches!(end, RenewalEnd::SessionEnded), "{end:?}");
    assert_eq!(end.to_string(), "the session ended");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(15) && took < Duration::from_secs(16),
        "three renewals 5 s apart after the first: {took:?}"
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 4);
    for r in &requests {
        assert_eq!(
            (r.method.as_str(), r.uri.path()),
            ("PUT", renew_path().as_str())
        );
        assert_eq!(
            r.query("dc").as_deref(),
            Some("dc2"),
            "the handle's datacenter"
        );
    }
    assert!(!renewal.is_renewing());
    assert!(matches!(
        renewal.subscribe().borrow().clone(),
        Some(RenewalEnd::SessionEnded)
    ));
}

/// Consul may answer a renewal with a longer TTL than asked: the cadence follows it.
#[tokio::test(start_paused = true)]
async fn renew_periodic_follows_the_ttl_consul_answers() {
    let (client, mock) = client();
    let longer = RENEW.replace("\"10s\"", "\"40s\"");
    mock.push(Reply::json(longer.clone()))
        .push(Reply::json(longer))
        .push(Reply::status(404, "gone"));
    let started = tokio::time::Instant::now();
    let renewal = client.session().renew_periodic(SID).await.unwrap();
    renewal.ended().await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(40) && took < Duration::from_secs(41),
        "{took:?}"
    );
}

/// When no renewal succeeds for a whole TTL, the renewal reports the failure, with the
/// last error, about one TTL after the last success (Go returns its last error).
#[tokio::test(start_paused = true)]
async fn renew_periodic_reports_failure_after_a_ttl_without_success() {
    let (client, mock) = client();
    mock.push(Reply::json(RENEW));
    for _ in 0..30 {
        mock.push(Reply::status(500, "No cluster leader"));
    }
    let started = tokio::time::Instant::now();
    let renewal = client.session().renew_periodic(SID).await.unwrap();
    let end = renewal.ended().await;
    let took = started.elapsed();
    let RenewalEnd::Failed(e) = &end else {
        panic!("{end:?}")
    };
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    assert!(end.to_string().contains("No cluster leader"), "{end}");
    assert!(
        took >= Duration::from_secs(9) && took <= Duration::from_secs(10),
        "{took:?}"
    );
    // Retried every second from the first failure at 5 s.
    assert!((5..=7).contains(&(mock.count() - 1)), "{}", mock.count());
}

/// A session without a TTL cannot be renewed usefully: it is read every 7.5 s instead,
/// and its end reported.
#[tokio::test(start_paused = true)]
async fn renew_periodic_of_a_session_without_ttl_checks_it() {
    let (client, mock) = client();
    let no_ttl = RENEW.replace("\"10s\"", "\"\"");
    mock.push(Reply::json(no_ttl.clone()))
        .push(Reply::json(no_ttl))
        .push(Reply::json("[]"));
    let started = tokio::time::Instant::now();
    let renewal = client.session().renew_periodic(SID).await.unwrap();
    let end = renewal.ended().await;
    assert!(matches!(end, RenewalEnd::SessionEnded), "{end:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(15));
    let paths: Vec<(String, String)> = mock
        .requests()
        .iter()
        .map(|r| (r.method.to_string(), r.uri.path().to_owned()))
        .collect();
    let info = ("GET".to_owned(), format!("/v1/session/info/{SID}"));
    assert_eq!(paths[1..], [info.clone(), info]);
}

/// Dropping the renewal stops it: no request after the drop, whatever the time.
#[tokio::test(start_paused = true)]
async fn renew_periodic_stops_when_dropped_and_destroy_destroys() {
    let (client, mock) = client();
    mock.push(Reply::json(RENEW)).push(Reply::json(RENEW));
    let renewal = client.session().renew_periodic(SID).await.unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(mock.count(), 2, "renewed at 0 s and 5 s");
    drop(renewal);
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(mock.count(), 2, "nothing is sent once dropped");

    mock.push(Reply::json(RENEW)).push(Reply::json("true"));
    let renewal = client.session().renew_periodic(SID).await.unwrap();
    assert!(renewal.destroy().await.unwrap());
    let last = mock.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.uri.path()),
        ("PUT", format!("/v1/session/destroy/{SID}").as_str())
    );
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(mock.count(), 4, "destroy stops the renewal too");
}

/// A session that does not exist (or a bad id) starts nothing: the error is returned.
#[tokio::test]
async fn renew_periodic_of_an_unknown_session_is_not_found() {
    let (client, mock) = client();
    mock.push(Reply::status(404, format!("Session id '{SID}' not found")));
    let e = client.session().renew_periodic(SID).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    let e = client.session().renew_periodic("").await.unwrap_err();
    assert!(matches!(e, Error::Validation(_)), "{e:?}");
    assert_eq!(mock.count(), 1);
}
