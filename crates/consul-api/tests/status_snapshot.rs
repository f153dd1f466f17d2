//! What the status and snapshot handles put on the wire, checked on a MockTransport.

use consul_api::{Client, Config};
use consul_transport::mock::{MockTransport, Reply};

fn client(mock: &MockTransport) -> Client {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("ops-token".into());
    Client::with_transport(config, mock.clone()).unwrap()
}

#[tokio::test]
async fn leader_and_peers() {
    let mock = MockTransport::new();
    mock.push(Reply::json(r#""10.0.0.1:8300""#))
        .push(Reply::json(r#""""#))
        .push(Reply::json(r#"["10.0.0.1:8300","10.0.0.2:8300"]"#))
        .push(Reply::status(500, "No path to datacenter"));
    let status = client(&mock).status();
    assert_eq!(
        status.leader().await.unwrap().value.as_deref(),
        Some("10.0.0.1:8300")
    );
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/status/leader")
    );
    assert_eq!(req.headers["x-consul-token"], "ops-token");
    assert!(
        status.leader().await.unwrap().value.is_none(),
        "\"\" while there is no leader"
    );
    let peers = status.peers().dc("dc2").await.unwrap().value;
    assert_eq!(peers, ["10.0.0.1:8300", "10.0.0.2:8300"]);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/status/peers");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    let err = status.dc("nowhere").peers().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(mock.last().unwrap().query("dc").as_deref(), Some("nowhere"));
}

#[tokio::test]
async fn snapshot_save_streams_the_archive_with_its_meta() {
    let mock = MockTransport::new();
    mock.push(
        Reply::json(&b"\x1f\x8b archive bytes"[..])
            .header("x-consul-index", "42")
            .header("x-consul-knownleader", "true"),
    );
    let saved = client(&mock)
        .snapshot()
        .save()
        .stale()
        .dc("dc2")
        .await
        .unwrap();
    assert_eq!(saved.meta.last_index, 42);
    assert_eq!(saved.meta.known_leader, Some(true));
    let archive = saved.value.collect().await.unwrap();
    assert_eq!(&archive[..], b"\x1f\x8b archive bytes");
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/snapshot")
    );
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.headers["x-consul-token"], "ops-token");

    mock.push(Reply::status(403, "Permission denied"));
    let err = client(&mock).snapshot().save().await.unwrap_err();
    assert!(err.is_permission_denied(), "{err:?}");
}

#[tokio::test]
async fn snapshot_restore_sends_the_archive_as_is() {
    let mock = MockTransport::new();
    mock.push(Reply::json(""));
    let snapshot = client(&mock).snapshot();
    let archive = bytes::Bytes::from_static(b"\x1f\x8b archive bytes");
    let request = snapshot.restore(archive.clone()).token("restore-token");
    assert!(
        !format!("{request:?}").contains("archive bytes"),
        "{request:?}"
    );
    request.await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/snapshot")
    );
    assert_eq!(req.body, archive);
    assert!(req.headers.get("content-type").is_none());
    assert_eq!(req.headers["x-consul-token"], "restore-token");

    let err = snapshot.restore(bytes::Bytes::new()).await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(mock.count(), 1, "an empty archive is not sent");
}
