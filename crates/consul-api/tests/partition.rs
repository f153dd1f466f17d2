//! What the admin partition handle (Consul Enterprise) puts on the wire and how it reads
//! Consul's documented answers, on a MockTransport. An open-source agent serves none of it
//! (see `tests/tests/partition.rs` for what a real 1.8.7 agent answers).

use consul_api::partition::AdminPartition;
use consul_api::{Client, Config, QueryOptions};
use consul_transport::mock::{MockTransport, RecordedRequest, Reply};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../consul-types/tests/fixtures/partition/",
            $name
        ))
    };
}

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let config = Config::new("http://127.0.0.1:8500").unwrap();
    (Client::with_transport(config, mock.clone()).unwrap(), mock)
}

fn sent(mock: &MockTransport) -> RecordedRequest {
    mock.last().expect("a request was sent")
}

fn body_json(req: &RecordedRequest) -> serde_json::Value {
    serde_json::from_slice(&req.body).expect("a JSON body")
}

#[tokio::test]
async fn create_update_read_delete_list() {
    let (client, mock) = client();
    let p = client.partitions();
    let documented: serde_json::Value =
        serde_json::from_str(fixture!("create_payload_documented.json")).unwrap();

    mock.push(Reply::json(fixture!("read_documented.json")));
    let created = p
        .create(AdminPartition::new("na-west").description("Partition for North America West"))
        .await
        .unwrap()
        .value;
    assert_eq!(created.create_index, 55);
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/partition")
    );
    assert_eq!(body_json(&req), documented);

    mock.push(Reply::json(fixture!("read_documented.json")));
    p.update(AdminPartition::new("na-west").description("North America West Partition"))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/partition/na-west")
    );
    assert_eq!(
        body_json(&req),
        serde_json::json!({"Name": "na-west", "Description": "North America West Partition"})
    );

    mock.push(Reply::json(fixture!("read_documented.json")));
    let read = p.read("na-west").consistent().await.unwrap().value.unwrap();
    assert_eq!(read.description, "Partition for North America West");
    let req = sent(&mock);
    assert_eq!(req.uri.path(), "/v1/partition/na-west");
    assert_eq!(req.query("consistent").as_deref(), Some(""));
    mock.push(Reply::status(404, "Partition not found: \"nope\""));
    assert_eq!(p.read("nope").await.unwrap().value, None);

    mock.push(Reply::json(""));
    p.delete("na-west").await.unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", "/v1/partition/na-west")
    );

    mock.push(Reply::json(fixture!("list_documented.json")));
    let list = p.list().dc("dc2").await.unwrap().value;
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].name, "na-west");
    let req = sent(&mock);
    assert_eq!(req.uri.path(), "/v1/partitions");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    // The shape Go's `AdminPartitions` reads is accepted too.
    mock.push(Reply::json(r#"{"Partitions":[{"Name":"default"}]}"#));
    assert_eq!(p.list().await.unwrap().value[0].name, "default");
}

#[tokio::test]
async fn reads_do_not_block_and_names_are_checked() {
    let (client, mock) = client();
    let p = client.partitions();
    let waiting = QueryOptions::default()
        .wait_index(5)
        .wait_time(Duration::from_secs(1));
    for err in [
        p.list().options(&waiting).await.unwrap_err(),
        p.read("na-west").options(&waiting).await.unwrap_err(),
        p.create(AdminPartition::default()).await.unwrap_err(),
        p.update(AdminPartition::new("..")).await.unwrap_err(),
        p.read("").await.unwrap_err(),
        p.delete("a//b").await.unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err:?}");
    }
    assert_eq!(mock.count(), 0);

    mock.push(Reply::status(404, ""))
        .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
    let err = p.list().await.unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the consul agent (version 1.8.7) does not serve /v1/partitions"
    );
}
