//! What the peering handle puts on the wire and how it reads Consul's documented answers,
//! on a MockTransport; and where the `peer` and `merge-central-config` parameters are
//! sent. No Consul before 1.13 serves these endpoints (see `tests/tests/peering.rs` for what
//! a real 1.8.7 agent answers).

use consul_api::peering::{PeeringState, PeeringToken};
use consul_api::{Client, Config, QueryOptions};
use consul_transport::mock::{MockTransport, RecordedRequest, Reply};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../consul-types/tests/fixtures/peering/", $name))
    };
}

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("peer-token".into());
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
async fn generate_token_sends_the_documented_payload() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("token_documented.json")));
    let token = client
        .peerings()
        .generate_token("cluster-02")
        .meta("env", "production")
        .await
        .unwrap()
        .value;
    assert_eq!(token.secret(), "eyJDQSI6bnVsbCwiU2V...");
    assert!(!format!("{token:?}").contains("eyJ"));
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/peering/token")
    );
    assert_eq!(req.uri.query(), None);
    assert_eq!(req.headers["x-consul-token"], "peer-token");
    assert_eq!(req.headers["content-type"], "application/json");
    assert_eq!(
        body_json(&req),
        serde_json::json!({"PeerName": "cluster-02", "Meta": {"env": "production"}})
    );

    // External addresses, and the partition as Consul reads it when the body names none.
    mock.push(Reply::json(fixture!("token_documented.json")));
    client
        .peerings()
        .generate_token("cluster-03")
        .server_external_address("203.0.113.10:8502")
        .server_external_address("203.0.113.11:8502")
        .partition("ap1")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.query("partition").as_deref(), Some("ap1"));
    assert_eq!(
        body_json(&req),
        serde_json::json!({
            "PeerName": "cluster-03",
            "ServerExternalAddresses": ["203.0.113.10:8502", "203.0.113.11:8502"]
        })
    );
}

#[tokio::test]
async fn establish_sends_the_token_and_reads_the_empty_answer() {
    let (client, mock) = client();
    mock.push(Reply::json("{}"));
    let token = PeeringToken::new("eyJDQSI6bnVsbCwiU2V...");
    client
        .peerings()
        .establish("cluster-01", token)
        .meta("env", "production")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/peering/establish")
    );
    assert_eq!(
        body_json(&req),
        serde_json::json!({
            "PeerName": "cluster-01",
            "PeeringToken": "eyJDQSI6bnVsbCwiU2V...",
            "Meta": {"env": "production"}
        })
    );
    // The request's Debug output (in logs and panics) never shows the token.
    let request = client.peerings().establish("cluster-01", "eyJzM2NyM3Q=");
    assert!(!format!("{request:?}").contains("eyJ"));

    // A refusal is Consul's answer, with its message.
    mock.push(Reply::status(
        400,
        "PeeringToken is required in the payload when establishing a peering.",
    ));
    let err = client
        .peerings()
        .establish("cluster-01", "x")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(
        err.to_string().contains("PeeringToken is required"),
        "{err}"
    );
}

#[tokio::test]
async fn read_is_none_when_consul_says_not_found_and_blocks() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("read_documented.json")).header("X-Consul-Index", "91"));
    let read = client.peerings().read("cluster-02").await.unwrap();
    let peering = read.value.unwrap();
    assert_eq!(peering.state, PeeringState::Active);
    assert_eq!(peering.stream_status.exported_services, ["web", "db"]);
    assert_eq!(read.meta.last_index, 91);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/peering/cluster-02")
    );

    mock.push(Reply::status(404, "Peering not found for \"nope\""));
    assert_eq!(client.peerings().read("nope").await.unwrap().value, None);

    // A blocking read, and a partition.
    mock.push(Reply::json(fixture!("read_documented.json")).header("X-Consul-Index", "92"));
    client
        .peerings()
        .read("cluster-02")
        .partition("ap1")
        .wait(91, Duration::from_secs(5))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.query("index").as_deref(), Some("91"));
    assert_eq!(req.query("wait").as_deref(), Some("5000ms"));
    assert_eq!(req.query("partition").as_deref(), Some("ap1"));
}

