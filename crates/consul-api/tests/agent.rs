//! The agent endpoints on a mock transport: method, path, query, headers and body.
#![cfg(feature = "agent")]

use consul_api::agent::{
    AgentWeights, CheckDefinition, CheckStatus, MemberStatus, ServiceRegistration,
};
use consul_api::{Client, Config, QueryOptions, WriteOptions};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("127.0.0.1:8500").unwrap(), mock.clone()).unwrap();
    (client, mock)
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
    let members = client.agent().members().wan().await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!(r.method, http::Method::GET);
    assert_eq!(r.uri.path(), "/v1/agent/members");
    assert_eq!(r.query("wan").as_deref(), Some("1"));
    assert_eq!(members[0].status, MemberStatus::Failed);

    mock.push(Reply::json("[]"));
    client.agent().members().segment("alpha").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.query("segment").as_deref(), Some("alpha"));
    assert_eq!(r.query("wan"), None);

    let me = r#"{"Config":{"NodeName":"n1","Datacenter":"dc1"},"Member":{"Name":"n1","Status":1}}"#;
    for _ in 0..4 {
        mock.push(Reply::json(me));
    }
    let a = client.agent();
    assert_eq!(a.me().await.unwrap().value.name, "n1");
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/self");
    assert_eq!(a.self_info().await.unwrap().value.config.node_name, "n1");
    assert_eq!(a.config().await.unwrap().value.datacenter, "dc1");
    assert_eq!(a.node_name().await.unwrap().value, "n1");
    assert_eq!(mock.count(), 6);
    assert!(mock
        .requests()
        .iter()
        .skip(2)
        .all(|r| r.uri.path() == "/v1/agent/self"));

    // Agent-local calls ignore the handle's datacenter and the consistency default.
    mock.push(Reply::json("[]"));
    client.dc("dc2").agent().members().await.unwrap();
    assert_eq!(mock.last().unwrap().uri.query(), None);
}

#[tokio::test]
async fn join_leave_force_leave_maintenance_reload() {
    let (client, mock) = client();
    empty_answers(&mock, 8);
    let a = client.agent();
    a.join("10.0.0.1:8302").wan().await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("PUT", "/v1/agent/join/10.0.0.1%3A8302")
    );
    assert_eq!(r.query("wan").as_deref(), Some("1"));
    a.join("10.0.0.1:8301").await.unwrap();
    assert_eq!(mock.last().unwrap().query("wan"), None);
    a.leave().await.unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/leave");
    a.force_leave("node a/b").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/force-leave/node%20a%2Fb");
    assert_eq!(r.query("prune"), None);
    a.force_leave("n").prune().await.unwrap();
    assert_eq!(mock.last().unwrap().query("prune").as_deref(), Some("1"));
    a.enable_node_maintenance("upgrade now").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/maintenance");
    assert_eq!(r.query("enable").as_deref(), Some("true"));
    assert_eq!(r.query("reason").as_deref(), Some("upgrade now"));
    a.disable_node_maintenance().await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.query("enable").as_deref(), Some("false"));
    assert_eq!(r.query("reason"), None);
    a.reload().token("t1").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/reload");
    assert_eq!(r.headers["x-consul-token"], "t1");
    assert!(r.body.is_empty());
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
    a.check_register(def).await.unwrap();
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
    a.service_register(reg.clone()).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/service/register");
    assert_eq!(r.uri.query(), None);
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"ID": "web-1", "Name": "web", "Port": 80,
                           "Weights": {"Passing": 3, "Warning": 1},
                           "Checks": [{"CheckID": "h", "HTTP": "http://x/", "Interval": "5s"}]})
    );
    a.service_register(reg)
        .replace_existing_checks()
        .await
        .unwrap();
    assert!(mock
        .last()
        .unwrap()
        .query("replace-existing-checks")
        .is_some());

    a.service_register_ttl("worker", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Name": "worker", "Checks": [{"TTL": "10s"}]})
    );
    a.check_register_script("disk", ["/bin/check", "-v"], Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Name": "disk", "Args": ["/bin/check", "-v"], "Interval": "1m0s"})
    );
}

