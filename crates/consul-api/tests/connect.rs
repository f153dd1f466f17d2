//! The Connect endpoints (CA, intentions) and the agent's Connect endpoints on a mock
//! transport: what is sent, and how answers (captured from a 1.8.7 agent, or documented
//! by Consul for 1.9+) are read.

use consul_api::connect::{
    CaConfig, CaProvider, ConsulCaProviderConfig, Intention, IntentionAction, IntentionMatchBy,
    IntentionSourceType,
};
use consul_api::{Client, Config, Error, QueryOptions, ValidationError};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../consul-types/tests/fixtures/connect/", $name))
    };
}

const ID: &str = "1e6c891c-84f0-a016-2cde-34e6c3bd9818";

fn body(req: &consul_transport::mock::RecordedRequest) -> serde_json::Value {
    serde_json::from_slice(&req.body).unwrap()
}

#[tokio::test]
async fn ca_roots_block_on_the_index() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("ca_roots_rotated.json")).header("X-Consul-Index", "39"));
    let roots = client
        .connect()
        .dc("dc2")
        .ca_roots()
        .stale()
        .wait(9, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(roots.meta.last_index, 39);
    assert_eq!(roots.value.roots.len(), 2);
    assert!(roots.value.active_root().unwrap().active);
    let req = mock.last().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.path(), "/v1/connect/ca/roots");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.query("index").as_deref(), Some("9"));
    assert_eq!(req.query("wait").as_deref(), Some("30000ms"));
    assert!(req.query("stale").is_some());

    // A watch: the first answer, then the next change, blocking on the last index.
    mock.push(Reply::json(fixture!("ca_roots.json")).header("X-Consul-Index", "9"))
        .push(Reply::json(fixture!("ca_roots_rotated.json")).header("X-Consul-Index", "39"));
    let mut watch = client.connect().ca_roots().watch();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.value.roots.len(), 1);
    let rotated = watch.next().await.unwrap().unwrap();
    assert_eq!(rotated.value.roots.len(), 2);
    let sent = mock.requests();
    assert_eq!(sent[sent.len() - 1].query("index").as_deref(), Some("9"));
}

#[tokio::test]
async fn ca_configuration_is_typed_both_ways() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("ca_config.json")));
    let config = client.connect().ca_get_config().await.unwrap().value;
    let consul = config.provider.as_consul().unwrap();
    assert_eq!(consul.leaf_cert_ttl, Some(Duration::from_secs(72 * 3600)));
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/connect/ca/configuration")
    );
    // It does not block: a wait is refused before sending.
    let before = mock.count();
    let err = client
        .connect()
        .ca_get_config()
        .options(&QueryOptions::default().wait_index(5))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(mock.count(), before);

    // Set: the provider and its settings, never the state or the indexes.
    mock.push(Reply::json(""));
    let mut read_back = config.clone();
    if let CaProvider::Consul(c) = &mut read_back.provider {
        c.private_key =
            Some("-----BEGIN PRIVATE KEY-----\nnew\n-----END PRIVATE KEY-----\n".into());
    }
    read_back.state.insert("ID".into(), "kept by consul".into());
    client
        .connect()
        .ca_set_config(read_back.force_without_cross_signing(true))
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/connect/ca/configuration")
    );
    assert_eq!(req.headers["content-type"], "application/json");
    assert_eq!(
        body(&req),
        serde_json::json!({
            "Provider": "consul",
            "Config": {
                "PrivateKey": "-----BEGIN PRIVATE KEY-----\nnew\n-----END PRIVATE KEY-----\n",
                "LeafCertTTL": "72h0m0s", "IntermediateCertTTL": "8760h0m0s",
                "RotationPeriod": "2160h0m0s"
            },
            "ForceWithoutCrossSigning": true
        })
    );

    // Another provider's settings travel as they are.
    mock.push(Reply::json(""));
    let mut settings = serde_json::Map::new();
    settings.insert("Address".into(), "https://vault:8200".into());
    settings.insert("RootPKIPath".into(), "connect-root".into());
    client
        .connect()
        .ca_set_config(CaConfig::other("vault", settings).unwrap())
        .await
        .unwrap();
    assert_eq!(
        body(&mock.last().unwrap()),
        serde_json::json!({"Provider": "vault", "Config": {"Address": "https://vault:8200", "RootPKIPath": "connect-root"}})
    );

    // Consul's refusal of a setting is a status error with its reason.
    mock.push(Reply::status(
        500,
        "error configuring provider: leaf cert TTL must be greater or equal than 1h0m0s",
    ));
    let err = client
        .connect()
        .ca_set_config(CaConfig::consul(
            ConsulCaProviderConfig::default().leaf_cert_ttl(Duration::from_secs(600)),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.to_string().contains("leaf cert TTL"), "{err}");

    // A provider with no name is never sent.
    let before = mock.count();
    let err = client
        .connect()
        .ca_set_config(CaConfig::other("", serde_json::Map::new()).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(
        err.as_validation(),
        Some(ValidationError::Empty {
            field: "CA provider"
        })
    ));
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn intentions_list_filters_and_blocks() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("intentions.json")).header("X-Consul-Index", "21"));
    let list = client
        .connect()
        .intentions()
        .filter("Action == deny")
        .wait(20, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(list.value.len(), 2);
    assert_eq!(list.meta.last_index, 21);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/connect/intentions");
    assert_eq!(req.query("filter").as_deref(), Some("Action == deny"));
    assert_eq!(req.query("index").as_deref(), Some("20"));

    // None is an empty list.
    mock.push(Reply::json("[]"));
    assert!(client
        .connect()
        .intentions()
        .await
        .unwrap()
        .value
        .is_empty());
    mock.push(Reply::json("null"));
    assert!(client
        .connect()
        .intentions()
        .await
        .unwrap()
        .value
        .is_empty());
}

