//! Prepared queries against real agents: the definition's life cycle, execution over the
//! catalog's health, failover to a second datacenter, and templates.

use consul_integration_tests::{eventually, next_until, recording_client, Federation, TestAgent};
use consulate::acl::{AclPolicy, AclToken, Policy, Rules};
use consulate::catalog::{AgentService, CatalogRegistration, CheckStatus, HealthCheck};
use consulate::query::{PreparedQueryDefinition, QueryTemplate, QueryTemplateType, REDACTED_TOKEN};
use consulate::{Client, Error, Token};
use std::time::Duration;

/// Registers instance `id` of `service` on an external node `node` of the handle's
/// datacenter, with one service check in `status` (external entries: no agent changes
/// their health, so what a query finds is known at once).
async fn register(
    client: &Client,
    dc: Option<&str>,
    node: &str,
    id: &str,
    service: &str,
    tags: &[&str],
    status: CheckStatus,
) {
    let reg = CatalogRegistration::new(node, "10.0.0.1")
        .service(
            AgentService::new(id, service)
                .port(8080)
                .tags(tags.iter().copied()),
        )
        .check(HealthCheck::new(format!("{id}-check"), "check", status).service_id(id));
    let catalog = match dc {
        Some(dc) => client.catalog().dc(dc),
        None => client.catalog(),
    };
    assert!(catalog.register(reg).await.unwrap().value);
}

