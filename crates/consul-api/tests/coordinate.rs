//! The coordinate endpoints on a mock transport: what is sent, and how answers are read.

use consul_api::coordinate::{rtt, CoordinateEntry};
use consul_api::types::coordinate::Coordinate;
use consul_api::{Client, Config, QueryOptions};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

const DATACENTERS: &str =
    include_str!("../../consul-types/tests/fixtures/coordinate/datacenters.json");
const NODES: &str = include_str!("../../consul-types/tests/fixtures/coordinate/nodes.json");
const NODE: &str = include_str!("../../consul-types/tests/fixtures/coordinate/node.json");

#[tokio::test]
async fn datacenters_is_a_local_read() {
    let (client, mock) = client();
    mock.push(Reply::json(DATACENTERS));
    let dcs = client.coordinate().datacenters().await.unwrap().value;
    assert_eq!(dcs[0].datacenter, "dc1");
    assert_eq!(dcs[0].coordinates.len(), 1);
    let req = mock.last().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.path(), "/v1/coordinate/datacenters");
    assert_eq!(req.uri.query(), None);
    // Neither a datacenter nor a consistency mode: the handle's datacenter is not sent,
    // one set on the request is refused.
    mock.push(Reply::json("[]"));
    client.coordinate().dc("dc2").datacenters().await.unwrap();
    assert_eq!(mock.last().unwrap().uri.query(), None);
    let opts = QueryOptions::default().datacenter("dc2");
    assert!(client
        .coordinate()
        .datacenters()
        .options(&opts)
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn nodes_blocks_and_filters_by_segment() {
    let (client, mock) = client();
    mock.push(Reply::json(NODES).header("X-Consul-Index", "40"));
    let nodes = client
        .coordinate()
        .nodes()
        .segment("")
        .wait(39, Duration::from_secs(3))
        .stale()
        .dc("dc2")
        .await
        .unwrap();
    assert_eq!(nodes.value.len(), 2);
    assert_eq!(nodes.meta.last_index, 40);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/coordinate/nodes");
    assert_eq!(req.query("segment").as_deref(), Some(""));
    assert_eq!(req.query("index").as_deref(), Some("39"));
    assert_eq!(req.query("wait").as_deref(), Some("3000ms"));
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));

    mock.push(Reply::json("[]"));
    assert!(client.coordinate().nodes().await.unwrap().value.is_empty());
    assert_eq!(mock.last().unwrap().uri.query(), None);
}

#[tokio::test]
async fn node_is_empty_when_consul_has_no_coordinate() {
    let (client, mock) = client();
    mock.push(Reply::json(NODE).header("X-Consul-Index", "41"));
    let node = client.coordinate().node("ext-1").await.unwrap();
    assert_eq!(node.value.len(), 1);
    assert_eq!(node.value[0].node, "ext-1");
    assert_eq!(node.meta.last_index, 41);
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/coordinate/node/ext-1");

    // Consul 1.8.7 answers an unknown node (or one not measured yet) with an empty 404.
    mock.push(Reply::status(404, ""));
    assert!(client
        .coordinate()
        .node("nope")
        .segment("alpha")
        .await
        .unwrap()
        .value
        .is_empty());
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/coordinate/node/nope");
    assert_eq!(req.query("segment").as_deref(), Some("alpha"));

    // A watch yields the coordinate once it appears.
    mock.push(Reply::status(404, ""));
    mock.push(Reply::json(NODE).header("X-Consul-Index", "42"));
    let mut watch = client
        .coordinate()
        .node("ext-1")
        .wait_time(Duration::from_secs(1))
        .watch();
    assert!(watch.next().await.unwrap().unwrap().value.is_empty());
    let landed = watch.next().await.unwrap().unwrap();
    assert_eq!(landed.value.len(), 1);

    assert!(client
        .coordinate()
        .node("")
        .await
        .unwrap_err()
        .is_validation());
}

#[tokio::test]
async fn update_puts_the_entry() {
    let (client, mock) = client();
    let mut coord = Coordinate::origin();
    coord.vec[0] = 0.002;
    mock.push(Reply::status(200, ""));
    client
        .coordinate()
        .update(CoordinateEntry::new("ext-1", coord.clone()))
        .dc("dc2")
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/coordinate/update");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    let sent: CoordinateEntry = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(sent, CoordinateEntry::new("ext-1", coord.clone()));

    // Never sent: values JSON cannot carry (serde_json would write NaN as null, and Consul
    // 1.8.7 drops the connection on a null coordinate), or no node.
    let mut nan = coord.clone();
    nan.height = f64::NAN;
    let c = client.coordinate();
    assert!(c
        .update(CoordinateEntry::new("ext-1", nan))
        .await
        .unwrap_err()
        .is_validation());
    assert!(c
        .update(CoordinateEntry::new("", coord))
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn rtt_of_two_nodes_read_back() {
    let (client, mock) = client();
    mock.push(Reply::json(NODES));
    let nodes = client.coordinate().nodes().await.unwrap().value;
    let (a, b) = nodes.split_at(1);
    // 1 ms apart, plus heights of 100 µs and 10 µs.
    assert_eq!(rtt(a, b), Some(Duration::from_micros(1110)));
    assert_eq!(rtt(a, &[]), None);
}
