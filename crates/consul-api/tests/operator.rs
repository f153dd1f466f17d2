//! What the operator handle puts on the wire, checked on a MockTransport: Raft, autopilot,
//! keyring, and the Enterprise-only license, areas and segments.

use consul_api::operator::{Area, AutopilotConfiguration, SerfStatus};
use consul_api::{Client, Config};
use consul_transport::mock::{MockTransport, RecordedRequest, Reply};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../consul-types/tests/fixtures/operator/",
            $name
        ))
    };
}

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("ops-token".into());
    (Client::with_transport(config, mock.clone()).unwrap(), mock)
}

fn sent(mock: &MockTransport) -> RecordedRequest {
    mock.last().expect("a request was sent")
}

fn body_json(req: &RecordedRequest) -> serde_json::Value {
    serde_json::from_slice(&req.body).expect("a JSON body")
}

/// A `404` with an empty body, then the agent's `/v1/agent/self` naming its version.
fn not_served(mock: &MockTransport) {
    mock.push(Reply::status(404, ""))
        .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
}

#[tokio::test]
async fn raft_configuration_and_peer_removal() {
    let (client, mock) = client();
    let op = client.operator();
    mock.push(Reply::json(fixture!("raft_configuration.json")));
    let raft = op.raft_get_configuration().stale().dc("dc2").await.unwrap();
    assert_eq!(raft.value.voters().count(), 3);
    assert_eq!(raft.value.leader().unwrap().node, "s2");
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/operator/raft/configuration")
    );
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.headers["x-consul-token"], "ops-token");

    mock.push(Reply::json(""));
    op.raft_remove_peer_by_address("127.0.0.1:44300")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", "/v1/operator/raft/peer")
    );
    assert_eq!(
        req.query_pairs(),
        [("address".to_owned(), "127.0.0.1:44300".to_owned())]
    );

    mock.push(Reply::json(""));
    op.dc("dc3")
        .raft_remove_peer_by_id("46f11cca-ce58-2f39-1738-121675a23c18")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.method, "DELETE");
    assert_eq!(
        req.query("id").as_deref(),
        Some("46f11cca-ce58-2f39-1738-121675a23c18")
    );
    assert_eq!(req.query("address"), None);
    assert_eq!(req.query("dc").as_deref(), Some("dc3"));

    // An unknown peer is Consul's 500, passed on as it is.
    mock.push(Reply::status(
        500,
        "id \"nope\" was not found in the Raft configuration",
    ));
    let err = op.raft_remove_peer_by_id("nope").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.to_string().contains("not found in the Raft"), "{err}");

    // An empty id or address never leaves the process (Consul would answer 400).
    let before = mock.count();
    assert!(op
        .raft_remove_peer_by_id("")
        .await
        .unwrap_err()
        .is_validation());
    assert!(op
        .raft_remove_peer_by_address("")
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn autopilot_configuration_get_set_and_cas() {
    let (client, mock) = client();
    let op = client.operator();
    mock.push(Reply::json(fixture!("autopilot_configuration.json")));
    let config = op.autopilot_get_configuration().await.unwrap().value;
    assert_eq!(
        sent(&mock).uri.path(),
        "/v1/operator/autopilot/configuration"
    );
    assert_eq!(config.last_contact_threshold, Duration::from_millis(200));
    let index = config.modify_index;

    // A plain write: the whole configuration, no `cas`.
    mock.push(Reply::json("true"));
    op.autopilot_set_configuration(config.clone().cleanup_dead_servers(false))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/operator/autopilot/configuration")
    );
    assert_eq!(req.query("cas"), None);
    assert_eq!(req.headers["content-type"], "application/json");
    let body = body_json(&req);
    assert_eq!(body["CleanupDeadServers"], false);
    assert_eq!(body["LastContactThreshold"], "200ms");
    assert_eq!(body["ServerStabilizationTime"], "10s");
    assert_eq!(body["MaxTrailingLogs"], 250);

    // Check-and-set on the configuration's own index; Consul's `false` is returned.
    mock.push(Reply::json("true")).push(Reply::json("false"));
    let changed = config.max_trailing_logs(500);
    assert!(
        op.autopilot_cas_configuration(changed.clone())
            .await
            .unwrap()
            .value
    );
    assert_eq!(sent(&mock).query("cas"), Some(index.to_string()));
    assert!(
        !op.autopilot_cas_configuration(changed.modify_index(3))
            .await
            .unwrap()
            .value
    );
    let req = sent(&mock);
    assert_eq!(req.query("cas").as_deref(), Some("3"));
    assert_eq!(body_json(&req)["MaxTrailingLogs"], 500);

    // A default configuration is sent whole too: zeros and empty durations as "0s".
    mock.push(Reply::json("true"));
    op.autopilot_cas_configuration(AutopilotConfiguration::default())
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.query("cas").as_deref(), Some("0"));
    assert_eq!(body_json(&req)["LastContactThreshold"], "0s");
}

