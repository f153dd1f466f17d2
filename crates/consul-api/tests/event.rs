//! The event endpoints on a mock transport.

use consul_api::event::{Event, EventFilter};
use consul_api::{Client, Config, QueryOptions, ValidationError, WriteOptions};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

#[tokio::test]
async fn fire_sends_raw_payload_and_filters() {
    let (client, mock) = client();
    mock.push(Reply::json(include_str!(
        "../../consul-types/tests/fixtures/event/fire.json"
    )));
    let payload: &'static [u8] = &[0, 0x9f, 0x92, 0x96, 0xff];
    let filter = EventFilter::default()
        .node("fx4.*")
        .service("web")
        .tag("v1");
    let fired = client
        .event()
        .dc("dc2")
        .fire("deploy now", payload, &filter, &WriteOptions::default())
        .await
        .unwrap()
        .value;
    assert_eq!(&fired.payload[..], payload);
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/event/fire/deploy%20now");
    assert_eq!(&req.body[..], payload);
    assert_eq!(req.query("node").as_deref(), Some("fx4.*"));
    assert_eq!(req.query("service").as_deref(), Some("web"));
    assert_eq!(req.query("tag").as_deref(), Some("v1"));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
}

#[tokio::test]
async fn bad_input_is_never_sent() {
    let (client, mock) = client();
    let e = client
        .event()
        .fire("", "x", &EventFilter::default(), &WriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.as_validation(),
        Some(&ValidationError::Empty {
            field: "event name"
        })
    );
    let e = client
        .event()
        .fire(
            "x",
            "",
            &EventFilter::default().tag("v1"),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::Conflict(_))
    ));
    assert!(client
        .event()
        .list(Some(""), &QueryOptions::default())
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn list_blocks_on_the_opaque_index() {
    let (client, mock) = client();
    mock.push(
        Reply::json(include_str!(
            "../../consul-types/tests/fixtures/event/list.json"
        ))
        .header("X-Consul-Index", "14516501920814887480"),
    );
    let q = QueryOptions::default()
        .wait_index(1_181_147_658_654_456_988)
        .wait_time(Duration::from_secs(1));
    let listed = client.event().list(Some("deploy"), &q).await.unwrap();
    assert_eq!(listed.value.len(), 3);
    assert_eq!(listed.meta.last_index, 14_516_501_920_814_887_480);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/event/list");
    assert_eq!(req.query("name").as_deref(), Some("deploy"));
    assert_eq!(req.query("index").as_deref(), Some("1181147658654456988"));

    mock.push(Reply::json("[]"));
    client
        .event()
        .list_filtered(
            None,
            &EventFilter::default().service("web"),
            &QueryOptions::default(),
        )
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("name"), None);
    assert_eq!(req.query("service").as_deref(), Some("web"));
}

#[test]
fn id_to_index_matches_go() {
    // Go: lower = 8+4+4 hex digits, upper = 4+12, XOR.
    let id = "b6d0b6ae-6a65-f229-8b1f-b42e8e5b67af";
    let low = u64::from_str_radix("b6d0b6ae6a65f229", 16).unwrap();
    let high = u64::from_str_radix("8b1fb42e8e5b67af", 16).unwrap();
    assert_eq!(Event::id_to_index(id), Some(low ^ high));
    assert_eq!(Event::id_to_index("not-a-uuid"), None);
    assert_eq!(
        Event::id_to_index("b6d0b6ae+6a65-f229-8b1f-b42e8e5b67af"),
        None
    );
}
