//! Namespaces (Consul Enterprise 1.7+): Go's `api/namespace.go`.
//!
//! An open-source agent serves none of the `/v1/namespace` endpoints; the models follow
//! Consul's documented JSON and the Go client's types.

use crate::acl::AclLink;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The ACL settings of a namespace (Go's `api.NamespaceACLConfig`): policies and roles
/// every token of the namespace gets by default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct NamespaceAclConfig {
    /// Default policies, by ID or name (Consul resolves names to IDs).
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub policy_defaults: Vec<AclLink>,
    /// Default roles, by ID or name.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub role_defaults: Vec<AclLink>,
}

/// A namespace (Go's `api.Namespace`). Build one with [`Namespace::new`] and its setters
/// to create or update it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Namespace {
    /// Its name: a DNS label, unique in its partition.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its ACL defaults.
    #[serde(rename = "ACLs", skip_serializing_if = "Option::is_none")]
    pub acls: Option<NamespaceAclConfig>,
    /// Free metadata.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub meta: BTreeMap<String, String>,
    /// When it was marked for deletion (RFC 3339); it stays readable until its data is
    /// gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// The admin partition it belongs to (Consul 1.11+).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// The Raft index of its creation (not sent).
    #[serde(skip_serializing_if = "is_zero")]
    pub create_index: u64,
    /// The Raft index of its last change (not sent).
    #[serde(skip_serializing_if = "is_zero")]
    pub modify_index: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Namespace {
    /// A namespace named `name`, with nothing else set.
    pub fn new(name: impl Into<String>) -> Self {
        Namespace {
            name: name.into(),
            ..Namespace::default()
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds a metadata pair.
    #[must_use]
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }

    /// Adds a default policy for the namespace's tokens ([`AclLink::name`] or
    /// [`AclLink::id`]).
    #[must_use]
    pub fn policy_default(mut self, policy: AclLink) -> Self {
        self.acls
            .get_or_insert_with(NamespaceAclConfig::default)
            .policy_defaults
            .push(policy);
        self
    }

    /// Adds a default role for the namespace's tokens.
    #[must_use]
    pub fn role_default(mut self, role: AclLink) -> Self {
        self.acls
            .get_or_insert_with(NamespaceAclConfig::default)
            .role_defaults
            .push(role);
        self
    }

    /// Whether it is marked for deletion.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Checks what Consul needs to create or update it: a name (Go refuses an empty one
    /// before sending, as this does).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty name.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.is_empty() {
            return Err(ValidationError::Empty {
                field: "namespace name",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &Namespace) {
        let again: Namespace =
            serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap();
        assert_eq!(&again, value);
    }

    /// The sample answer of Consul's documentation of `PUT /v1/namespace` and `GET
    /// /v1/namespace/:name`.
    #[test]
    fn a_namespace_as_documented() {
        let ns: Namespace = serde_json::from_str(include_str!(
            "../tests/fixtures/namespace/read_documented.json"
        ))
        .unwrap();
        assert_eq!(ns.name, "team-1");
        assert_eq!(ns.description, "Namespace for Team 1");
        let acls = ns.acls.as_ref().unwrap();
        assert_eq!(acls.policy_defaults.len(), 2);
        assert_eq!(acls.policy_defaults[1].name, "node-read");
        assert_eq!(
            acls.role_defaults[0].id,
            "69748856-ae69-d620-3ec4-07844b3c6be7"
        );
        assert_eq!(ns.meta["foo"], "bar");
        assert_eq!((ns.create_index, ns.modify_index), (55, 55));
        assert!(!ns.is_deleted());
        round_trip(&ns);
    }

    /// The documented list, and the documented read of a namespace marked for deletion.
    #[test]
    fn a_list_and_a_deleted_namespace_as_documented() {
        let list: Vec<Namespace> = serde_json::from_str(include_str!(
            "../tests/fixtures/namespace/list_documented.json"
        ))
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, "default");
        assert!(list[0].acls.is_none() && list[0].meta.is_empty());
        assert_eq!(list[1].acls.as_ref().unwrap().role_defaults.len(), 2);
        let deleted: Namespace = serde_json::from_str(include_str!(
            "../tests/fixtures/namespace/deleted_documented.json"
        ))
        .unwrap();
        assert!(deleted.is_deleted());
        assert_eq!(deleted.deleted_at.as_deref(), Some("2019-12-02T23:00:00Z"));
        assert_eq!(deleted.modify_index, 100);
        for ns in list.iter().chain([&deleted]) {
            round_trip(ns);
        }
    }

    /// What a create sends: the documented sample payload, built with the setters.
    #[test]
    fn a_new_namespace_sends_the_documented_payload() {
        let ns = Namespace::new("team-1")
            .description("Namespace for Team 1")
            .policy_default(AclLink::id("77117cf6-d976-79b0-d63b-5a36ac69c8f1"))
            .policy_default(AclLink::name("node-read"))
            .role_default(AclLink::id("69748856-ae69-d620-3ec4-07844b3c6be7"))
            .role_default(AclLink::name("ns-team-2-read"))
            .meta("foo", "bar");
        let sent = serde_json::to_value(&ns).unwrap();
        let documented: serde_json::Value = serde_json::from_str(include_str!(
            "../tests/fixtures/namespace/create_payload_documented.json"
        ))
        .unwrap();
        assert_eq!(sent, documented);
        assert_eq!(
            serde_json::to_value(Namespace::new("team-2")).unwrap(),
            serde_json::json!({"Name": "team-2"})
        );
        assert!(ns.validate().is_ok());
        assert!(Namespace::default().validate().is_err());
    }
}