/// The instance ids of an execution, sorted.
fn ids(found: &consulate::query::PreparedQueryExecuteResponse) -> Vec<String> {
    let mut ids: Vec<_> = found.nodes.iter().map(|e| e.service.id.clone()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn create_read_update_list_and_delete() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let queries = client.prepared_query();

    let mut list = queries.list().await.unwrap();
    assert!(list.value.is_empty());
    let definition = PreparedQueryDefinition::service("web")
        .name("web")
        .only_passing()
        .tags(["v1", "!canary"])
        .near("_agent")
        .node_meta("rack", "r1")
        .service_meta("version", "1")
        .ignore_check_ids(["flaky"])
        .failover_nearest(2)
        .failover_datacenters(["dc2", "dc3"])
        .dns_ttl(Duration::from_secs(10));
    let id = queries.create(definition.clone()).await.unwrap().value;

    let read = queries.get(&id).await.unwrap();
    let query = read.value.expect("the query exists");
    assert!(read.meta.last_index > 0);
    assert_eq!(query.id, id);
    assert!(query.create_index > 0);
    // What was sent is what is read back, Consul's id and indexes aside.
    let mut as_sent = query.clone();
    as_sent.id.clear();
    as_sent.create_index = 0;
    as_sent.modify_index = 0;
    assert_eq!(as_sent, definition);

    // A blocking list wakes on the creation of another query.
    let index = list.meta.last_index;
    let waiting = queries
        .list()
        .wait(read.meta.last_index, Duration::from_secs(10));
    let other = queries
        .create(PreparedQueryDefinition::service("db").name("db"))
        .await
        .unwrap()
        .value;
    list = waiting.await.unwrap();
    assert!(list.meta.last_index > index);
    let mut names: Vec<_> = list.value.iter().map(|q| q.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["db", "web"]);

    // Read, change, write back: the whole definition is replaced.
    let changed = query
        .clone()
        .failover_nearest(3)
        .dns_ttl(Duration::from_secs(30));
    queries.update(&id, changed).await.unwrap();
    let updated = queries.get(&id).await.unwrap().value.unwrap();
    assert_eq!(updated.service.failover.nearest_n, 3);
    assert_eq!(updated.dns.ttl, Some(Duration::from_secs(30)));
    assert_eq!(updated.service.tags, ["v1", "!canary"]);
    assert!(updated.modify_index > query.modify_index);
    queries
        .update(&id, PreparedQueryDefinition::service("web2").name("web"))
        .await
        .unwrap();
    let replaced = queries.get(&id).await.unwrap().value.unwrap();
    assert_eq!(replaced.service.service, "web2");
    assert!(replaced.service.tags.is_empty() && !replaced.service.only_passing);

    // A name is unique: Consul refuses a second query of that name.
    let e = queries
        .create(PreparedQueryDefinition::service("x").name("web"))
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{e}");

    // A watch of one query sees it change, then end.
    let mut watch = queries.get(&id).wait_time(Duration::from_secs(5)).watch();
    next_until(&mut watch, "the query", |q| q.is_some()).await;
    queries
        .update(&id, replaced.clone().only_passing())
        .await
        .unwrap();
    next_until(&mut watch, "the update", |q| {
        q.as_ref().is_some_and(|q| q.service.only_passing)
    })
    .await;
    queries.delete(&id).await.unwrap();
    next_until(&mut watch, "the deletion", Option::is_none).await;
    drop(watch);
    queries.delete(&other).await.unwrap();
    // What Consul 1.8.7 answers for an unknown id (404 `Query not found`) is `None`.
    assert!(queries.get(&id).await.unwrap().value.is_none());
    assert!(queries.list().await.unwrap().value.is_empty());
    // Updating or deleting one is an error of Consul's (500, not a 404).
    for e in [
        queries.delete(&id).await.unwrap_err(),
        queries
            .update(&id, PreparedQueryDefinition::service("web").name("web"))
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{e}");
        assert!(e.to_string().contains("non-existent prepared query"), "{e}");
    }
}

#[tokio::test]
async fn execute_returns_the_healthy_instances() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    register(
        &client,
        None,
        "n1",
        "web-1",
        "web",
        &["v1"],
        CheckStatus::Passing,
    )
    .await;
    register(
        &client,
        None,
        "n2",
        "web-2",
        "web",
        &["v1"],
        CheckStatus::Warning,
    )
    .await;
    register(
        &client,
        None,
        "n3",
        "web-3",
        "web",
        &["v2"],
        CheckStatus::Critical,
    )
    .await;
    register(
        &client,
        None,
        "n4",
        "web-4",
        "web",
        &["v1", "canary"],
        CheckStatus::Passing,
    )
    .await;
    let queries = client.prepared_query();
    let healthy = queries
        .create(PreparedQueryDefinition::service("web").name("web"))
        .await
        .unwrap()
        .value;
    queries
        .create(
            PreparedQueryDefinition::service("web")
                .name("web-passing-v1")
                .only_passing()
                .tags(["v1", "!canary"]),
        )
        .await
        .unwrap();

    // Critical instances never count; warning ones do unless only passing is asked.
    let found = queries.execute("web").await.unwrap();
    assert_eq!(ids(&found.value), ["web-1", "web-2", "web-4"]);
    assert_eq!(found.value.service, "web");
    assert_eq!(found.value.datacenter, "dc1");
    assert_eq!(found.value.failovers, 0);
    let by_id = queries.execute(&healthy).await.unwrap().value;
    assert_eq!(ids(&by_id), ["web-1", "web-2", "web-4"]);
    let strict = queries.execute("web-passing-v1").await.unwrap().value;
    assert_eq!(ids(&strict), ["web-1"]);
    assert_eq!(
        strict.nodes[0].aggregated_status(),
        Some(CheckStatus::Passing)
    );
    assert_eq!(strict.nodes[0].node.node, "n1");

    // The request's own options.
    let one = queries
        .execute("web")
        .limit(1)
        .near("_agent")
        .await
        .unwrap();
    assert_eq!(one.value.nodes.len(), 1);
    assert!(queries
        .execute("web")
        .connect()
        .await
        .unwrap()
        .value
        .nodes
        .is_empty());
    let cached = queries.execute("web").cached(None).await.unwrap();
    assert!(cached.meta.cache_hit.is_some(), "X-Cache answered");
    assert_eq!(ids(&cached.value), ["web-1", "web-2", "web-4"]);
    let stale = queries.execute("web").stale().await.unwrap();
    assert_eq!(ids(&stale.value), ["web-1", "web-2", "web-4"]);

    // A query that does not exist cannot run.
    let e = queries.execute("nope").await.unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { message } if message == "Query not found"),
        "{e:?}"
    );
    assert!(queries.explain("nope").await.unwrap_err().is_not_found());
    let explained = queries.explain("web-passing-v1").await.unwrap().value;
    assert_eq!(explained.query.service.tags, ["v1", "!canary"]);
}