#[tokio::test]
async fn server_health_429_is_an_answer() {
    let (client, mock) = client();
    let op = client.operator();
    mock.push(Reply::json(fixture!("autopilot_health.json")))
        .push(Reply::status(
            429,
            fixture!("autopilot_health_unhealthy.json"),
        ))
        .push(Reply::status(500, "No cluster leader"));
    let healthy = op.autopilot_server_health().await.unwrap().value;
    assert!(healthy.healthy);
    assert_eq!(healthy.failure_tolerance, 1);
    assert_eq!(sent(&mock).uri.path(), "/v1/operator/autopilot/health");
    let unhealthy = op.autopilot_server_health().await.unwrap().value;
    assert!(!unhealthy.healthy);
    let gone = unhealthy.server("s4").unwrap();
    assert_eq!(gone.serf_status, SerfStatus::Failed);
    assert_eq!(gone.last_contact, None);
    let err = op
        .autopilot_server_health()
        .retry(consul_api::RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

const KEY: &str = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=";

fn keyring_write_sent(mock: &MockTransport, method: &str) {
    let req = sent(mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        (method, "/v1/operator/keyring")
    );
    assert_eq!(body_json(&req), serde_json::json!({ "Key": KEY }));
    assert_eq!(
        req.query_pairs(),
        [("relay-factor".to_owned(), "2".to_owned())]
    );
}

#[tokio::test]
async fn keyring_calls_send_the_key_in_the_body_and_no_datacenter() {
    let (client, mock) = client();
    // A handle scoped to a datacenter: keyring calls act on every pool and do not send it.
    let op = client.operator().dc("dc2");
    mock.push(Reply::json(""));
    op.keyring_install(KEY).relay_factor(2).await.unwrap();
    keyring_write_sent(&mock, "POST");
    mock.push(Reply::json(""));
    op.keyring_use(KEY).relay_factor(2).await.unwrap();
    keyring_write_sent(&mock, "PUT");
    mock.push(Reply::json(""));
    op.keyring_remove(KEY).relay_factor(2).await.unwrap();
    keyring_write_sent(&mock, "DELETE");

    mock.push(Reply::json(""));
    op.keyring_install(KEY).await.unwrap();
    assert_eq!(sent(&mock).uri.query(), None, "no relay factor unless set");

    mock.push(Reply::json(fixture!("keyring_list_two_keys.json")));
    let pools = op
        .keyring_list()
        .local_only()
        .relay_factor(1)
        .await
        .unwrap()
        .value;
    assert_eq!(pools.len(), 2);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/operator/keyring")
    );
    assert_eq!(req.query("local-only").as_deref(), Some("true"));
    assert_eq!(req.query("relay-factor").as_deref(), Some("1"));
    assert_eq!(req.query("dc"), None);

    // Consul's refusals come back as status errors.
    mock.push(Reply::status(
        500,
        "4 errors occurred:\n\t* WAN error: 1/1 nodes reported failure\n\t* vm.dc1: Removing the primary key is not allowed",
    ));
    let err = op.keyring_remove(KEY).await.unwrap_err();
    assert!(err.to_string().contains("primary key"), "{err}");
}

#[tokio::test]
async fn keyring_input_is_checked_and_keys_are_not_shown() {
    let (client, mock) = client();
    let op = client.operator();
    let bad_key = "c2VjcmV0LWJ1dC10b28tc2hvcnQ="; // 21 bytes
    for err in [
        op.keyring_install(bad_key).await.unwrap_err(),
        op.keyring_use("").await.unwrap_err(),
        op.keyring_remove("not base64 at all").await.unwrap_err(),
        op.keyring_install(KEY).relay_factor(6).await.unwrap_err(),
        op.keyring_list().relay_factor(9).await.unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err:?}");
        assert!(!err.to_string().contains(bad_key), "{err}");
    }
    assert_eq!(mock.count(), 0, "nothing was sent");

    let request = op.keyring_install(KEY).relay_factor(3);
    let shown = format!("{request:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(shown.contains("<redacted>") && shown.contains("relay_factor"));
    assert!(!format!("{:?}", op.keyring_use(KEY)).contains(KEY));
    assert!(!format!("{:?}", op.keyring_remove(KEY)).contains(KEY));
}

#[tokio::test]
async fn license_calls() {
    let (client, mock) = client();
    let op = client.operator();
    let reply = r#"{"Valid":true,"License":{"license_id":"2afbf681-0d1a-0649-cb6c-333ec9f0989c",
        "customer_id":"0259271d-8ffc-e85e-0830-c0822c1f5f2b","installation_id":"*",
        "product":"consul","flags":{"package":"premium"},"features":["Network Segments"]},
        "Warnings":["expires soon"]}"#;
    mock.push(Reply::json(reply));
    let got = op.license_get().dc("dc2").stale().await.unwrap().value;
    assert!(got.valid);
    assert_eq!(got.license.unwrap().product, "consul");
    assert_eq!(got.warnings, ["expires soon"]);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/operator/license")
    );
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.query("stale").as_deref(), Some(""));

    mock.push(Reply::json("01MV4UU43BK5HGYYTOJZWFQMTMNNEWU33J..."));
    let blob = op.license_get_signed().await.unwrap().value;
    assert_eq!(blob, "01MV4UU43BK5HGYYTOJZWFQMTMNNEWU33J...");
    assert_eq!(sent(&mock).query("signed").as_deref(), Some("1"));

    mock.push(Reply::json(reply));
    op.license_put("01MV4UU43BK5HGYYTOJZWFQMTMNNEWU33J...")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/operator/license")
    );
    assert_eq!(&req.body[..], b"01MV4UU43BK5HGYYTOJZWFQMTMNNEWU33J...");
    assert!(
        req.headers.get("content-type").is_none(),
        "the blob is sent as it is"
    );
    assert!(!format!("{:?}", op.license_put("01MV4UU43BK5")).contains("01MV4UU43BK5"));

    mock.push(Reply::json(reply));
    assert!(op.license_reset().await.unwrap().value.valid);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", "/v1/operator/license")
    );

    let before = mock.count();
    assert!(op.license_put("  ").await.unwrap_err().is_validation());
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn area_calls() {
    let (client, mock) = client();
    let op = client.operator();
    let id = "8f246b77-f3e1-ff88-5b48-8ec93abf3e05";
    mock.push(Reply::json(format!(r#"{{"ID":"{id}"}}"#)));
    let created = op
        .area_create(Area::new("dc2").retry_join(["10.1.2.3", "10.1.2.4"]))
        .await
        .unwrap()
        .value;
    assert_eq!(created, id);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/operator/area")
    );
    assert_eq!(
        body_json(&req),
        serde_json::json!({"PeerDatacenter": "dc2", "RetryJoin": ["10.1.2.3", "10.1.2.4"], "UseTLS": false})
    );

    mock.push(Reply::json(format!(r#"{{"ID":"{id}"}}"#)));
    let updated = op
        .area_update(id, Area::new("dc2").use_tls(true))
        .await
        .unwrap()
        .value;
    assert_eq!(updated, id);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/operator/area/{id}").as_str())
    );
    assert_eq!(body_json(&req)["UseTLS"], true);

    let list = format!(r#"[{{"ID":"{id}","PeerDatacenter":"dc2","RetryJoin":["10.1.2.3"]}}]"#);
    mock.push(Reply::json(list.clone()).header("x-consul-index", "17"))
        .push(Reply::json(list.clone()))
        .push(Reply::json("[]"))
        .push(Reply::status(404, "area not found"));
    let areas = op
        .area_list()
        .wait(5, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(areas.meta.last_index, 17);
    assert_eq!(areas.value[0].peer_datacenter, "dc2");
    let req = sent(&mock);
    assert_eq!(req.uri.path(), "/v1/operator/area");
    assert_eq!(req.query("index").as_deref(), Some("5"));
    assert_eq!(req.query("wait").as_deref(), Some("10000ms"));
    let area = op.area_get(id).await.unwrap().value.unwrap();
    assert_eq!(area.id, id);
    assert_eq!(sent(&mock).uri.path(), format!("/v1/operator/area/{id}"));
    assert_eq!(op.area_get(id).await.unwrap().value, None, "[] is absent");
    assert_eq!(
        op.area_get(id).await.unwrap().value,
        None,
        "a 404 with a message is absent"
    );

    mock.push(Reply::json(
        r#"[{"Address":"10.1.2.3","Joined":true,"Error":""},{"Address":"10.1.2.9","Joined":false,"Error":"i/o timeout"}]"#,
    ));
    let joined = op
        .area_join(id, ["10.1.2.3", "10.1.2.9"])
        .await
        .unwrap()
        .value;
    assert!(joined[0].joined && !joined[1].joined);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/operator/area/{id}/join").as_str())
    );
    assert_eq!(body_json(&req), serde_json::json!(["10.1.2.3", "10.1.2.9"]));

    mock.push(Reply::json(
        r#"[{"ID":"afc5d95c-1eee-4b46-b85b-0efe4c76dd48","Name":"node-2.dc1","Addr":"127.0.0.2","Port":8300,"Datacenter":"dc1","Role":"server","Build":"0.8.0","Protocol":2,"Status":"alive","RTT":256478}]"#,
    ));
    let members = op.area_members(id).await.unwrap().value;
    assert_eq!(members[0].rtt, Some(Duration::from_nanos(256_478)));
    assert_eq!(
        sent(&mock).uri.path(),
        format!("/v1/operator/area/{id}/members")
    );

    mock.push(Reply::json(""));
    op.area_delete(id).await.unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", format!("/v1/operator/area/{id}").as_str())
    );

    // Refused before sending: a new area with an id or no peer, no address to join, a
    // path-breaking id.
    let before = mock.count();
    let mut with_id = Area::new("dc2");
    with_id.id = id.into();
    for err in [
        op.area_create(with_id).await.unwrap_err(),
        op.area_create(Area::default()).await.unwrap_err(),
        op.area_join(id, Vec::<String>::new()).await.unwrap_err(),
        op.area_join(id, [""]).await.unwrap_err(),
        op.area_get("..").await.unwrap_err(),
        op.area_delete("").await.unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err:?}");
    }
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn segments_and_what_an_open_source_agent_answers() {
    let (client, mock) = client();
    let op = client.operator();
    mock.push(Reply::json(r#"["","alpha","beta"]"#));
    assert_eq!(
        op.segment_list().await.unwrap().value,
        ["", "alpha", "beta"]
    );
    assert_eq!(sent(&mock).uri.path(), "/v1/operator/segment");

    // An empty 404 is "this agent does not serve it", for reads of one item too.
    not_served(&mock);
    let err = op.segment_list().await.unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert!(
        err.to_string().contains("1.8.7") && err.to_string().contains("operator/segment"),
        "{err}"
    );
    not_served(&mock);
    assert!(op.area_get("x").await.unwrap_err().is_unsupported());
    not_served(&mock);
    assert!(op.license_reset().await.unwrap_err().is_unsupported());
}

/// `operator/usage` (1.10+), `operator/autopilot/state` (1.9+) and
/// `operator/raft/transfer-leader` (1.15+) with the JSON of Consul's documentation, and what
/// an older agent answers.
#[tokio::test]
async fn usage_autopilot_state_and_leader_transfer() {
    use consul_api::operator::{AutopilotServerStatus, Usage};
    let (client, mock) = client();
    let op = client.operator();

    mock.push(Reply::json(fixture!("usage_documented.json")).header("X-Consul-Index", "13"));
    let usage = op.usage().await.unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/operator/usage")
    );
    assert_eq!(req.query("global"), None);
    assert_eq!(usage.meta.last_index, 13);
    assert_eq!(usage.value.usage["dc1"].services, 1);
    mock.push(Reply::json(fixture!("usage_documented.json")));
    op.usage()
        .global()
        .stale()
        .dc("dc2")
        .wait(13, Duration::from_secs(5))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.query("global").as_deref(), Some(""));
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.query("index").as_deref(), Some("13"));
    assert_eq!(req.query("wait").as_deref(), Some("5000ms"));
    mock.push(Reply::json(r#"{"Usage":null}"#));
    assert_eq!(op.usage().await.unwrap().value, Usage::default());

    mock.push(Reply::json(fixture!("autopilot_state_documented.json")));
    let state = op.autopilot_state().dc("dc2").await.unwrap().value;
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/operator/autopilot/state")
    );
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(
        state.leader_server().unwrap().status,
        AutopilotServerStatus::Leader
    );
    assert_eq!(state.voters.len(), 3);

    mock.push(Reply::json(r#"{"Success":true}"#));
    assert!(op.raft_leader_transfer().await.unwrap().value.success);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/operator/raft/transfer-leader")
    );
    assert!(req.query_pairs().is_empty());
    assert_eq!(req.headers["x-consul-token"], "ops-token");
    mock.push(Reply::json(r#"{"Success":true}"#));
    op.raft_leader_transfer()
        .id("46f11cca-ce58-2f39-1738-121675a23c18")
        .await
        .unwrap();
    assert_eq!(
        sent(&mock).query("id").as_deref(),
        Some("46f11cca-ce58-2f39-1738-121675a23c18")
    );
    // Consul answers a failed transfer with a 404 that has a reason: an error, not
    // "unsupported".
    mock.push(Reply::status(
        404,
        "Failed to transfer Leader: raft: no eligible server",
    ));
    let err = op.raft_leader_transfer().await.unwrap_err();
    assert!(!err.is_unsupported(), "{err:?}");
    assert!(
        err.to_string().contains("Failed to transfer Leader"),
        "{err}"
    );
    // It acts in the agent's datacenter: an empty id, and a datacenter, are refused.
    let before = mock.count();
    assert!(op
        .raft_leader_transfer()
        .id("")
        .await
        .unwrap_err()
        .is_validation());
    assert!(op
        .raft_leader_transfer()
        .options(&consul_api::WriteOptions::default().datacenter("dc2"))
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);

    for _ in 0..3 {
        not_served(&mock);
    }
    let errors = [
        op.usage().await.unwrap_err(),
        op.autopilot_state().await.unwrap_err(),
        op.raft_leader_transfer().await.unwrap_err(),
    ];
    for err in errors {
        assert!(err.is_unsupported(), "{err:?}");
        assert!(err.to_string().contains("1.8.7"), "{err}");
    }
}
