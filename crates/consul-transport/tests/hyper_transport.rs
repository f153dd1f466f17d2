//! HyperTransport against a tiny hyper server on 127.0.0.1 (and on a Unix socket).

use bytes::Bytes;
use consul_transport::{HyperTransport, RequestTimeout, Transport};
use futures_core::Stream;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Echoes method, path and body; `/slow` answers after 2 s; `/chunks` streams three chunks.
async fn handle(req: hyper::Request<Incoming>) -> Result<hyper::Response<String>, Infallible> {
    use http_body::Body as _;
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let token = req
        .headers()
        .get("x-consul-token")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let mut body = req.into_body();
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        if let Ok(data) = frame.unwrap().into_data() {
            bytes.extend_from_slice(&data);
        }
    }
    if path == "/slow" {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    if path == "/missing" {
        let mut r = hyper::Response::new(String::new());
        *r.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(r);
    }
    Ok(hyper::Response::new(format!(
        "{method} {path} {} token={token:?}",
        String::from_utf8_lossy(&bytes)
    )))
}

async fn serve_tcp() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
    (format!("http://{addr}"), connections)
}

fn get(uri: &str) -> http::Request<Bytes> {
    http::Request::get(uri).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn sends_and_pools_connections() {
    let (base, connections) = serve_tcp().await;
    let t = HyperTransport::new();
    for i in 0..5 {
        let req = http::Request::put(format!("{base}/v1/kv/k{i}"))
            .header("x-consul-token", "tok")
            .body(Bytes::from(format!("body{i}")))
            .unwrap();
        let r = t.send(req).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.body(),
            &Bytes::from(format!("PUT /v1/kv/k{i} body{i} token=Some(\"tok\")"))
        );
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "keep-alive reuses one connection"
    );
}

#[tokio::test]
async fn a_404_is_a_response_not_an_error() {
    let (base, _) = serve_tcp().await;
    let r = HyperTransport::new()
        .send(get(&format!("{base}/missing")))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_that_says_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = HyperTransport::new()
        .send(get(&format!("http://127.0.0.1:{port}/")))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(err.target(), Some(format!("127.0.0.1:{port}").as_str()));
    // One line a user can act on, not "could not connect to the consul agent".
    assert_eq!(
        err.to_string(),
        format!("connect to 127.0.0.1:{port}: connection refused")
    );
    // The chain stays whole underneath.
    let source = std::error::Error::source(&err).expect("hyper's error");
    assert!(chain(source).contains("tcp connect error"), "{err:?}");
}

#[tokio::test]
async fn a_missing_unix_socket_is_named() {
    let dir = std::env::temp_dir().join(format!("ct-nosock-{}", std::process::id()));
    let path = dir.join("consul.sock");
    let err = HyperTransport::builder()
        .unix_socket(&path)
        .build()
        .send(get("http://localhost/v1/status/leader"))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("connect to {}: no such file or directory", path.display())
    );
    assert_eq!(err.target(), Some(path.display().to_string().as_str()));
}

/// Every message of an error's chain, joined.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(" | ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn request_timeout_and_per_request_override() {
    let (base, _) = serve_tcp().await;
    let t = HyperTransport::builder()
        .request_timeout(Duration::from_millis(300))
        .build();
    let err = t.send(get(&format!("{base}/slow"))).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.time_limit(), Some(Duration::from_millis(300)));
    let authority = base.trim_start_matches("http://");
    assert_eq!(
        err.to_string(),
        format!("no response from {authority} within 300ms")
    );
    // A blocking query raises the limit for itself.
    let mut req = get(&format!("{base}/slow"));
    req.extensions_mut()
        .insert(RequestTimeout(Duration::from_secs(5)));
    assert_eq!(t.send(req).await.unwrap().status(), 200);
}

