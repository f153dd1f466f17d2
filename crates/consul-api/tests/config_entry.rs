//! Config entries on a mock transport: what is sent, and how answers are read.

use consul_api::config_entry::{
    ApiGateway, ApiGatewayListener, ConfigEntry, ConfigKind, ExportedService, ExportedServices,
    FileSystemCertificate, HttpRoute, HttpRouteRule, HttpService, InlineCertificate,
    IntentionAction, JsonWebKeySet, JwtProvider, Mesh, OtherEntry, ProxyDefaults, RemoteJwks,
    ResourceReference, ServiceConsumer, ServiceDefaults, ServiceIntentions, ServiceResolver,
    ServiceSplit, ServiceSplitter, SourceIntention, TcpRoute,
};
use consul_api::{Client, Config, Error, ValidationError};
use consul_transport::mock::{MockTransport, RecordedRequest, Reply};
use serde_json::{json, Value};
use std::time::Duration;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../consul-types/tests/fixtures/config_entry/",
            $name,
            ".json"
        ))
    };
}

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

fn sent(mock: &MockTransport) -> RecordedRequest {
    mock.last().expect("a request was sent")
}

fn body_json(req: &RecordedRequest) -> Value {
    serde_json::from_slice(&req.body).expect("a JSON body")
}

/// Consul 1.8.7's refusal of a kind it does not know, then `/v1/agent/self` naming its
/// version.
fn unknown_kind(mock: &MockTransport, status: u16, kind: &str) {
    let body = if status == 400 {
        format!("Bad request: Request decoding failed: invalid config entry kind: {kind}")
    } else {
        format!("invalid config entry kind: {kind}")
    };
    mock.push(Reply::status(status, body))
        .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
}

#[tokio::test]
async fn get_reads_one_entry_and_none_when_missing() {
    let (client, mock) = client();
    let config = client.config_entries();
    mock.push(Reply::json(fixture!("service_resolver")).header("X-Consul-Index", "18"));
    let read = config
        .get(ConfigKind::ServiceResolver, "web")
        .dc("dc2")
        .stale()
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.path(), "/v1/config/service-resolver/web");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(read.meta.last_index, 18);
    let entry = read.value.expect("present");
    assert_eq!(entry.kind(), ConfigKind::ServiceResolver);
    let resolver = ServiceResolver::try_from(entry).unwrap();
    assert_eq!(resolver.connect_timeout, Duration::from_secs(15));

    // Consul's 404 with its message is "absent".
    mock.push(Reply::status(
        404,
        r#"Config entry not found for "service-resolver" / "nope""#,
    ));
    let none = config.get("service-resolver", "nope").await.unwrap();
    assert!(none.value.is_none());

    // A name is one path segment, encoded.
    mock.push(Reply::status(404, "Config entry not found"));
    config
        .get(ConfigKind::ServiceDefaults, "a b/c")
        .await
        .unwrap();
    assert_eq!(
        sent(&mock).uri.path(),
        "/v1/config/service-defaults/a%20b%2Fc"
    );
}

#[tokio::test]
async fn get_blocks_and_watches() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("service_defaults")).header("X-Consul-Index", "20"));
    client
        .config_entries()
        .get(ConfigKind::ServiceDefaults, "web")
        .wait(14, Duration::from_secs(5))
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.query("index").as_deref(), Some("14"));
    assert_eq!(req.query("wait").as_deref(), Some("5000ms"));
    assert!(req.timeout.unwrap() > Duration::from_secs(5));

    mock.push(Reply::json(fixture!("service_defaults")).header("X-Consul-Index", "20"));
    let mut watch = client
        .config_entries()
        .get(ConfigKind::ServiceDefaults, "web")
        .watch();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.value.unwrap().name(), "web");
}