/// The issue's target: a registration built inline and awaited.
#[tokio::test]
async fn a_service_with_a_ttl_check_registers_in_one_expression() {
    let (client, mock) = client();
    empty_answers(&mock, 1);
    client
        .agent()
        .service_register(
            ServiceRegistration::new("web")
                .port(8080)
                .check(CheckDefinition::ttl(Duration::from_secs(10))),
        )
        .await
        .unwrap();
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Name": "web", "Port": 8080, "Checks": [{"TTL": "10s"}]})
    );
}

#[tokio::test]
async fn ttl_updates() {
    let (client, mock) = client();
    empty_answers(&mock, 6);
    let a = client.agent();
    a.pass_ttl("service:web").note("all good").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/check/pass/service%3Aweb");
    assert_eq!(r.query("note").as_deref(), Some("all good"));
    a.warn_ttl("c").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/check/warn/c");
    assert_eq!(r.query("note"), None);
    a.warn_ttl("c").note("").await.unwrap();
    assert_eq!(mock.last().unwrap().query("note"), None, "an empty note");
    a.fail_ttl("c").note("x").await.unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/check/fail/c");
    a.update_ttl("c", CheckStatus::Warning)
        .output("out")
        .await
        .unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/check/update/c");
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Status": "warning", "Output": "out"})
    );
    a.check_deregister("c").await.unwrap();
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/check/deregister/c"
    );
    mock.push(Reply::status(
        500,
        "CheckID \"c\" does not have associated TTL",
    ));
    let err = a.pass_ttl("c").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn checks_list_filter_and_single_check_absent() {
    let (client, mock) = client();
    let a = client.agent();
    let body = r#"{"c1":{"CheckID":"c1","Status":"passing","ServiceTags":null}}"#;
    mock.push(Reply::json(body));
    let checks = a
        .checks()
        .filter("Status == \"passing\"")
        .await
        .unwrap()
        .value;
    assert_eq!(checks["c1"].status, CheckStatus::Passing);
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/checks");
    assert_eq!(r.query("filter").as_deref(), Some("Status == \"passing\""));
    assert_eq!(r.query("dc"), None, "agent calls take no datacenter");
    mock.push(Reply::json(body));
    let one = a.check("c1").await.unwrap().value.unwrap();
    assert_eq!(one.check_id, "c1");
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/agent/checks");
    mock.push(Reply::json(body));
    assert!(a.check("c2").await.unwrap().value.is_none());
    mock.push(Reply::json("null"));
    assert!(a.checks().await.unwrap().value.is_empty());
    mock.push(Reply::json("null"));
    assert!(a.check("c1").await.unwrap().value.is_none());

    // A datacenter does not apply to the agent: refused, nothing sent.
    let before = mock.count();
    let opts = QueryOptions::default().datacenter("ignored");
    let err = a.checks().options(&opts).await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn service_read_with_hash_blocking_and_absent() {
    let (client, mock) = client();
    let a = client.agent();
    mock.push(
        Reply::json(r#"{"ID":"web-1","Service":"web","Port":80,"ContentHash":"abc"}"#)
            .header("x-consul-contenthash", "abc"),
    );
    let s = a
        .service("web-1")
        .wait_hash("old", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(s.value.unwrap().port, 80);
    assert_eq!(s.meta.last_content_hash.as_deref(), Some("abc"));
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/service/web-1");
    assert_eq!(r.query("hash").as_deref(), Some("old"));
    assert_eq!(r.query("wait").as_deref(), Some("5000ms"));
    assert!(r.timeout.is_some(), "a blocking read gets a time budget");
    mock.push(Reply::status(404, "unknown service ID: nope"));
    assert!(a.service("nope").await.unwrap().value.is_none());
    mock.push(Reply::json(
        r#"{"web-1":{"ID":"web-1","Service":"web","Tags":null,"Meta":null}}"#,
    ));
    assert!(a.services().await.unwrap().value["web-1"].tags.is_empty());
    mock.push(Reply::json("{}"));
    a.services().filter("Service == \"web\"").await.unwrap();
    assert_eq!(
        mock.last().unwrap().query("filter").as_deref(),
        Some("Service == \"web\"")
    );
    mock.push(Reply::json("null"));
    assert!(a.services().await.unwrap().value.is_empty());
}

#[tokio::test]
async fn service_watch_waits_on_the_last_content_hash() {
    let (client, mock) = client();
    let service = |port: u16, hash: &str| {
        Reply::json(format!(
            r#"{{"ID":"web-1","Service":"web","Port":{port},"ContentHash":"{hash}"}}"#
        ))
        .header("x-consul-contenthash", hash)
    };
    mock.push(service(80, "h1")).push(service(81, "h2"));
    let mut changes = client.agent().service("web-1").watch();
    let first = changes.next().await.unwrap().unwrap();
    assert_eq!(first.value.unwrap().port, 80);
    let second = changes.next().await.unwrap().unwrap();
    assert_eq!(second.value.unwrap().port, 81);
    let sent = mock.requests();
    assert_eq!(sent[0].query("hash"), None, "the first read does not block");
    assert_eq!(sent[1].query("hash").as_deref(), Some("h1"));
    assert_eq!(sent[1].query("index"), None);
    drop(changes);
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn service_maintenance_and_deregister() {
    let (client, mock) = client();
    empty_answers(&mock, 3);
    let a = client.agent();
    a.enable_service_maintenance("web 1", "deploy")
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/service/maintenance/web%201");
    assert_eq!(r.query("enable").as_deref(), Some("true"));
    assert_eq!(r.query("reason").as_deref(), Some("deploy"));
    a.disable_service_maintenance("web 1").await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.query("enable").as_deref(), Some("false"));
    assert_eq!(r.query("reason"), None);
    a.service_deregister("web-1").await.unwrap();
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/service/deregister/web-1"
    );
    mock.push(Reply::status(404, "No service registered with ID \"x\""));
    assert!(a
        .enable_service_maintenance("x", "")
        .await
        .unwrap_err()
        .is_not_found());
    assert_eq!(
        mock.last().unwrap().query("reason"),
        None,
        "an empty reason"
    );
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
            .health_service_by_id("web-1")
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
        .health_service_by_id("nope")
        .await
        .unwrap()
        .value
        .is_none());

    mock.push(Reply::status(429, format!("[{}]", info("warning"))));
    let all = a.health_service_by_name("web").await.unwrap().value;
    assert_eq!(all.len(), 1);
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/health/service/name/web"
    );
    mock.push(Reply::status(404, "[]"));
    assert!(a
        .health_service_by_name("nope")
        .await
        .unwrap()
        .value
        .is_empty());
    mock.push(Reply::status(403, "Permission denied"));
    assert!(a
        .health_service_by_name("web")
        .await
        .unwrap_err()
        .is_permission_denied());
    // Other failures stay failures.
    mock.push(Reply::status(500, "boom"));
    let err = a.health_service_by_id("web-1").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn monitor_streams_lines_with_level_and_json() {
    let (client, mock) = client();
    mock.push(Reply::json("first line\nsecond"));
    let mut lines = client
        .agent()
        .monitor()
        .log_level("debug")
        .await
        .unwrap()
        .value;
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/monitor");
    assert_eq!(r.query("loglevel").as_deref(), Some("debug"));
    assert_eq!(r.query("logjson"), None);
    assert_eq!(lines.next().await.unwrap().unwrap(), "first line");
    assert_eq!(lines.next().await.unwrap().unwrap(), "second");
    assert!(lines.next().await.is_none());

    mock.push(Reply::json("{\"@message\":\"x\"}\n"));
    let mut lines = client.agent().monitor().json().await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!(r.query("loglevel"), None);
    assert_eq!(r.query("logjson").as_deref(), Some(""));
    assert_eq!(lines.next().await.unwrap().unwrap(), "{\"@message\":\"x\"}");

    mock.push(Reply::status(400, "Unknown log level: loud"));
    let err = client
        .agent()
        .monitor()
        .log_level("loud")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (client, mock) = client();
    let a = client.agent();
    let mut two = CheckDefinition::ttl(Duration::from_secs(1)).name("x");
    two.tcp = Some("h:1".into());
    assert!(a.check_register(two).await.unwrap_err().is_validation());
    let mut bad = CheckDefinition::ttl(Duration::from_secs(1)).name("x");
    bad.ttl = Some("1 minute".into());
    assert!(a.check_register(bad).await.unwrap_err().is_validation());
    assert!(a
        .service_register(ServiceRegistration::new(""))
        .await
        .unwrap_err()
        .is_validation());
    assert!(a.join("").wan().await.unwrap_err().is_validation());
    let opts = WriteOptions::default().datacenter("");
    assert!(a.reload().options(&opts).await.unwrap_err().is_validation());
    assert!(client
        .dc("")
        .agent()
        .reload()
        .await
        .unwrap_err()
        .is_validation());
    assert!(a
        .update_ttl("c", CheckStatus::Maintenance)
        .await
        .unwrap_err()
        .is_validation());
    assert!(a.members().segment("").await.unwrap_err().is_validation());
    assert!(a.monitor().log_level("").await.unwrap_err().is_validation());
    for err in [
        a.service("").await.unwrap_err(),
        a.check("").await.unwrap_err(),
        a.health_service_by_id("").await.unwrap_err(),
        a.health_service_by_name("").await.unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err:?}");
    }
    // A blocking option on a call that does not block is refused too.
    let opts = QueryOptions::default().wait_hash("h");
    assert!(a
        .services()
        .options(&opts)
        .await
        .unwrap_err()
        .is_validation());
    let mut watch = a.service("..").watch();
    assert!(watch.next().await.unwrap().unwrap_err().is_validation());
    assert!(watch.next().await.is_none());
    assert_eq!(mock.count(), 0);
}

