//! The discovery chain on a mock transport: what is sent, and how answers are read.

use consul_api::discovery_chain::{DiscoveryChainOverrides, DiscoveryNodeType, MeshGatewayMode};
use consul_api::{Client, Config};
use consul_transport::mock::{MockTransport, RecordedRequest, Reply};
use serde_json::{json, Value};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../consul-types/tests/fixtures/config_entry/",
            $name,
            ".json"
        ))
    };
}

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

fn sent(mock: &MockTransport) -> RecordedRequest {
    mock.last().expect("a request was sent")
}

#[tokio::test]
async fn get_is_a_plain_read_without_overrides() {
    let (client, mock) = client();
    mock.push(
        Reply::json(fixture!("discovery_chain_web"))
            .header("X-Consul-Index", "36")
            .header("X-Consul-Effective-Consistency", "leader"),
    );
    let read = client
        .discovery_chain()
        .get("web")
        .compile_dc("dc1")
        .dc("dc1")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.path(), "/v1/discovery-chain/web");
    assert_eq!(req.query("compile-dc").as_deref(), Some("dc1"));
    assert_eq!(req.query("dc").as_deref(), Some("dc1"));
    assert!(req.body.is_empty());
    assert_eq!(read.meta.last_index, 36);
    let chain = read.value;
    assert_eq!(chain.service_name, "web");
    assert_eq!(chain.start().unwrap().node_type, DiscoveryNodeType::Router);
    assert!(!chain.is_default());
}

#[tokio::test]
async fn overrides_make_it_a_post_with_a_body() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("discovery_chain_overrides")));
    let chain = client
        .discovery_chain()
        .get("db")
        .override_connect_timeout(Duration::from_secs(7))
        .override_protocol("grpc")
        .override_mesh_gateway(MeshGatewayMode::Local)
        .await
        .unwrap()
        .value;
    let req = sent(&mock);
    assert_eq!(req.method, "POST");
    assert_eq!(req.uri.path(), "/v1/discovery-chain/db");
    assert!(req.query("compile-dc").is_none());
    assert_eq!(req.headers["content-type"], "application/json");
    assert_eq!(
        serde_json::from_slice::<Value>(&req.body).unwrap(),
        json!({"OverrideConnectTimeout": "7s", "OverrideProtocol": "grpc",
               "OverrideMeshGateway": {"Mode": "local"}})
    );
    assert_eq!(chain.protocol, "grpc");
    assert!(!chain.customization_hash.is_empty());

    // A prepared set of overrides, one of them only.
    mock.push(Reply::json(fixture!("discovery_chain_overrides")));
    client
        .discovery_chain()
        .get("db")
        .overrides(DiscoveryChainOverrides::default().protocol("http"))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.method, "POST");
    assert_eq!(
        serde_json::from_slice::<Value>(&req.body).unwrap(),
        json!({"OverrideProtocol": "http"})
    );
}

#[tokio::test]
async fn it_blocks_caches_and_watches() {
    let (client, mock) = client();
    mock.push(
        Reply::json(fixture!("discovery_chain_default"))
            .header("X-Consul-Index", "40")
            .header("X-Cache", "HIT")
            .header("Age", "3"),
    );
    let read = client
        .discovery_chain()
        .get("db")
        .cached(Duration::from_secs(30))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.query("cached").as_deref(), Some(""));
    assert_eq!(req.headers["cache-control"], "max-age=30");
    assert!(read.value.is_default());
    assert_eq!(read.meta.cache_hit, Some(true));

    mock.push(Reply::json(fixture!("discovery_chain_default")).header("X-Consul-Index", "41"));
    client
        .discovery_chain()
        .get("db")
        .wait(40, Duration::from_secs(2))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.query("index").as_deref(), Some("40"));
    assert!(req.timeout.unwrap() > Duration::from_secs(2));

    mock.push(Reply::json(fixture!("discovery_chain_default")).header("X-Consul-Index", "41"));
    let mut watch = client.discovery_chain().get("db").watch();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.value.service_name, "db");
}

#[tokio::test]
async fn bad_input_is_never_sent_and_refusals_are_errors() {
    let (client, mock) = client();
    let chains = client.discovery_chain();
    assert!(chains.get("").await.unwrap_err().is_validation());
    assert!(chains
        .get("web")
        .compile_dc("")
        .await
        .unwrap_err()
        .is_validation());
    // Options the endpoint does not take are refused too.
    assert!(chains
        .get("web")
        .options(&consul_api::QueryOptions::default().filter("x"))
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);

    mock.push(Reply::status(
        400,
        "Invalid OverrideMeshGateway.Mode parameter",
    ));
    let err = chains
        .get("web")
        .override_mesh_gateway(MeshGatewayMode::Other("sideways".into()))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("OverrideMeshGateway"), "{err}");
}
