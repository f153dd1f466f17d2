//! Intentions: which services may connect to which (`/v1/connect/intentions`).

use crate::serde_util::null_as_default;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The wildcard that stands for every service (or namespace).
const WILDCARD: &str = "*";
/// Consul's limits on an intention's opaque values (`structs.metaValueMaxLength` & co).
const MAX_META_PAIRS: usize = 64;
const MAX_META_KEY_LEN: usize = 128;
const MAX_META_VALUE_LEN: usize = 512;

text_enum! {
    /// What an intention does with a connection (Go's `api.IntentionAction`).
    ///
    /// ```
    /// use consul_types::connect::IntentionAction;
    /// assert_eq!(IntentionAction::from("deny"), IntentionAction::Deny);
    /// assert_eq!(IntentionAction::default(), IntentionAction::Allow);
    /// ```
    IntentionAction {
        /// `allow` (the default, as in `consul intention create`).
        default Allow = "allow",
        /// `deny`.
        Deny = "deny",
    }
}

text_enum! {
    /// What the source of an intention names (Go's `api.IntentionSourceType`): Consul 1.8
    /// knows only Consul services.
    ///
    /// ```
    /// use consul_types::connect::IntentionSourceType;
    /// assert_eq!(IntentionSourceType::from(""), IntentionSourceType::Consul);
    /// assert_eq!(IntentionSourceType::Consul.as_str(), "consul");
    /// ```
    IntentionSourceType {
        /// `consul` (also an empty value): a service in Consul's catalog.
        default Consul = "consul" | "",
    }
}

/// Which side of intentions a match names (Go's `api.IntentionMatchType`):
/// `?by=source` or `?by=destination`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntentionMatchBy {
    /// The intentions whose source matches the names.
    Source,
    /// The intentions whose destination matches the names.
    Destination,
}

impl IntentionMatchBy {
    /// The value as Consul spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            IntentionMatchBy::Source => "source",
            IntentionMatchBy::Destination => "destination",
        }
    }
}

impl fmt::Display for IntentionMatchBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An intention (Go's `api.Intention`): whether the source service may connect to the
/// destination service.
///
/// Build one with [`Intention::allow`], [`Intention::deny`] or [`Intention::new`] and the
/// setters. What Consul sets is read-only and never sent: the id (it travels in the path),
/// precedence, timestamps, hash and indexes, so an intention read from Consul can be
/// changed and written back as it is.
///
/// ```
/// use consul_types::connect::{Intention, IntentionAction};
/// let deny = Intention::deny("web", "db").description("web never talks to db").meta("team", "core");
/// assert!(deny.validate().is_ok());
/// assert_eq!(deny.to_string(), "web => db (deny)");
/// let json = serde_json::to_value(&deny).unwrap();
/// assert_eq!(json["Action"], "deny");
/// assert_eq!(json["SourceType"], "consul");
/// assert!(json.get("ID").is_none());
/// assert!(Intention::new("web", "d*", IntentionAction::Allow).validate().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct Intention {
    /// Its id (a UUID), set by Consul; empty for one made here and for one read through
    /// the exact-match endpoints of Consul 1.9+. Never sent.
    #[serde(rename = "ID", skip_serializing)]
    pub id: String,
    /// A description for people; Consul does not read it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The source's namespace (Consul Enterprise; `default` on the open-source agent).
    #[serde(rename = "SourceNS", skip_serializing_if = "String::is_empty")]
    pub source_ns: String,
    /// The source service, or `*` for every one.
    pub source_name: String,
    /// The destination's namespace (Consul Enterprise; `default` on the open-source agent).
    #[serde(rename = "DestinationNS", skip_serializing_if = "String::is_empty")]
    pub destination_ns: String,
    /// The destination service, or `*` for every one.
    pub destination_name: String,
    /// What the source names.
    pub source_type: IntentionSourceType,
    /// Allow or deny.
    pub action: IntentionAction,
    /// Not used by Consul (Go: deprecated).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub default_addr: String,
    /// Not used by Consul (Go: deprecated).
    #[serde(skip_serializing_if = "is_zero")]
    pub default_port: u16,
    /// Opaque metadata, served back as it was given.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub meta: BTreeMap<String, String>,
    /// The order in which intentions apply, highest first (set by Consul).
    #[serde(skip_serializing)]
    pub precedence: i32,
    /// When it was created (RFC 3339; set by Consul 1.8, absent from the exact-match
    /// endpoints of 1.9+).
    #[serde(skip_serializing)]
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    #[serde(skip_serializing)]
    pub updated_at: String,
    /// A hash of its contents, for replication between datacenters.
    #[serde(skip_serializing, with = "crate::serde_util::base64_bytes")]
    pub hash: bytes::Bytes,
    /// The Raft index that created it.
    #[serde(skip_serializing)]
    pub create_index: u64,
    /// The Raft index that last changed it.
    #[serde(skip_serializing)]
    pub modify_index: u64,
}

fn is_zero(port: &u16) -> bool {
    *port == 0
}

