//! Every retry is a tracing event in the request's span, without the token. In a test
//! binary of its own: a subscriber set for one test thread misses events when other tests of
//! the same process, without one, reach the same call sites at the same time (tracing's
//! per-call-site interest cache), which made this test fail one run in two beside the other
//! retry tests.

use consul_api::{Client, Config};
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

#[tokio::test(start_paused = true)]
async fn every_retry_is_a_tracing_event_without_the_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
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
