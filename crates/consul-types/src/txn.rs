//! Transactions (`PUT /v1/txn`): up to 64 KV, node, service and check operations applied
//! all together or not at all.

use crate::agent::AgentService;
use crate::catalog::Node;
use crate::health::HealthCheck;
use crate::kv::{self, KvPair};
use crate::ValidationError;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Most operations Consul accepts in one transaction.
pub const MAX_OPS: usize = 64;

/// What a KV operation does (Consul's verbs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KvVerb {
    /// Write the value.
    Set,
    /// Write if the key's `ModifyIndex` is `index`.
    Cas,
    /// Write and take the lock for `session`.
    Lock,
    /// Write and release the lock held by `session`.
    Unlock,
    /// Read the key (the transaction fails if it is missing).
    Get,
    /// Read every key under the prefix.
    GetTree,
    /// Fail unless the key's `ModifyIndex` is `index`.
    CheckIndex,
    /// Fail unless the key is locked by `session`.
    CheckSession,
    /// Fail if the key exists.
    CheckNotExists,
    /// Delete the key.
    Delete,
    /// Delete every key under the prefix.
    DeleteTree,
    /// Delete if the key's `ModifyIndex` is `index`.
    DeleteCas,
}

/// One KV operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct KvTxnOp {
    /// What to do.
    pub verb: KvVerb,
    /// The key (a prefix for the tree verbs).
    pub key: String,
    /// The value to write.
    #[serde(
        with = "crate::serde_util::base64_bytes",
        skip_serializing_if = "Bytes::is_empty"
    )]
    pub value: Bytes,
    /// Flags to store.
    #[serde(skip_serializing_if = "is_zero")]
    pub flags: u64,
    /// The index for `cas`, `check-index` and `delete-cas`.
    #[serde(skip_serializing_if = "is_zero")]
    pub index: u64,
    /// The session for `lock`, `unlock` and `check-session`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub session: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl KvTxnOp {
    fn new(verb: KvVerb, key: impl Into<String>) -> Self {
        KvTxnOp {
            verb,
            key: key.into(),
            value: Bytes::new(),
            flags: 0,
            index: 0,
            session: String::new(),
        }
    }

    /// Writes `value`.
    pub fn set(key: impl Into<String>, value: impl Into<Bytes>) -> Self {
        KvTxnOp {
            value: value.into(),
            ..KvTxnOp::new(KvVerb::Set, key)
        }
    }

    /// Writes `value` if the key's `ModifyIndex` is `index` (`0`: only if absent).
    pub fn cas(key: impl Into<String>, value: impl Into<Bytes>, index: u64) -> Self {
        KvTxnOp {
            value: value.into(),
            index,
            ..KvTxnOp::new(KvVerb::Cas, key)
        }
    }

    /// Writes `value` and takes the lock for `session`.
    pub fn lock(
        key: impl Into<String>,
        value: impl Into<Bytes>,
        session: impl Into<String>,
    ) -> Self {
        KvTxnOp {
            value: value.into(),
            session: session.into(),
            ..KvTxnOp::new(KvVerb::Lock, key)
        }
    }

    /// Writes `value` and releases the lock held by `session`.
    pub fn unlock(
        key: impl Into<String>,
        value: impl Into<Bytes>,
        session: impl Into<String>,
    ) -> Self {
        KvTxnOp {
            value: value.into(),
            session: session.into(),
            ..KvTxnOp::new(KvVerb::Unlock, key)
        }
    }

    /// Reads the key; the transaction fails if it is missing.
    pub fn get(key: impl Into<String>) -> Self {
        KvTxnOp::new(KvVerb::Get, key)
    }

    /// Reads every key under `prefix`.
    pub fn get_tree(prefix: impl Into<String>) -> Self {
        KvTxnOp::new(KvVerb::GetTree, prefix)
    }

    /// Fails the transaction unless the key's `ModifyIndex` is `index`.
    pub fn check_index(key: impl Into<String>, index: u64) -> Self {
        KvTxnOp {
            index,
            ..KvTxnOp::new(KvVerb::CheckIndex, key)
        }
    }

    /// Fails the transaction unless the key is locked by `session`.
    pub fn check_session(key: impl Into<String>, session: impl Into<String>) -> Self {
        KvTxnOp {
            session: session.into(),
            ..KvTxnOp::new(KvVerb::CheckSession, key)
        }
    }

    /// Fails the transaction if the key exists.
    pub fn check_not_exists(key: impl Into<String>) -> Self {
        KvTxnOp::new(KvVerb::CheckNotExists, key)
    }

    /// Deletes the key.
    pub fn delete(key: impl Into<String>) -> Self {
        KvTxnOp::new(KvVerb::Delete, key)
    }

    /// Deletes every key under `prefix`.
    pub fn delete_tree(prefix: impl Into<String>) -> Self {
        KvTxnOp::new(KvVerb::DeleteTree, prefix)
    }

    /// Deletes the key if its `ModifyIndex` is `index`.
    pub fn delete_cas(key: impl Into<String>, index: u64) -> Self {
        KvTxnOp {
            index,
            ..KvTxnOp::new(KvVerb::DeleteCas, key)
        }
    }

    /// Sets the flags stored with a write.
    #[must_use]
    pub fn flags(mut self, flags: u64) -> Self {
        self.flags = flags;
        self
    }

    fn validate(&self) -> Result<(), ValidationError> {
        match self.verb {
            KvVerb::GetTree | KvVerb::DeleteTree => kv::validate_prefix(&self.key)?,
            _ => kv::validate_key(&self.key)?,
        }
        kv::validate_value(&self.value)?;
        if matches!(
            self.verb,
            KvVerb::Lock | KvVerb::Unlock | KvVerb::CheckSession
        ) && self.session.is_empty()
        {
            return Err(ValidationError::Empty { field: "session" });
        }
        Ok(())
    }
}

