use crate::duration;
use crate::Token;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A reference to a policy or role by ID or name (`{"ID": …}` or `{"Name": …}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclLink {
    /// The ID.
    #[serde(rename = "ID", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl AclLink {
    /// A link by name.
    pub fn name(name: impl Into<String>) -> Self {
        AclLink {
            id: String::new(),
            name: name.into(),
        }
    }

    /// A link by ID.
    pub fn id(id: impl Into<String>) -> Self {
        AclLink {
            id: id.into(),
            name: String::new(),
        }
    }
}

/// Permissions of a service by name (`service:write` on it, `read` on all services and nodes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceIdentity {
    /// The service name.
    pub service_name: String,
    /// Datacenters it applies in (all when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
}

impl ServiceIdentity {
    /// The identity of a service in every datacenter.
    pub fn new(service_name: impl Into<String>) -> Self {
        ServiceIdentity {
            service_name: service_name.into(),
            datacenters: Vec::new(),
        }
    }
}

/// Permissions of a node by name (Consul 1.8+).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct NodeIdentity {
    /// The node name.
    pub node_name: String,
    /// The datacenter of the node.
    pub datacenter: String,
}

impl NodeIdentity {
    /// The identity of a node in a datacenter.
    pub fn new(node_name: impl Into<String>, datacenter: impl Into<String>) -> Self {
        NodeIdentity {
            node_name: node_name.into(),
            datacenter: datacenter.into(),
        }
    }
}

/// An ACL token (`/v1/acl/token`). Used both to create or update one and as Consul's answer.
///
/// The `secret_id` is a [`Token`], so printing a token with `{:?}` never shows the secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclToken {
    /// The public ID (set by Consul when empty on create).
    #[serde(rename = "AccessorID", skip_serializing_if = "String::is_empty")]
    pub accessor_id: String,
    /// The secret that authenticates requests (set by Consul when empty on create).
    #[serde(rename = "SecretID", skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<Token>,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Policies granted.
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub policies: Vec<AclLink>,
    /// Roles granted.
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub roles: Vec<AclLink>,
    /// Service identities granted.
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub service_identities: Vec<ServiceIdentity>,
    /// Node identities granted (Consul 1.8+).
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub node_identities: Vec<NodeIdentity>,
    /// Valid only in the datacenter that created it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    /// The auth method that created it (login tokens).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub auth_method: String,
    /// When it expires (RFC 3339), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    /// On create: expire after this long.
    #[serde(
        rename = "ExpirationTTL",
        with = "duration::text::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_ttl: Option<Duration>,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing)]
    pub create_time: String,
    /// Hash of its contents.
    #[serde(skip_serializing)]
    pub hash: String,
    /// Raft index of creation.
    #[serde(skip_serializing)]
    pub create_index: u64,
    /// Raft index of the last change.
    #[serde(skip_serializing)]
    pub modify_index: u64,
    /// Whether it was made through the legacy API.
    #[serde(skip_serializing)]
    pub legacy: bool,
    /// Rules of a legacy token.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rules: String,
}

impl AclToken {
    /// A token description to create, with no permissions yet.
    pub fn new(description: impl Into<String>) -> Self {
        AclToken {
            description: description.into(),
            ..AclToken::default()
        }
    }

    /// Adds a policy by name.
    #[must_use]
    pub fn policy(mut self, name: impl Into<String>) -> Self {
        self.policies.push(AclLink::name(name));
        self
    }

    /// Adds a role by name.
    #[must_use]
    pub fn role(mut self, name: impl Into<String>) -> Self {
        self.roles.push(AclLink::name(name));
        self
    }

    /// Adds a service identity.
    #[must_use]
    pub fn service_identity(mut self, service_name: impl Into<String>) -> Self {
        self.service_identities
            .push(ServiceIdentity::new(service_name));
        self
    }

    /// Makes it local to its datacenter.
    #[must_use]
    pub fn local(mut self, local: bool) -> Self {
        self.local = local;
        self
    }

    /// Makes it expire after `ttl`.
    #[must_use]
    pub fn expiration_ttl(mut self, ttl: Duration) -> Self {
        self.expiration_ttl = Some(ttl);
        self
    }
}

/// A token as `/v1/acl/tokens` lists it: everything but the secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclTokenListEntry {
    /// The public ID.
    #[serde(rename = "AccessorID")]
    pub accessor_id: String,
    /// Free text.
    pub description: String,
    /// Policies granted.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub policies: Vec<AclLink>,
    /// Roles granted.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub roles: Vec<AclLink>,
    /// Service identities granted.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub service_identities: Vec<ServiceIdentity>,
    /// Node identities granted.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub node_identities: Vec<NodeIdentity>,
    /// Valid only in its datacenter.
    pub local: bool,
    /// The auth method that created it.
    pub auth_method: String,
    /// When it expires (RFC 3339), if it does.
    pub expiration_time: Option<String>,
    /// When it was created (RFC 3339).
    pub create_time: String,
    /// Hash of its contents.
    pub hash: String,
    /// Raft index of creation.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
    /// Whether it was made through the legacy API.
    pub legacy: bool,
}

/// An ACL policy: named rules (`/v1/acl/policy`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclPolicy {
    /// The ID (set by Consul on create).
    #[serde(rename = "ID", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The unique name.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The rules, in HCL (see [`Rules`](super::Rules)).
    pub rules: String,
    /// Datacenters it applies in (all when empty).
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub datacenters: Vec<String>,
    /// Hash of its contents.
    #[serde(skip_serializing)]
    pub hash: String,
    /// Raft index of creation.
    #[serde(skip_serializing)]
    pub create_index: u64,
    /// Raft index of the last change.
    #[serde(skip_serializing)]
    pub modify_index: u64,
}

impl AclPolicy {
    /// A policy to create.
    pub fn new(name: impl Into<String>, rules: &super::Rules) -> Self {
        AclPolicy {
            name: name.into(),
            rules: rules.to_hcl(),
            ..AclPolicy::default()
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

/// A policy as `/v1/acl/policies` lists it (without its rules).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclPolicyListEntry {
    /// The ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// The name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Datacenters it applies in.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub datacenters: Vec<String>,
    /// Hash of its contents.
    pub hash: String,
    /// Raft index of creation.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// An ACL role: a named set of policies and identities (`/v1/acl/role`, Consul 1.5+).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclRole {
    /// The ID (set by Consul on create).
    #[serde(rename = "ID", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The unique name.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Policies granted.
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub policies: Vec<AclLink>,
    /// Service identities granted.
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub service_identities: Vec<ServiceIdentity>,
    /// Node identities granted.
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub node_identities: Vec<NodeIdentity>,
    /// Hash of its contents.
    #[serde(skip_serializing)]
    pub hash: String,
    /// Raft index of creation.
    #[serde(skip_serializing)]
    pub create_index: u64,
    /// Raft index of the last change.
    #[serde(skip_serializing)]
    pub modify_index: u64,
}

impl AclRole {
    /// A role to create.
    pub fn new(name: impl Into<String>) -> Self {
        AclRole {
            name: name.into(),
            ..AclRole::default()
        }
    }

    /// Adds a policy by name.
    #[must_use]
    pub fn policy(mut self, name: impl Into<String>) -> Self {
        self.policies.push(AclLink::name(name));
        self
    }

    /// Adds a service identity.
    #[must_use]
    pub fn service_identity(mut self, service_name: impl Into<String>) -> Self {
        self.service_identities
            .push(ServiceIdentity::new(service_name));
        self
    }
}

/// ACL replication status of a datacenter (`/v1/acl/replication`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclReplication {
    /// Whether replication is configured.
    pub enabled: bool,
    /// Whether it is running.
    pub running: bool,
    /// Where it replicates from.
    pub source_datacenter: String,
    /// What it replicates (`legacy`, `policies`, `tokens`).
    pub replication_type: String,
    /// Last replicated policy index.
    pub replicated_index: u64,
    /// Last replicated role index.
    pub replicated_role_index: u64,
    /// Last replicated token index.
    pub replicated_token_index: u64,
    /// Last success (RFC 3339).
    pub last_success: String,
    /// Last error (RFC 3339).
    pub last_error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/acl/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn decodes_recorded_token_and_redacts_its_secret() {
        let t: AclToken = serde_json::from_str(&fixture("token")).unwrap();
        assert_eq!(t.description, "t1");
        assert_eq!(t.policies[0].name, "kv-read");
        assert_eq!(t.roles[0].name, "reader");
        assert_eq!(t.service_identities[0].service_name, "api");
        assert_eq!(t.node_identities[0], NodeIdentity::new("n1", "dc1"));
        assert!(t.local && t.expiration_time.is_some());
        let secret = t.secret_id.clone().unwrap();
        assert_eq!(secret.secret().len(), 36);
        assert!(!format!("{t:?}").contains(secret.secret()));
        let self_token: AclToken = serde_json::from_str(&fixture("token_self")).unwrap();
        assert_eq!(self_token.policies[0].name, "global-management");
    }

    #[test]
    fn decodes_recorded_lists_policies_roles_replication() {
        let tokens: Vec<AclTokenListEntry> = serde_json::from_str(&fixture("tokens")).unwrap();
        assert!(tokens.iter().any(|t| t.description == "t1"));
        let policy: AclPolicy = serde_json::from_str(&fixture("policy")).unwrap();
        assert_eq!(
            (policy.name.as_str(), policy.description.as_str()),
            ("kv-read", "read kv")
        );
        assert!(policy.rules.contains("key_prefix"));
        let policies: Vec<AclPolicyListEntry> = serde_json::from_str(&fixture("policies")).unwrap();
        assert!(policies.iter().any(|p| p.name == "global-management"));
        let role: AclRole = serde_json::from_str(&fixture("role")).unwrap();
        assert_eq!(role.policies[0].name, "kv-read");
        assert_eq!(role.service_identities[0].datacenters, ["dc1"]);
        let roles: Vec<AclRole> = serde_json::from_str(&fixture("roles")).unwrap();
        assert_eq!(roles.len(), 1);
        let r: AclReplication = serde_json::from_str(&fixture("replication")).unwrap();
        assert!(!r.enabled);
    }

    #[test]
    fn create_bodies_carry_only_what_was_set() {
        let body = serde_json::to_value(
            AclToken::new("ci")
                .policy("kv-read")
                .expiration_ttl(Duration::from_secs(3600)),
        )
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"Description": "ci", "Policies": [{"Name": "kv-read"}], "ExpirationTTL": "1h0m0s"})
        );
        let rules = crate::acl::Rules::new().key_prefix("", crate::acl::Policy::Read);
        let body = serde_json::to_value(AclPolicy::new("p", &rules)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"Name": "p", "Rules": "key_prefix \"\" {\n  policy = \"read\"\n}\n"})
        );
    }
}
