//! The prepared query endpoints on a mock transport: what is sent, and how answers are read.

use consul_api::query::{PreparedQueryDefinition, QueryTemplate, REDACTED_TOKEN};
use consul_api::{Client, Config, Error, ValidationError};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("http://127.0.0.1:8500").unwrap(), mock.clone())
            .unwrap();
    (client, mock)
}

const GET: &str = include_str!("../../consul-types/tests/fixtures/query/get.json");
const LIST: &str = include_str!("../../consul-types/tests/fixtures/query/list.json");
const EXECUTE: &str = include_str!("../../consul-types/tests/fixtures/query/execute.json");
const EXPLAIN: &str = include_str!("../../consul-types/tests/fixtures/query/explain_template.json");
const CREATED: &str = include_str!("../../consul-types/tests/fixtures/query/create.json");
const ID: &str = "3f7e6526-b2b6-3acd-973b-5dcba9b1ac83";

#[tokio::test]
async fn create_posts_the_definition_and_returns_the_id() {
    let (client, mock) = client();
    mock.push(Reply::json(CREATED));
    let definition = PreparedQueryDefinition::service("web")
        .name("web")
        .only_passing()
        .tags(["v1", "!canary"])
        .near("_agent")
        .node_meta("rack", "r1")
        .failover_nearest(2)
        .failover_datacenters(["dc2"])
        .dns_ttl(Duration::from_secs(10));
    let id = client
        .prepared_query()
        .create(definition)
        .dc("dc2")
        .token("writer")
        .await
        .unwrap()
        .value;
    assert_eq!(id, "38e97134-1c96-aaa9-1ef5-1610dd177bc9");
    let req = mock.last().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.uri.path(), "/v1/query");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.headers["x-consul-token"], "writer");
    assert_eq!(req.headers["content-type"], "application/json");
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "Name": "web",
            "Service": {
                "Service": "web", "OnlyPassing": true, "Tags": ["v1", "!canary"],
                "Near": "_agent", "NodeMeta": {"rack": "r1"},
                "Failover": {"NearestN": 2, "Datacenters": ["dc2"]}
            },
            "DNS": {"TTL": "10s"}
        })
    );

    // A template.
    mock.push(Reply::json(CREATED));
    let template = PreparedQueryDefinition::service("geo-db-${match(1)}")
        .name("geo-db-")
        .template(
            QueryTemplate::name_prefix_match()
                .regexp("^geo-db-([a-z]+)$")
                .remove_empty_tags(),
        );
    client.prepared_query().create(template).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&mock.last().unwrap().body).unwrap();
    assert_eq!(
        body["Template"],
        serde_json::json!({"Type": "name_prefix_match", "Regexp": "^geo-db-([a-z]+)$", "RemoveEmptyTags": true})
    );
}

#[tokio::test]
async fn definitions_consul_would_refuse_are_never_sent() {
    let (client, mock) = client();
    let q = client.prepared_query();
    let anonymous = PreparedQueryDefinition::service("web");
    let e = q.create(anonymous.clone()).await.unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::InvalidValue {
            field: "prepared query",
            ..
        })
    ));
    let e = q
        .create(PreparedQueryDefinition::service("").name("x"))
        .await
        .unwrap_err();
    assert!(e.is_validation());
    let e = q
        .create(anonymous.clone().name("x").token(REDACTED_TOKEN))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("redacted"), "{e}");
    // A definition read back has an id: it updates, it does not create.
    let read: Vec<PreparedQueryDefinition> = serde_json::from_str(GET).unwrap();
    assert!(q.create(read[0].clone()).await.unwrap_err().is_validation());
    // Ids that are not UUIDs: Consul would answer 500.
    let named = anonymous.name("x");
    assert!(q
        .update("web", named.clone())
        .await
        .unwrap_err()
        .is_validation());
    assert!(q.get("web").await.unwrap_err().is_validation());
    assert!(q.delete("").await.unwrap_err().is_validation());
    assert!(q.execute("").await.unwrap_err().is_validation());
    assert!(q.explain("").await.unwrap_err().is_validation());
    // A watch of an invalid read ends with the error, nothing sent.
    let mut watch = q.get("..").watch();
    assert!(watch.next().await.unwrap().unwrap_err().is_validation());
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn get_is_none_for_an_unknown_query_and_list_blocks() {
    let (client, mock) = client();
    let q = client.prepared_query();
    mock.push(Reply::json(GET).header("X-Consul-Index", "24"));
    let got = q.get(ID).await.unwrap();
    let query = got.value.expect("the query exists");
    assert_eq!(query.id, ID);
    assert_eq!(query.service.failover.datacenters, ["dc2", "dc3"]);
    assert_eq!(got.meta.last_index, 24);
    let req = mock.last().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.path(), format!("/v1/query/{ID}"));

    // What Consul 1.8.7 answers for an unknown id.
    mock.push(Reply::status(404, "Query not found"));
    assert!(q.get(ID).await.unwrap().value.is_none());

    mock.push(Reply::json(LIST).header("X-Consul-Index", "30"));
    let list = q
        .list()
        .wait(24, Duration::from_secs(5))
        .stale()
        .dc("dc2")
        .await
        .unwrap();
    assert_eq!(list.value.len(), 3);
    assert_eq!(list.meta.last_index, 30);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/query");
    assert_eq!(req.query("index").as_deref(), Some("24"));
    assert_eq!(req.query("wait").as_deref(), Some("5000ms"));
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));

    mock.push(Reply::json("[]"));
    assert!(q.list().await.unwrap().value.is_empty());

    mock.push(Reply::json(GET).header("X-Consul-Index", "24"));
    q.get(ID)
        .wait(20, Duration::from_secs(1))
        .consistent()
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("index").as_deref(), Some("20"));
    assert_eq!(req.query("consistent").as_deref(), Some(""));
}