impl Intention {
    /// An intention from `source` to `destination` (service names, or `*`) with `action`.
    pub fn new(
        source: impl Into<String>,
        destination: impl Into<String>,
        action: IntentionAction,
    ) -> Self {
        Intention {
            source_name: source.into(),
            destination_name: destination.into(),
            action,
            ..Intention::default()
        }
    }

    /// An intention allowing `source` to connect to `destination`.
    pub fn allow(source: impl Into<String>, destination: impl Into<String>) -> Self {
        Intention::new(source, destination, IntentionAction::Allow)
    }

    /// An intention denying `source` connections to `destination`.
    pub fn deny(source: impl Into<String>, destination: impl Into<String>) -> Self {
        Intention::new(source, destination, IntentionAction::Deny)
    }

    /// Adds a metadata pair.
    #[must_use]
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }

    /// The source as the exact-match endpoints and the CLI name it: `name`, or
    /// `namespace/name` outside the default namespace (Go's `SourceString`).
    pub fn source_string(&self) -> String {
        part_string(&self.source_ns, &self.source_name)
    }

    /// The destination as the exact-match endpoints and the CLI name it (Go's
    /// `DestinationString`).
    pub fn destination_string(&self) -> String {
        part_string(&self.destination_ns, &self.destination_name)
    }

    /// Checks what Consul would refuse: an empty source or destination, a partial
    /// wildcard (`we*`; only `*` alone is one), an exact name in a wildcard namespace, an
    /// action other than allow or deny, a source type other than `consul`, and a
    /// description or metadata over Consul's limits (512 bytes per value, 128 per key,
    /// 64 pairs).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`] naming the field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_side("intention source", &self.source_ns, &self.source_name)?;
        check_side(
            "intention destination",
            &self.destination_ns,
            &self.destination_name,
        )?;
        if let IntentionAction::Other(action) = &self.action {
            return Err(ValidationError::InvalidValue {
                field: "intention action",
                reason: format!("{action:?} is neither \"allow\" nor \"deny\"").into(),
            });
        }
        if let IntentionSourceType::Other(kind) = &self.source_type {
            return Err(ValidationError::InvalidValue {
                field: "intention source type",
                reason: format!("{kind:?} is not \"consul\"").into(),
            });
        }
        if self.description.len() > MAX_META_VALUE_LEN {
            return Err(ValidationError::OutOfRange {
                field: "intention description length",
                value: self.description.len().to_string(),
                min: "0".into(),
                max: MAX_META_VALUE_LEN.to_string(),
            });
        }
        if self.meta.len() > MAX_META_PAIRS {
            return Err(ValidationError::OutOfRange {
                field: "intention metadata pairs",
                value: self.meta.len().to_string(),
                min: "0".into(),
                max: MAX_META_PAIRS.to_string(),
            });
        }
        for (key, value) in &self.meta {
            if key.len() > MAX_META_KEY_LEN || value.len() > MAX_META_VALUE_LEN {
                return Err(ValidationError::InvalidValue {
                    field: "intention metadata",
                    reason: format!(
                        "key {key:?}: keys are at most {MAX_META_KEY_LEN} bytes, values at most {MAX_META_VALUE_LEN}"
                    )
                    .into(),
                });
            }
        }
        Ok(())
    }
}

setters!(Intention {
    /// Sets [`Intention::description`].
    description: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`Intention::source_ns`] (Consul Enterprise).
    source_ns: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`Intention::destination_ns`] (Consul Enterprise).
    destination_ns: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`Intention::source_type`].
    source_type: IntentionSourceType => |v| v;
    /// Sets [`Intention::action`].
    action: IntentionAction => |v| v;
});

impl fmt::Display for Intention {
    /// `source => destination (action)`, as Go's `Intention.String`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} => {} ({})",
            self.source_string(),
            self.destination_string(),
            self.action
        )
    }
}

fn part_string(ns: &str, name: &str) -> String {
    if ns.is_empty() || ns == "default" {
        name.to_owned()
    } else {
        format!("{ns}/{name}")
    }
}

/// One side of an intention: a name, and its namespace if any.
fn check_side(field: &'static str, ns: &str, name: &str) -> Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let partial = |v: &str| v != WILDCARD && v.contains(WILDCARD);
    if partial(ns) || partial(name) {
        return Err(ValidationError::InvalidValue {
            field,
            reason: "the wildcard '*' cannot be part of a name, only the whole of it".into(),
        });
    }
    if ns == WILDCARD && name != WILDCARD {
        return Err(ValidationError::InvalidValue {
            field,
            reason: "an exact name cannot follow a wildcard namespace".into(),
        });
    }
    Ok(())
}

