//! The agent endpoints on a mock transport: method, path, query, headers and body.
#![cfg(feature = "agent")]

use consul_api::agent::{AgentWeights, CheckDefinition, CheckStatus, ServiceRegistration};
use consul_api::{Client, Config, QueryOptions, WriteOptions};
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

fn w() -> WriteOptions {
    WriteOptions::default()
}

/// Queues `n` of the empty `200` answers the agent gives its writes.
fn empty_answers(mock: &MockTransport, n: usize) {
    for _ in 0..n {
        mock.push(Reply::json(""));
    }
}

fn body_json(mock: &MockTransport) -> serde_json::Value {
    serde_json::from_slice(&mock.last().unwrap().body).unwrap()
}

#[tokio::test]
async fn members_wan_and_self() {
    let (client, mock) = client();
    mock.push(Reply::json(r#"[{"Name":"a.dc1","Status":4,"Tags":null}]"#));
    let members = client.agent().members(true, &q()).await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!(r.method, http::Method::GET);
    assert_eq!(r.uri.path(), "/v1/agent/members");
    assert_eq!(r.query("wan").as_deref(), Some("1"));
    assert_eq!(members[0].status, consul_api::agent::MemberStatus::Failed);

    mock.push(Reply::json(
        r#"{"Config":{"NodeName":"n1","Datacenter":"dc1"},"Member":{"Name":"n1","Status":1}}"#,
    ));
    let me = client.agent().me(&q()).await.unwrap().value;
    assert_eq!(me.name, "n1");
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/self");
    // Agent-local calls ignore the handle's datacenter and the consistency default.
    mock.push(Reply::json("[]"));
    client.dc("dc2").agent().members(false, &q()).await.unwrap();
    assert_eq!(mock.last().unwrap().uri.query(), None);
}

#[tokio::test]
async fn join_leave_force_leave_maintenance_reload() {
    let (client, mock) = client();
    empty_answers(&mock, 8);
    let a = client.agent();
    a.join("10.0.0.1:8302", true, &w()).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("PUT", "/v1/agent/join/10.0.0.1%3A8302")
    );
    assert_eq!(r.query("wan").as_deref(), Some("1"));
    a.join("10.0.0.1:8301", false, &w()).await.unwrap();
    assert_eq!(mock.last().unwrap().query("wan"), None);
    a.leave(&w()).await.unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/leave");
    a.force_leave("node a/b", &w()).await.unwrap();
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/force-leave/node%20a%2Fb"
    );
    a.force_leave_prune("n", &w()).await.unwrap();
    assert_eq!(mock.last().unwrap().query("prune").as_deref(), Some("1"));
    a.enable_node_maintenance("upgrade now", &w())
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/maintenance");
    assert_eq!(r.query("enable").as_deref(), Some("true"));
    assert_eq!(r.query("reason").as_deref(), Some("upgrade now"));
    a.disable_node_maintenance(&w()).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.query("enable").as_deref(), Some("false"));
    assert_eq!(r.query("reason"), None);
    a.reload(&w().token("t1")).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/reload");
    assert_eq!(r.headers["x-consul-token"], "t1");
}

#[tokio::test]
async fn check_register_uses_id_and_service_checks_use_check_id() {
    let (client, mock) = client();
    empty_answers(&mock, 5);
    let a = client.agent();
    let def = CheckDefinition::ttl(Duration::from_secs(30))
        .id("c1")
        .name("ttl")
        .notes("n")
        .service_id("web-1")
        .status(CheckStatus::Passing);
    a.check_register(&def, &w()).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("PUT", "/v1/agent/check/register")
    );
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"ID": "c1", "Name": "ttl", "Notes": "n", "ServiceID": "web-1",
                           "Status": "passing", "TTL": "30s"})
    );

    let reg = ServiceRegistration::new("web")
        .id("web-1")
        .port(80)
        .weights(AgentWeights::new(3, 1))
        .check(CheckDefinition::http("http://x/", Duration::from_secs(5)).id("h"));
    a.service_register(&reg, &w()).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/service/register");
    assert_eq!(r.uri.query(), None);
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"ID": "web-1", "Name": "web", "Port": 80,
                           "Weights": {"Passing": 3, "Warning": 1},
                           "Checks": [{"CheckID": "h", "HTTP": "http://x/", "Interval": "5s"}]})
    );
    a.service_register_replacing_checks(&reg, &w())
        .await
        .unwrap();
    assert!(mock
        .last()
        .unwrap()
        .query("replace-existing-checks")
        .is_some());

    a.service_register_ttl("worker", Duration::from_secs(10), &w())
        .await
        .unwrap();
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Name": "worker", "Checks": [{"TTL": "10s"}]})
    );
    a.check_register_script("disk", &["/bin/check", "-v"], Duration::from_secs(60), &w())
        .await
        .unwrap();
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Name": "disk", "Args": ["/bin/check", "-v"], "Interval": "1m0s"})
    );
}

