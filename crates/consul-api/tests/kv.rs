//! What the KV handle puts on the wire, checked on a MockTransport (no agent needed).

use consul_api::kv::KvPutParams;
use consul_api::{Client, Config, Consistency, Error, QueryOptions, WriteOptions};
use consul_transport::mock::{MockTransport, Reply};
use consul_transport::TransportError;
use std::time::Duration;

fn client(mock: &MockTransport) -> Client {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("secret-token".into());
    Client::with_transport(config, mock.clone()).unwrap()
}

const GET_BODY: &str =
    r#"[{"LockIndex":0,"Key":"a b/ü","Flags":3,"Value":"aGk=","CreateIndex":5,"ModifyIndex":9}]"#;

#[tokio::test]
async fn get_encodes_key_options_and_token() {
    let mock = MockTransport::new();
    mock.push(
        Reply::json(GET_BODY)
            .header("x-consul-index", "9")
            .header("x-consul-knownleader", "true")
            .header("x-consul-lastcontact", "0"),
    );
    let got = client(&mock)
        .kv()
        .dc("dc2")
        .get("a b/ü")
        .stale()
        .wait(7, Duration::from_secs(3))
        .await
        .unwrap();
    let pair = got.value.unwrap();
    assert_eq!(
        (pair.key.as_str(), &pair.value[..], pair.flags),
        ("a b/ü", &b"hi"[..], 3)
    );
    assert_eq!(got.meta.last_index, 9);
    assert_eq!(got.meta.known_leader, Some(true));

    let req = mock.last().unwrap();
    assert_eq!(req.method, http::Method::GET);
    assert_eq!(req.uri.path(), "/v1/kv/a%20b/%C3%BC");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("index").as_deref(), Some("7"));
    assert_eq!(req.query("wait").as_deref(), Some("3000ms"));
    assert_eq!(req.headers["x-consul-token"], "secret-token");
    assert!(!req.uri.to_string().contains("secret"));
}

#[tokio::test]
async fn missing_key_is_none_and_keeps_the_index() {
    let mock = MockTransport::new();
    mock.push(Reply::status(404, "").header("x-consul-index", "12"));
    let got = client(&mock).kv().get("nope").await.unwrap();
    assert!(got.value.is_none());
    assert_eq!(got.meta.last_index, 12);
}

#[tokio::test]
async fn put_sends_raw_bytes_and_params() {
    let mock = MockTransport::new();
    mock.push(Reply::json("true")).push(Reply::json("false"));
    let kv = client(&mock).kv();
    let params = KvPutParams::default().flags(42).cas(0);
    let ok = kv
        .put("k", vec![0u8, 255])
        .params(params.clone())
        .await
        .unwrap();
    assert!(ok.value);
    let req = mock.last().unwrap();
    assert_eq!(req.method, http::Method::PUT);
    assert_eq!(&req.body[..], &[0u8, 255]);
    assert_eq!(req.query("flags").as_deref(), Some("42"));
    assert_eq!(req.query("cas").as_deref(), Some("0"));
    assert!(
        req.headers.get("content-type").is_none(),
        "raw bytes, not JSON"
    );

    let lost = kv.acquire("k", "v", "sess-1").await.unwrap();
    assert!(!lost.value, "false from Consul is reported, not hidden");
    assert_eq!(
        mock.last().unwrap().query("acquire").as_deref(),
        Some("sess-1")
    );
}

#[tokio::test]
async fn list_keys_and_deletes() {
    let mock = MockTransport::new();
    mock.push(Reply::status(404, ""))
        .push(Reply::json(r#"["a/","b"]"#))
        .push(Reply::json("true"))
        .push(Reply::json("true"))
        .push(Reply::json("false"));
    let kv = client(&mock).kv();
    assert!(kv.list("none/").await.unwrap().value.is_empty());
    assert!(mock.last().unwrap().query("recurse").is_some());
    let keys = kv.keys("").separator("/").await.unwrap().value;
    assert_eq!(keys, ["a/", "b"]);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/kv/");
    assert_eq!(req.query("separator").as_deref(), Some("/"));
    kv.delete_tree("tmp/").await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.query("recurse").is_some()),
        ("DELETE", true)
    );
    kv.delete("x").dc("dc3").await.unwrap();
    assert_eq!(mock.last().unwrap().query("dc").as_deref(), Some("dc3"));
    assert!(!kv.delete_cas("x", 4).await.unwrap().value);
    assert_eq!(mock.last().unwrap().query("cas").as_deref(), Some("4"));
}