#[tokio::test]
async fn a_watch_of_a_peering_follows_its_state() {
    let (client, mock) = client();
    let pending = fixture!("read_documented.json").replace("\"ACTIVE\"", "\"PENDING\"");
    mock.push(Reply::json(pending).header("X-Consul-Index", "89"));
    mock.push(Reply::json(fixture!("read_documented.json")).header("X-Consul-Index", "91"));
    let mut watch = client
        .peerings()
        .read("cluster-02")
        .wait_time(Duration::from_secs(5))
        .watch();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.value.unwrap().state, PeeringState::Pending);
    let second = watch.next().await.unwrap().unwrap();
    assert_eq!(second.value.unwrap().state, PeeringState::Active);
    let requests = mock.requests();
    assert_eq!(requests[1].query("index").as_deref(), Some("89"));
}

#[tokio::test]
async fn delete_and_list() {
    let (client, mock) = client();
    mock.push(Reply::json(""));
    client.peerings().delete("cluster-02").await.unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", "/v1/peering/cluster-02")
    );

    mock.push(Reply::json(fixture!("list_documented.json")).header("X-Consul-Index", "119"));
    let list = client.peerings().list().await.unwrap();
    assert_eq!(list.value.len(), 3);
    assert_eq!(list.value[1].state, PeeringState::Other("INITIAL".into()));
    assert!(list.value[2].is_deleted());
    assert_eq!(list.meta.last_index, 119);
    assert_eq!(sent(&mock).uri.path(), "/v1/peerings");
    mock.push(Reply::json("null"));
    assert!(client.peerings().list().await.unwrap().value.is_empty());
}

#[tokio::test]
async fn exported_and_imported_services_in_every_documented_shape() {
    let (client, mock) = client();
    let p = client.peerings();
    mock.push(
        Reply::json(fixture!("exported_services_documented.json")).header("X-Consul-Index", "7"),
    );
    let exported = p.exported_services().await.unwrap();
    assert_eq!(exported.value.len(), 3);
    assert_eq!(exported.value[1].service, "db");
    assert_eq!(exported.value[1].consumers.peers, ["east"]);
    assert_eq!(sent(&mock).uri.path(), "/v1/exported-services");
    mock.push(Reply::json(fixture!(
        "exported_services_documented_enterprise.json"
    )));
    let ent = p
        .exported_services()
        .partition("default")
        .wait(7, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(ent.value[0].consumers.partitions, ["part1"]);
    assert_eq!(sent(&mock).query("partition").as_deref(), Some("default"));
    assert_eq!(sent(&mock).query("index").as_deref(), Some("7"));

    mock.push(Reply::json(fixture!("imported_services.json")));
    let ce = p.imported_services().await.unwrap().value;
    assert_eq!(sent(&mock).uri.path(), "/v1/imported-services");
    assert_eq!(ce.len(), 2);
    assert_eq!(ce[1].source_peer, "cluster-03");
    mock.push(Reply::json(fixture!("imported_services_enterprise.json")));
    let ent = p.imported_services().await.unwrap().value;
    assert_eq!(ent.len(), 2);
    assert_eq!(ent[1].source_partition, "part2");
}

#[tokio::test]
async fn peering_calls_take_no_datacenter_and_no_consistency_mode() {
    let (client, mock) = client();
    // A handle scoped to a datacenter: Consul reads no `?dc=` on these endpoints, so none
    // is sent.
    mock.push(Reply::json("[]"));
    client.peerings().dc("dc2").list().await.unwrap();
    assert_eq!(sent(&mock).uri.query(), None);
    // Nor the client's default consistency mode: Consul forces a leader read.
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.consistency = consul_api::Consistency::Stale;
    let stale = Client::with_transport(config, mock.clone()).unwrap();
    mock.push(Reply::json("[]"));
    stale.peerings().list().await.unwrap();
    assert_eq!(sent(&mock).uri.query(), None);
    // Options set by hand that do not apply are refused before sending.
    let before = mock.count();
    for opts in [
        QueryOptions::default().datacenter("dc2"),
        QueryOptions::default().filter("Name == x"),
    ] {
        let err = client.peerings().list().options(&opts).await.unwrap_err();
        assert!(err.is_validation(), "{err:?}");
    }
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn names_and_tokens_are_checked_before_sending() {
    let (client, mock) = client();
    let p = client.peerings();
    for err in [
        p.generate_token("").await.unwrap_err(),
        p.establish("", "token").await.unwrap_err(),
        p.establish("cluster-01", "").await.unwrap_err(),
        p.read("").await.unwrap_err(),
        p.read("..").await.unwrap_err(),
        p.delete("").await.unwrap_err(),
        p.delete("a/../b").await.unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err:?}");
    }
    assert_eq!(mock.count(), 0);
    // A name is one path segment.
    mock.push(Reply::status(404, "Peering not found for \"a b/c\""));
    assert_eq!(p.read("a b/c").await.unwrap().value, None);
    assert_eq!(sent(&mock).uri.path(), "/v1/peering/a%20b%2Fc");
}

#[tokio::test]
async fn an_agent_older_than_peering_answers_unsupported() {
    let (client, mock) = client();
    let p = client.peerings();
    not_served(&mock);
    let err = p.read("cluster-02").await.unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the consul agent (version 1.8.7) does not serve /v1/peering/cluster-02"
    );
    not_served(&mock);
    assert!(p.list().await.unwrap_err().is_unsupported());
    not_served(&mock);
    assert!(p
        .generate_token("cluster-02")
        .await
        .unwrap_err()
        .is_unsupported());
    not_served(&mock);
    assert!(p.imported_services().await.unwrap_err().is_unsupported());
}

