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

fn tags_sent(mock: &MockTransport) -> Vec<String> {
    mock.last()
        .unwrap()
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v)
        .collect()
}

const ENTRY: &str = r#"[{"Node":{"Node":"n1","Address":"10.0.0.1"},
  "Service":{"ID":"web-1","Service":"web","Port":80},
  "Checks":[{"CheckID":"serfHealth","Status":"passing"},{"CheckID":"t","Status":"warning"}]}]"#;

#[tokio::test]
async fn service_sends_tags_passing_and_options() {
    let (client, mock) = client();
    mock.push(Reply::json(ENTRY).header("x-consul-index", "9"));
    // The issue's target shape, with a wait on top.
    let got = client
        .health()
        .service("web")
        .passing()
        .tag("v1")
        .near("_agent")
        .dc("dc2")
        .wait(3, Duration::from_secs(1))
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
    // The handle's datacenter, as the request's.
    mock.push(Reply::json("[]"));
    client.health().dc("dc2").service("web").await.unwrap();
    assert_eq!(mock.last().unwrap().query("dc").as_deref(), Some("dc2"));
    mock.push(Reply::json("[]"));
    client.health().service("web").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.query(), None, "nothing unless asked");

    mock.push(Reply::json("null"));
    assert!(client
        .health()
        .service("web")
        .tag("a")
        .tag("b")
        .await
        .unwrap()
        .value
        .is_empty());
    assert_eq!(tags_sent(&mock), ["a", "b"]);
    mock.push(Reply::json("[]"));
    client
        .health()
        .service("web")
        .filter("Service.Port == 80")
        .node_meta("rack", "r1")
        .cached(Duration::from_secs(5))
        .stale()
        .await
        .unwrap();
    let r = mock.last().unwrap();
    for (k, v) in [
        ("filter", "Service.Port == 80"),
        ("node-meta", "rack:r1"),
        ("cached", ""),
        ("stale", ""),
    ] {
        assert_eq!(r.query(k).as_deref(), Some(v), "{k}");
    }
    assert_eq!(r.headers["cache-control"], "max-age=5");

    mock.push(Reply::json("[]"));
    client
        .health()
        .connect("web")
        .passing()
        .tag("v2")
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/health/connect/web");
    assert_eq!(r.query("passing").as_deref(), Some("1"));
    assert_eq!(tags_sent(&mock), ["v2"]);
    mock.push(Reply::json("[]"));
    client.health().ingress("web").near("_agent").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/health/ingress/web");
    assert_eq!(r.query("near").as_deref(), Some("_agent"));
}

#[tokio::test]
async fn node_checks_and_state() {
    let (client, mock) = client();
    let h = client.health();
    let checks = r#"[{"Node":"n1","CheckID":"c","Status":"degraded","ServiceTags":null}]"#;
    mock.push(Reply::json(checks));
    let got = h.node("n 1").await.unwrap().value;
    assert_eq!(got[0].status, CheckStatus::Other("degraded".into()));
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/health/node/n%201");
    mock.push(Reply::json(checks));
    h.node("n1").filter("Status == passing").await.unwrap();
    assert_eq!(
        mock.last().unwrap().query("filter").as_deref(),
        Some("Status == passing")
    );
    mock.push(Reply::json(checks));
    h.checks("web").node_meta("a", "b").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/health/checks/web");
    assert_eq!(r.query("node-meta").as_deref(), Some("a:b"));
    mock.push(Reply::json(checks));
    h.checks("web")
        .near("_agent")
        .filter("Status == passing")
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.query("near").as_deref(), Some("_agent"));
    assert_eq!(r.query("filter").as_deref(), Some("Status == passing"));
    for (state, path) in [
        (HealthState::Any, "any"),
        (HealthState::Passing, "passing"),
        (HealthState::Warning, "warning"),
        (HealthState::Critical, "critical"),
    ] {
        mock.push(Reply::json("[]"));
        h.state(state).await.unwrap();
        assert_eq!(
            mock.last().unwrap().uri.path(),
            format!("/v1/health/state/{path}")
        );
    }
    mock.push(Reply::json("[]"));
    h.state(HealthState::Critical)
        .near("_agent")
        .node_meta("rack", "r1")
        .filter("ServiceName == web")
        .consistent()
        .await
        .unwrap();
    let r = mock.last().unwrap();
    for (k, v) in [
        ("near", "_agent"),
        ("node-meta", "rack:r1"),
        ("filter", "ServiceName == web"),
        ("consistent", ""),
    ] {
        assert_eq!(r.query(k).as_deref(), Some(v), "{k}");
    }
}

#[tokio::test]
async fn invalid_input_and_errors() {
    let (client, mock) = client();
    let h = client.health();
    assert!(h.node("").await.unwrap_err().is_validation());
    assert!(h.checks("").await.unwrap_err().is_validation());
    assert!(h.service("").await.unwrap_err().is_validation());
    assert!(h
        .service("web")
        .tag("")
        .passing()
        .await
        .unwrap_err()
        .is_validation());
    assert!(h.connect("web").tag("").await.unwrap_err().is_validation());
    assert!(h.ingress("").await.unwrap_err().is_validation());
    // Options the endpoint does not read are refused, not silently dropped.
    let near = QueryOptions::default().near("_agent");
    assert!(h
        .node("n1")
        .options(&near)
        .await
        .unwrap_err()
        .is_validation());
    let cached = QueryOptions::default().use_cache(true);
    assert!(h
        .checks("web")
        .options(&cached)
        .await
        .unwrap_err()
        .is_validation());
    // The agent cache does not serve consistent reads.
    assert!(h
        .service("web")
        .cached(None)
        .consistent()
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);
    mock.push(Reply::status(500, "No path to datacenter"));
    let err = h.dc("x").state(HealthState::Any).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    mock.push(Reply::json("{not json"));
    let err = h.state(HealthState::Any).await.unwrap_err();
    assert!(matches!(err, consul_api::Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn watch_of_passing_instances_waits_on_the_last_index() {
    let (client, mock) = client();
    mock.push(Reply::json("[]").header("x-consul-index", "4"));
    mock.push(Reply::json(ENTRY).header("x-consul-index", "6"));
    let mut watch = client.health().service("web").passing().tag("v1").watch();
    assert!(watch.next().await.unwrap().unwrap().value.is_empty());
    let next = watch.next().await.unwrap().unwrap();
    assert_eq!(next.value[0].service.id, "web-1");
    assert_eq!(next.meta.last_index, 6);
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].uri.path(), "/v1/health/service/web");
    for (k, v) in [("passing", "1"), ("tag", "v1"), ("index", "4")] {
        assert_eq!(sent[1].query(k).as_deref(), Some(v), "{k}");
    }
}

/// `health().connect(name)` reads the sidecar of `name` typed (a 1.8.7 agent's answer).
#[tokio::test]
async fn connect_entries_read_typed() {
    use consul_api::health::ServiceKind;
    let (client, mock) = client();
    mock.push(Reply::json(include_str!(
        "../../consul-types/tests/fixtures/health/connect.json"
    )));
    let entries = client.health().connect("web").await.unwrap().value;
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/health/connect/web");
    let sidecar = &entries[0].service;
    assert_eq!(sidecar.kind, ServiceKind::ConnectProxy);
    let proxy = sidecar.proxy.as_ref().unwrap();
    assert_eq!(
        (
            proxy.destination_service_id.as_str(),
            proxy.local_service_port
        ),
        ("web-1", 8080)
    );
    assert!(proxy.expose.checks);
}
