//! HTTPS and HTTP/2 against a real agent with TLS, including mutual TLS, using certificates
//! made by `consul tls` (the recipe Consul documents).

use consul_integration_tests::TestAgent;
use consul_test::TlsCerts;
use consulate::{Client, Config, TlsConfig};
use std::future::IntoFuture;
use std::path::Path;

fn make_certs() -> TlsCerts {
    TlsCerts::make().expect("consul tls certificates")
}

async fn tls_agent(certs: &TlsCerts, verify_incoming: bool) -> (TestAgent, u16) {
    let agent = TestAgent::builder()
        .https(certs)
        .verify_incoming_https(verify_incoming)
        .start()
        .await
        .expect("TLS agent");
    let port = agent.https_port().expect("serves HTTPS");
    (agent, port)
}

fn https_client(port: u16, host: &str, tls: TlsConfig) -> consulate::Result<Client> {
    let mut config = Config::new(&format!("https://{host}:{port}"))?;
    config.tls = tls;
    Client::new(config)
}

#[tokio::test]
async fn https_with_the_agent_ca_speaks_http2() {
    let certs = make_certs();
    let (agent, port) = tls_agent(&certs, false).await;
    let recorder = std::sync::Arc::new(consul_transport::mock::Recording::new(
        consul_transport::HyperTransport::builder()
            .tls(&TlsConfig::default().ca_file(certs.ca()))
            .unwrap()
            .build(),
    ));
    let mut config = Config::new(&format!("https://127.0.0.1:{port}")).unwrap();
    config.tls = TlsConfig::default().ca_file(certs.ca());
    let client = Client::with_transport(config, std::sync::Arc::clone(&recorder)).unwrap();
    client.kv().put("over/tls", "secret sauce").await.unwrap();
    // Read it back over plain HTTP: the same agent, the same store.
    let got = agent.client().kv().get("over/tls").await.unwrap();
    assert_eq!(got.value.unwrap().value_str(), Some("secret sauce"));

    let response = client
        .request(http::Method::GET, "status/leader")
        .await
        .unwrap();
    assert_eq!(
        response.version(),
        http::Version::HTTP_2,
        "ALPN negotiated h2"
    );

    // The default transport built from the config works the same, by name (SAN localhost).
    let by_name =
        https_client(port, "localhost", TlsConfig::default().ca_file(certs.ca())).unwrap();
    assert!(by_name.kv().get("over/tls").await.unwrap().value.is_some());
}

#[tokio::test]
async fn unknown_ca_is_refused_and_skip_verify_or_server_name_adjust_it() {
    let certs = make_certs();
    let (_agent, port) = tls_agent(&certs, false).await;
    // System roots do not know Consul's self-made CA.
    let strict = https_client(port, "127.0.0.1", TlsConfig::default()).unwrap();
    let err = strict.kv().get("k").await.unwrap_err();
    assert!(
        err.as_transport().is_some_and(|t| t.is_connect()),
        "{err:?}"
    );
    // The message says why, not only that the connection failed.
    let message = err.as_transport().unwrap().to_string();
    assert_eq!(
        message,
        format!("connect to 127.0.0.1:{port}: invalid peer certificate: UnknownIssuer")
    );

    let lax = https_client(
        port,
        "127.0.0.1",
        TlsConfig::default().insecure_skip_verify(true),
    )
    .unwrap();
    assert!(lax.kv().get("k").await.unwrap().value.is_none());

    // The certificate names server.dc1.consul; verifying against that name works too.
    let named = https_client(
        port,
        "127.0.0.1",
        TlsConfig::default()
            .ca_file(certs.ca())
            .server_name("server.dc1.consul"),
    )
    .unwrap();
    assert!(named.kv().get("k").await.is_ok());
    let wrong = https_client(
        port,
        "127.0.0.1",
        TlsConfig::default()
            .ca_file(certs.ca())
            .server_name("other.example"),
    )
    .unwrap();
    let err = wrong.kv().get("k").await.unwrap_err();
    let message = err.as_transport().unwrap().to_string();
    assert!(
        message.contains("not valid for name \"other.example\""),
        "{message}"
    );
}