const HOST: &str = include_str!("../../consul-types/tests/fixtures/agent/host.json");
const METRICS: &str = include_str!("../../consul-types/tests/fixtures/agent/metrics.json");

#[tokio::test]
async fn host_and_metrics_are_agent_reads() {
    let (client, mock) = client();
    mock.push(Reply::json(HOST));
    let host = client.agent().host().token("op").await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!((r.method.as_str(), r.uri.path()), ("GET", "/v1/agent/host"));
    assert_eq!(r.uri.query(), None);
    assert_eq!(r.headers["x-consul-token"], "op");
    assert_eq!(host.host.os, "linux");

    mock.push(Reply::json(METRICS));
    let metrics = client.agent().metrics().await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("GET", "/v1/agent/metrics")
    );
    assert_eq!(r.uri.query(), None);
    assert!(!metrics.gauges.is_empty());

    // Agent reads take no datacenter, even from a handle scoped to one.
    mock.push(Reply::json(METRICS));
    client.dc("dc2").agent().metrics().await.unwrap();
    assert_eq!(mock.last().unwrap().query("dc"), None);
}

#[tokio::test]
async fn prometheus_text_or_a_typed_error_when_the_agent_has_it_off() {
    let (client, mock) = client();
    let text = "# HELP consul_client_rpc consul_client_rpc\n# TYPE consul_client_rpc counter\nconsul_client_rpc 7\n";
    mock.push(Reply::status(200, text).header("content-type", "text/plain; version=0.0.4"));
    let got = client.agent().metrics_prometheus().await.unwrap().value;
    assert_eq!(got, text);
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/agent/metrics");
    assert_eq!(r.query("format").as_deref(), Some("prometheus"));

    mock.push(Reply::status(
        415,
        "Prometheus is not enabled since its retention time is not positive",
    ));
    let e = client.agent().metrics_prometheus().await.unwrap_err();
    assert!(e.is_not_enabled(), "{e:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(415));
    assert!(!e.is_retryable());
    assert_eq!(
        e.to_string(),
        "not enabled on the consul agent: Prometheus is not enabled since its retention time is not positive"
    );
    // Other failures stay what they are.
    mock.push(Reply::status(403, "Permission denied"));
    let e = client.agent().metrics_prometheus().await.unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");
}

#[tokio::test]
async fn token_updates_put_the_token_in_the_body_only() {
    use consul_api::agent::AgentTokenType;
    let (client, mock) = client();
    let mut kinds: Vec<AgentTokenType> = AgentTokenType::KNOWN.to_vec();
    kinds.push(AgentTokenType::Other("agent_recovery".into()));
    empty_answers(&mock, kinds.len());
    for kind in &kinds {
        client
            .agent()
            .update_token(kind.clone(), "s3cr3t-value")
            .token("mgmt")
            .await
            .unwrap();
        let r = mock.last().unwrap();
        assert_eq!(r.method, http::Method::PUT);
        assert_eq!(r.uri.path(), format!("/v1/agent/token/{kind}"));
        assert_eq!(r.uri.query(), None, "nothing in the query");
        assert_eq!(r.headers["x-consul-token"], "mgmt", "the caller's token");
        assert_eq!(
            body_json(&mock),
            serde_json::json!({"Token": "s3cr3t-value"})
        );
        assert!(!r.uri.to_string().contains("s3cr3t"));
    }
    // The call's Debug output does not show the token.
    let request = client
        .agent()
        .update_token(AgentTokenType::Default, "s3cr3t-value");
    assert!(!format!("{request:?}").contains("s3cr3t"), "{request:?}");

    mock.push(Reply::status(404, "Token \"bogus\" is unknown"));
    let e = client
        .agent()
        .update_token(AgentTokenType::from("bogus"), "x")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    mock.push(Reply::status(401, "ACL support disabled"));
    let e = client
        .agent()
        .update_token(AgentTokenType::Agent, "x")
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    let count = mock.count();
    for bad in ["", "..", "a/../b"] {
        let e = client
            .agent()
            .update_token(AgentTokenType::from(bad), "x")
            .await
            .unwrap_err();
        assert!(e.is_validation(), "{bad:?}: {e:?}");
    }
    assert_eq!(mock.count(), count);
}

/// A service with a sidecar and a mesh gateway go on the wire with Go's field names, and
/// the sidecar the agent registered reads back typed.
#[tokio::test]
async fn connect_registrations_and_a_typed_sidecar_read() {
    use consul_api::agent::{
        ConnectProxyConfig, ExposePath, MeshGatewayMode, ServiceKind, Upstream, UpstreamDestType,
    };
    let (client, mock) = client();
    let agent = client.agent();
    empty_answers(&mock, 2);
    let proxy = ConnectProxyConfig::default()
        .local_service_address("127.0.0.1")
        .config("protocol", "http")
        .upstream(
            Upstream::service("db", 9191)
                .datacenter("dc1")
                .mesh_gateway(MeshGatewayMode::Local),
        )
        .upstream(Upstream::prepared_query("db-query", 9192).local_bind_address("127.0.0.2"))
        .mesh_gateway(MeshGatewayMode::Remote)
        .expose_checks()
        .expose_path(ExposePath::new("/metrics", 8080, 21500).protocol("http"));
    let web = ServiceRegistration::new("web")
        .id("web-1")
        .port(8080)
        .sidecar(
            ServiceRegistration::default()
                .port(21000)
                .tags(["proxy"])
                .proxy(proxy),
        );
    agent.service_register(web).await.unwrap();
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("PUT", "/v1/agent/service/register")
    );
    assert_eq!(
        body_json(&mock),
        serde_json::json!({
            "ID": "web-1", "Name": "web", "Port": 8080,
            "Connect": {"SidecarService": {"Tags": ["proxy"], "Port": 21000, "Proxy": {
                "LocalServiceAddress": "127.0.0.1",
                "Config": {"protocol": "http"},
                "Upstreams": [
                    {"DestinationType": "service", "DestinationName": "db", "Datacenter": "dc1",
                     "LocalBindPort": 9191, "MeshGateway": {"Mode": "local"}},
                    {"DestinationType": "prepared_query", "DestinationName": "db-query",
                     "LocalBindAddress": "127.0.0.2", "LocalBindPort": 9192}
                ],
                "MeshGateway": {"Mode": "remote"},
                "Expose": {"Checks": true, "Paths": [{"ListenerPort": 21500, "Path": "/metrics",
                                                       "LocalPathPort": 8080, "Protocol": "http"}]}
            }}}
        })
    );

    let gateway = ServiceRegistration::new("mesh-gw")
        .kind(ServiceKind::MeshGateway)
        .port(8443)
        .proxy(ConnectProxyConfig::default().mesh_gateway(MeshGatewayMode::Local));
    agent.service_register(gateway).await.unwrap();
    assert_eq!(
        body_json(&mock),
        serde_json::json!({"Kind": "mesh-gateway", "Name": "mesh-gw", "Port": 8443,
                           "Proxy": {"MeshGateway": {"Mode": "local"}}})
    );

    // What a 1.8.7 agent answered for the sidecar it made of that registration.
    mock.push(
        Reply::json(include_str!(
            "../../consul-types/tests/fixtures/agent/service_sidecar.json"
        ))
        .header("X-Consul-ContentHash", "4d7c86815b8363a7"),
    );
    let sidecar = agent
        .service("web-1-sidecar-proxy")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(sidecar.kind, ServiceKind::ConnectProxy);
    let proxy = sidecar.proxy.unwrap();
    assert_eq!(proxy.destination_service_id, "web-1");
    assert_eq!(
        proxy.upstreams[1].destination_type,
        UpstreamDestType::PreparedQuery
    );

    // Consul's Connect rules are checked before sending.
    let before = mock.count();
    let no_destination = ServiceRegistration::new("p")
        .kind(ServiceKind::ConnectProxy)
        .port(21000);
    assert!(agent
        .service_register(no_destination)
        .await
        .unwrap_err()
        .is_validation());
    let gateway_with_upstream = ServiceRegistration::new("gw")
        .kind(ServiceKind::TerminatingGateway)
        .port(9000)
        .proxy(ConnectProxyConfig::default().upstream(Upstream::service("db", 1)));
    assert!(agent
        .service_register(gateway_with_upstream)
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);
}

