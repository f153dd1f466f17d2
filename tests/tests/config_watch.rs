//! Live configuration against a real agent: a changed key arrives decoded, a bad value is
//! reported while the last good one stays current, a write that decodes to the same value
//! yields nothing, a prefix becomes a struct or a nested map, and dropping the view ends
//! its changes.

use consul_integration_tests::{unique_prefix, TestAgent};
use consulate::codec::{Json, Text};
use consulate::config_watch::{Change, Changes, ConfigError, JsonOrText};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Limits {
    replicas: u32,
    name: String,
}

/// The next change, at most 10 s away.
async fn next<T: Send + Sync + 'static>(changes: &mut Changes<T>) -> Change<T> {
    tokio::time::timeout(Duration::from_secs(10), changes.next())
        .await
        .expect("a change within 10 s")
        .expect("the view is alive")
}

fn limits(replicas: u32, name: &str) -> Limits {
    Limits {
        replicas,
        name: name.to_owned(),
    }
}

#[tokio::test]
async fn a_changed_key_arrives_as_the_new_struct() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}limits", unique_prefix("cw-change"));
    let kv = client.kv();
    kv.put(&key, r#"{"replicas":3,"name":"a"}"#).await.unwrap();

    let view = client
        .config_key::<Limits, _>(&key, Json)
        .start()
        .await
        .unwrap();
    assert_eq!(*view.current(), limits(3, "a"));
    let mut changes = view.changes();
    kv.put(&key, r#"{"replicas":4,"name":"a"}"#).await.unwrap();
    let new = next(&mut changes).await.expect("a good value");
    assert_eq!(*new, limits(4, "a"));
    assert!(
        Arc::ptr_eq(&new, &view.current()),
        "current() is the new value"
    );
    assert!(view.last_error().is_none());
}

#[tokio::test]
async fn invalid_json_is_reported_and_the_previous_value_stays_current() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}limits", unique_prefix("cw-invalid"));
    let kv = client.kv();
    kv.put(&key, r#"{"replicas":3,"name":"a"}"#).await.unwrap();
    let view = client
        .config_key::<Limits, _>(&key, Json)
        .start()
        .await
        .unwrap();
    let mut changes = view.changes();

    kv.put(&key, r#"{"replicas": 4, "name": "#).await.unwrap();
    let error = next(&mut changes)
        .await
        .expect_err("a bad value is an error");
    assert!(
        matches!(&*error, ConfigError::Decode { key: k, .. } if *k == key),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains(&key) && text.contains("EOF"),
        "names the key and the cause: {text}"
    );
    assert_eq!(
        *view.current(),
        limits(3, "a"),
        "the last good value stays current"
    );
    assert!(view.last_error().is_some());

    // A value of the wrong shape is as bad as broken JSON.
    kv.put(&key, r#"{"replicas":"many","name":"a"}"#)
        .await
        .unwrap();
    assert!(next(&mut changes).await.is_err());
    assert_eq!(*view.current(), limits(3, "a"));

    // Back to the same good value: yielded, so a reader learns the error is over.
    kv.put(&key, r#"{"replicas":3,"name":"a"}"#).await.unwrap();
    assert_eq!(*next(&mut changes).await.unwrap(), limits(3, "a"));
    assert!(view.last_error().is_none());

    // A deleted key is reported too, and the value kept.
    kv.delete(&key).await.unwrap();
    let missing = next(&mut changes).await.unwrap_err();
    assert!(
        matches!(&*missing, ConfigError::Missing { .. }),
        "{missing:?}"
    );
    assert_eq!(*view.current(), limits(3, "a"));
}

#[tokio::test]
async fn a_write_that_does_not_change_the_decoded_value_yields_nothing() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = unique_prefix("cw-same");
    let key = format!("{prefix}limits");
    let kv = client.kv();
    kv.put(&key, r#"{"replicas":3,"name":"a"}"#).await.unwrap();
    let view = client
        .config_key::<Limits, _>(&key, Json)
        .start()
        .await
        .unwrap();
    let mut changes = view.changes();

    // Same value, other bytes; then a field the type ignores: Consul's index moves twice,
    // the decoded value does not.
    kv.put(&key, "{ \"name\": \"a\",\n  \"replicas\": 3 }")
        .await
        .unwrap();
    kv.put(&key, r#"{"replicas":3,"name":"a","unused":true}"#)
        .await
        .unwrap();
    let moved = kv.get(&key).await.unwrap().value.unwrap();
    assert!(
        moved.modify_index > moved.create_index + 1,
        "both writes landed"
    );
    // The next item is the next real change, nothing before it.
    kv.put(&key, r#"{"replicas":5,"name":"a"}"#).await.unwrap();
    assert_eq!(*next(&mut changes).await.unwrap(), limits(5, "a"));
}

#[derive(Debug, PartialEq, Deserialize)]
struct Db {
    host: String,
    port: u16,
}

#[derive(Debug, PartialEq, Deserialize)]
struct App {
    db: Db,
    #[serde(default)]
    debug: bool,
    #[serde(default)]
    tags: Vec<String>,
}

#[tokio::test]
async fn a_prefix_becomes_a_struct_and_follows_its_keys() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = unique_prefix("cw-prefix");
    let kv = client.kv();
    kv.put(format!("{prefix}db/"), "").await.unwrap(); // a folder, as the UI makes them
    kv.put(format!("{prefix}db/host"), "db1.internal")
        .await
        .unwrap();
    kv.put(format!("{prefix}db/port"), "5432").await.unwrap();
    kv.put(format!("{prefix}tags"), r#"["a","b"]"#)
        .await
        .unwrap();

    let view = client
        .config_prefix::<App, _>(&prefix, JsonOrText)
        .start()
        .await
        .unwrap();
    let app = view.current();
    assert_eq!(
        (
            app.db.host.as_str(),
            app.db.port,
            app.debug,
            app.tags.as_slice()
        ),
        (
            "db1.internal",
            5432,
            false,
            ["a".to_owned(), "b".to_owned()].as_slice()
        )
    );
    let mut changes = view.changes();

    kv.put(format!("{prefix}debug"), "true").await.unwrap();
    assert!(next(&mut changes).await.unwrap().debug);

    kv.put(format!("{prefix}db/port"), "not a port")
        .await
        .unwrap();
    let error = next(&mut changes).await.unwrap_err();
    assert!(matches!(&*error, ConfigError::Shape { .. }), "{error:?}");
    assert_eq!(
        view.current().db.port,
        5432,
        "the last good value stays current"
    );

    kv.put(format!("{prefix}db/port"), "6432").await.unwrap();
    let app = next(&mut changes).await.unwrap();
    assert_eq!((app.db.port, app.debug), (6432, true));
}

#[tokio::test]
async fn a_prefix_as_a_nested_map_and_a_key_as_text() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let prefix = unique_prefix("cw-map");
    let kv = client.kv();
    kv.put(format!("{prefix}a/b"), "1").await.unwrap();
    kv.put(format!("{prefix}a/c"), "x").await.unwrap();
    let view = client
        .config_prefix::<BTreeMap<String, BTreeMap<String, String>>, _>(&prefix, Text)
        .start()
        .await
        .unwrap();
    let expected: BTreeMap<_, _> = [(
        "a".to_owned(),
        [
            ("b".to_owned(), "1".to_owned()),
            ("c".to_owned(), "x".to_owned()),
        ]
        .into(),
    )]
    .into();
    assert_eq!(*view.current(), expected);

    let banner = client
        .config_key::<String, _>(format!("{prefix}a/c"), Text)
        .start()
        .await
        .unwrap();
    assert_eq!(*banner.current(), "x");

    let missing = client
        .config_key::<String, _>(format!("{prefix}nope"), Text)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(missing, ConfigError::Missing { .. }), "{missing}");
    let invalid = client
        .config_key::<String, _>("/bad", Text)
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(&invalid, ConfigError::Read(e) if e.is_validation()),
        "{invalid}"
    );
}

#[tokio::test]
async fn dropping_the_view_ends_its_changes() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let key = format!("{}k", unique_prefix("cw-drop"));
    client.kv().put(&key, "1").await.unwrap();
    let view = client
        .config_key::<u32, _>(&key, Json)
        .start()
        .await
        .unwrap();
    let mut changes = view.changes();
    drop(view);
    let end = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .expect("the stream ends when the view is dropped");
    assert!(end.is_none());
}