#[tokio::test]
async fn ttl_updates() {
    let (client, mock) = client();
    empty_answers(&mock, 5);
    let a = client.agent();
    a.pass_ttl("service:web", "all good", &w()).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/check/pass/service%3Aweb");
    assert_eq!(r.query("note").as_deref(), Some("all good"));
    a.warn_ttl("c", "", &w()).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/check/warn/c");
    assert_eq!(r.query("note"), None);
    a.fail_ttl("c", "x", &w()).await.unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/check/fail/c");
    a.update_ttl("c", "out", CheckStatus::Warning, &w())
        .await
        .unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/check/update/c");
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Status": "warning", "Output": "out"})
    );
    a.check_deregister("c", &w()).await.unwrap();
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/check/deregister/c"
    );
    mock.push(Reply::status(
        500,
        "CheckID \"c\" does not have associated TTL",
    ));
    let err = a.pass_ttl("c", "", &w()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn checks_list_filter_and_single_check_not_found() {
    let (client, mock) = client();
    let a = client.agent();
    let body = r#"{"c1":{"CheckID":"c1","Status":"passing","ServiceTags":null}}"#;
    mock.push(Reply::json(body));
    let checks = a
        .checks(&q().filter("Status == \"passing\"").datacenter("ignored"))
        .await
        .unwrap()
        .value;
    assert_eq!(checks["c1"].status, CheckStatus::Passing);
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/checks");
    assert_eq!(r.query("filter").as_deref(), Some("Status == \"passing\""));
    assert_eq!(r.query("dc"), None, "agent calls take no datacenter");
    mock.push(Reply::json(body));
    assert_eq!(a.check("c1", &q()).await.unwrap().value.check_id, "c1");
    mock.push(Reply::json(body));
    assert!(a.check("c2", &q()).await.unwrap_err().is_not_found());
    mock.push(Reply::json("null"));
    assert!(a.checks(&q()).await.unwrap().value.is_empty());
}

#[tokio::test]
async fn service_read_with_hash_blocking_and_not_found() {
    let (client, mock) = client();
    let a = client.agent();
    mock.push(
        Reply::json(r#"{"ID":"web-1","Service":"web","Port":80,"ContentHash":"abc"}"#)
            .header("x-consul-contenthash", "abc"),
    );
    let s = a
        .service(
            "web-1",
            &q().wait_hash("old").wait_time(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(s.value.port, 80);
    assert_eq!(s.meta.last_content_hash.as_deref(), Some("abc"));
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/service/web-1");
    assert_eq!(r.query("hash").as_deref(), Some("old"));
    assert_eq!(r.query("wait").as_deref(), Some("5000ms"));
    mock.push(Reply::status(404, "unknown service ID: nope"));
    let err = a.service("nope", &q()).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    mock.push(Reply::json(
        r#"{"web-1":{"ID":"web-1","Service":"web","Tags":null,"Meta":null}}"#,
    ));
    assert!(a.services(&q()).await.unwrap().value["web-1"]
        .tags
        .is_empty());
}

#[tokio::test]
async fn service_maintenance_and_deregister() {
    let (client, mock) = client();
    empty_answers(&mock, 3);
    let a = client.agent();
    a.enable_service_maintenance("web 1", "deploy", &w())
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/service/maintenance/web%201");
    assert_eq!(r.query("enable").as_deref(), Some("true"));
    assert_eq!(r.query("reason").as_deref(), Some("deploy"));
    a.disable_service_maintenance("web 1", &w()).await.unwrap();
    assert_eq!(
        mock.last().unwrap().query("enable").as_deref(),
        Some("false")
    );
    a.service_deregister("web-1", &w()).await.unwrap();
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/service/deregister/web-1"
    );
    mock.push(Reply::status(404, "No service registered with ID \"x\""));
    assert!(a
        .enable_service_maintenance("x", "", &w())
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn local_health_maps_429_and_503_to_results_and_404_to_absent() {
    let (client, mock) = client();
    let a = client.agent();
    let info = |status: &str| {
        format!(
            r#"{{"AggregatedStatus":"{status}","Service":{{"ID":"web-1","Service":"web"}},"Checks":[]}}"#
        )
    };
    for (code, status) in [
        (200, CheckStatus::Passing),
        (429, CheckStatus::Warning),
        (503, CheckStatus::Critical),
    ] {
        mock.push(Reply::status(code, info(status.as_str())));
        let got = a
            .health_service_by_id("web-1", &q())
            .await
            .unwrap()
            .value
            .unwrap();
        assert_eq!(got.aggregated_status, status);
        assert_eq!(got.service.id, "web-1");
    }
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/health/service/id/web-1"
    );
    mock.push(
        Reply::status(
            404,
            r#"{"AggregatedStatus":"critical","Service":null,"Checks":null}"#,
        )
        .header("x-consul-reason", "ServiceId nope not found"),
    );
    assert!(a
        .health_service_by_id("nope", &q())
        .await
        .unwrap()
        .value
        .is_none());

    mock.push(Reply::status(429, format!("[{}]", info("warning"))));
    let all = a.health_service_by_name("web", &q()).await.unwrap().value;
    assert_eq!(all.len(), 1);
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/health/service/name/web"
    );
    mock.push(Reply::status(404, "[]"));
    assert!(a
        .health_service_by_name("nope", &q())
        .await
        .unwrap()
        .value
        .is_empty());
    mock.push(Reply::status(403, "Permission denied"));
    assert!(a
        .health_service_by_name("web", &q())
        .await
        .unwrap_err()
        .is_permission_denied());
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (client, mock) = client();
    let a = client.agent();
    let mut two = CheckDefinition::ttl(Duration::from_secs(1)).name("x");
    two.tcp = Some("h:1".into());
    assert!(a
        .check_register(&two, &w())
        .await
        .unwrap_err()
        .is_validation());
    let mut bad = CheckDefinition::ttl(Duration::from_secs(1)).name("x");
    bad.ttl = Some("1 minute".into());
    assert!(a
        .check_register(&bad, &w())
        .await
        .unwrap_err()
        .is_validation());
    assert!(a
        .service_register(&ServiceRegistration::new(""), &w())
        .await
        .unwrap_err()
        .is_validation());
    assert!(a.join("", true, &w()).await.unwrap_err().is_validation());
    assert!(a
        .reload(&w().datacenter(""))
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);
}