#[tokio::test]
async fn update_puts_the_definition_and_delete_deletes() {
    let (client, mock) = client();
    let q = client.prepared_query();
    let read: Vec<PreparedQueryDefinition> = serde_json::from_str(GET).unwrap();
    mock.push(Reply::status(200, ""));
    q.update(ID, read[0].clone().failover_nearest(3))
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(req.uri.path(), format!("/v1/query/{ID}"));
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["Service"]["Failover"]["NearestN"], 3);
    assert_eq!(body["ID"], ID);

    mock.push(Reply::status(
        500,
        "Cannot modify non-existent prepared query: '3f7e6526-b2b6-3acd-973b-5dcba9b1ac83'",
    ));
    let e = q.delete(ID).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    let req = mock.last().unwrap();
    assert_eq!(req.method, "DELETE");
    assert_eq!(req.uri.path(), format!("/v1/query/{ID}"));
    assert!(req.body.is_empty());

    mock.push(Reply::status(200, ""));
    q.delete(ID).dc("dc2").await.unwrap();
    assert_eq!(mock.last().unwrap().query("dc").as_deref(), Some("dc2"));
}

#[tokio::test]
async fn execute_takes_near_limit_connect_and_the_cache() {
    let (client, mock) = client();
    let q = client.prepared_query();
    mock.push(
        Reply::json(EXECUTE)
            .header("X-Cache", "HIT")
            .header("Age", "3"),
    );
    let found = q
        .execute("web query")
        .near("_agent")
        .limit(2)
        .connect()
        .cached(Duration::from_secs(30))
        .dc("dc2")
        .await
        .unwrap();
    assert_eq!(found.value.service, "web");
    assert_eq!(found.value.nodes.len(), 1);
    assert_eq!(found.value.nodes[0].service.id, "web-1");
    assert!(found.meta.cache_hit.is_some());
    let req = mock.last().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.uri.path(), "/v1/query/web%20query/execute");
    assert_eq!(req.query("near").as_deref(), Some("_agent"));
    assert_eq!(req.query("limit").as_deref(), Some("2"));
    assert_eq!(req.query("connect").as_deref(), Some("true"));
    assert_eq!(req.query("cached").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.headers["cache-control"], "max-age=30");

    // Nothing optional is sent unless set.
    mock.push(Reply::json(EXECUTE));
    q.execute("web").await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/query/web/execute");
    assert_eq!(req.uri.query(), None);

    // Running a query that does not exist acts on nothing.
    mock.push(Reply::status(404, "Query not found"));
    let e = q.execute("nope").await.unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { message } if message == "Query not found"),
        "{e:?}"
    );
    // Options an execute does not take are refused before sending.
    let opts = consul_api::QueryOptions::default().filter("Service == web");
    assert!(q
        .execute("web")
        .options(&opts)
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 3);
}

#[tokio::test]
async fn explain_shows_the_rendered_template() {
    let (client, mock) = client();
    let q = client.prepared_query();
    mock.push(Reply::json(EXPLAIN));
    let explained = q.explain("geo-db-eu").stale().await.unwrap().value;
    assert_eq!(explained.query.service.service, "geo-db-eu");
    assert!(explained.query.is_template());
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/query/geo-db-eu/explain");
    assert_eq!(req.query("stale").as_deref(), Some(""));

    mock.push(Reply::status(404, "Query not found"));
    assert!(q.explain("nope").await.unwrap_err().is_not_found());
}
