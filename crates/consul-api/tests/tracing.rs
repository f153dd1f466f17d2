//! Every request is logged in a span with method, path, status and duration, every retry
//! is an event in it — and the token never appears in what is logged.
//!
//! A test binary of its own, whose tests all set a subscriber: beside tests without one,
//! tracing's per-call-site interest cache can take "nobody listens" from a thread that has
//! none and make these tests miss their events.

use consul_api::{Client, Config, QueryOptions};
use consul_transport::mock::{MockTransport, Reply};
use consul_transport::TransportError;
use std::io::Write;
use std::sync::{Arc, Mutex};

const PAIR: &str = r#"[{"Key":"k","Value":"dg==","CreateIndex":5,"ModifyIndex":9}]"#;

fn client(mock: &MockTransport) -> Client {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("secret-token".into());
    Client::with_transport(config, mock.clone()).unwrap()
}

fn reset() -> Reply {
    Reply::Error(TransportError::io("connection reset"))
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_carry_method_path_status_and_never_the_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Tests running at the same time without a subscriber may have cached "nobody
    // listens" for a call site while this one was being set: ask every call site again.
    tracing::callsite::rebuild_interest_cache();

    let mock = MockTransport::new();
    mock.push(Reply::json("true")).push(Reply::status(404, ""));
    let recorder = mock.clone();
    let mut config = Config::new("127.0.0.1:8500").unwrap();
    config.token = Some("super-secret-token".into());
    let client = Client::with_transport(config, recorder).unwrap();
    client.kv().put("traced/key", "v").await.unwrap();
    client
        .kv()
        .get("traced/key")
        .options(&QueryOptions::default().token("other-secret"))
        .await
        .unwrap();

    mock.push(Reply::json("[]"));
    client.acl().legacy_info("legacy-secret-id").await.unwrap();
    // A secret where an accessor id belongs: both are UUIDs, so only the log can hide it.
    let secret_as_id = "6b4d7f0e-5c1b-4a3e-9a55-2f5e8c9d0a11";
    mock.push(Reply::status(403, "ACL not found"))
        .push(Reply::json("{}"));
    let missing = client.acl().token_read(secret_as_id).await.unwrap();
    assert!(
        missing.value.is_none(),
        "Consul 1.8's answer for no such token"
    );
    let read = &mock.requests()[mock.count() - 2];
    assert!(read.uri.path().ends_with(secret_as_id));
    mock.push(Reply::status(403, "Permission denied"));
    let err = client.acl().token_delete(secret_as_id).await.unwrap_err();
    assert!(err.is_permission_denied());
    assert!(mock.last().unwrap().uri.path().ends_with(secret_as_id));

    let logged = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("consul.request"), "{logged}");
    assert!(
        logged.contains("method=PUT") && logged.contains("method=GET"),
        "{logged}"
    );
    assert!(logged.contains("path=kv/traced/key"), "{logged}");
    assert!(
        logged.contains("status=200") && logged.contains("status=404"),
        "{logged}"
    );
    assert!(logged.contains("duration_ms="), "{logged}");
    assert!(
        !logged.contains("super-secret-token") && !logged.contains("other-secret"),
        "{logged}"
    );
    assert!(logged.contains("path=acl/info/<redacted>"), "{logged}");
    assert!(!logged.contains("legacy-secret-id"), "{logged}");
    assert!(logged.contains("path=acl/token/<redacted>"), "{logged}");
    assert!(!logged.contains(secret_as_id), "{logged}");
}

#[tokio::test(start_paused = true)]
/// Every retry is a tracing event in the request's span, without the token.
async fn every_retry_is_a_tracing_event_without_the_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let mock = MockTransport::new();
    mock.push(reset())
        .push(Reply::status(500, "No cluster leader"))
        .push(Reply::json(PAIR));
    client(&mock).kv().get("k").await.unwrap();
    let logged = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        logged.matches("retrying consul request").count(),
        2,
        "{logged}"
    );
    assert!(
        logged.contains("attempt=1") && logged.contains("attempt=2"),
        "{logged}"
    );
    assert!(logged.contains("No cluster leader"), "{logged}");
    assert!(!logged.contains("secret-token"), "{logged}");
}
