//! What the namespace handle (Consul Enterprise) puts on the wire and how it reads Consul's
//! documented answers, on a MockTransport. An open-source agent serves none of it (see
//! `tests/tests/namespace.rs` for what a real 1.8.7 agent answers).

use consul_api::namespace::{AclLink, Namespace};
use consul_api::{Client, Config};
use consul_transport::mock::{MockTransport, RecordedRequest, Reply};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../consul-types/tests/fixtures/namespace/",
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

fn team_1() -> Namespace {
    Namespace::new("team-1")
        .description("Namespace for Team 1")
        .policy_default(AclLink::id("77117cf6-d976-79b0-d63b-5a36ac69c8f1"))
        .policy_default(AclLink::name("node-read"))
        .role_default(AclLink::id("69748856-ae69-d620-3ec4-07844b3c6be7"))
        .role_default(AclLink::name("ns-team-2-read"))
        .meta("foo", "bar")
}

#[tokio::test]
async fn create_and_update_send_the_documented_payload() {
    let (client, mock) = client();
    let documented: serde_json::Value =
        serde_json::from_str(fixture!("create_payload_documented.json")).unwrap();

    mock.push(Reply::json(fixture!("read_documented.json")));
    let created = client.namespaces().create(team_1()).await.unwrap().value;
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/namespace")
    );
    assert_eq!(body_json(&req), documented);
    // Links by name come back with their IDs.
    let acls = created.acls.unwrap();
    assert_eq!(
        acls.policy_defaults[1].id,
        "af937401-9950-fcae-8396-610ce047649a"
    );
    assert_eq!(created.create_index, 55);

    mock.push(Reply::json(fixture!("read_documented.json")));
    client
        .namespaces()
        .update(team_1())
        .partition("ap1")
        .dc("dc2")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/namespace/team-1")
    );
    assert_eq!(req.query("partition").as_deref(), Some("ap1"));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(body_json(&req), documented);
}

#[tokio::test]
async fn read_is_none_when_consul_says_not_found_and_blocks() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("read_documented.json")).header("X-Consul-Index", "55"));
    let read = client.namespaces().read("team-1").await.unwrap();
    assert_eq!(read.value.unwrap().meta["foo"], "bar");
    assert_eq!(read.meta.last_index, 55);
    assert_eq!(sent(&mock).uri.path(), "/v1/namespace/team-1");

    mock.push(Reply::status(404, "Namespace not found: \"nope\""));
    assert_eq!(client.namespaces().read("nope").await.unwrap().value, None);

    mock.push(Reply::json(fixture!("deleted_documented.json")).header("X-Consul-Index", "100"));
    let deleted = client
        .namespaces()
        .read("team-1")
        .stale()
        .wait(55, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(deleted.value.unwrap().is_deleted());
    let req = sent(&mock);
    assert_eq!(req.query("index").as_deref(), Some("55"));
    assert_eq!(req.query("wait").as_deref(), Some("5000ms"));
    assert_eq!(req.query("stale").as_deref(), Some(""));
}

#[tokio::test]
async fn a_watch_of_the_list_yields_each_change() {
    let (client, mock) = client();
    let only_default = r#"[{"Name":"default","Description":"Builtin Default Namespace","CreateIndex":6,"ModifyIndex":6}]"#;
    mock.push(Reply::json(only_default).header("X-Consul-Index", "6"));
    mock.push(Reply::json(fixture!("list_documented.json")).header("X-Consul-Index", "55"));
    let mut watch = client
        .namespaces()
        .list()
        .wait_time(Duration::from_secs(5))
        .watch();
    assert_eq!(watch.next().await.unwrap().unwrap().value.len(), 1);
    let next = watch.next().await.unwrap().unwrap();
    assert_eq!(next.value[1].name, "team-1");
    let requests = mock.requests();
    assert_eq!(requests[0].uri.path(), "/v1/namespaces");
    assert_eq!(requests[1].query("index").as_deref(), Some("6"));
}

#[tokio::test]
async fn delete_and_what_an_open_source_agent_answers() {
    let (client, mock) = client();
    mock.push(Reply::json(""));
    client.namespaces().delete("team-1").await.unwrap();
    let req = sent(&mock);
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", "/v1/namespace/team-1")
    );

    mock.push(Reply::status(404, ""))
        .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
    let err = client.namespaces().read("team-1").await.unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the consul agent (version 1.8.7) does not serve /v1/namespace/team-1"
    );
}

#[tokio::test]
async fn names_are_checked_before_sending() {
    let (client, mock) = client();
    let ns = client.namespaces();
    for err in [
        ns.create(Namespace::default()).await.unwrap_err(),
        ns.update(Namespace::new("..")).await.unwrap_err(),
        ns.read("").await.unwrap_err(),
        ns.delete(".").await.unwrap_err(),
    ] {
        assert!(err.is_validation(), "{err:?}");
    }
    assert_eq!(mock.count(), 0);
}