#[tokio::test]
async fn a_failover_query_answers_from_dc2_when_dc1_has_none() {
    let fed = Federation::start().await.unwrap();
    let client = fed.primary.client();
    register(
        &client,
        Some("dc2"),
        "dc2-n1",
        "web-dc2",
        "web",
        &[],
        CheckStatus::Passing,
    )
    .await;
    register(
        &client,
        None,
        "dc1-n1",
        "web-dc1",
        "web",
        &[],
        CheckStatus::Critical,
    )
    .await;
    let queries = client.prepared_query();
    queries
        .create(
            PreparedQueryDefinition::service("web")
                .name("web-listed")
                .failover_datacenters(["dc9", "dc2"]),
        )
        .await
        .unwrap();
    queries
        .create(
            PreparedQueryDefinition::service("web")
                .name("web-nearest")
                .failover_nearest(1),
        )
        .await
        .unwrap();
    queries
        .create(PreparedQueryDefinition::service("web").name("web-local"))
        .await
        .unwrap();

    for name in ["web-listed", "web-nearest"] {
        let found = queries.execute(name).await.unwrap().value;
        assert_eq!(found.datacenter, "dc2", "{name}");
        assert_eq!(ids(&found), ["web-dc2"], "{name}");
        assert_eq!(found.nodes[0].node.datacenter, "dc2");
        assert_eq!(found.failovers, 1, "{name}: dc9 is unknown, skipped");
    }
    let local = queries.execute("web-local").await.unwrap().value;
    assert_eq!(local.datacenter, "dc1");
    assert!(local.nodes.is_empty());
    assert_eq!(local.failovers, 0);

    // Once dc1 has a healthy instance, it answers itself.
    register(
        &client,
        None,
        "dc1-n1",
        "web-dc1",
        "web",
        &[],
        CheckStatus::Passing,
    )
    .await;
    let found = queries.execute("web-listed").await.unwrap().value;
    assert_eq!(found.datacenter, "dc1");
    assert_eq!(ids(&found), ["web-dc1"]);
    assert_eq!(found.failovers, 0);

    // The queries live in dc1: dc2 has none of them, and a query made in dc2 runs there.
    let dc2 = client.prepared_query().dc("dc2");
    assert!(dc2.list().await.unwrap().value.is_empty());
    assert!(dc2.execute("web-listed").await.unwrap_err().is_not_found());
    dc2.create(PreparedQueryDefinition::service("web").name("web-listed"))
        .await
        .unwrap();
    let there = dc2.execute("web-listed").await.unwrap().value;
    assert_eq!(
        (there.datacenter.as_str(), ids(&there)),
        ("dc2", vec!["web-dc2".to_owned()])
    );
}

#[tokio::test]
async fn a_template_answers_every_name_with_its_prefix() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    register(
        &client,
        None,
        "n1",
        "geo-db-eu-1",
        "geo-db-eu",
        &["primary"],
        CheckStatus::Passing,
    )
    .await;
    register(
        &client,
        None,
        "n2",
        "geo-db-us-1",
        "geo-db-us",
        &[],
        CheckStatus::Passing,
    )
    .await;
    register(
        &client,
        None,
        "n3",
        "geo-cache-1",
        "geo-cache",
        &[],
        CheckStatus::Passing,
    )
    .await;
    let queries = client.prepared_query();
    let template = PreparedQueryDefinition::service("geo-db-${match(1)}")
        .name("geo-db-")
        .tags(["${match(2)}"])
        .template(
            QueryTemplate::name_prefix_match()
                .regexp("^geo-db-([a-z]+)-?([a-z]*)$")
                .remove_empty_tags(),
        );
    let id = queries.create(template).await.unwrap().value;
    // A shorter prefix: it answers what the longer one does not.
    queries
        .create(
            PreparedQueryDefinition::service("${name.suffix}")
                .name("geo-")
                .template(QueryTemplate::name_prefix_match()),
        )
        .await
        .unwrap();

    let stored = queries.get(&id).await.unwrap().value.unwrap();
    let kind = stored.template.as_ref().map(|t| &t.template_type);
    assert_eq!(kind, Some(&QueryTemplateType::NamePrefixMatch));

    let eu = queries.execute("geo-db-eu").await.unwrap().value;
    assert_eq!(eu.service, "geo-db-eu");
    assert_eq!(ids(&eu), ["geo-db-eu-1"]);
    let us = queries.execute("geo-db-us").await.unwrap().value;
    assert_eq!(ids(&us), ["geo-db-us-1"]);
    // The second group becomes a required tag.
    let primary = queries.execute("geo-db-eu-primary").await.unwrap().value;
    assert_eq!(ids(&primary), ["geo-db-eu-1"]);
    let backup = queries.execute("geo-db-eu-backup").await.unwrap().value;
    assert!(backup.nodes.is_empty());
    let cache = queries.execute("geo-cache").await.unwrap().value;
    assert_eq!(cache.service, "cache", "the suffix after geo-");
    // A name no template's prefix starts is no query.
    assert!(queries.execute("other").await.unwrap_err().is_not_found());

    let explained = queries.explain("geo-db-eu").await.unwrap().value.query;
    assert_eq!(explained.id, id);
    assert_eq!(explained.service.service, "geo-db-eu");
    assert!(explained.service.tags.is_empty(), "the empty tag removed");
    let explained = queries
        .explain("geo-db-us-primary")
        .await
        .unwrap()
        .value
        .query;
    assert_eq!(explained.service.tags, ["primary"]);
}