#[tokio::test]
async fn list_reads_every_entry_of_a_kind() {
    let (client, mock) = client();
    mock.push(Reply::json(fixture!("list_service_defaults")).header("X-Consul-Index", "30"));
    let list = client
        .config_entries()
        .list(ConfigKind::ServiceDefaults)
        .await
        .unwrap();
    assert_eq!(sent(&mock).uri.path(), "/v1/config/service-defaults");
    assert_eq!(list.meta.last_index, 30);
    assert!(list.value.iter().any(|e| e.name() == "web"));
    assert!(list
        .value
        .iter()
        .all(|e| matches!(e, ConfigEntry::ServiceDefaults(_))));

    // `null` and `[]` are nothing.
    mock.push(Reply::json("null"));
    let none = client
        .config_entries()
        .list(ConfigKind::TerminatingGateway)
        .await
        .unwrap();
    assert!(none.value.is_empty());

    // Lists of a kind this version does not model are kept whole.
    mock.push(Reply::json(format!("[{}]", fixture!("doc_sameness_group"))));
    let groups = client
        .config_entries()
        .list("sameness-group")
        .wait(3, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(sent(&mock).uri.path(), "/v1/config/sameness-group");
    let ConfigEntry::Other(group) = &groups.value[0] else {
        panic!()
    };
    assert_eq!(group.get("DefaultForFailover"), Some(&Value::Bool(true)));
}

#[tokio::test]
async fn set_sends_the_entry_tagged_by_its_kind() {
    let (client, mock) = client();
    let config = client.config_entries();
    mock.push(Reply::json("true"));
    let written = config
        .set(ServiceDefaults::new("web").protocol("http"))
        .dc("dc2")
        .token("writer")
        .await
        .unwrap();
    assert!(written.value);
    let req = sent(&mock);
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/config");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert!(req.query("cas").is_none());
    assert_eq!(req.headers["x-consul-token"], "writer");
    assert_eq!(req.headers["content-type"], "application/json");
    assert_eq!(
        body_json(&req),
        json!({"Kind": "service-defaults", "Name": "web", "Protocol": "http"})
    );

    // Read, change one field, write back: everything read goes back, nested fields a
    // newer Consul added included.
    let newer = r#"{"Kind":"service-splitter","Name":"web",
        "Splits":[{"Weight":90,"ServiceSubset":"v1","Future":"kept"},{"Weight":10,"ServiceSubset":"v2"}],
        "Partition":"default","CreateIndex":3,"ModifyIndex":7}"#;
    mock.push(Reply::json(newer));
    let entry = config
        .get(ConfigKind::ServiceSplitter, "web")
        .await
        .unwrap()
        .value
        .unwrap();
    let mut splitter = ServiceSplitter::try_from(entry).unwrap();
    splitter.splits[0].weight = 80.0;
    splitter.splits[1].weight = 20.0;
    mock.push(Reply::json("true"));
    config.set(splitter).await.unwrap();
    let mut expected: Value = serde_json::from_str(newer).unwrap();
    expected["Splits"][0]["Weight"] = json!(80.0);
    expected["Splits"][1]["Weight"] = json!(20.0);
    assert_eq!(body_json(&sent(&mock)), expected);
}

#[tokio::test]
async fn an_unknown_kind_is_written_back_whole() {
    let (client, mock) = client();
    let config = client.config_entries();
    mock.push(Reply::json(fixture!("doc_sameness_group")));
    let Some(ConfigEntry::Other(mut group)) =
        config.get("sameness-group", "east").await.unwrap().value
    else {
        panic!("kept as Other")
    };
    assert_eq!(sent(&mock).uri.path(), "/v1/config/sameness-group/east");
    group.set("IncludeLocal", Value::Bool(false));
    mock.push(Reply::json("true"));
    assert!(config.set(group).await.unwrap().value);
    let mut expected: Value = serde_json::from_str(fixture!("doc_sameness_group")).unwrap();
    expected["IncludeLocal"] = Value::Bool(false);
    assert_eq!(body_json(&sent(&mock)), expected);
}

#[tokio::test]
async fn cas_sends_the_index_and_reads_false() {
    let (client, mock) = client();
    let config = client.config_entries();
    mock.push(Reply::json("false"));
    let lost = config
        .cas(ServiceDefaults::new("web").protocol("grpc"), 27)
        .await
        .unwrap();
    assert!(!lost.value, "a lost check-and-set is false, not an error");
    let req = sent(&mock);
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), "/v1/config");
    assert_eq!(req.query("cas").as_deref(), Some("27"));
    mock.push(Reply::json("true"));
    assert!(
        config
            .cas(ServiceDefaults::new("new"), 0)
            .await
            .unwrap()
            .value
    );
    assert_eq!(sent(&mock).query("cas").as_deref(), Some("0"));
}

