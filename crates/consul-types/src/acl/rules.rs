//! ACL rules as typed values, rendered to the HCL Consul parses.
//!
//! aioconsul described a rule as a `(type, value, policy)` triple such as
//! `("key", "foo/", "deny")`. Here a [`Rule`] names its [`Resource`], the segment it applies
//! to and its [`Policy`], and [`Rules::to_hcl`] prints what Consul expects:
//!
//! ```
//! use consul_types::acl::{Policy, Rules};
//! let rules = Rules::new()
//!     .key_prefix("", Policy::Read)
//!     .key_prefix("secret/", Policy::Deny)
//!     .service("web", Policy::Write)
//!     .operator(Policy::Read);
//! assert!(rules.validate().is_ok());
//! assert_eq!(
//!     rules.to_hcl(),
//!     "key_prefix \"\" {\n  policy = \"read\"\n}\n\
//!      key_prefix \"secret/\" {\n  policy = \"deny\"\n}\n\
//!      service \"web\" {\n  policy = \"write\"\n}\n\
//!      operator = \"read\"\n"
//! );
//! ```

use crate::ValidationError;
use std::fmt;

/// What a rule grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Policy {
    /// Read access.
    Read,
    /// Read and write access.
    Write,
    /// No access, even where a broader rule grants some.
    Deny,
    /// Listing keys without reading values (`key` and `key_prefix` rules only).
    List,
}

impl Policy {
    /// The word Consul uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Read => "read",
            Policy::Write => "write",
            Policy::Deny => "deny",
            Policy::List => "list",
        }
    }

    /// Parses Consul's word for a policy.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "read" => Some(Policy::Read),
            "write" => Some(Policy::Write),
            "deny" => Some(Policy::Deny),
            "list" => Some(Policy::List),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of thing a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// `key "name"`: one KV key (in legacy tokens: a prefix).
    Key,
    /// `key_prefix "prefix"`: every key under a prefix.
    KeyPrefix,
    /// `service "name"`.
    Service,
    /// `service_prefix "prefix"`.
    ServicePrefix,
    /// `node "name"`.
    Node,
    /// `node_prefix "prefix"`.
    NodePrefix,
    /// `agent "node"`.
    Agent,
    /// `agent_prefix "prefix"`.
    AgentPrefix,
    /// `event "name"`.
    Event,
    /// `event_prefix "prefix"`.
    EventPrefix,
    /// `query "name"` (prepared queries).
    Query,
    /// `query_prefix "prefix"`.
    QueryPrefix,
    /// `session "node"`.
    Session,
    /// `session_prefix "prefix"`.
    SessionPrefix,
    /// `operator = "policy"` (no segment).
    Operator,
    /// `keyring = "policy"` (no segment).
    Keyring,
    /// `acl = "policy"` (no segment).
    Acl,
}

impl Resource {
    /// The HCL word of the resource.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Key => "key",
            Resource::KeyPrefix => "key_prefix",
            Resource::Service => "service",
            Resource::ServicePrefix => "service_prefix",
            Resource::Node => "node",
            Resource::NodePrefix => "node_prefix",
            Resource::Agent => "agent",
            Resource::AgentPrefix => "agent_prefix",
            Resource::Event => "event",
            Resource::EventPrefix => "event_prefix",
            Resource::Query => "query",
            Resource::QueryPrefix => "query_prefix",
            Resource::Session => "session",
            Resource::SessionPrefix => "session_prefix",
            Resource::Operator => "operator",
            Resource::Keyring => "keyring",
            Resource::Acl => "acl",
        }
    }

    /// Whether the resource is a single value (`operator = "read"`) rather than a block
    /// naming a segment.
    pub fn is_global(self) -> bool {
        matches!(self, Resource::Operator | Resource::Keyring | Resource::Acl)
    }
}

/// One rule: a resource, the segment (name or prefix) it covers, and the policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// What the rule applies to.
    pub resource: Resource,
    /// The name or prefix; empty for global resources (and for "everything" prefixes).
    pub segment: String,
    /// What it grants.
    pub policy: Policy,
}

impl Rule {
    /// A rule.
    pub fn new(resource: Resource, segment: impl Into<String>, policy: Policy) -> Self {
        Rule {
            resource,
            segment: segment.into(),
            policy,
        }
    }

    /// Checks the rule.
    ///
    /// # Errors
    /// [`ValidationError::InvalidValue`] for `list` outside key rules, a policy other than
    /// read/write/deny on a global resource, or a segment on a global resource.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let fail = |reason: String| {
            Err(ValidationError::InvalidValue {
                field: "acl rule",
                reason: reason.into(),
            })
        };
        if self.policy == Policy::List
            && !matches!(self.resource, Resource::Key | Resource::KeyPrefix)
        {
            return fail(format!(
                "policy \"list\" applies to key rules only, not {}",
                self.resource.as_str()
            ));
        }
        if self.resource.is_global() && !self.segment.is_empty() {
            return fail(format!(
                "{} rules apply to the whole cluster and take no name",
                self.resource.as_str()
            ));
        }
        if self.segment.chars().any(char::is_control) {
            return fail("a rule's name must not contain control characters".into());
        }
        Ok(())
    }

    fn write_hcl(&self, out: &mut String) {
        if self.resource.is_global() {
            out.push_str(&format!(
                "{} = \"{}\"\n",
                self.resource.as_str(),
                self.policy
            ));
        } else {
            out.push_str(&format!(
                "{} \"{}\" {{\n  policy = \"{}\"\n}}\n",
                self.resource.as_str(),
                escape(&self.segment),
                self.policy
            ));
        }
    }
}

