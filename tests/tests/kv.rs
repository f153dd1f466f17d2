//! The KV store against a real agent.

use bytes::Bytes;
use consul_integration_tests::{recording_client, unique_prefix, TestAgent};
use consulate::codec::{Json, Text};
use consulate::kv::{KvPutParams, MAX_VALUE_SIZE};
use consulate::{Client, Config, Consistency, Error, QueryOptions, RetryPolicy, ValidationError};
use http::Method;
use std::time::{Duration, Instant};

#[tokio::test]
async fn round_trips_binary_empty_and_max_size_values_with_flags() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let p = unique_prefix("roundtrip");

    let binary = Bytes::from_static(&[0, 159, 146, 150, 255, 0, 1]);
    assert!(
        kv.put(format!("{p}binary"), binary.clone())
            .await
            .unwrap()
            .value
    );
    let got = kv.get(format!("{p}binary")).await.unwrap().value.unwrap();
    assert_eq!(got.value, binary);
    let raw = kv
        .get_raw(format!("{p}binary"))
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(raw, binary);

    assert!(
        kv.put(format!("{p}empty"), Bytes::new())
            .await
            .unwrap()
            .value
    );
    let got = kv.get(format!("{p}empty")).await.unwrap().value.unwrap();
    assert!(got.value.is_empty());
    let raw = kv
        .get_raw(format!("{p}empty"))
        .await
        .unwrap()
        .value
        .unwrap();
    assert!(raw.is_empty());

    let max: Bytes = (0..MAX_VALUE_SIZE)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<_>>()
        .into();
    assert!(kv.put(format!("{p}max"), max.clone()).await.unwrap().value);
    let got = kv.get(format!("{p}max")).await.unwrap().value.unwrap();
    assert_eq!(got.value.len(), MAX_VALUE_SIZE);
    assert_eq!(got.value, max);

    let params = KvPutParams::default().flags(0xdead_beef_cafe);
    assert!(
        kv.put(format!("{p}flags"), "f")
            .params(params.clone())
            .await
            .unwrap()
            .value
    );
    let got = kv.get(format!("{p}flags")).await.unwrap().value.unwrap();
    assert_eq!(got.flags, 0xdead_beef_cafe);
    assert!(got.create_index > 0 && got.modify_index >= got.create_index);
}

#[tokio::test]
async fn keys_that_need_encoding_round_trip() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let p = unique_prefix("encoding");
    let keys = [
        format!("{p}with space"),
        format!("{p}ünïcödé/日本語/🔑"),
        format!("{p}q?x=1&y=2#frag"),
        format!("{p}percent%20literal+plus"),
        format!("{p}semi;colon,comma'quote\"dq"),
        format!("{p}trailing/"),
    ];
    for (i, key) in keys.iter().enumerate() {
        assert!(kv.put(key, format!("v{i}")).await.unwrap().value, "{key}");
    }
    for (i, key) in keys.iter().enumerate() {
        let got = kv
            .get(key)
            .await
            .unwrap()
            .value
            .unwrap_or_else(|| panic!("{key} missing"));
        assert_eq!(&got.key, key);
        assert_eq!(got.value_str(), Some(format!("v{i}").as_str()));
    }
    let mut listed: Vec<String> = kv.keys(&p).await.unwrap().value;
    listed.sort();
    let mut want = keys.to_vec();
    want.sort();
    assert_eq!(listed, want);
}

#[tokio::test]
async fn missing_key_is_none_with_an_index() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let got = kv
        .get(format!("{}nope", unique_prefix("missing")))
        .await
        .unwrap();
    assert!(got.value.is_none());
    assert!(got.meta.last_index > 0, "404 still carries X-Consul-Index");
    let raw = kv
        .get_raw(format!("{}nope", unique_prefix("missing")))
        .await
        .unwrap();
    assert!(raw.value.is_none());
    assert!(kv
        .list(unique_prefix("none"))
        .await
        .unwrap()
        .value
        .is_empty());
    assert!(kv
        .keys(unique_prefix("none"))
        .separator("/")
        .await
        .unwrap()
        .value
        .is_empty());
}