#[tokio::test]
async fn mutual_tls_needs_the_client_certificate() {
    let certs = make_certs();
    let (_agent, port) = tls_agent(&certs, true).await;
    let anonymous =
        https_client(port, "127.0.0.1", TlsConfig::default().ca_file(certs.ca())).unwrap();
    assert!(anonymous.kv().get("k").await.is_err());
    let with_cert = https_client(
        port,
        "127.0.0.1",
        TlsConfig::default()
            .ca_file(certs.ca())
            .client_cert(certs.client_cert(), certs.client_key()),
    )
    .unwrap();
    assert!(with_cert.kv().put("mtls", "ok").await.unwrap().value);
}

#[tokio::test]
async fn bad_tls_files_fail_at_construction() {
    let err = https_client(
        8501,
        "127.0.0.1",
        TlsConfig::default().ca_file("/nonexistent/ca.pem"),
    )
    .unwrap_err();
    assert!(
        matches!(&err, consulate::Error::Config(m) if m.contains("/nonexistent/ca.pem")),
        "{err:?}"
    );
    let mut half = TlsConfig::default();
    half.client_cert = Some(Path::new("/x.pem").into());
    assert!(https_client(8501, "127.0.0.1", half).is_err());
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
async fn a_rejected_client_certificate_says_why() {
    let certs = make_certs();
    let other = make_certs();
    let (_agent, port) = tls_agent(&certs, true).await;
    let cases = [
        (
            "no client certificate",
            TlsConfig::default().ca_file(certs.ca()),
        ),
        (
            "a client certificate from another CA",
            TlsConfig::default()
                .ca_file(certs.ca())
                .client_cert(other.client_cert(), other.client_key()),
        ),
    ];
    for (case, tls) in cases {
        let client = https_client(port, "127.0.0.1", tls).unwrap();
        // Several times: the agent's alert reaches the client either through a read or
        // only after a write failed on the closed connection, and each must keep it.
        for attempt in 0..4 {
            let err = client.kv().get("k").await.unwrap_err();
            let transport = err
                .as_transport()
                .unwrap_or_else(|| panic!("{case}: {err:?}"));
            // Consul 1.8.7 (Go's TLS) answers with a bad_certificate alert.
            let message = transport.to_string();
            assert!(
                message.contains("received fatal alert: BadCertificate"),
                "{case} (attempt {attempt}): the message does not say what was wrong: {message} ({})",
                chain(&err)
            );
            assert!(
                message.starts_with(&format!("connect to 127.0.0.1:{port}: ")),
                "{message}"
            );
            // The agent processed nothing on a refused session.
            assert!(transport.is_connect(), "{case}: {transport:?}");
            assert!(
                chain(&err).contains("received fatal alert: BadCertificate"),
                "{case}: the alert is in the source chain: {err:?}"
            );
        }
    }
}

/// Bodies larger than HTTP/2's flow-control windows (2 MB a stream, 5 MB a connection),
/// both ways, over the HTTP/2 connections the client drives itself: values near Consul's
/// limit written, the whole prefix read back in one answer (about 6 MB of JSON), and a
/// snapshot streamed out and restored.
#[tokio::test]
async fn bodies_beyond_the_http2_windows_cross_both_ways() {
    let certs = make_certs();
    let (_agent, port) = tls_agent(&certs, false).await;
    let client = https_client(port, "127.0.0.1", TlsConfig::default().ca_file(certs.ca())).unwrap();
    let kv = client.kv();
    let value: String = (0..400 * 1024)
        .map(|i| (b'a' + (i % 26) as u8) as char)
        .collect();
    for i in 0..12 {
        let key = format!("big/{i:02}");
        assert!(kv.put(&key, value.clone()).await.unwrap().value, "{key}");
    }
    // Several reads at once on the same connection, each over the stream window.
    let (a, b, c) = tokio::join!(
        kv.list("big/").into_future(),
        kv.list("big/").into_future(),
        kv.list("big/").into_future()
    );
    for listed in [a, b, c] {
        let pairs = listed.unwrap().value;
        assert_eq!(pairs.len(), 12);
        assert!(pairs.iter().all(|p| p.value_str() == Some(value.as_str())));
    }

    let saved = client.snapshot().save().await.unwrap();
    let archive = saved.value.collect().await.unwrap();
    assert!(archive.len() > 1024, "{} bytes", archive.len());
    kv.delete_tree("big/").await.unwrap();
    assert!(kv.list("big/").await.unwrap().value.is_empty());
    client.snapshot().restore(archive).await.unwrap();
    assert_eq!(kv.list("big/").await.unwrap().value.len(), 12);

    let version = client
        .request(http::Method::GET, "status/leader")
        .await
        .unwrap();
    assert_eq!(version.version(), http::Version::HTTP_2);
}