/// What a node, service or check operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CatalogVerb {
    /// Read it (the transaction fails if it is missing).
    Get,
    /// Register or update it.
    Set,
    /// Update it if its `ModifyIndex` matches.
    Cas,
    /// Remove it.
    Delete,
    /// Remove it if its `ModifyIndex` matches.
    DeleteCas,
}

/// One operation of a transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub enum TxnOp {
    /// A KV operation.
    #[serde(rename = "KV")]
    Kv(KvTxnOp),
    /// A node operation (`Node` names the node; `ModifyIndex` for the cas verbs).
    Node {
        /// What to do.
        #[serde(rename = "Verb")]
        verb: CatalogVerb,
        /// The node.
        #[serde(rename = "Node")]
        node: Node,
    },
    /// A service operation on a node.
    Service {
        /// What to do.
        #[serde(rename = "Verb")]
        verb: CatalogVerb,
        /// The node the service is on.
        #[serde(rename = "Node")]
        node: String,
        /// The service (`ID` at least).
        #[serde(rename = "Service")]
        service: AgentService,
    },
    /// A check operation (`Node` and `CheckID` at least).
    Check {
        /// What to do.
        #[serde(rename = "Verb")]
        verb: CatalogVerb,
        /// The check.
        #[serde(rename = "Check")]
        check: HealthCheck,
    },
}

impl From<KvTxnOp> for TxnOp {
    fn from(op: KvTxnOp) -> Self {
        TxnOp::Kv(op)
    }
}

impl TxnOp {
    /// Checks the operation before sending.
    ///
    /// # Errors
    /// [`ValidationError`] for an invalid key or value, a missing session, node, service
    /// or check id.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            TxnOp::Kv(op) => op.validate(),
            TxnOp::Node { node, .. } if node.node.is_empty() => {
                Err(ValidationError::Empty { field: "node" })
            }
            TxnOp::Service { node, .. } if node.is_empty() => {
                Err(ValidationError::Empty { field: "node" })
            }
            TxnOp::Service { service, .. } if service.id.is_empty() => {
                Err(ValidationError::Empty {
                    field: "service ID",
                })
            }
            // Consul refuses every write naming a service by ID alone
            // ("Must provide service name with ID").
            TxnOp::Service { verb, service, .. }
                if *verb != CatalogVerb::Get && service.service.is_empty() =>
            {
                Err(ValidationError::Empty {
                    field: "service name",
                })
            }
            TxnOp::Check { check, .. } if check.node.is_empty() => {
                Err(ValidationError::Empty { field: "node" })
            }
            TxnOp::Check { check, .. } if check.check_id.is_empty() => {
                Err(ValidationError::Empty { field: "check ID" })
            }
            _ => Ok(()),
        }
    }
}

/// Checks a whole transaction: 1 to [`MAX_OPS`] valid operations.
///
/// ```
/// use consul_types::txn::{validate, KvTxnOp, TxnOp};
/// let ops: Vec<TxnOp> = vec![KvTxnOp::set("a", "1").into(), KvTxnOp::get("a").into()];
/// assert!(validate(&ops).is_ok());
/// assert!(validate(&[]).is_err());
/// ```
///
/// # Errors
/// [`ValidationError::OutOfRange`] for too few or too many operations; an operation's
/// own error otherwise.
pub fn validate(ops: &[TxnOp]) -> Result<(), ValidationError> {
    if ops.is_empty() || ops.len() > MAX_OPS {
        return Err(ValidationError::OutOfRange {
            field: "transaction operations",
            value: ops.len().to_string(),
            min: "1".into(),
            max: MAX_OPS.to_string(),
        });
    }
    ops.iter().try_for_each(TxnOp::validate)
}