#[tokio::test]
async fn invalid_input_is_rejected_before_sending() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let kv = client.kv();

    let too_big = Bytes::from(vec![7u8; MAX_VALUE_SIZE + 1]);
    let err = kv.put("big", too_big).await.unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::ValueTooLarge { size, max }) if *size == MAX_VALUE_SIZE + 1 && *max == MAX_VALUE_SIZE
        ),
        "{err:?}"
    );

    let err = kv.put("", "v").await.unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::Empty { field: "key" })
        ),
        "{err:?}"
    );
    let err = kv.get("").await.unwrap_err();
    assert!(err.is_validation());

    let err = kv.put("/leading", "v").await.unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::InvalidKey { .. })
        ),
        "{err:?}"
    );
    let err = kv.delete("a//b").await.unwrap_err();
    assert!(matches!(
        err.as_validation(),
        Some(ValidationError::InvalidKey { .. })
    ));
    let err = kv.keys("x/").separator("").await.unwrap_err();
    assert!(err.is_validation());
    let both = KvPutParams::default().acquire("s").release("s");
    assert!(kv
        .put("k", "v")
        .params(both.clone())
        .await
        .unwrap_err()
        .is_validation());
    let bad_opts = QueryOptions::default()
        .use_cache(true)
        .consistency(Consistency::Consistent);
    assert!(kv
        .get("k")
        .options(&bad_opts)
        .await
        .unwrap_err()
        .is_validation());

    assert_eq!(recorder.count(), 0, "nothing may be sent for invalid input");

    // The same client still works for valid input, and that does reach the agent.
    kv.put("valid", "v").await.unwrap();
    assert_eq!(recorder.count(), 1);
}

#[tokio::test]
async fn cas_stale_index_loses_and_zero_creates_only_if_absent() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let key = format!("{}counter", unique_prefix("cas"));

    assert!(kv.cas(&key, "1", 0).await.unwrap().value, "cas=0 creates");
    assert!(
        !kv.cas(&key, "other", 0).await.unwrap().value,
        "cas=0 refuses existing"
    );

    let first = kv.get(&key).await.unwrap().value.unwrap();
    assert!(kv.cas(&key, "2", first.modify_index).await.unwrap().value);
    // The index we read is now stale.
    assert!(!kv.cas(&key, "3", first.modify_index).await.unwrap().value);
    let now = kv.get(&key).await.unwrap().value.unwrap();
    assert_eq!(
        now.value_str(),
        Some("2"),
        "a losing CAS leaves the value unchanged"
    );
    assert!(now.modify_index > first.modify_index);

    // delete with cas: stale loses, current wins.
    assert!(!kv.delete_cas(&key, first.modify_index).await.unwrap().value);
    assert!(kv.get(&key).await.unwrap().value.is_some());
    assert!(kv.delete_cas(&key, now.modify_index).await.unwrap().value);
    assert!(kv.get(&key).await.unwrap().value.is_none());
}

#[tokio::test]
async fn list_keys_with_separator_and_recursive_delete() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let p = unique_prefix("tree");
    for key in ["a", "dir1/x", "dir1/y", "dir2/sub/z", "b"] {
        kv.put(format!("{p}{key}"), key).await.unwrap();
    }
    let listed = kv.list(&p).await.unwrap();
    let names: Vec<_> = listed
        .value
        .iter()
        .map(|e| e.key.trim_start_matches(&p).to_owned())
        .collect();
    assert_eq!(names, ["a", "b", "dir1/x", "dir1/y", "dir2/sub/z"]);
    assert!(listed.meta.last_index > 0);
    assert_eq!(listed.value[2].value_str(), Some("dir1/x"));

    let folders = kv.keys(&p).separator("/").await.unwrap().value;
    let folders: Vec<_> = folders
        .iter()
        .map(|k| k.trim_start_matches(&p).to_owned())
        .collect();
    assert_eq!(folders, ["a", "b", "dir1/", "dir2/"]);

    let all = kv.keys(&p).await.unwrap().value;
    assert_eq!(all.len(), 5);

    assert!(kv.delete_tree(format!("{p}dir1/")).await.unwrap().value);
    let left = kv.keys(&p).await.unwrap().value;
    let left: Vec<_> = left
        .iter()
        .map(|k| k.trim_start_matches(&p).to_owned())
        .collect();
    assert_eq!(left, ["a", "b", "dir2/sub/z"]);

    assert!(kv.delete(format!("{p}a")).await.unwrap().value);
    assert!(
        kv.delete(format!("{p}a")).await.unwrap().value,
        "deleting a missing key succeeds"
    );
    assert!(kv.delete_tree(&p).await.unwrap().value);
    assert!(kv.list(&p).await.unwrap().value.is_empty());
}