#[tokio::test]
async fn one_intention_by_id() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("intention.json")));
    let ixn = client
        .connect()
        .intention_get(ID)
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(ixn.action, IntentionAction::Deny);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), format!("/v1/connect/intentions/{ID}"));

    // Consul's 404 with a message: absent.
    mock.push(Reply::status(404, "Intention not found"));
    assert!(client
        .connect()
        .intention_get(ID)
        .await
        .unwrap()
        .value
        .is_none());

    // What is not a UUID would reach another endpoint (`match`, `check`, `exact`): refused.
    let before = mock.count();
    for bad in ["", "match", "check", "exact", "not-a-uuid"] {
        let err = client.connect().intention_get(bad).await.unwrap_err();
        assert!(err.is_validation(), "{bad}: {err:?}");
        let err = client.connect().intention_delete(bad).await.unwrap_err();
        assert!(err.is_validation(), "{bad}: {err:?}");
    }
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn create_update_and_delete() {
    let (client, mock) = client();
    mock.push(Reply::json(format!(r#"{{"ID": "{ID}"}}"#)));
    let id = client
        .connect()
        .dc("dc2")
        .intention_create(
            Intention::deny("web", "db")
                .description("no web to db")
                .meta("team", "core"),
        )
        .token("write-token")
        .await
        .unwrap()
        .value;
    assert_eq!(id, ID);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/connect/intentions")
    );
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.headers["x-consul-token"], "write-token");
    assert_eq!(
        body(&req),
        serde_json::json!({
            "SourceName": "web", "DestinationName": "db", "SourceType": "consul",
            "Action": "deny", "Description": "no web to db", "Meta": {"team": "core"}
        })
    );

    // Update: the id from the intention, in the path; read-only fields stay home.
    mock.push(Reply::json(format!(r#"{{"ID": "{ID}"}}"#)));
    let read: Intention = serde_json::from_str(fixture!("intention.json")).unwrap();
    client
        .connect()
        .intention_update(read.action(IntentionAction::Allow).description(""))
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/connect/intentions/{ID}").as_str())
    );
    assert_eq!(
        body(&req),
        serde_json::json!({
            "SourceNS": "default", "SourceName": "web", "DestinationNS": "default",
            "DestinationName": "db", "SourceType": "consul", "Action": "allow",
            "Meta": {"team": "core"}
        })
    );

    mock.push(Reply::json("true"));
    client.connect().intention_delete(ID).await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", format!("/v1/connect/intentions/{ID}").as_str())
    );

    // Consul's refusals keep their message.
    mock.push(Reply::status(
        500,
        format!("Cannot delete non-existent intention: '{ID}'"),
    ));
    let err = client.connect().intention_delete(ID).await.unwrap_err();
    assert!(matches!(&err, Error::Status { code, .. } if code.as_u16() == 500));
    assert!(err.to_string().contains("non-existent intention"), "{err}");

    // Invalid intentions and a missing id are never sent.
    let before = mock.count();
    let err = client
        .connect()
        .intention_create(Intention::allow("we*", "db"))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = client
        .connect()
        .intention_create(Intention::new("web", "db", IntentionAction::from("block")))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = client
        .connect()
        .intention_update(Intention::allow("web", "db"))
        .await
        .unwrap_err();
    assert!(err.is_validation(), "an intention without an id: {err:?}");
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn match_takes_repeated_names() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("intention_match.json")));
    let matches = client
        .connect()
        .intention_match(IntentionMatchBy::Destination, "db")
        .name("unknown")
        .await
        .unwrap()
        .value;
    assert_eq!(matches["db"].len(), 2);
    assert!(matches["unknown"].is_empty(), "null: no intention matches");
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/connect/intentions/match");
    assert_eq!(
        req.query_pairs(),
        [
            ("by".to_owned(), "destination".to_owned()),
            ("name".to_owned(), "db".to_owned()),
            ("name".to_owned(), "unknown".to_owned()),
        ]
    );

    mock.push(Reply::json(r#"{"web": []}"#));
    client
        .connect()
        .intention_match(IntentionMatchBy::Source, "web")
        .await
        .unwrap();
    assert_eq!(mock.last().unwrap().query("by").as_deref(), Some("source"));

    let before = mock.count();
    let err = client
        .connect()
        .intention_match(IntentionMatchBy::Source, "web")
        .name("")
        .await
        .unwrap_err();
    assert!(err.is_validation());
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn check_answers_a_bool() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("intention_check.json")));
    let allowed = client
        .connect()
        .intention_check("web", "db")
        .source_type(IntentionSourceType::Consul)
        .await
        .unwrap()
        .value;
    assert!(!allowed);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/connect/intentions/check");
    assert_eq!(
        req.query_pairs(),
        [
            ("source".to_owned(), "web".to_owned()),
            ("destination".to_owned(), "db".to_owned()),
            ("source-type".to_owned(), "consul".to_owned()),
        ]
    );
    mock.push(Reply::json(r#"{"Allowed": true}"#));
    assert!(
        client
            .connect()
            .intention_check("web", "db")
            .await
            .unwrap()
            .value
    );
    assert_eq!(mock.last().unwrap().query("source-type"), None);

    let before = mock.count();
    assert!(client
        .connect()
        .intention_check("", "db")
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .connect()
        .intention_check("web", "")
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);
}

/// `connect/intentions/exact` (Consul 1.9+), with the documented answers, and what a 1.8.7
/// agent answers instead.
#[tokio::test]
async fn intentions_by_exact_match() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("intention_exact.json")));
    let ixn = client
        .connect()
        .intention_get_exact("web", "db")
        .await
        .unwrap()
        .value
        .unwrap();
    assert!(ixn.id.is_empty());
    assert_eq!(ixn.action, IntentionAction::Allow);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/connect/intentions/exact")
    );
    assert_eq!(
        req.query_pairs(),
        [
            ("source".to_owned(), "web".to_owned()),
            ("destination".to_owned(), "db".to_owned()),
        ]
    );
    // 1.9+ says "absent" with a message.
    mock.push(Reply::status(404, "Intention not found"));
    assert!(client
        .connect()
        .intention_get_exact("web", "db")
        .await
        .unwrap()
        .value
        .is_none());

    // Upsert: the names from the intention, in the query; the rest as the body.
    mock.push(Reply::json("true"));
    client
        .connect()
        .intention_upsert(
            Intention::deny("web", "db")
                .destination_ns("team-a")
                .description("by name"),
        )
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/connect/intentions/exact")
    );
    assert_eq!(req.query("source").as_deref(), Some("web"));
    assert_eq!(req.query("destination").as_deref(), Some("team-a/db"));
    assert_eq!(
        body(&req),
        serde_json::json!({
            "SourceName": "web", "DestinationNS": "team-a", "DestinationName": "db",
            "SourceType": "consul", "Action": "deny", "Description": "by name"
        })
    );

    mock.push(Reply::json("true"));
    client
        .connect()
        .intention_delete_exact("web", "db")
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", "/v1/connect/intentions/exact")
    );
    assert_eq!(req.query("destination").as_deref(), Some("db"));

    // Consul 1.8.7 reads `exact` as an intention id: that says it is too old.
    mock.push(Reply::status(
        400,
        "Bad request: failed intention lookup: index error: UUID must be 36 characters",
    ))
    .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
    let err = client
        .connect()
        .intention_get_exact("web", "db")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { path, .. } if path == "connect/intentions/exact"),
        "{err:?}"
    );
    // An agent that serves no such route at all: unsupported, naming its version.
    mock.push(Reply::status(404, ""))
        .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
    let err = client
        .connect()
        .intention_get_exact("web", "db")
        .await
        .unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");

    let before = mock.count();
    assert!(client
        .connect()
        .intention_get_exact("", "db")
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .connect()
        .intention_delete_exact("web", "")
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .connect()
        .intention_upsert(Intention::allow("web", "d*b"))
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn agent_authorize() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("authorize_denied.json")));
    let uri = "spiffe://d23bc83f-3d80-2c75-9d7a-b648f118bef1.consul/ns/default/dc/dc1/svc/web";
    let verdict = client
        .agent()
        .connect_authorize("db", uri)
        .client_cert_serial("08")
        .await
        .unwrap()
        .value;
    assert!(!verdict.authorized);
    assert!(verdict.reason.contains("DENY default/web => default/db"));
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/agent/connect/authorize")
    );
    assert_eq!(req.uri.query(), None);
    assert_eq!(
        body(&req),
        serde_json::json!({"Target": "db", "ClientCertURI": uri, "ClientCertSerial": "08"})
    );

    mock.push(Reply::status(
        400,
        "Bad request: ClientCertURI not a valid Connect identifier",
    ));
    let err = client
        .agent()
        .connect_authorize("db", "nope")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));

    let before = mock.count();
    assert!(client
        .agent()
        .connect_authorize("", uri)
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .agent()
        .connect_authorize("db", "")
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);
}