/// HCL string escaping: backslash and double quote.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// A set of rules, rendered to HCL for policies and legacy tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// The rules, in order.
    pub rules: Vec<Rule>,
}

macro_rules! rule_methods {
    ($($(#[$doc:meta])* $name:ident => $resource:ident;)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, segment: impl Into<String>, policy: Policy) -> Self {
                self.rule(Rule::new(Resource::$resource, segment, policy))
            }
        )*
    };
}

impl Rules {
    /// No rules.
    pub fn new() -> Self {
        Rules::default()
    }

    /// Adds a rule.
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    rule_methods! {
        /// Adds `key "segment"`.
        key => Key;
        /// Adds `key_prefix "segment"`.
        key_prefix => KeyPrefix;
        /// Adds `service "segment"`.
        service => Service;
        /// Adds `service_prefix "segment"`.
        service_prefix => ServicePrefix;
        /// Adds `node "segment"`.
        node => Node;
        /// Adds `node_prefix "segment"`.
        node_prefix => NodePrefix;
        /// Adds `agent "segment"`.
        agent => Agent;
        /// Adds `agent_prefix "segment"`.
        agent_prefix => AgentPrefix;
        /// Adds `event "segment"`.
        event => Event;
        /// Adds `event_prefix "segment"`.
        event_prefix => EventPrefix;
        /// Adds `query "segment"`.
        query => Query;
        /// Adds `query_prefix "segment"`.
        query_prefix => QueryPrefix;
        /// Adds `session "segment"`.
        session => Session;
        /// Adds `session_prefix "segment"`.
        session_prefix => SessionPrefix;
    }

    /// Sets `operator = "policy"`.
    #[must_use]
    pub fn operator(self, policy: Policy) -> Self {
        self.rule(Rule::new(Resource::Operator, "", policy))
    }

    /// Sets `keyring = "policy"`.
    #[must_use]
    pub fn keyring(self, policy: Policy) -> Self {
        self.rule(Rule::new(Resource::Keyring, "", policy))
    }

    /// Sets `acl = "policy"`.
    #[must_use]
    pub fn acl(self, policy: Policy) -> Self {
        self.rule(Rule::new(Resource::Acl, "", policy))
    }

    /// Builds rules from aioconsul's `(type, value, policy)` triples, e.g.
    /// `("key", "foo/", "deny")`.
    ///
    /// # Errors
    /// [`ValidationError::InvalidValue`] for an unknown type or policy.
    pub fn from_triples<'a>(
        triples: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<Self, ValidationError> {
        let mut rules = Rules::new();
        for (kind, segment, policy) in triples {
            let resource = match kind {
                "key" => Resource::Key,
                "key_prefix" => Resource::KeyPrefix,
                "service" => Resource::Service,
                "service_prefix" => Resource::ServicePrefix,
                "node" => Resource::Node,
                "node_prefix" => Resource::NodePrefix,
                "agent" => Resource::Agent,
                "agent_prefix" => Resource::AgentPrefix,
                "event" => Resource::Event,
                "event_prefix" => Resource::EventPrefix,
                "query" => Resource::Query,
                "query_prefix" => Resource::QueryPrefix,
                "session" => Resource::Session,
                "session_prefix" => Resource::SessionPrefix,
                "operator" => Resource::Operator,
                "keyring" => Resource::Keyring,
                "acl" => Resource::Acl,
                other => {
                    return Err(ValidationError::InvalidValue {
                        field: "acl rule",
                        reason: format!("unknown rule type {other:?}").into(),
                    })
                }
            };
            let policy =
                Policy::from_name(policy).ok_or_else(|| ValidationError::InvalidValue {
                    field: "acl rule",
                    reason: format!("unknown policy {policy:?} (use read, write, deny or list)")
                        .into(),
                })?;
            rules.rules.push(Rule::new(resource, segment, policy));
        }
        rules.validate()?;
        Ok(rules)
    }

    /// Checks every rule.
    ///
    /// # Errors
    /// The first rule's [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.rules.iter().try_for_each(Rule::validate)
    }

    /// The rules as HCL.
    pub fn to_hcl(&self) -> String {
        let mut out = String::new();
        for rule in &self.rules {
            rule.write_hcl(&mut out);
        }
        out
    }
}

impl fmt::Display for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hcl())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_escapes() {
        let r = Rules::new()
            .key("we\"ird\\", Policy::Write)
            .acl(Policy::Read);
        assert_eq!(
            r.to_hcl(),
            "key \"we\\\"ird\\\\\" {\n  policy = \"write\"\n}\nacl = \"read\"\n"
        );
    }

    #[test]
    fn validation() {
        assert!(Rules::new()
            .key_prefix("a/", Policy::List)
            .validate()
            .is_ok());
        assert!(Rules::new()
            .service("web", Policy::List)
            .validate()
            .is_err());
        let global_with_name = Rules::new().rule(Rule::new(Resource::Operator, "x", Policy::Read));
        assert!(global_with_name.validate().is_err());
        assert!(Rules::new().key("a\nb", Policy::Read).validate().is_err());
    }

    #[test]
    fn aioconsul_triples() {
        let r = Rules::from_triples([("key", "", "read"), ("key", "foo/", "deny")]).unwrap();
        assert_eq!(r.rules.len(), 2);
        assert_eq!(r.rules[1], Rule::new(Resource::Key, "foo/", Policy::Deny));
        assert!(Rules::from_triples([("kee", "", "read")]).is_err());
        assert!(Rules::from_triples([("key", "", "admin")]).is_err());
        assert!(Rules::from_triples([("service", "", "list")]).is_err());
    }
}