#[tokio::test]
async fn streaming_yields_the_body() {
    let (base, _) = serve_tcp().await;
    let r = HyperTransport::new()
        .send_streaming(get(&format!("{base}/stream")))
        .await
        .unwrap();
    let mut body = r.into_body();
    let mut all = Vec::new();
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await {
        all.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(all, b"GET /stream  token=None");
}

#[tokio::test]
async fn unix_socket() {
    let dir = std::env::temp_dir().join(format!("ct-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock");
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
    let t = HyperTransport::builder().unix_socket(&path).build();
    let r = t
        .send(get("http://localhost/v1/status/leader"))
        .await
        .unwrap();
    assert_eq!(
        r.body(),
        &Bytes::from_static(b"GET /v1/status/leader  token=None")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn default_streaming_wraps_send() {
    #[derive(Debug)]
    struct Fixed;
    impl Transport for Fixed {
        fn send(&self, _: http::Request<Bytes>) -> consul_transport::TransportFuture<'_> {
            Box::pin(async { Ok(http::Response::new(Bytes::from_static(b"one chunk"))) })
        }
    }
    let r = Fixed.send_streaming(get("http://x/")).await.unwrap();
    assert_eq!(
        r.into_body().collect().await.unwrap(),
        Bytes::from_static(b"one chunk")
    );
}

#[tokio::test]
async fn https_without_tls_settings_is_a_clear_connect_error() {
    let err = HyperTransport::new()
        .send(get("https://127.0.0.1:1/v1/status/leader"))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    let mut chain = String::new();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        chain.push_str(&s.to_string());
        source = s.source();
    }
    assert!(chain.contains("https:// needs TLS"), "{chain}");
}

/// Answers `/len/N` with N bytes and a `Content-Length`, `/chunked/N` with N bytes in
/// 8 KiB chunks and no length.
async fn serve_sized() -> String {
    use http_body_util::{BodyExt, Full};
    type Out = http_body_util::combinators::BoxBody<Bytes, Infallible>;

    /// A body of `left` bytes with no size hint, so hyper sends it chunked.
    struct Chunks(usize);
    impl http_body::Body for Chunks {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            let n = self.0.min(8192);
            self.0 -= n;
            std::task::Poll::Ready(
                (n > 0).then(|| Ok(http_body::Frame::data(Bytes::from(vec![b'x'; n])))),
            )
        }
    }

    async fn sized(req: hyper::Request<Incoming>) -> Result<hyper::Response<Out>, Infallible> {
        let path = req.uri().path().to_owned();
        let mut parts = path.trim_start_matches('/').split('/');
        let (kind, n) = (parts.next().unwrap_or(""), parts.next().unwrap_or("0"));
        let n: usize = n.parse().unwrap_or(0);
        let body = match kind {
            "chunked" => Chunks(n).boxed(),
            _ => Full::new(Bytes::from(vec![b'x'; n])).boxed(),
        };
        Ok(hyper::Response::new(body))
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(sized))
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_body_over_the_cap_is_a_typed_error_naming_the_limit() {
    let base = serve_sized().await;
    let t = HyperTransport::builder().max_response_body(100_000).build();
    for kind in ["len", "chunked"] {
        // At the cap: fine.
        let r = t.send(get(&format!("{base}/{kind}/100000"))).await.unwrap();
        assert_eq!(r.body().len(), 100_000, "{kind}");
        // One byte more: refused, with the limit in the message.
        let err = t
            .send(get(&format!("{base}/{kind}/100001")))
            .await
            .unwrap_err();
        assert!(err.is_body_too_large(), "{kind}: {err:?}");
        assert_eq!(
            err.kind(),
            consul_transport::TransportErrorKind::BodyTooLarge
        );
        assert_eq!(err.body_limit(), Some(100_000));
        assert_eq!(
            err.to_string(),
            "response body exceeds the limit of 100000 bytes"
        );
    }
    // A streamed body (a snapshot) is not capped.
    let r = t
        .send_streaming(get(&format!("{base}/chunked/300000")))
        .await
        .unwrap();
    assert_eq!(r.into_body().collect().await.unwrap().len(), 300_000);
}

#[tokio::test]
async fn the_default_cap_is_generous() {
    let base = serve_sized().await;
    // 8 MiB, far above any ordinary Consul answer, passes the default 64 MiB cap.
    let r = HyperTransport::new()
        .send(get(&format!("{base}/chunked/{}", 8 << 20)))
        .await
        .unwrap();
    assert_eq!(r.body().len(), 8 << 20);
}

/// What a [`hold_server`] saw: connections accepted, and the paths of the requests it
/// received, in order of arrival.
#[derive(Clone, Default)]
struct Seen {
    connections: Arc<AtomicUsize>,
    arrived: Arc<std::sync::Mutex<Vec<String>>>,
    changed: Arc<tokio::sync::Notify>,
}

impl Seen {
    fn arrived(&self) -> Vec<String> {
        self.arrived.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived (at most 10 s).
    async fn until_arrived(&self, n: usize) {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let notified = self.changed.notified();
                if self.arrived.lock().unwrap().len() >= n {
                    return;
                }
                notified.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{n} requests never arrived: {:?}", self.arrived()));
    }
}

/// Answers each request once `release` gives it a permit, as a blocking query answers
/// when its data changes.
async fn held(
    req: hyper::Request<Incoming>,
    seen: Seen,
    release: Arc<tokio::sync::Semaphore>,
) -> Result<hyper::Response<String>, Infallible> {
    let path = req.uri().path().to_owned();
    seen.arrived.lock().unwrap().push(path.clone());
    seen.changed.notify_waiters();
    release.acquire().await.unwrap().forget();
    Ok(hyper::Response::new(path))
}

/// An HTTP/1.1 server whose answers wait for `release`.
async fn hold_server(release: Arc<tokio::sync::Semaphore>) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Seen::default();
    let counted = seen.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            counted.connections.fetch_add(1, Ordering::SeqCst);
            let (seen, release) = (counted.clone(), Arc::clone(&release));
            tokio::spawn(async move {
                let service = service_fn(move |req| held(req, seen.clone(), Arc::clone(&release)));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn http1_never_opens_more_connections_than_the_cap_and_serves_in_order() {
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let (base, seen) = hold_server(Arc::clone(&release)).await;
    let t = HyperTransport::builder().max_connections(3).build();
    // A current-thread runtime runs spawned tasks in the order they were spawned: the
    // requests ask for a connection in this order.
    let requests: Vec<_> = (0..10)
        .map(|i| {
            let t = t.clone();
            let url = format!("{base}/hold/{i}");
            tokio::spawn(async move { t.send(get(&url)).await })
        })
        .collect();
    seen.until_arrived(3).await;
    assert_eq!(seen.arrived(), ["/hold/0", "/hold/1", "/hold/2"]);
    assert_eq!(seen.connections.load(Ordering::SeqCst), 3);
    assert_eq!(t.open_connections(), 3);
    // Nothing more is sent while the three are held.
    let more = tokio::time::timeout(Duration::from_millis(300), seen.until_arrived(4)).await;
    assert!(
        more.is_err(),
        "a fourth request went out: {:?}",
        seen.arrived()
    );

    release.add_permits(10);
    for (i, request) in requests.into_iter().enumerate() {
        let response = request.await.unwrap().unwrap();
        assert_eq!(response.body(), &Bytes::from(format!("/hold/{i}")));
    }
    let expected: Vec<String> = (0..10).map(|i| format!("/hold/{i}")).collect();
    assert_eq!(seen.arrived(), expected, "first come, first served");
    assert_eq!(
        seen.connections.load(Ordering::SeqCst),
        3,
        "the waiting requests reused the three connections"
    );
    assert!(t.open_connections() <= 3);
}

#[tokio::test]
async fn a_request_waiting_for_a_connection_times_out_unsent() {
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let (base, seen) = hold_server(Arc::clone(&release)).await;
    let t = HyperTransport::builder()
        .max_connections(1)
        .request_timeout(Duration::from_millis(300))
        .build();
    let first = {
        let t = t.clone();
        let url = format!("{base}/hold/first");
        tokio::spawn(async move {
            let mut request = get(&url);
            request
                .extensions_mut()
                .insert(RequestTimeout(Duration::from_secs(30)));
            t.send(request).await
        })
    };
    seen.until_arrived(1).await;
    let err = t
        .send(get(&format!("{base}/hold/second")))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    release.add_permits(1);
    assert_eq!(first.await.unwrap().unwrap().status(), 200);
    assert_eq!(seen.arrived(), ["/hold/first"], "the second was never sent");
}

/// The keep-alive timer of the client end of a loopback TCP connection, from
/// `/proc/net/tcp`: `(timer kind, ticks until it fires)`. Kind 2 is the socket timer,
/// which on an idle established connection is the keep-alive timer; 0 is none.
#[cfg(target_os = "linux")]
fn tcp_timer(client_port: u16, server_port: u16) -> (u32, u64) {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let local = format!("0100007F:{client_port:04X}");
    let remote = format!("0100007F:{server_port:04X}");
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) == Some(&local.as_str()) && fields.get(2) == Some(&remote.as_str()) {
            let (kind, when) = fields[5].split_once(':').unwrap();
            return (
                u32::from_str_radix(kind, 16).unwrap(),
                u64::from_str_radix(when, 16).unwrap(),
            );
        }
    }
    panic!("no connection {local} -> {remote} in /proc/net/tcp:\n{table}");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn pooled_tcp_connections_keep_alive() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server_port = listener.local_addr().unwrap().port();
    let (peers, mut peer) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (stream, from) = listener.accept().await.unwrap();
            let _ = peers.send(from.port());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
    let url = format!("http://127.0.0.1:{server_port}/v1/status/leader");
    // Ticks are USER_HZ (100 per second).
    for (name, transport, idle) in [
        ("default", HyperTransport::new(), Some(30)),
        (
            "7 s",
            HyperTransport::builder()
                .tcp_keepalive(Duration::from_secs(7))
                .build(),
            Some(7),
        ),
        (
            "off",
            HyperTransport::builder().tcp_keepalive(None).build(),
            None,
        ),
    ] {
        assert_eq!(transport.send(get(&url)).await.unwrap().status(), 200);
        let client_port = peer.recv().await.unwrap();
        // The connection now sits idle in the pool.
        let (kind, when) = tcp_timer(client_port, server_port);
        match idle {
            Some(secs) => {
                assert_eq!(kind, 2, "{name}: keep-alive timer armed");
                assert!(
                    when <= secs * 100,
                    "{name}: fires within {secs}s, in {when} ticks"
                );
            }
            None => assert_eq!(kind, 0, "{name}: no timer without keep-alive"),
        }
    }
}

#[cfg(feature = "tls")]
mod tls {
    use super::{chain, get, held, Seen};
    use consul_transport::{HyperTransport, TlsConfig, Transport};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::time::Duration;

    const CERT: &[u8] = include_bytes!("fixtures/localhost.pem");
    const KEY: &[u8] = include_bytes!("fixtures/localhost-key.pem");

    fn cert() -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(CERT).unwrap()
    }

    fn server_config(alpn: &[&[u8]], client_auth: bool) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if client_auth {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(cert()).unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let mut config = builder
            .with_single_cert(vec![cert()], PrivateKeyDer::from_pem_slice(KEY).unwrap())
            .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }

    fn insecure_client() -> consul_transport::HyperTransportBuilder {
        HyperTransport::builder()
            .tls(&TlsConfig::default().insecure_skip_verify(true))
            .unwrap()
    }

    /// An HTTP/2 server over TLS that accepts one request and never answers it, nor the
    /// client's pings; each ping it receives is reported on the channel.
    fn silent_h2_server() -> (u16, std::sync::mpsc::Receiver<()>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (pings, rx) = std::sync::mpsc::channel();
        let config = server_config(&[b"h2"], false);
        std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let conn = rustls::ServerConnection::new(config).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut preface = [0u8; 24];
            if tls.read_exact(&mut preface).is_err() {
                return;
            }
            // Our SETTINGS (empty).
            if tls
                .write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0])
                .and_then(|()| tls.flush())
                .is_err()
            {
                return;
            }
            loop {
                let mut head = [0u8; 9];
                if tls.read_exact(&mut head).is_err() {
                    return; // the client gave up on us
                }
                let len =
                    usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
                let mut payload = vec![0u8; len];
                if tls.read_exact(&mut payload).is_err() {
                    return;
                }
                let (kind, ack) = (head[3], head[4] & 1 == 1);
                match kind {
                    // SETTINGS: acknowledge, or the client waits for it.
                    4 if !ack => {
                        let settings_ack = [0, 0, 0, 4, 1, 0, 0, 0, 0];
                        if tls
                            .write_all(&settings_ack)
                            .and_then(|()| tls.flush())
                            .is_err()
                        {
                            return;
                        }
                    }
                    // PING: noted, never answered.
                    6 if !ack => {
                        let _ = pings.send(());
                    }
                    _ => {}
                }
            }
        });
        (port, rx)
    }

    #[tokio::test]
    async fn http2_pings_find_a_silent_agent_before_the_request_limit() {
        let (port, pings) = silent_h2_server();
        let t = insecure_client()
            .request_timeout(Duration::from_secs(20))
            .http2_keep_alive_interval(Duration::from_millis(100))
            .http2_keep_alive_timeout(Duration::from_millis(300))
            .build();
        let err = t
            .send(get(&format!(
                "https://127.0.0.1:{port}/v1/kv/k?index=7&wait=5m"
            )))
            .await
            .unwrap_err();
        // The unanswered ping closed the connection; the 20 s limit did not have to pass.
        assert!(!err.is_timeout(), "{err:?}");
        assert!(err.is_io(), "{err:?}");
        assert!(err.to_string().contains("keep-alive timed out"), "{err}");
        // The server thread ends when the client closed the connection; every frame it
        // read before is reported by then.
        let pinged = tokio::task::spawn_blocking(move || pings.recv().is_ok())
            .await
            .unwrap();
        assert!(pinged, "the client pinged");
    }

    /// A TLS server that requires a client certificate signed by its own CA, speaking the
    /// given ALPN protocol; it refuses every connection without one.
    fn mtls_server(alpn: &'static [u8]) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = server_config(&[alpn], true);
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(mut tcp) = tcp else { return };
                let mut conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
                // Fails when the client's flight shows no certificate; rustls sends its
                // alert before returning. Then the connection is dropped, unread.
                while conn.is_handshaking() {
                    if conn.complete_io(&mut tcp).is_err() {
                        break;
                    }
                }
            }
        });
        port
    }

    #[tokio::test]
    async fn a_refused_client_certificate_is_the_cause_over_http1_and_http2() {
        for alpn in [&b"http/1.1"[..], &b"h2"[..]] {
            let port = mtls_server(alpn);
            let t = insecure_client().build();
            // Several times: the alert may reach hyper through a read or only after a
            // failed write.
            for attempt in 0..5 {
                let err = t
                    .send(get(&format!("https://127.0.0.1:{port}/v1/agent/self")))
                    .await
                    .unwrap_err();
                let name = String::from_utf8_lossy(alpn);
                assert!(
                    err.to_string().contains("CertificateRequired"),
                    "{name} #{attempt}: {err} ({})",
                    chain(&err)
                );
                assert!(
                    err.is_connect(),
                    "{name} #{attempt}: refused sessions processed nothing: {err:?}"
                );
                let source = std::error::Error::source(&err).unwrap();
                assert!(
                    source.downcast_ref::<rustls::Error>().is_some(),
                    "{name} #{attempt}: the alert is the source: {err:?}"
                );
            }
        }
    }

    /// An HTTP/2 server over TLS announcing `max_streams` concurrent streams, whose answers
    /// wait for `release`.
    async fn h2_hold_server(max_streams: u32, release: Arc<tokio::sync::Semaphore>) -> (u16, Seen) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = tokio_rustls::TlsAcceptor::from(server_config(&[b"h2"], false));
        let seen = Seen::default();
        let counted = seen.clone();
        tokio::spawn(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                counted
                    .connections
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (seen, release) = (counted.clone(), Arc::clone(&release));
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |req| {
                        held(req, seen.clone(), Arc::clone(&release))
                    });
                    let _ = hyper::server::conn::http2::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .max_concurrent_streams(max_streams)
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
                });
            }
        });
        (port, seen)
    }

    /// Sends `n` requests at once, each in its task.
    fn send_all(
        t: &HyperTransport,
        port: u16,
        names: impl Iterator<Item = String>,
    ) -> Vec<
        tokio::task::JoinHandle<
            Result<http::Response<bytes::Bytes>, consul_transport::TransportError>,
        >,
    > {
        names
            .map(|name| {
                let t = t.clone();
                let url = format!("https://127.0.0.1:{port}/hold/{name}");
                tokio::spawn(async move { t.send(get(&url)).await })
            })
            .collect()
    }

    #[tokio::test]
    async fn a_full_http2_connection_makes_the_next_request_open_another() {
        let release = Arc::new(tokio::sync::Semaphore::new(0));
        let (port, seen) = h2_hold_server(100, Arc::clone(&release)).await;
        let t = insecure_client().max_streams_per_connection(3).build();
        let requests = send_all(&t, port, (0..7).map(|i| i.to_string()));
        // All seven are in flight at once: none queues behind a full connection.
        seen.until_arrived(7).await;
        assert_eq!(
            seen.connections.load(std::sync::atomic::Ordering::SeqCst),
            3,
            "3 + 3 + 1 streams"
        );
        assert_eq!(t.open_connections(), 3);
        release.add_permits(7);
        for request in requests {
            let response = request.await.unwrap().unwrap();
            assert_eq!(response.version(), http::Version::HTTP_2);
        }
        // Freed streams are reused: no new connection for the next ones.
        let again = send_all(&t, port, (0..5).map(|i| format!("again-{i}")));
        seen.until_arrived(12).await;
        release.add_permits(5);
        for request in again {
            assert_eq!(request.await.unwrap().unwrap().status(), 200);
        }
        assert_eq!(
            seen.connections.load(std::sync::atomic::Ordering::SeqCst),
            3
        );
    }

    #[tokio::test]
    async fn a_lower_stream_limit_announced_by_the_agent_wins() {
        let release = Arc::new(tokio::sync::Semaphore::new(0));
        let (port, seen) = h2_hold_server(2, Arc::clone(&release)).await;
        // The default setting (250) is above what this server allows.
        let t = insecure_client().build();
        // Two exchanges first: hyper applies the server's settings when it next writes
        // on the connection after reading them, which the second one makes sure of.
        release.add_permits(2);
        for name in ["first", "second"] {
            let request = send_all(&t, port, std::iter::once(name.to_owned()));
            for request in request {
                assert_eq!(request.await.unwrap().unwrap().status(), 200);
            }
        }
        let requests = send_all(&t, port, (0..5).map(|i| i.to_string()));
        seen.until_arrived(7).await;
        assert_eq!(
            seen.connections.load(std::sync::atomic::Ordering::SeqCst),
            3,
            "2 + 2 + 1 streams"
        );
        release.add_permits(5);
        for request in requests {
            assert_eq!(request.await.unwrap().unwrap().status(), 200);
        }
    }

    #[tokio::test]
    async fn http2_connections_count_against_the_connection_cap() {
        let release = Arc::new(tokio::sync::Semaphore::new(0));
        let (port, seen) = h2_hold_server(100, Arc::clone(&release)).await;
        let t = insecure_client()
            .max_streams_per_connection(2)
            .max_connections(2)
            .build();
        let requests = send_all(&t, port, (0..6).map(|i| i.to_string()));
        seen.until_arrived(4).await;
        let more = tokio::time::timeout(Duration::from_millis(300), seen.until_arrived(5)).await;
        assert!(more.is_err(), "only two connections of two streams");
        assert_eq!(
            seen.connections.load(std::sync::atomic::Ordering::SeqCst),
            2
        );
        release.add_permits(6);
        for request in requests {
            assert_eq!(request.await.unwrap().unwrap().status(), 200);
        }
        assert_eq!(
            seen.connections.load(std::sync::atomic::Ordering::SeqCst),
            2
        );
    }
}