#[tokio::test]
async fn what_consul_would_refuse_is_not_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let queries = client.prepared_query();
    // Consul 1.8.7 answers 500 `UUID must be 36 characters` for these ids.
    assert!(queries.get("web").await.unwrap_err().is_validation());
    assert!(queries.delete("web").await.unwrap_err().is_validation());
    // An anonymous query must be bound to a session.
    let anonymous = PreparedQueryDefinition::service("web");
    assert!(queries
        .create(anonymous.clone())
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(recorder.count(), 0);

    // Bound to a session, it is accepted, and it ends with the session.
    let session = client.session().create().await.unwrap().value;
    let id = queries
        .create(anonymous.session(&session))
        .await
        .unwrap()
        .value;
    assert!(queries.get(&id).await.unwrap().value.is_some());
    client.session().destroy(&session).await.unwrap();
    eventually("the query to end with its session", || async {
        queries
            .get(&id)
            .await
            .unwrap()
            .value
            .is_none()
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn readers_see_the_token_redacted_and_cannot_write_it_back() {
    const MASTER: &str = "root-secret-0000-0000-000000000001";
    let agent = TestAgent::builder()
        .acl_master_token(MASTER)
        .start()
        .await
        .unwrap();
    let master = agent.client();
    register(
        &master,
        None,
        "n1",
        "web-1",
        "web",
        &[],
        CheckStatus::Passing,
    )
    .await;
    let rules = Rules::new().query_prefix("", Policy::Read);
    master
        .acl()
        .policy_create(AclPolicy::new("query-read", &rules))
        .await
        .unwrap();
    let reader_token = master
        .acl()
        .token_create(AclToken::new("query reader").policy("query-read"))
        .await
        .unwrap()
        .value
        .secret_id
        .expect("a new token has a secret");
    let mut config = agent.config();
    config.token = Some(reader_token);
    let (reader, recorder) = {
        let recorder = std::sync::Arc::new(consul_transport::mock::Recording::new(
            consul_transport::HyperTransport::new(),
        ));
        let client = Client::with_transport(config, std::sync::Arc::clone(&recorder)).unwrap();
        (client, recorder)
    };

    // The query runs with its own token (here the master token).
    let id = master
        .prepared_query()
        .create(
            PreparedQueryDefinition::service("web")
                .name("web")
                .token(MASTER),
        )
        .await
        .unwrap()
        .value;
    let seen_by_master = master
        .prepared_query()
        .get(&id)
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        seen_by_master.token.as_ref().map(Token::secret),
        Some(MASTER)
    );
    let seen = reader
        .prepared_query()
        .get(&id)
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(seen.token.as_ref().map(Token::secret), Some(REDACTED_TOKEN));
    let listed = reader.prepared_query().list().await.unwrap().value;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].token.as_ref().map(Token::secret),
        Some(REDACTED_TOKEN)
    );

    // Writing the redacted token back would break the query: refused before sending.
    let sent = recorder.count();
    let e = reader
        .prepared_query()
        .update(&id, seen.failover_nearest(1))
        .await
        .unwrap_err();
    assert!(e.is_validation(), "{e:?}");
    assert_eq!(recorder.count(), sent);

    // The reader may not read the service, but the query's token may: it finds it.
    assert!(reader
        .health()
        .service("web")
        .await
        .unwrap()
        .value
        .is_empty());
    let found = reader.prepared_query().execute("web").await.unwrap().value;
    assert_eq!(ids(&found), ["web-1"]);
    // Nor may it write queries.
    let e = reader
        .prepared_query()
        .create(PreparedQueryDefinition::service("web").name("web2"))
        .await
        .unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");
}