#[tokio::test]
async fn agent_roots_and_leaf_block_on_the_index() {
    let (client, mock) = client();
    mock.push(
        Reply::json(fixture!("ca_roots.json"))
            .header("X-Consul-Index", "9")
            .header("X-Cache", "HIT"),
    );
    let roots = client.agent().connect_ca_roots().await.unwrap();
    assert_eq!(roots.value.roots.len(), 1);
    assert_eq!(roots.meta.last_index, 9);
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/agent/connect/ca/roots"
    );

    mock.push(Reply::json(fixture!("leaf.json")).header("X-Consul-Index", "24"));
    let leaf = client
        .agent()
        .connect_ca_leaf("web")
        .wait(20, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(leaf.value.service, "web");
    assert_eq!(leaf.meta.last_index, 24);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/agent/connect/ca/leaf/web");
    assert_eq!(req.query("index").as_deref(), Some("20"));
    assert_eq!(req.query("wait").as_deref(), Some("60000ms"));

    // A watch of the leaf: each renewal, blocking on the last index (Go's `connect_leaf`).
    let renewed = fixture!("leaf.json").replace("\"ModifyIndex\": 24", "\"ModifyIndex\": 41");
    mock.push(Reply::json(fixture!("leaf.json")).header("X-Consul-Index", "24"))
        .push(Reply::json(renewed).header("X-Consul-Index", "41"));
    let mut watch = client.agent().connect_ca_leaf("web").watch();
    assert_eq!(watch.next().await.unwrap().unwrap().value.modify_index, 24);
    assert_eq!(watch.next().await.unwrap().unwrap().value.modify_index, 41);
    assert_eq!(mock.last().unwrap().query("index").as_deref(), Some("24"));

    // The agent answers itself: no datacenter.
    let before = mock.count();
    let err = client
        .agent()
        .connect_ca_leaf("web")
        .options(&QueryOptions::default().datacenter("dc2"))
        .await
        .unwrap_err();
    assert!(err.is_validation());
    assert!(client
        .agent()
        .connect_ca_leaf("")
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);
}