#[tokio::test]
async fn failure_statuses_become_typed_errors() {
    let mock = MockTransport::new();
    mock.push(Reply::status(403, "Permission denied"))
        .push(Reply::status(500, "No path to datacenter"))
        .push(Reply::status(413, "Value exceeds 524288 byte limit"))
        .push(Reply::json("not json"))
        .push(Reply::json("[]").header("x-consul-index", "abc"))
        .push(Reply::Error(TransportError::io("connection reset")));
    let kv = client(&mock).kv();
    assert!(
        matches!(kv.get("k").await.unwrap_err(), Error::PermissionDenied { message } if message == "Permission denied")
    );
    let e = kv.get("k").await.unwrap_err();
    assert!(
        matches!(&e, Error::Status { code, body, .. } if code.as_u16() == 500 && body == "No path to datacenter")
    );
    assert!(e.is_retryable());
    let e = kv.put("k", "v").await.unwrap_err();
    assert_eq!(e.status().map(|c| c.as_u16()), Some(413));
    assert!(matches!(kv.get("k").await.unwrap_err(), Error::Decode(_)));
    assert!(matches!(kv.get("k").await.unwrap_err(), Error::Meta(m) if m.name == "x-consul-index"));
    let e = kv
        .get("k")
        .retry(consul_api::RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(e.as_transport().is_some_and(|t| t.is_io()));
}

#[tokio::test]
async fn blocking_reads_get_a_longer_time_limit() {
    let mock = MockTransport::new();
    mock.push(Reply::status(404, ""));
    client(&mock)
        .kv()
        .get("k")
        .wait(3, Duration::from_secs(160))
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("wait").as_deref(), Some("160000ms"));
    // wait + wait/16 jitter + the client's margin, so the transport never cuts it short.
    assert_eq!(req.timeout, Some(Duration::from_secs(160 + 10 + 10)));
    mock.push(Reply::status(404, ""));
    client(&mock).kv().get("k").await.unwrap();
    assert_eq!(
        mock.last().unwrap().timeout,
        None,
        "non-blocking reads keep the default"
    );
}

#[tokio::test]
async fn namespace_and_partition_only_when_configured() {
    let mock = MockTransport::new();
    let c = client(&mock);
    mock.push(Reply::status(404, ""));
    c.kv().get("k").await.unwrap();
    let req = mock.last().unwrap();
    assert!(req.query("ns").is_none() && req.query("partition").is_none());

    let mut config = Config::new("127.0.0.1:8500").unwrap();
    config.namespace = Some("team".into());
    config.partition = Some("p1".into());
    let c = Client::with_transport(config, mock.clone()).unwrap();
    mock.push(Reply::status(404, ""));
    c.kv().get("k").await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("ns").as_deref(), Some("team"));
    assert_eq!(req.query("partition").as_deref(), Some("p1"));
}

#[tokio::test]
async fn query_strings_have_no_stray_separator() {
    let mock = MockTransport::new();
    mock.push(Reply::json("true"));
    let params = KvPutParams::default().flags(1);
    client(&mock)
        .kv()
        .put("k", "v")
        .params(params.clone())
        .await
        .unwrap();
    assert_eq!(mock.last().unwrap().uri.query(), Some("flags=1"));
}

#[tokio::test]
async fn a_prepared_set_of_options_is_reused() {
    let mock = MockTransport::new();
    mock.push(Reply::status(404, ""))
        .push(Reply::status(404, ""));
    let prepared = QueryOptions::default()
        .datacenter("dc2")
        .consistency(Consistency::Consistent)
        .token("reader");
    let kv = client(&mock).kv();
    kv.get("a").options(&prepared).await.unwrap();
    kv.get_raw("b").options(&prepared).await.unwrap();
    for req in mock.requests() {
        assert_eq!(req.query("dc").as_deref(), Some("dc2"));
        assert_eq!(req.query("consistent").as_deref(), Some(""));
        assert_eq!(req.headers["x-consul-token"], "reader");
    }
    let written = WriteOptions::default().datacenter("dc3");
    mock.push(Reply::json("true"));
    kv.put("c", "v").options(&written).await.unwrap();
    assert_eq!(mock.last().unwrap().query("dc").as_deref(), Some("dc3"));
}