/// A `404` with an empty body, then the agent's `/v1/agent/self` naming its version.
fn not_served(mock: &MockTransport) {
    mock.push(Reply::status(404, ""))
        .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
}

/// `agent/version` (Consul 1.14+) as Consul's `version.BuildInfo` encodes it, and what an
/// older agent answers.
#[tokio::test]
async fn version_reads_the_build_info_or_is_unsupported() {
    let (client, mock) = client();
    mock.push(Reply::json(
        r#"{"SHA":"0b4b2a5d","BuildDate":"2023-11-20T21:38:59Z","HumanVersion":"1.17.0","FIPS":""}"#,
    ));
    let v = client.agent().version().await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("GET", "/v1/agent/version")
    );
    assert_eq!(r.uri.query(), None);
    assert_eq!(
        (
            v.human_version.as_str(),
            v.sha.as_str(),
            v.build_date.as_str()
        ),
        ("1.17.0", "0b4b2a5d", "2023-11-20T21:38:59Z")
    );
    // An agent answers itself: a datacenter is refused before sending.
    let before = mock.count();
    let err = client
        .agent()
        .version()
        .options(&consul_api::QueryOptions::default().datacenter("dc2"))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(mock.count(), before);

    not_served(&mock);
    let err = client.agent().version().await.unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the consul agent (version 1.8.7) does not serve /v1/agent/version"
    );
}