#[tokio::test]
async fn blocking_read_wakes_on_write() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let key = format!("{}watched", unique_prefix("block"));
    kv.put(&key, "v1").await.unwrap();
    let first = kv.get(&key).await.unwrap();

    let writer_kv = kv.clone();
    let writer_key = key.clone();
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        writer_kv.put(&writer_key, "v2").await.unwrap();
    });
    let started = Instant::now();
    let changed = kv
        .get(&key)
        .wait(first.meta.last_index, Duration::from_secs(20))
        .await
        .unwrap();
    let waited = started.elapsed();
    writer.await.unwrap();
    assert!(
        waited < Duration::from_secs(10),
        "woke after {waited:?}, not at the write"
    );
    assert!(changed.meta.last_index > first.meta.last_index);
    assert_eq!(changed.value.unwrap().value_str(), Some("v2"));
}

#[tokio::test]
async fn blocking_read_times_out_with_the_same_index() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let key = format!("{}quiet", unique_prefix("block"));
    kv.put(&key, "v1").await.unwrap();
    let first = kv.get(&key).await.unwrap();
    let started = Instant::now();
    let same = kv
        .get(&key)
        .wait(first.meta.last_index, Duration::from_secs(1))
        .await
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "returned early: {waited:?}"
    );
    assert_eq!(same.meta.last_index, first.meta.last_index);
    assert_eq!(same.value.unwrap().value_str(), Some("v1"));
}

#[tokio::test]
async fn unknown_datacenter_is_a_typed_status_error() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let err = kv.dc("dc-nowhere").get("k").await.unwrap_err();
    match &err {
        Error::Status { code, body, .. } => {
            assert_eq!(code.as_u16(), 500);
            assert!(body.contains("No path to datacenter"), "{body}");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    let err = kv.put("k", "v").dc("dc-nowhere").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    // The agent's own datacenter by name works through the same scoping.
    assert!(kv.dc("dc1").put("k", "v").await.unwrap().value);
}

#[tokio::test]
async fn unreachable_agent_is_a_connect_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::new(Config::new(&format!("127.0.0.1:{port}")).unwrap()).unwrap();
    let err = client
        .kv()
        .get("k")
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    let transport = err.as_transport().unwrap_or_else(|| panic!("{err:?}"));
    assert!(transport.is_connect(), "{transport:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn agent_stopped_mid_request_is_a_transport_error() {
    let mut agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let key = format!("{}k", unique_prefix("crash"));
    kv.put(&key, "v").await.unwrap();
    let index = kv.get(&key).await.unwrap().meta.last_index;
    // Not retried: what the first failure is.
    let once = || RetryPolicy::none();
    let blocked = tokio::spawn(
        kv.get(&key)
            .wait(index, Duration::from_secs(30))
            .retry(once())
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    agent.kill();
    let err = tokio::time::timeout(Duration::from_secs(10), blocked)
        .await
        .expect("the blocked read ends when the agent dies")
        .unwrap()
        .unwrap_err();
    assert!(err.as_transport().is_some(), "{err:?}");
    // And the next call is a clean connect error.
    let err = kv.get("k").retry(once()).await.unwrap_err();
    assert!(
        err.as_transport().is_some_and(|t| t.is_connect()),
        "{err:?}"
    );
}

#[tokio::test]
async fn token_travels_only_as_a_header_and_is_redacted() {
    let agent = TestAgent::dev().await;
    let mut config = agent.config();
    config.token = Some("client-secret-token".into());
    let recorder = std::sync::Arc::new(consul_transport::mock::Recording::new(
        consul_transport::HyperTransport::new(),
    ));
    let client = Client::with_transport(config, std::sync::Arc::clone(&recorder)).unwrap();
    let kv = client.kv();
    kv.put("t", "v").await.unwrap();
    kv.get("t").token("per-request-token").await.unwrap();

    let sent = recorder.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].headers["x-consul-token"], "client-secret-token");
    assert_eq!(sent[1].headers["x-consul-token"], "per-request-token");
    for r in &sent {
        let uri = r.uri.to_string();
        assert!(!uri.contains("token"), "token leaked into {uri}");
    }
    let shown = format!(
        "{client:?} {:?} {:?}",
        kv.get("t").token("per-request-token"),
        agent.config()
    );
    assert!(
        !shown.contains("client-secret-token") && !shown.contains("per-request-token"),
        "{shown}"
    );
}

