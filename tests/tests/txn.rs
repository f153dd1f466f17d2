//! Transactions against a real agent: atomic commit and rollback, limits, catalog ops.

use consul_integration_tests::{recording_client, unique_prefix, TestAgent};
use consulate::agent::AgentService;
use consulate::catalog::{CatalogService, Node};
use consulate::health::{CheckStatus, HealthCheck};
use consulate::txn::{CatalogVerb, KvTxnOp, TxnOp, TxnOutcome, TxnResult, MAX_OPS};
use consulate::{Client, ValidationError};
use http::Method;

/// Reads another family's endpoint through the raw request path, so that these tests
/// depend on no family's shape but the transaction's.
async fn read_json<T: serde::de::DeserializeOwned>(client: &Client, path: &str) -> T {
    let response = client.request(Method::GET, path).await.unwrap();
    serde_json::from_slice(response.body()).unwrap()
}

#[tokio::test]
async fn commits_all_or_nothing() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let p = unique_prefix("txn");
    let ops: Vec<TxnOp> = vec![
        KvTxnOp::set(format!("{p}a"), "1").flags(5).into(),
        KvTxnOp::check_not_exists(format!("{p}b")).into(),
        KvTxnOp::set(format!("{p}b"), "2").into(),
        KvTxnOp::get(format!("{p}a")).into(),
    ];
    let done = client.txn().execute(ops).await.unwrap().value;
    let results = done.results().expect("committed");
    assert_eq!(results.len(), 3, "check verbs return no result");
    assert!(matches!(&results[2], TxnResult::Kv(p) if p.value_str() == Some("1") && p.flags == 5));
    let a_index = match &results[0] {
        TxnResult::Kv(pair) => pair.modify_index,
        other => panic!("{other:?}"),
    };

    // A stale CAS rolls back the whole transaction: the delete before it is not applied.
    let ops: Vec<TxnOp> = vec![
        KvTxnOp::delete(format!("{p}b")).into(),
        KvTxnOp::cas(format!("{p}a"), "3", a_index + 1000).into(),
    ];
    match client.txn().execute(ops).await.unwrap().value {
        TxnOutcome::RolledBack(errors) => {
            assert_eq!(errors[0].op_index, 1);
            assert!(
                errors[0].what.contains("index is stale"),
                "{}",
                errors[0].what
            );
        }
        other => panic!("expected a rollback, got {other:?}"),
    }
    let b = client.kv().get(format!("{p}b")).await.unwrap().value;
    assert_eq!(
        b.unwrap().value_str(),
        Some("2"),
        "nothing of a rolled back txn is applied"
    );

    // A read-only transaction from any server.
    let read = client
        .txn()
        .execute([KvTxnOp::get_tree(p.clone()).into()])
        .stale()
        .await
        .unwrap()
        .value;
    assert_eq!(read.results().unwrap().len(), 2);
}

#[tokio::test]
async fn sixty_four_operations_at_most_checked_before_sending() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let p = unique_prefix("txn-limit");
    let ops: Vec<TxnOp> = (0..=MAX_OPS)
        .map(|i| KvTxnOp::set(format!("{p}{i}"), "x").into())
        .collect();
    let err = client.txn().execute(&ops[..]).await.unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::OutOfRange { .. })
        ),
        "{err:?}"
    );
    assert!(client
        .txn()
        .execute(Vec::<TxnOp>::new())
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .txn()
        .execute([KvTxnOp::get("").into()])
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(recorder.count(), 0, "nothing sent");
    let done = client.txn().execute(&ops[..MAX_OPS]).await.unwrap().value;
    assert!(done.is_committed());
    assert_eq!(client.kv().keys(&p).await.unwrap().value.len(), MAX_OPS);
}

#[tokio::test]
async fn services_and_checks_on_a_node() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    // An external node of the test's own: on the agent's node, anti-entropy removes
    // services the agent itself does not know, racing with the reads below.
    let node = "txn-external-node".to_owned();
    let mut service = AgentService::new("txn-web-1", "txn-web");
    service.port = 8080;
    service.tags = vec!["v1".into()];
    let check = {
        let mut c = HealthCheck::new("txn-web-check", "web alive", CheckStatus::Passing);
        c.node = node.clone();
        c.service_id = "txn-web-1".into();
        c
    };
    let ops = vec![
        TxnOp::Node {
            verb: CatalogVerb::Set,
            node: {
                let mut n = Node::default();
                n.node = node.clone();
                n.address = "192.0.2.10".into();
                n
            },
        },
        TxnOp::Service {
            verb: CatalogVerb::Set,
            node: node.clone(),
            service,
        },
        TxnOp::Check {
            verb: CatalogVerb::Set,
            check,
        },
    ];
    assert!(client
        .txn()
        .execute(ops)
        .await
        .unwrap()
        .value
        .is_committed());
    let instances: Vec<CatalogService> = read_json(&client, "catalog/service/txn-web").await;
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].service_port, 8080);
    let health: Vec<HealthCheck> = read_json(&client, "health/checks/txn-web").await;
    assert_eq!(health[0].status, CheckStatus::Passing);

    let get = vec![TxnOp::Service {
        verb: CatalogVerb::Get,
        node: node.clone(),
        service: AgentService::new("txn-web-1", ""),
    }];
    let read = client.txn().execute(get).await.unwrap().value;
    assert!(
        matches!(&read.results().unwrap()[0], TxnResult::Service(s) if s.service == "txn-web" && s.tags == ["v1"])
    );
    let nameless = TxnOp::Service {
        verb: CatalogVerb::Delete,
        node: node.clone(),
        service: AgentService::new("txn-web-1", ""),
    };
    let err = client.txn().execute([nameless]).await.unwrap_err();
    assert!(
        err.is_validation(),
        "Consul would refuse a write without the name: {err:?}"
    );
    let delete = vec![TxnOp::Service {
        verb: CatalogVerb::Delete,
        node,
        service: AgentService::new("txn-web-1", "txn-web"),
    }];
    let deleted = client.txn().execute(delete).await.unwrap().value;
    assert!(deleted.is_committed(), "{deleted:?}");
    let instances: Vec<CatalogService> = read_json(&client, "catalog/service/txn-web").await;
    assert!(instances.is_empty());
}