#[tokio::test]
async fn delete_names_kind_and_name() {
    let (client, mock) = client();
    // Consul 1.8.7 answers `{}`.
    mock.push(Reply::json("{}"));
    client
        .config_entries()
        .delete(ConfigKind::IngressGateway, "ingress")
        .dc("dc3")
        .await
        .unwrap();
    let req = sent(&mock);
    assert_eq!(req.method, "DELETE");
    assert_eq!(req.uri.path(), "/v1/config/ingress-gateway/ingress");
    assert_eq!(req.query("dc").as_deref(), Some("dc3"));
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn what_consul_would_refuse_or_rename_is_never_sent() {
    let (client, mock) = client();
    let config = client.config_entries();
    let cases: Vec<(&str, Error)> = vec![
        ("empty kind", config.get("", "web").await.unwrap_err()),
        (
            "empty name",
            config
                .get(ConfigKind::ServiceDefaults, "")
                .await
                .unwrap_err(),
        ),
        ("list of no kind", config.list("").await.unwrap_err()),
        (
            "a dot segment",
            config
                .delete(ConfigKind::ServiceDefaults, "..")
                .await
                .unwrap_err(),
        ),
        (
            "nameless entry",
            config.set(ServiceDefaults::new("")).await.unwrap_err(),
        ),
        (
            "proxy-defaults not named global",
            config.set(ProxyDefaults::new("web")).await.unwrap_err(),
        ),
        (
            "kindless entry",
            config.cas(OtherEntry::new("", "x"), 1).await.unwrap_err(),
        ),
    ];
    for (case, err) in cases {
        assert!(err.is_validation(), "{case}: {err:?}");
    }
    assert!(matches!(
        config.set(ProxyDefaults::new("web")).await.unwrap_err(),
        Error::Validation(ValidationError::InvalidValue { .. })
    ));
    assert_eq!(mock.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn consul_refusals_are_status_errors_with_their_reason() {
    let (client, mock) = client();
    let reason = r#"discovery chain "web" uses a protocol "tcp" that does not permit advanced routing or splitting behavior"#;
    mock.push(Reply::status(500, reason));
    let err = client
        .config_entries()
        .set(ServiceSplitter::new("web").split(ServiceSplit::new(100.0)))
        .await
        .unwrap_err();
    match &err {
        Error::Status { code, body, .. } => {
            assert_eq!(code.as_u16(), 500);
            assert_eq!(body, reason);
        }
        other => panic!("{other:?}"),
    }
    // An unknown field is refused by the open-source agent; that is a status error too.
    mock.push(Reply::status(
        400,
        "Bad request: Request decoding failed: 1 error occurred:\n\t* invalid config key \"Bogus\"",
    ));
    let mut bogus = OtherEntry::new("service-defaults", "web");
    bogus.set("Bogus", json!(1));
    let err = client.config_entries().set(bogus).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(!err.is_unsupported());
}

#[tokio::test]
async fn kinds_unknown_to_the_agent_are_unsupported_naming_its_version() {
    let (client, mock) = client();
    let config = client.config_entries();

    unknown_kind(&mock, 400, "mesh");
    let err = config.set(Mesh::default()).await.unwrap_err();
    match &err {
        Error::Unsupported {
            path,
            agent_version,
        } => {
            assert_eq!(path, "config/mesh");
            assert_eq!(agent_version.as_deref(), Some("1.8.7"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "the consul agent (version 1.8.7) does not serve /v1/config/mesh"
    );
    let requests = mock.requests();
    assert_eq!(requests[0].uri.path(), "/v1/config");
    assert_eq!(body_json(&requests[0]), json!({"Kind": "mesh"}));
    assert_eq!(requests[1].uri.path(), "/v1/agent/self");

    unknown_kind(&mock, 400, "service-intentions");
    let err = config
        .cas(ServiceIntentions::new("api"), 0)
        .await
        .unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert!(
        err.to_string().ends_with("/v1/config/service-intentions"),
        "{err}"
    );

    unknown_kind(&mock, 500, "api-gateway");
    let err = config
        .get(ConfigKind::ApiGateway, "public")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("does not serve /v1/config/api-gateway/public"),
        "{err}"
    );
    unknown_kind(&mock, 500, "jwt-provider");
    assert!(config
        .list(ConfigKind::JwtProvider)
        .await
        .unwrap_err()
        .is_unsupported());
    unknown_kind(&mock, 400, "exported-services");
    assert!(config
        .delete(ConfigKind::ExportedServices, "default")
        .await
        .unwrap_err()
        .is_unsupported());
}

/// Every post-1.8 kind: built, sent, and read back through the mock transport as
/// Consul's documentation shows it.
#[tokio::test]
async fn kinds_newer_than_consul_1_8_go_through_the_wire() {
    let (client, mock) = client();
    let config = client.config_entries();
    let entries: Vec<(ConfigEntry, &str, Value)> = vec![
        (
            ServiceIntentions::new("api")
                .source(SourceIntention::new("web", IntentionAction::Allow))
                .into(),
            fixture!("doc_service_intentions"),
            json!({"Kind": "service-intentions", "Name": "api",
                   "Sources": [{"Name": "web", "Action": "allow"}]}),
        ),
        (
            Mesh::default().into(),
            fixture!("doc_mesh"),
            json!({"Kind": "mesh"}),
        ),
        (
            ExportedServices::new("default")
                .service(ExportedService::new("web").consumer(ServiceConsumer::peer("p")))
                .into(),
            fixture!("doc_exported_services"),
            json!({"Kind": "exported-services", "Name": "default",
                   "Services": [{"Name": "web", "Consumers": [{"Peer": "p"}]}]}),
        ),
        (
            JwtProvider::new("okta")
                .issuer("https://idp")
                .json_web_key_set(JsonWebKeySet::remote(RemoteJwks::new("https://idp/keys")))
                .into(),
            fixture!("doc_jwt_provider"),
            json!({"Kind": "jwt-provider", "Name": "okta", "Issuer": "https://idp",
                   "JSONWebKeySet": {"Remote": {"URI": "https://idp/keys"}}}),
        ),
        (
            ApiGateway::new("public")
                .listener(
                    ApiGatewayListener::new("https", 8443, "http")
                        .certificate(ResourceReference::new("inline-certificate", "cert")),
                )
                .into(),
            fixture!("doc_api_gateway"),
            json!({"Kind": "api-gateway", "Name": "public", "Listeners": [{
                "Name": "https", "Port": 8443, "Protocol": "http",
                "TLS": {"Certificates": [{"Kind": "inline-certificate", "Name": "cert"}]}}]}),
        ),
        (
            HttpRoute::new("web-route")
                .parent(ResourceReference::new("api-gateway", "public").section("https"))
                .rule(HttpRouteRule::default().service(HttpService::new("web")))
                .into(),
            fixture!("doc_http_route"),
            json!({"Kind": "http-route", "Name": "web-route",
                   "Parents": [{"Kind": "api-gateway", "Name": "public", "SectionName": "https"}],
                   "Rules": [{"Services": [{"Name": "web"}]}]}),
        ),
        (
            TcpRoute::new("db-route").into(),
            fixture!("doc_tcp_route"),
            json!({"Kind": "tcp-route", "Name": "db-route"}),
        ),
        (
            InlineCertificate::new("cert").into(),
            fixture!("doc_inline_certificate"),
            json!({"Kind": "inline-certificate", "Name": "cert"}),
        ),
        (
            FileSystemCertificate::new("cert").into(),
            fixture!("doc_file_system_certificate"),
            json!({"Kind": "file-system-certificate", "Name": "cert"}),
        ),
    ];
    for (entry, documented, body) in entries {
        let kind = entry.kind();
        mock.push(Reply::json("true"));
        assert!(config.set(entry.clone()).await.unwrap().value, "{kind}");
        assert_eq!(body_json(&sent(&mock)), body, "{kind}");

        let read: ConfigEntry = serde_json::from_str(documented).unwrap();
        mock.push(Reply::json(documented));
        let got = config
            .get(kind.clone(), read.name())
            .await
            .unwrap()
            .value
            .unwrap();
        assert_eq!(
            sent(&mock).uri.path(),
            format!("/v1/config/{kind}/{}", read.name())
        );
        assert_eq!(got, read, "{kind}");
        assert_eq!(got.kind(), kind);
        assert!(!matches!(got, ConfigEntry::Other(_)), "{kind} is typed");
    }
}