#[tokio::test]
async fn consistency_modes_are_sent_and_reported() {
    let agent = TestAgent::dev().await;
    let mut config = agent.config();
    config.consistency = Consistency::Stale;
    let recorder = std::sync::Arc::new(consul_transport::mock::Recording::new(
        consul_transport::HyperTransport::new(),
    ));
    let client = Client::with_transport(config, std::sync::Arc::clone(&recorder)).unwrap();
    let kv = client.kv();
    kv.put("c", "v").await.unwrap();
    let stale = kv.get("c").await.unwrap();
    let consistent = kv.get("c").consistent().await.unwrap();
    let default = kv.get("c").consistency(Consistency::Default).await.unwrap();
    let sent = recorder.requests();
    assert!(sent[1].query("stale").is_some(), "client default applies");
    assert!(sent[2].query("consistent").is_some() && sent[2].query("stale").is_none());
    assert!(sent[3].query("consistent").is_none() && sent[3].query("stale").is_none());
    for r in [&stale, &consistent, &default] {
        assert_eq!(r.meta.known_leader, Some(true));
        assert_eq!(r.meta.last_contact, Some(Duration::ZERO));
        assert!(r.meta.last_index > 0);
    }
}

#[tokio::test]
async fn typed_values_through_codecs() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Settings {
        replicas: u32,
        regions: Vec<String>,
    }
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let p = unique_prefix("codec");
    let settings = Settings {
        replicas: 3,
        regions: vec!["eu".into(), "us".into()],
    };
    kv.put_encoded(format!("{p}json"), &settings, &Json)
        .unwrap()
        .await
        .unwrap();
    let back: Option<Settings> = kv
        .get_decoded(format!("{p}json"), Json)
        .await
        .unwrap()
        .value;
    assert_eq!(back, Some(settings));
    let raw = kv.get_raw(format!("{p}json")).await.unwrap().value.unwrap();
    assert_eq!(&raw[..], br#"{"replicas":3,"regions":["eu","us"]}"#);

    kv.put_encoded(format!("{p}text"), &"héllo".to_owned(), &Text)
        .unwrap()
        .await
        .unwrap();
    let text: Option<String> = kv
        .get_decoded(format!("{p}text"), Text)
        .await
        .unwrap()
        .value;
    assert_eq!(text.as_deref(), Some("héllo"));

    kv.put(format!("{p}notjson"), "{oops").await.unwrap();
    let err = kv
        .get_decoded::<Settings, _>(format!("{p}notjson"), Json)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Codec(_)), "{err:?}");
    let missing: Option<Settings> = kv
        .get_decoded(format!("{p}absent"), Json)
        .await
        .unwrap()
        .value;
    assert!(missing.is_none());
}

#[tokio::test]
async fn unix_socket_agent_serves_kv() {
    let agent = TestAgent::builder().unix_socket().start().await.unwrap();
    let sock = agent.unix_socket().unwrap().to_owned();
    let client = Client::new(Config::new(&format!("unix://{}", sock.display())).unwrap()).unwrap();
    let kv = client.kv();
    assert!(kv.put("over/unix", "yes").await.unwrap().value);
    // Written over the socket, read over TCP: the same store.
    let got = agent
        .client()
        .kv()
        .get("over/unix")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(got.value_str(), Some("yes"));
}

