//! The health endpoints on a mock transport.
#![cfg(feature = "health")]

use consul_api::health::{CheckStatus, HealthState};
use consul_api::{Client, Config, QueryOptions};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("127.0.0.1:8500").unwrap(), mock.clone()).unwrap();
    (client, mock)
}

fn q() -> QueryOptions {
    QueryOptions::default()
}

const ENTRY: &str = r#"[{"Node":{"Node":"n1","Address":"10.0.0.1"},
  "Service":{"ID":"web-1","Service":"web","Port":80},
  "Checks":[{"CheckID":"serfHealth","Status":"passing"},{"CheckID":"t","Status":"warning"}]}]"#;

#[tokio::test]
async fn service_sends_tags_passing_and_options() {
    let (client, mock) = client();
    mock.push(Reply::json(ENTRY).header("x-consul-index", "9"));
    let got = client
        .health()
        .dc("dc2")
        .service(
            "web",
            Some("v1"),
            true,
            &q().near("_agent")
                .wait_index(3)
                .wait_time(Duration::from_secs(1)),
        )
        .await
        .unwrap();
    assert_eq!(got.meta.last_index, 9);
    assert_eq!(got.value[0].aggregated_status(), Some(CheckStatus::Warning));
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/health/service/web");
    for (k, v) in [
        ("dc", "dc2"),
        ("tag", "v1"),
        ("passing", "1"),
        ("near", "_agent"),
        ("index", "3"),
        ("wait", "1000ms"),
    ] {
        assert_eq!(r.query(k).as_deref(), Some(v), "{k}");
    }
    mock.push(Reply::json("[]"));
    client
        .health()
        .service("web", None, false, &q())
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.query(), None, "nothing unless asked");

    mock.push(Reply::json("null"));
    assert!(client
        .health()
        .service_multiple_tags("web", &["a", "b"], false, &q())
        .await
        .unwrap()
        .value
        .is_empty());
    let tags: Vec<_> = mock
        .last()
        .unwrap()
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(tags, ["a", "b"]);
    mock.push(Reply::json("[]"));
    client
        .health()
        .connect("web", None, false, &q())
        .await
        .unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/health/connect/web");
    mock.push(Reply::json("[]"));
    client
        .health()
        .ingress("web", None, false, &q())
        .await
        .unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/health/ingress/web");
}

#[tokio::test]
async fn node_checks_and_state() {
    let (client, mock) = client();
    let h = client.health();
    let checks = r#"[{"Node":"n1","CheckID":"c","Status":"degraded","ServiceTags":null}]"#;
    mock.push(Reply::json(checks));
    let got = h.node("n 1", &q()).await.unwrap().value;
    assert_eq!(got[0].status, CheckStatus::Other("degraded".into()));
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/health/node/n%201");
    mock.push(Reply::json(checks));
    h.checks("web", &q().node_meta("a", "b")).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/health/checks/web");
    assert_eq!(r.query("node-meta").as_deref(), Some("a:b"));
    for (state, path) in [
        (HealthState::Any, "any"),
        (HealthState::Passing, "passing"),
        (HealthState::Warning, "warning"),
        (HealthState::Critical, "critical"),
    ] {
        mock.push(Reply::json("[]"));
        h.state(state, &q()).await.unwrap();
        assert_eq!(
            mock.last().unwrap().uri.path(),
            format!("/v1/health/state/{path}")
        );
    }
}

#[tokio::test]
async fn invalid_input_and_errors() {
    let (client, mock) = client();
    let h = client.health();
    assert!(h.node("", &q()).await.unwrap_err().is_validation());
    assert!(h.checks("", &q()).await.unwrap_err().is_validation());
    assert!(h
        .service("", None, false, &q())
        .await
        .unwrap_err()
        .is_validation());
    assert!(h
        .service("web", Some(""), true, &q())
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);
    mock.push(Reply::status(500, "No path to datacenter"));
    let err = h.dc("x").state(HealthState::Any, &q()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    mock.push(Reply::json("{not json"));
    let err = h.state(HealthState::Any, &q()).await.unwrap_err();
    assert!(matches!(err, consul_api::Error::Decode(_)), "{err:?}");
}