/// `agent/metrics/stream` (Consul 1.11+): indented summaries one after the other, as
/// Consul's encoder writes them, read as typed items.
#[tokio::test]
async fn metrics_stream_reads_each_summary() {
    let (client, mock) = client();
    let body = concat!(
        "{\n    \"Timestamp\": \"2021-06-01 10:00:00 +0000 UTC\",\n    \"Gauges\": [\n",
        "        {\n            \"Name\": \"consul.runtime.num_goroutines\",\n",
        "            \"Value\": 42,\n            \"Labels\": {}\n        }\n    ],\n",
        "    \"Points\": [],\n    \"Counters\": [],\n    \"Samples\": []\n}\n",
        "{\n    \"Timestamp\": \"2021-06-01 10:00:10 +0000 UTC\",\n    \"Gauges\": [],\n",
        "    \"Points\": [],\n    \"Counters\": [\n        {\"Name\": \"consul.client.rpc\", ",
        "\"Count\": 3, \"Rate\": 0.3, \"Sum\": 3, \"Min\": 1, \"Max\": 1, \"Mean\": 1, ",
        "\"Stddev\": 0, \"Labels\": {}}\n    ],\n    \"Samples\": []\n}\n"
    );
    mock.push(Reply::json(body));
    let mut stream = client.agent().metrics_stream().await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("GET", "/v1/agent/metrics/stream")
    );
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(
        first.gauge("consul.runtime.num_goroutines").unwrap().value,
        42.0
    );
    let second = stream.next().await.unwrap().unwrap();
    assert_eq!(second.timestamp, "2021-06-01 10:00:10 +0000 UTC");
    assert_eq!(second.counter("consul.client.rpc").unwrap().count, 3);
    assert!(stream.next().await.is_none());

    mock.push(Reply::status(403, "Permission denied"));
    let err = client.agent().metrics_stream().await.unwrap_err();
    assert!(err.is_permission_denied(), "{err:?}");

    not_served(&mock);
    let err = client.agent().metrics_stream().await.unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert!(err.to_string().contains("agent/metrics/stream"), "{err}");
}
