//! What the transaction handle puts on the wire, checked on a MockTransport.

use consul_api::txn::{KvTxnOp, TxnOp, TxnOutcome, TxnResult, MAX_OPS};
use consul_api::{Client, Config, Consistency, QueryOptions};
use consul_transport::mock::{MockTransport, Reply};

fn client(mock: &MockTransport) -> Client {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("txn-token".into());
    Client::with_transport(config, mock.clone()).unwrap()
}

const COMMITTED: &str = r#"{"Results":[{"KV":{"Key":"a","Flags":5,"Value":null,"CreateIndex":7,"ModifyIndex":7}}],"Errors":null}"#;
const ROLLED_BACK: &str =
    r#"{"Results":null,"Errors":[{"OpIndex":1,"What":"failed to set key \"a\", index is stale"}]}"#;

#[tokio::test]
async fn commits_with_results_and_sends_the_ops_as_json() {
    let mock = MockTransport::new();
    mock.push(Reply::json(COMMITTED).header("x-consul-index", "7"));
    let ops = [
        TxnOp::from(KvTxnOp::set("a", "hi").flags(5)),
        KvTxnOp::check_not_exists("b").into(),
    ];
    let done = client(&mock)
        .txn()
        .dc("dc2")
        .execute(&ops[..])
        .await
        .unwrap();
    assert!(done.value.is_committed());
    assert!(
        matches!(&done.value.results().unwrap()[0], TxnResult::Kv(p) if p.key == "a" && p.flags == 5)
    );
    assert_eq!(done.meta.last_index, 7);
    let req = mock.last().unwrap();
    assert_eq!((req.method.as_str(), req.uri.path()), ("PUT", "/v1/txn"));
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.headers["x-consul-token"], "txn-token");
    assert_eq!(req.headers["content-type"], "application/json");
    let sent: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!([
            { "KV": { "Verb": "set", "Key": "a", "Value": "aGk=", "Flags": 5 } },
            { "KV": { "Verb": "check-not-exists", "Key": "b" } }
        ])
    );
}

#[tokio::test]
async fn a_409_is_a_rollback_not_an_error() {
    let mock = MockTransport::new();
    mock.push(Reply::status(409, ROLLED_BACK))
        .push(Reply::status(500, "rpc error"))
        .push(Reply::status(
            413,
            "Transaction contains too many operations",
        ));
    let txn = client(&mock).txn();
    let ops = [
        KvTxnOp::delete("b").into(),
        KvTxnOp::cas("a", "3", 99).into(),
    ];
    match txn.execute(ops.clone()).await.unwrap().value {
        TxnOutcome::RolledBack(errors) => {
            assert_eq!(errors[0].op_index, 1);
            assert!(errors[0].what.contains("index is stale"));
        }
        other => panic!("{other:?}"),
    }
    let err = txn.execute(ops.clone()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    let err = txn.execute(ops).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(413));
}

#[tokio::test]
async fn consistency_options_apply() {
    let mock = MockTransport::new();
    mock.push(Reply::json(COMMITTED))
        .push(Reply::json(COMMITTED))
        .push(Reply::json(COMMITTED));
    let txn = client(&mock).txn();
    txn.execute([KvTxnOp::get_tree("p/").into()])
        .stale()
        .await
        .unwrap();
    assert_eq!(mock.last().unwrap().query("stale").as_deref(), Some(""));
    txn.execute([KvTxnOp::get("p/a").into()])
        .consistent()
        .await
        .unwrap();
    assert_eq!(
        mock.last().unwrap().query("consistent").as_deref(),
        Some("")
    );
    // A prepared set of options, reused.
    let opts = QueryOptions::default()
        .consistency(Consistency::Stale)
        .datacenter("dc3");
    txn.execute([KvTxnOp::get("p/a").into()])
        .options(&opts)
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert_eq!(req.query("dc").as_deref(), Some("dc3"));
}

#[tokio::test]
async fn invalid_transactions_are_refused_before_sending() {
    let mock = MockTransport::new();
    let txn = client(&mock).txn();
    let too_many: Vec<TxnOp> = (0..=MAX_OPS)
        .map(|i| KvTxnOp::set(format!("k{i}"), "x").into())
        .collect();
    assert!(txn.execute(too_many).await.unwrap_err().is_validation());
    assert!(txn
        .execute(Vec::<TxnOp>::new())
        .await
        .unwrap_err()
        .is_validation());
    assert!(txn
        .execute([KvTxnOp::get("").into()])
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 0);
}