/// `peer` goes only to the reads of a service's instances in the catalog and health
/// (Consul 1.13+), `merge-central-config` to those and to a node's services; elsewhere
/// they are refused before sending.
#[tokio::test]
async fn peer_and_merge_central_config_only_where_consul_reads_them() {
    let (client, mock) = client();
    let both = |req: &RecordedRequest| {
        assert_eq!(req.query("peer").as_deref(), Some("cluster-02"));
        assert_eq!(req.query("merge-central-config").as_deref(), Some(""));
    };
    mock.push(Reply::json("[]"));
    client
        .health()
        .service("web")
        .peer("cluster-02")
        .merge_central_config()
        .passing()
        .await
        .unwrap();
    both(&sent(&mock));
    assert_eq!(sent(&mock).uri.path(), "/v1/health/service/web");
    mock.push(Reply::json("[]"));
    client
        .health()
        .connect("web")
        .peer("cluster-02")
        .merge_central_config()
        .await
        .unwrap();
    both(&sent(&mock));
    mock.push(Reply::json("[]"));
    client
        .catalog()
        .service("web")
        .peer("cluster-02")
        .merge_central_config()
        .await
        .unwrap();
    both(&sent(&mock));
    assert_eq!(sent(&mock).uri.path(), "/v1/catalog/service/web");
    mock.push(Reply::json("[]"));
    client
        .catalog()
        .connect("web")
        .peer("cluster-02")
        .merge_central_config()
        .await
        .unwrap();
    both(&sent(&mock));
    mock.push(Reply::json("[]"));
    client
        .health()
        .ingress("web")
        .merge_central_config()
        .await
        .unwrap();
    assert_eq!(
        sent(&mock).query("merge-central-config").as_deref(),
        Some("")
    );
    mock.push(Reply::json(r#"{"Node":{"Node":"n1"},"Services":[]}"#));
    client
        .catalog()
        .node_service_list("n1")
        .merge_central_config()
        .await
        .unwrap();
    assert_eq!(sent(&mock).uri.path(), "/v1/catalog/node-services/n1");
    assert_eq!(
        sent(&mock).query("merge-central-config").as_deref(),
        Some("")
    );

    // Elsewhere, the same options set by hand are refused, and nothing is sent.
    let before = mock.count();
    let peer = QueryOptions::default().peer("cluster-02");
    let merge = QueryOptions::default().merge_central_config(true);
    for err in [
        client
            .health()
            .ingress("web")
            .options(&peer)
            .await
            .unwrap_err(),
        client.catalog().nodes().options(&peer).await.unwrap_err(),
        client
            .catalog()
            .services()
            .options(&merge)
            .await
            .unwrap_err(),
        client
            .health()
            .checks("web")
            .options(&peer)
            .await
            .unwrap_err(),
        client
            .catalog()
            .node("n1")
            .options(&merge)
            .await
            .unwrap_err(),
        client.peerings().list().options(&peer).await.unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err:?}");
    }
    // An empty peer name is refused too.
    let err = client.health().service("web").peer("").await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(mock.count(), before);
}
