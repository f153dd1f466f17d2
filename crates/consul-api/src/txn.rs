//! Transactions (`PUT /v1/txn`): several KV, node, service and check operations applied
//! atomically.

use crate::request::{decode, query_meta};
use crate::{Client, Error, Result};
pub use consul_types::txn::{
    CatalogVerb, KvTxnOp, KvVerb, TxnError, TxnOp, TxnResponse, TxnResult, MAX_OPS,
};
use consul_types::{QueryOptions, QueryResponse};
use http::{Method, StatusCode};

/// Transactions; made by [`Client::txn`].
#[derive(Debug, Clone)]
pub struct Txn {
    client: Client,
}

impl Client {
    /// Transactions.
    pub fn txn(&self) -> Txn {
        Txn {
            client: self.clone(),
        }
    }
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

impl Txn {
    /// The same endpoint in datacenter `name`.
    #[must_use]
    pub fn dc(&self, name: &str) -> Txn {
        Txn {
            client: self.client.dc(name),
        }
    }

    /// Applies up to 64 operations atomically. A rollback (Consul's 409: a failed check or
    /// CAS, a missing key) is an answer, not an error: it is
    /// [`TxnOutcome::RolledBack`] with Consul's reasons. Read-only transactions honour the
    /// consistency mode of `opts`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/txn)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::txn::{KvTxnOp, TxnOp, TxnOutcome};
    /// use consul_api::QueryOptions;
    /// // Move a job from "pending" to "running" only if nobody touched it since index 42.
    /// let ops: Vec<TxnOp> = vec![
    ///     KvTxnOp::delete_cas("jobs/pending/7", 42).into(),
    ///     KvTxnOp::set("jobs/running/7", "worker-3").into(),
    /// ];
    /// match client.txn().execute(&ops, &QueryOptions::default()).await?.value {
    ///     TxnOutcome::Committed(_) => println!("moved"),
    ///     TxnOutcome::RolledBack(errors) => println!("lost the race: {}", errors[0].what),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty or oversized transaction or an invalid
    /// operation (nothing is sent); transport and status errors otherwise.
    pub async fn execute(
        &self,
        ops: &[TxnOp],
        opts: &QueryOptions,
    ) -> Result<QueryResponse<TxnOutcome>> {
        consul_types::txn::validate(ops)?;
        let (response, elapsed) = self
            .client
            .call(Method::PUT, "txn")
            .query_options(opts)?
            .json(ops)?
            .send_raw()
            .await?;
        let meta = query_meta(&response, elapsed)?;
        let outcome = match response.status() {
            StatusCode::OK => {
                TxnOutcome::Committed(decode::<TxnResponse>(response.body())?.results)
            }
            StatusCode::CONFLICT => {
                TxnOutcome::RolledBack(decode::<TxnResponse>(response.body())?.errors)
            }
            _ => return Err(Error::from_response(&response)),
        };
        Ok(QueryResponse {
            value: outcome,
            meta,
        })
    }
}