/// The result of one operation of a committed transaction.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub enum TxnResult {
    /// A KV operation's entry (writes return it without the value).
    #[serde(rename = "KV")]
    Kv(KvPair),
    /// A node operation's node.
    Node(Node),
    /// A service operation's service.
    Service(AgentService),
    /// A check operation's check.
    Check(HealthCheck),
}

/// Why a transaction was rolled back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct TxnError {
    /// Which operation failed (0-based).
    pub op_index: usize,
    /// Consul's explanation.
    pub what: String,
}

/// Consul's answer to a transaction, as sent (`200` with results or `409` with errors).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct TxnResponse {
    /// Results, one per operation, when committed.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub results: Vec<TxnResult>,
    /// Errors, when rolled back.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub errors: Vec<TxnError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_ops_encode_like_consul() {
        let ops: Vec<TxnOp> = vec![
            KvTxnOp::set("a", "hi").flags(3).into(),
            KvTxnOp::cas("a", "x", 7).into(),
            KvTxnOp::get_tree("dir/").into(),
            KvTxnOp::check_session("a", "s1").into(),
        ];
        let json = serde_json::to_value(&ops).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"KV": {"Verb": "set", "Key": "a", "Value": "aGk=", "Flags": 3}},
                {"KV": {"Verb": "cas", "Key": "a", "Value": "eA==", "Index": 7}},
                {"KV": {"Verb": "get-tree", "Key": "dir/"}},
                {"KV": {"Verb": "check-session", "Key": "a", "Session": "s1"}},
            ])
        );
    }

    #[test]
    fn catalog_ops_encode_like_consul() {
        let node = Node {
            node: "n1".into(),
            ..Node::default()
        };
        let op = TxnOp::Node {
            verb: CatalogVerb::Get,
            node,
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["Node"]["Verb"], "get");
        assert_eq!(json["Node"]["Node"]["Node"], "n1");
        let op = TxnOp::Service {
            verb: CatalogVerb::DeleteCas,
            node: "n1".into(),
            service: AgentService::new("s1", "web"),
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["Service"]["Verb"], "delete-cas");
        assert_eq!(json["Service"]["Service"]["ID"], "s1");
    }

    #[test]
    fn validation() {
        assert!(validate(&[KvTxnOp::get("").into()]).is_err());
        assert!(validate(&[KvTxnOp::get_tree("").into()]).is_ok());
        assert!(validate(&[KvTxnOp::lock("k", "v", "").into()]).is_err());
        let big = Bytes::from(vec![0u8; kv::MAX_VALUE_SIZE + 1]);
        assert!(validate(&[KvTxnOp::set("k", big).into()]).is_err());
        let many: Vec<TxnOp> = (0..=MAX_OPS)
            .map(|i| KvTxnOp::get(format!("k{i}")).into())
            .collect();
        assert!(matches!(
            validate(&many),
            Err(ValidationError::OutOfRange { .. })
        ));
        assert!(validate(&many[..MAX_OPS]).is_ok());
        let svc = TxnOp::Service {
            verb: CatalogVerb::Set,
            node: "n".into(),
            service: AgentService::default(),
        };
        assert!(svc.validate().is_err());
    }

    #[test]
    fn decodes_recorded_answers() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/txn/");
        let ok: TxnResponse =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}committed.json")).unwrap())
                .unwrap();
        assert_eq!(ok.results.len(), 5);
        assert!(ok.errors.is_empty());
        assert!(
            matches!(&ok.results[1], TxnResult::Kv(p) if &p.value[..] == b"hi" && p.flags == 3)
        );
        assert!(matches!(&ok.results[2], TxnResult::Node(n) if n.node == "txn-node"));
        assert!(matches!(&ok.results[3], TxnResult::Service(s) if s.id == "s1" && s.port == 80));
        assert!(matches!(&ok.results[4], TxnResult::Check(c) if c.check_id == "c1"));
        let failed: TxnResponse = serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}rolled_back.json")).unwrap(),
        )
        .unwrap();
        assert!(failed.results.is_empty());
        assert_eq!(failed.errors[0].op_index, 0);
        assert!(failed.errors[0].what.contains("index is stale"));
    }
}
