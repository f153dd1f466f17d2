//! The shared request path on a mock transport: what it refuses before sending, and how it
//! scopes and authenticates every kind of call (typed, agent-local, raw).
#![cfg(all(
    feature = "kv",
    feature = "agent",
    feature = "catalog",
    feature = "debug"
))]

use consul_api::agent::ServiceRegistration;
use consul_api::{Client, Config, Consistency, QueryOptions, WriteOptions};
use consul_transport::mock::{MockTransport, Reply};
use http::{HeaderValue, Method};
use std::time::Duration;

fn client_with(config: Config) -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client = Client::with_transport(config, mock.clone()).unwrap();
    (client, mock)
}

fn client() -> (Client, MockTransport) {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("client-token".into());
    client_with(config)
}

#[tokio::test]
async fn waits_beyond_consuls_limit_are_refused_unsent() {
    let (client, mock) = client();
    for wait in [
        Duration::MAX,
        Duration::from_secs(u64::MAX),
        Duration::from_secs(601),
    ] {
        let err = client.kv().get("k").wait(1, wait).await.unwrap_err();
        assert!(err.is_validation(), "{err:?}");
        assert!(err.to_string().contains("wait_time"), "{err}");
        let err = client
            .health()
            .state(consul_api::health::HealthState::Any)
            .wait(1, wait)
            .await
            .unwrap_err();
        assert!(err.is_validation(), "{err:?}");
        let err = client
            .agent()
            .service("web")
            .wait_hash("abc", wait)
            .await
            .unwrap_err();
        assert!(err.is_validation(), "{err:?}");
        // A prepared set of options is checked the same way.
        let opts = QueryOptions::default().wait_index(1).wait_time(wait);
        let err = client.kv().get("k").options(&opts).await.unwrap_err();
        assert!(err.is_validation(), "{err:?}");
    }
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn a_zero_wait_is_the_agents_default_on_both_sides() {
    let (client, mock) = client();
    mock.push(Reply::status(404, "").header("x-consul-index", "5"));
    client.kv().get("k").wait(4, Duration::ZERO).await.unwrap();
    let sent = mock.last().unwrap();
    assert_eq!(sent.query("index").as_deref(), Some("4"));
    assert_eq!(
        sent.query("wait"),
        None,
        "Consul applies its default when absent"
    );
    // 5 min + 5 min/16 of Consul's jitter + the client's margin.
    let budget = Duration::from_secs(300) + Duration::from_secs(300) / 16;
    assert_eq!(sent.timeout, Some(budget + Duration::from_secs(10)));
}

#[tokio::test]
async fn dot_segments_never_leave_the_process() {
    let (client, mock) = client();
    let kv = client.kv();
    let errors = [
        kv.put("a/../b", "v").await.unwrap_err(),
        kv.get("..").await.unwrap_err(),
        kv.list("a/./").await.unwrap_err(),
        kv.delete_tree("x/..").await.unwrap_err(),
        client.agent().service("..").await.unwrap_err(),
        client.agent().force_leave("../leave").await.unwrap_err(),
        client.agent().service_deregister(".").await.unwrap_err(),
        client.catalog().node("..").await.unwrap_err(),
        client.health().checks("..").await.unwrap_err(),
        client.session().info("..").await.unwrap_err(),
        client.event().fire("..").await.unwrap_err(),
        client
            .request(Method::PUT, "agent/service/../../agent/leave")
            .await
            .unwrap_err(),
        client
            .request(Method::GET, "kv/a/%2e%2e/b")
            .await
            .unwrap_err(),
    ];
    for err in errors {
        assert!(err.is_validation(), "{err:?}");
        assert!(err.to_string().starts_with("invalid input: "), "{err}");
    }
    assert_eq!(mock.count(), 0, "{:?}", mock.requests());
}

#[tokio::test]
async fn an_empty_datacenter_is_refused_everywhere() {
    let (client, mock) = client();
    let errors = [
        client.kv().dc("").get("k").await.unwrap_err(),
        client.kv().dc("").put("k", "v").await.unwrap_err(),
        client.dc("").catalog().nodes().await.unwrap_err(),
        client
            .dc("")
            .request(Method::GET, "status/leader")
            .await
            .unwrap_err(),
        client.kv().get("k").dc("").await.unwrap_err(),
        client.kv().put("k", "v").dc("").await.unwrap_err(),
        client
            .kv()
            .put("k", "v")
            .options(&WriteOptions::default().datacenter(""))
            .await
            .unwrap_err(),
    ];
    for err in errors {
        assert!(err.is_validation(), "{err:?}");
        assert!(
            err.to_string().contains("datacenter must not be empty"),
            "{err}"
        );
    }
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn a_raw_requests_token_replaces_the_clients() {
    let (client, mock) = client();
    mock.push(Reply::json("[]"));
    client
        .request(Method::GET, "status/peers")
        .token("request-token")
        .await
        .unwrap();
    let sent = mock.last().unwrap();
    let tokens: Vec<_> = sent.headers.get_all("x-consul-token").iter().collect();
    assert_eq!(tokens, ["request-token"]);

    mock.push(Reply::json("[]"));
    let header = client.request(Method::GET, "status/peers").header(
        http::HeaderName::from_static("x-consul-token"),
        HeaderValue::from_static("header-token"),
    );
    let shown = format!("{header:?}");
    assert!(!shown.contains("header-token"), "{shown}");
    header.await.unwrap();
    let sent = mock.last().unwrap();
    let tokens: Vec<_> = sent.headers.get_all("x-consul-token").iter().collect();
    assert_eq!(tokens, ["header-token"]);
    assert!(sent.headers["x-consul-token"].is_sensitive());

    let with_token = client.request(Method::GET, "x").token("request-token");
    assert!(!format!("{with_token:?}").contains("request-token"));
}

#[tokio::test]
async fn raw_requests_are_scoped_like_typed_ones() {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.consistency = Consistency::Stale;
    config.namespace = Some("team".into());
    config.partition = Some("part".into());
    let (client, mock) = client_with(config);
    mock.push(Reply::json("[]"));
    client
        .dc("dc2")
        .request(Method::GET, "catalog/nodes")
        .await
        .unwrap();
    let sent = mock.last().unwrap();
    assert_eq!(sent.query("dc").as_deref(), Some("dc2"));
    assert_eq!(sent.query("stale").as_deref(), Some(""));
    assert_eq!(sent.query("ns").as_deref(), Some("team"));
    assert_eq!(sent.query("partition").as_deref(), Some("part"));

    // The request's own parameters win; writes carry no consistency mode.
    mock.push(Reply::json("[]"));
    client
        .dc("dc2")
        .request(Method::GET, "catalog/nodes")
        .param("dc", "dc3")
        .param("consistent", "")
        .await
        .unwrap();
    let sent = mock.last().unwrap();
    let dcs: Vec<_> = sent
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "dc")
        .collect();
    assert_eq!(dcs, [("dc".to_owned(), "dc3".to_owned())]);
    assert_eq!(sent.query("stale"), None);
    mock.push(Reply::json("true"));
    client
        .dc("dc2")
        .request(Method::PUT, "kv/raw")
        .body("v")
        .await
        .unwrap();
    let sent = mock.last().unwrap();
    assert_eq!(sent.query("dc").as_deref(), Some("dc2"));
    assert_eq!(sent.query("stale"), None);
}

#[tokio::test]
async fn agent_calls_carry_the_clients_namespace_and_partition() {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.namespace = Some("team".into());
    config.partition = Some("part".into());
    let (client, mock) = client_with(config);
    let agent = client.agent();

    let registration = ServiceRegistration::new("web");
    mock.push(Reply::json(""));
    agent.service_register(registration).await.unwrap();
    mock.push(Reply::json(""));
    agent.service_deregister("web").await.unwrap();
    mock.push(Reply::json("{}"));
    agent.services().await.unwrap();
    mock.push(Reply::json(""));
    agent.pass_ttl("service:web").note("ok").await.unwrap();
    for sent in mock.requests() {
        assert_eq!(sent.query("ns").as_deref(), Some("team"), "{}", sent.uri);
        assert_eq!(
            sent.query("partition").as_deref(),
            Some("part"),
            "{}",
            sent.uri
        );
    }

    // Explicit options win over the client's.
    mock.push(Reply::json(""));
    agent
        .service_deregister("web")
        .namespace("other")
        .await
        .unwrap();
    let sent = mock.last().unwrap();
    let namespaces: Vec<_> = sent
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "ns")
        .collect();
    assert_eq!(namespaces, [("ns".to_owned(), "other".to_owned())]);
}

#[tokio::test]
async fn metadata_of_newer_agents_is_read() {
    let (client, mock) = client();
    mock.push(
        Reply::json("[]")
            .header("x-consul-index", "3")
            .header("x-consul-default-acl-policy", "deny")
            .header("x-consul-translate-addresses", "true"),
    );
    let meta = client.catalog().nodes().await.unwrap().meta;
    assert_eq!(
        meta.default_acl_policy,
        Some(consul_api::types::DefaultAclPolicy::Deny)
    );
    assert_eq!(meta.address_translation_enabled, Some(true));
}

#[tokio::test]
async fn profiles_are_read_from_the_agents_root_not_v1() {
    let (client, mock) = client();
    mock.push(Reply::json("\u{1f}\u{8b}"));
    client
        .debug()
        .trace(Duration::from_millis(1500))
        .await
        .unwrap();
    let sent = mock.last().unwrap();
    assert_eq!(sent.uri.path(), "/debug/pprof/trace");
    assert_eq!(sent.query("seconds").as_deref(), Some("1"));
    // The time limit covers the recording and then the request timeout.
    assert!(sent.timeout.unwrap() >= Duration::from_secs(1));
}