/// Checks an intention id: a UUID, as Consul 1.8 requires (anything else is a `400
/// UUID must be 36 characters`, and `match`, `check` or `exact` would reach another
/// endpoint).
///
/// # Errors
/// [`ValidationError`] naming the intention id.
pub fn validate_intention_id(id: &str) -> Result<(), ValidationError> {
    crate::acl::validate_uuid("intention id", id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intention_from_1_8_7_decodes() {
        let ixn: Intention =
            serde_json::from_str(include_str!("../../tests/fixtures/connect/intention.json"))
                .unwrap();
        assert_eq!(ixn.id.len(), 36);
        assert_eq!(ixn.source_name, "web");
        assert_eq!(ixn.destination_name, "db");
        assert_eq!(ixn.source_ns, "default");
        assert_eq!(ixn.action, IntentionAction::Deny);
        assert_eq!(ixn.source_type, IntentionSourceType::Consul);
        assert_eq!(ixn.meta["team"], "core");
        assert_eq!(ixn.precedence, 9);
        assert_eq!(ixn.hash.len(), 32, "a SHA-256, base64 on the wire");
        assert!(ixn.created_at.starts_with("20"));
        assert!(ixn.create_index > 0 && ixn.modify_index >= ixn.create_index);
        assert_eq!(ixn.to_string(), "web => db (deny)");

        // Written back, only what a user sets travels.
        let json = serde_json::to_value(&ixn).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "Description": "no web to db", "SourceNS": "default", "SourceName": "web",
                "DestinationNS": "default", "DestinationName": "db", "SourceType": "consul",
                "Action": "deny", "Meta": {"team": "core"}
            })
        );
    }

    #[test]
    fn lists_matches_and_the_exact_form_decode() {
        let list: Vec<Intention> =
            serde_json::from_str(include_str!("../../tests/fixtures/connect/intentions.json"))
                .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].source_name, "*");
        assert!(list[1].meta.is_empty());

        let matches: BTreeMap<String, Option<Vec<Intention>>> = serde_json::from_str(include_str!(
            "../../tests/fixtures/connect/intention_match.json"
        ))
        .unwrap();
        assert_eq!(matches["db"].as_ref().unwrap().len(), 2);
        assert_eq!(matches["unknown"], None, "1.8.7 answers null for no match");

        // The documented answer of `GET /v1/connect/intentions/exact` (Consul 1.9+): no ID,
        // no timestamps.
        let exact: Intention = serde_json::from_str(include_str!(
            "../../tests/fixtures/connect/intention_exact.json"
        ))
        .unwrap();
        assert!(exact.id.is_empty() && exact.created_at.is_empty());
        assert_eq!(exact.action, IntentionAction::Allow);
        assert_eq!(exact.precedence, 9);
    }

    #[test]
    fn consul_s_rules_are_checked() {
        assert!(Intention::allow("*", "*").validate().is_ok());
        assert!(Intention::allow("web", "*").validate().is_ok());
        for (bad, field) in [
            (Intention::allow("", "db"), "intention source"),
            (Intention::allow("web", ""), "intention destination"),
            (Intention::allow("we*", "db"), "intention source"),
            (
                Intention::allow("web", "db").source_ns("*"),
                "intention source",
            ),
            (
                Intention::allow("web", "db").destination_ns("p*"),
                "intention destination",
            ),
            (
                Intention::allow("web", "db").action(IntentionAction::from("block")),
                "intention action",
            ),
            (
                Intention::allow("web", "db").source_type(IntentionSourceType::from("external")),
                "intention source type",
            ),
            (
                Intention::allow("web", "db").description("x".repeat(513)),
                "intention description length",
            ),
            (
                Intention::allow("web", "db").meta("k".repeat(129), "v"),
                "intention metadata",
            ),
            (
                Intention::allow("web", "db").meta("k", "v".repeat(513)),
                "intention metadata",
            ),
        ] {
            let err = bad.validate().unwrap_err();
            let named = match &err {
                ValidationError::Empty { field }
                | ValidationError::InvalidValue { field, .. }
                | ValidationError::OutOfRange { field, .. } => *field,
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(named, field, "{bad:?}: {err}");
        }
        let many = (0..65).fold(Intention::allow("a", "b"), |i, n| {
            i.meta(n.to_string(), "v")
        });
        assert!(many.validate().is_err());
        assert!(Intention::allow("web", "db")
            .description("x".repeat(512))
            .validate()
            .is_ok());
    }

    #[test]
    fn names_as_the_exact_endpoints_take_them() {
        let i = Intention::allow("web", "db");
        assert_eq!(
            (i.source_string(), i.destination_string()),
            ("web".into(), "db".into())
        );
        let i = i.source_ns("default").destination_ns("team-a");
        assert_eq!(i.source_string(), "web");
        assert_eq!(i.destination_string(), "team-a/db");
        assert_eq!(i.to_string(), "web => team-a/db (allow)");
    }

    #[test]
    fn intention_ids_are_uuids() {
        assert!(validate_intention_id("1e6c891c-84f0-a016-2cde-34e6c3bd9818").is_ok());
        for bad in [
            "",
            "exact",
            "match",
            "check",
            "1e6c891c-84f0-a016-2cde-34e6c3bd981",
        ] {
            assert!(validate_intention_id(bad).is_err(), "{bad}");
        }
        assert_eq!(IntentionMatchBy::Source.as_str(), "source");
        assert_eq!(IntentionMatchBy::Destination.to_string(), "destination");
    }
}
