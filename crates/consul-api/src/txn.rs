//! Transactions (`PUT /v1/txn`): several KV, node, service and check operations applied
//! atomically (Go's `api/txn.go`).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::txn::KvTxnOp;
//! let outcome = client
//!     .txn()
//!     .execute([KvTxnOp::set("a", "1").into(), KvTxnOp::set("b", "2").into()])
//!     .await?
//!     .value;
//! assert!(outcome.is_committed());
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest};
use crate::Result;
use consul_types::endpoint::Endpoint;
pub use consul_types::txn::{
    CatalogVerb, KvTxnOp, KvVerb, TxnError, TxnOp, TxnResponse, TxnResult, MAX_OPS,
};
use consul_types::ValidationError;
use http::{Method, StatusCode};

family! {
    /// Transactions; made by [`Client::txn`](crate::Client::txn).
    Txn, txn, "transactions"
}

/// How a transaction ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TxnOutcome {
    /// Every operation was applied; the results of the operations that return one (reads
    /// and writes; the check verbs return none), in order.
    Committed(Vec<TxnResult>),
    /// Nothing was applied; the errors say which operations failed and why.
    RolledBack(Vec<TxnError>),
}

impl TxnOutcome {
    /// Whether every operation was applied.
    pub fn is_committed(&self) -> bool {
        matches!(self, TxnOutcome::Committed(_))
    }

    /// The results, if committed.
    pub fn results(&self) -> Option<&[TxnResult]> {
        match self {
            TxnOutcome::Committed(r) => Some(r),
            TxnOutcome::RolledBack(_) => None,
        }
    }

    /// The errors, if rolled back.
    pub fn errors(&self) -> Option<&[TxnError]> {
        match self {
            TxnOutcome::Committed(_) => None,
            TxnOutcome::RolledBack(e) => Some(e),
        }
    }
}

/// The call of [`Txn::execute`] (Go's `Txn.Txn`).
#[derive(Debug, Clone)]
pub struct TxnExecute {
    ops: Vec<TxnOp>,
}

impl Call for TxnExecute {
    type Output = TxnOutcome;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        consul_types::txn::validate(&self.ops)?;
        // A rollback is Consul's 409: an answer, not a failure.
        Endpoint::read(Method::PUT, "txn")
            .answers(&[409])
            .json(&self.ops)
    }

    fn output(&self, answer: Answer) -> Result<TxnOutcome> {
        let response: TxnResponse = answer.json()?;
        Ok(if answer.status() == StatusCode::CONFLICT {
            TxnOutcome::RolledBack(response.errors)
        } else {
            TxnOutcome::Committed(response.results)
        })
    }
}

call_traits!(TxnExecute: Cluster);

impl Txn {
    /// Applies up to 64 operations atomically (Go's `Txn().Txn(ops, q)`). A rollback
    /// (Consul's 409: a failed check or CAS, a missing key) is an answer, not an error: it is
    /// [`TxnOutcome::RolledBack`] with Consul's reasons. Read-only transactions honour
    /// `.stale()` and `.consistent()`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/txn)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::txn::{KvTxnOp, TxnOp, TxnOutcome};
    /// // Move a job from "pending" to "running" only if nobody touched it since index 42.
    /// let ops: Vec<TxnOp> = vec![
    ///     KvTxnOp::delete_cas("jobs/pending/7", 42).into(),
    ///     KvTxnOp::set("jobs/running/7", "worker-3").into(),
    /// ];
    /// match client.txn().execute(ops).await?.value {
    ///     TxnOutcome::Committed(_) => println!("moved"),
    ///     TxnOutcome::RolledBack(errors) => println!("lost the race: {}", errors[0].what),
    ///     _ => {}
    /// }
    /// let tree = client.txn().execute([KvTxnOp::get_tree("jobs/").into()]).stale().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty or oversized transaction
    /// or an invalid operation (nothing is sent); transport and status errors otherwise.
    pub fn execute(&self, ops: impl Into<Vec<TxnOp>>) -> ReadRequest<TxnExecute> {
        self.read(TxnExecute { ops: ops.into() })
    }
}
