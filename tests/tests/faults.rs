//! Faults, a misbehaving server and odd input: what the client refuses before sending, and
//! what it reports when a server answers badly. A misbehaving server is a loopback listener
//! of this file's own, scripted byte by byte; everything Consul can show is shown on a real
//! agent.

use consul_integration_tests::{recording_client, TestAgent};
use consulate::{Client, Consistency, Error, RetryPolicy};
use http::Method;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A loopback server that answers every connection with `answer` after reading the
/// request head; returns the address to give a client.
async fn misbehaving_server<F, Fut>(answer: F) -> String
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            tokio::spawn(answer(stream));
        }
    });
    format!("http://{addr}")
}

fn client_for(addr: &str, request_timeout: Duration) -> Client {
    Client::builder()
        .address(addr)
        .request_timeout(request_timeout)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_trickled_failure_body_cannot_hold_a_streaming_call() {
    // 500, then a body announced as 1 MB and sent at one byte a second.
    let addr = misbehaving_server(|mut stream| async move {
        let head = "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 1000000\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        loop {
            if stream.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let client = client_for(&addr, Duration::from_secs(1));
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(20), client.snapshot().save())
        .await
        .expect("save() must give up under the client's limits, not hang");
    let err = outcome.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
    assert!(err.to_string().contains("more than"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_stalled_snapshot_body_ends_with_a_timeout() {
    // 200 with a snapshot's head, a few bytes, then nothing (the connection stays open).
    let addr = misbehaving_server(|mut stream| async move {
        let head = "HTTP/1.1 200 OK\r\nx-consul-index: 42\r\ncontent-length: 1000000\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(b"\x1f\x8b partial").await;
        std::future::pending::<()>().await;
        drop(stream);
    })
    .await;
    let client = client_for(&addr, Duration::from_secs(1));
    let saved = client.snapshot().save().await.unwrap();
    assert_eq!(saved.meta.last_index, 42);
    assert!(saved.meta.request_time > Duration::ZERO);
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(20), saved.value.collect())
        .await
        .expect("a stalled body must end under the client's request timeout");
    let err = outcome.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_huge_error_page_becomes_a_short_message() {
    const SIZE: usize = 10 * 1024 * 1024;
    let addr = misbehaving_server(|mut stream| async move {
        let head = format!("HTTP/1.1 502 Bad Gateway\r\ncontent-length: {SIZE}\r\n\r\n");
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(&vec![b'<'; SIZE]).await;
    })
    .await;
    let client = client_for(&addr, Duration::from_secs(10));
    let err = client.kv().get("k").await.unwrap_err();
    let Error::Status { code, body, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(code.as_u16(), 502);
    assert!(body.len() < 4200, "kept {} bytes", body.len());
    assert!(
        body.ends_with(&format!("… ({SIZE} bytes)")),
        "{}",
        &body[body.len() - 30..]
    );
    assert!(err.to_string().len() < 4300);
}

#[tokio::test]
async fn retry_after_of_a_429_is_kept() {
    let addr = misbehaving_server(|mut stream| async move {
        let answer = "HTTP/1.1 429 Too Many Requests\r\nretry-after: 3\r\ncontent-length: 19\r\n\r\nrate limit exceeded";
        let _ = stream.write_all(answer.as_bytes()).await;
    })
    .await;
    let client = client_for(&addr, Duration::from_secs(10));
    // Not retried here, to see what the error carries (tests/retry.rs sees it honoured).
    let err = client
        .catalog()
        .nodes()
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("rate limit exceeded"), "{err}");
}

#[tokio::test]
async fn dot_segments_are_refused_before_consul_can_redirect_them() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let err = client.kv().put("a/../b", "v").await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert!(err.to_string().contains("'..'"), "{err}");
    let err = client.agent().service("..").await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = client.agent().force_leave("../leave").await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = client
        .request(Method::GET, "agent/../status/leader")
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(recorder.count(), 0, "nothing was sent");
    // What Consul would have done: redirect to the cleaned path.
    let raw = http_get(&agent, "/v1/kv/a/../b").await;
    assert!(raw.starts_with("HTTP/1.1 301"), "{raw}");
    // The agent is still a member (no `../leave` reached it) and `b` was never written.
    assert!(client.kv().get("b").await.unwrap().value.is_none());
    assert_eq!(client.agent().members().await.unwrap().value.len(), 1);
}

/// A plain HTTP/1.1 GET of `path`, sent as is (no client in between to normalise it).
async fn http_get(agent: &TestAgent, path: &str) -> String {
    let addr = agent.http_addr();
    let authority = addr.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn a_zero_wait_blocks_for_the_agents_default_not_the_clients_margin() {
    let agent = TestAgent::dev().await;
    let mut config = agent.config();
    // The client's margin is its request timeout when shorter than 10 s.
    config.request_timeout = Some(Duration::from_secs(1));
    let client = Client::new(config).unwrap();
    let kv = client.kv();
    kv.put("zero-wait", "1").await.unwrap();
    let index = kv.get("zero-wait").await.unwrap().meta.last_index;
    let read = tokio::spawn(kv.get("zero-wait").wait(index, Duration::ZERO).send());
    // Let more time pass than the old budget (0 s + the 1 s margin) allowed; the write
    // only then ends the wait.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!read.is_finished(), "the read must still be blocking");
    kv.put("zero-wait", "2").await.unwrap();
    let got = read.await.unwrap().unwrap();
    assert_eq!(got.value.unwrap().value_str(), Some("2"));
}

#[tokio::test]
async fn raw_requests_use_their_own_token_and_the_handles_scope() {
    const MASTER: &str = "root-secret-0000-0000-000000000007";
    let agent = TestAgent::builder()
        .acl_master_token(MASTER)
        .start()
        .await
        .unwrap();
    // A client whose own token may do nothing (anonymous, default deny).
    let mut config = agent.config();
    config.token = Some("00000000-0000-0000-0000-000000000000".into());
    let client = Client::new(config).unwrap();
    let err = client.request(Method::GET, "kv/x").await.unwrap_err();
    assert!(err.is_permission_denied());
    let response = client
        .request(Method::PUT, "kv/raw-token")
        .token(MASTER)
        .body("v")
        .await
        .unwrap();
    assert_eq!(response.body().trim_ascii(), b"true");

    // The handle's datacenter reaches Consul: an unknown one is refused by the agent.
    let mut config = agent.config();
    config.token = Some(MASTER.into());
    config.consistency = Consistency::Consistent;
    let client = Client::new(config).unwrap();
    let err = client
        .dc("nowhere")
        .request(Method::GET, "catalog/nodes")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("No path to datacenter"), "{err}");
    let ok = client
        .dc(agent.datacenter())
        .request(Method::GET, "kv/raw-token")
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn a_stopped_agent_is_reported_with_address_and_cause() {
    let mut agent = TestAgent::dev().await;
    let client = agent.client();
    let authority = agent.http_addr().trim_start_matches("http://").to_owned();
    agent.stop().await;
    let err = client
        .kv()
        .get("k")
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(
        err.as_transport().is_some_and(|t| t.is_connect()),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("transport failure: connect to {authority}: connection refused")
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the chain is kept"
    );
}
