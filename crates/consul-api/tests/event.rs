//! The event endpoints on a mock transport.

use consul_api::event::{Event, EventFilter};
use consul_api::{Client, Config, ValidationError};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

const LIST: &str = include_str!("../../consul-types/tests/fixtures/event/list.json");

#[tokio::test]
async fn fire_sends_raw_payload_and_filters() {
    let (client, mock) = client();
    mock.push(Reply::json(include_str!(
        "../../consul-types/tests/fixtures/event/fire.json"
    )));
    let payload: &'static [u8] = &[0, 0x9f, 0x92, 0x96, 0xff];
    let fired = client
        .event()
        .dc("dc2")
        .fire("deploy now")
        .payload(payload)
        .node_filter("fx4.*")
        .service_filter("web")
        .tag_filter("v1")
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

    // Without setters: no body, no filter; a prepared filter set; dc on the request.
    mock.push(Reply::json(include_str!(
        "../../consul-types/tests/fixtures/event/fire.json"
    )));
    client
        .event()
        .fire("ping")
        .node_filter("replaced")
        .filters(EventFilter::default().service("db"))
        .dc("dc3")
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert!(req.body.is_empty());
    assert_eq!(req.query("node"), None, "the prepared set replaces it");
    assert_eq!(req.query("service").as_deref(), Some("db"));
    assert_eq!(req.query("dc").as_deref(), Some("dc3"));
}

#[tokio::test]
async fn bad_input_is_never_sent() {
    let (client, mock) = client();
    let e = client.event().fire("").payload("x").await.unwrap_err();
    assert_eq!(
        e.as_validation(),
        Some(&ValidationError::Empty {
            field: "event name"
        })
    );
    let e = client.event().fire("x").tag_filter("v1").await.unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::Conflict(_))
    ));
    let e = client.event().fire("x").node_filter("").await.unwrap_err();
    assert!(e.is_validation());
    assert!(client
        .event()
        .list()
        .name("")
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn list_blocks_on_the_opaque_index_and_is_the_agents_own() {
    let (client, mock) = client();
    mock.push(Reply::json(LIST).header("X-Consul-Index", "14516501920814887480"));
    let listed = client
        .event()
        .list()
        .name("deploy")
        .wait(1_181_147_658_654_456_988, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(listed.value.len(), 3);
    assert_eq!(listed.meta.last_index, 14_516_501_920_814_887_480);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/event/list");
    assert_eq!(req.query("name").as_deref(), Some("deploy"));
    assert_eq!(req.query("index").as_deref(), Some("1181147658654456988"));
    assert_eq!(req.query("wait").as_deref(), Some("1000ms"));

    // The local agent's list: a handle's datacenter does not apply to it.
    mock.push(Reply::json("[]"));
    client.event().dc("dc2").list().await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("name"), None);
    assert_eq!(req.query("dc"), None);
}

/// Go's `event` watch blocks on the list's index by equality only: it is derived from the
/// latest event id, so a new event may well bring a smaller one. Each new event is
/// yielded all the same.
#[tokio::test]
async fn a_watch_yields_each_new_event_whatever_its_index() {
    let (client, mock) = client();
    let events: Vec<serde_json::Value> = serde_json::from_str(LIST).unwrap();
    let upto = |n: usize| serde_json::Value::from(events[..n].to_vec()).to_string();
    let index = |n: usize| {
        let id = events[n - 1]["ID"].as_str().unwrap();
        Event::id_to_index(id).unwrap().to_string()
    };
    let (i1, i2, i3) = (index(1), index(2), index(3));
    let n = |i: &str| i.parse::<u64>().unwrap();
    assert!(
        n(&i2) < n(&i1) && n(&i3) > n(&i2),
        "the fixture's index goes down, then up"
    );
    mock.push(Reply::json(upto(1)).header("X-Consul-Index", &i1));
    mock.push(Reply::json(upto(2)).header("X-Consul-Index", &i2));
    // An index that went down is read again at once, without one (the same list, not
    // yielded again), then blocked on.
    mock.push(Reply::json(upto(2)).header("X-Consul-Index", &i2));
    mock.push(Reply::json(upto(3)).header("X-Consul-Index", &i3));
    let mut watch = client
        .event()
        .list()
        .name("deploy")
        .wait(0, Duration::from_secs(5))
        .watch();
    for n in 1..=3 {
        let got = tokio::time::timeout(Duration::from_secs(5), watch.next())
            .await
            .expect("a new event is yielded")
            .unwrap()
            .unwrap();
        assert_eq!(got.value.len(), n);
        assert_eq!(got.value[n - 1].id, events[n - 1]["ID"].as_str().unwrap());
    }
    let sent: Vec<Option<String>> = mock.requests().iter().map(|r| r.query("index")).collect();
    assert_eq!(sent, vec![None, Some(i1), None, Some(i2)]);
    assert_eq!(mock.pending(), 0);
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