#[tokio::test]
async fn raw_escape_hatch_reaches_unmodelled_endpoints() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let leader = client.request(Method::GET, "status/leader").await.unwrap();
    let leader: String = serde_json::from_slice(leader.body()).unwrap();
    assert_eq!(leader, format!("127.0.0.1:{}", agent.ports().server));
    client
        .request(Method::PUT, "kv/raw/x")
        .param("flags", "9")
        .body("raw-value")
        .await
        .unwrap();
    let got = client.kv().get("raw/x").await.unwrap().value.unwrap();
    assert_eq!((got.flags, got.value_str()), (9, Some("raw-value")));
    let err = client
        .request(Method::GET, "kv/raw/x")
        .param("index", "abc")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    client.request(Method::DELETE, "kv/raw/x").await.unwrap();
    assert!(client.kv().get("raw/x").await.unwrap().value.is_none());
}

#[tokio::test]
async fn acquire_and_release_with_a_session() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let kv = client.kv();
    let created = client
        .request(Method::PUT, "session/create")
        .body(r#"{"Name":"kv-test","TTL":"30s"}"#)
        .await
        .unwrap();
    let session: serde_json::Value = serde_json::from_slice(created.body()).unwrap();
    let session = session["ID"].as_str().unwrap().to_owned();
    let other = client
        .request(Method::PUT, "session/create")
        .body("{}")
        .await
        .unwrap();
    let other: serde_json::Value = serde_json::from_slice(other.body()).unwrap();
    let other = other["ID"].as_str().unwrap().to_owned();

    let key = format!("{}lock", unique_prefix("acquire"));
    assert!(kv.acquire(&key, "holder-1", &session).await.unwrap().value);
    assert!(
        !kv.acquire(&key, "holder-2", &other).await.unwrap().value,
        "held by another session"
    );
    let held = kv.get(&key).await.unwrap().value.unwrap();
    assert_eq!(held.session.as_deref(), Some(session.as_str()));
    assert_eq!(held.lock_index, 1);
    assert!(kv.release(&key, "released", &session).await.unwrap().value);
    let free = kv.get(&key).await.unwrap().value.unwrap();
    assert_eq!(free.session, None);
    assert_eq!(free.value_str(), Some("released"));
    let err = kv
        .acquire(&key, "x", "00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
}

#[tokio::test]
async fn endpoints_the_agent_does_not_serve_are_unsupported() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    // Added in Consul 1.14: a 1.8.7 agent answers 404 with an empty body.
    let err = client
        .request(Method::GET, "agent/version")
        .await
        .unwrap_err();
    match &err {
        Error::Unsupported {
            path,
            agent_version,
        } => {
            assert_eq!(path, "agent/version");
            assert_eq!(agent_version.as_deref(), Some("1.8.7"));
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert!(err.is_unsupported());
    assert_eq!(
        err.to_string(),
        "the consul agent (version 1.8.7) does not serve /v1/agent/version"
    );
}

#[tokio::test]
async fn watch_streams_each_change_of_a_key() {
    let agent = TestAgent::dev().await;
    let kv = agent.client().kv();
    let key = format!("{}watched", unique_prefix("watch"));
    let mut changes = kv.get(&key).wait_time(Duration::from_secs(10)).watch();
    let first = changes.next().await.unwrap().unwrap();
    assert!(first.value.is_none(), "the key does not exist yet");

    for v in ["one", "two", "three"] {
        kv.put(&key, v).await.unwrap();
        let change = tokio::time::timeout(Duration::from_secs(5), changes.next())
            .await
            .expect("a write wakes the watch")
            .unwrap()
            .unwrap();
        assert_eq!(change.value.unwrap().value_str(), Some(v));
    }
    // A write to another key moves the store's index but not this key: nothing is yielded.
    kv.put(format!("{key}-other"), "x").await.unwrap();
    kv.delete(&key).await.unwrap();
    let gone = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(gone.value.is_none(), "deletion is yielded as None");

    let mut tree = kv.list(unique_prefix("watch-tree")).watch();
    assert!(tree.next().await.unwrap().unwrap().value.is_empty());
}
