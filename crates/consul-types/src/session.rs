//! Models and rules of the `session` endpoint family (Go's `api/session.go`).
//!
//! A session ties KV locks to a node's health (its checks) and, optionally, to a TTL the
//! holder must keep renewing. When it is invalidated — destroyed, a check fails, the TTL
//! runs out — Consul releases or deletes the keys it locked ([`SessionBehavior`]) and
//! refuses new acquisitions of those keys for the session's lock-delay.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Shortest TTL Consul accepts by default (`session_ttl_min`).
pub const MIN_TTL: Duration = Duration::from_secs(10);

/// Longest TTL Consul accepts (24 h).
pub const MAX_TTL: Duration = Duration::from_secs(86_400);

/// Longest lock-delay Consul honours; longer values are silently cut to this.
pub const MAX_LOCK_DELAY: Duration = Duration::from_secs(60);

/// Consul's lock-delay when a session is created without one.
pub const DEFAULT_LOCK_DELAY: Duration = Duration::from_secs(15);

text_enum! {
    /// What Consul does with the keys a session locked when the session is invalidated.
    ///
    /// Decoding keeps values this version does not know in [`SessionBehavior::Other`];
    /// [`NewSession::validate`] refuses them, since Consul accepts only `release` and `delete`.
    ///
    /// ```
    /// use consul_types::session::SessionBehavior;
    /// assert_eq!(SessionBehavior::from("delete"), SessionBehavior::Delete);
    /// assert_eq!(SessionBehavior::Release.as_str(), "release");
    /// assert!(matches!(SessionBehavior::from("destroy"), SessionBehavior::Other(_)));
    /// ```
    SessionBehavior {
        /// The locks are released; the keys stay (Consul's default).
        default Release = "release",
        /// The locked keys are deleted (ephemeral keys, like ZooKeeper's ephemeral nodes).
        Delete = "delete",
    }
}

/// A service check a session depends on (Consul 1.7+).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceCheck {
    /// The check id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Namespace of the check (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

impl ServiceCheck {
    /// A dependency on the service check `id`.
    pub fn new(id: impl Into<String>) -> Self {
        ServiceCheck {
            id: id.into(),
            namespace: String::new(),
        }
    }
}

/// A session as Consul reports it (Go's `api.SessionEntry`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SessionEntry {
    /// The session id (a UUID).
    #[serde(rename = "ID")]
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The node the session belongs to.
    pub node: String,
    /// How long a key locked by this session stays unacquirable after the session is
    /// invalidated (integer nanoseconds on the wire).
    #[serde(with = "crate::duration::nanos")]
    pub lock_delay: Duration,
    /// What happens to the locked keys on invalidation.
    pub behavior: SessionBehavior,
    /// The TTL, if the session has one (Consul invalidates it after up to twice this
    /// long without a renewal).
    #[serde(
        rename = "TTL",
        with = "crate::duration::text::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub ttl: Option<Duration>,
    /// Node checks the session depends on (`serfHealth` by default).
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub node_checks: Vec<String>,
    /// Service checks the session depends on.
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub service_checks: Vec<ServiceCheck>,
    /// Checks, before Consul 1.7 split them into node and service checks.
    #[serde(
        deserialize_with = "crate::serde_util::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub checks: Vec<String>,
    /// Namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Raft index at which the session was created.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// What to create a session with (`PUT /v1/session/create`); unset fields take Consul's
/// defaults: the agent's node, the `serfHealth` check, a 15 s lock-delay, `release`, no TTL.
///
/// ```
/// use consul_types::session::{NewSession, SessionBehavior};
/// use std::time::Duration;
/// let s = NewSession::default()
///     .name("leader election")
///     .ttl(Duration::from_secs(15))
///     .lock_delay(Duration::from_secs(1))
///     .behavior(SessionBehavior::Delete);
/// assert!(s.validate().is_ok());
/// let json = serde_json::to_value(&s).unwrap();
/// assert_eq!(json["TTL"], "15s");
/// assert_eq!(json["LockDelay"], "1s");
/// assert_eq!(json["Behavior"], "delete");
/// assert!(json.get("Node").is_none());
///
/// assert!(NewSession::default().ttl(Duration::from_secs(5)).validate().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct NewSession {
    /// Human-readable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Node to attach the session to (default: the agent's node).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Lock-delay, [`MAX_LOCK_DELAY`] at most; sent as Go-format text (`"15s"`).
    #[serde(
        with = "crate::duration::text::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub lock_delay: Option<Duration>,
    /// What happens to locked keys on invalidation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behavior: Option<SessionBehavior>,
    /// TTL, between [`MIN_TTL`] and [`MAX_TTL`]; the holder must renew within it.
    #[serde(
        rename = "TTL",
        with = "crate::duration::text::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub ttl: Option<Duration>,
    /// Node checks to depend on; `Some(vec![])` creates a session with no node check
    /// (only a TTL, or nothing, invalidates it). `None` keeps Consul's `serfHealth`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_checks: Option<Vec<String>>,
    /// Service checks to depend on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_checks: Option<Vec<ServiceCheck>>,
    /// Checks in the pre-1.7 form (deprecated by Consul; prefer `node_checks`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<String>>,
}

setters!(NewSession {
    /// Sets [`NewSession::name`].
    name: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`NewSession::node`].
    node: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`NewSession::lock_delay`].
    lock_delay: Duration => Some;
    /// Sets [`NewSession::behavior`].
    behavior: SessionBehavior => Some;
    /// Sets [`NewSession::ttl`].
    ttl: Duration => Some;
    /// Sets [`NewSession::node_checks`].
    node_checks: Vec<String> => Some;
    /// Sets [`NewSession::service_checks`].
    service_checks: Vec<ServiceCheck> => Some;
    /// Sets [`NewSession::checks`].
    checks: Vec<String> => Some;
});

impl NewSession {
    /// A session that depends on no health check at all (Go's `CreateNoChecks`): only
    /// its TTL, if any, or an explicit destroy ends it.
    #[must_use]
    pub fn without_checks(self) -> Self {
        self.node_checks(Vec::new())
    }

    /// Checks everything Consul would refuse, and lock-delays it would misread.
    ///
    /// # Errors
    /// - [`ValidationError::OutOfRange`] for a TTL outside [`MIN_TTL`]..=[`MAX_TTL`] or a
    ///   lock-delay over [`MAX_LOCK_DELAY`];
    /// - [`ValidationError::InvalidValue`] for a lock-delay under 1 ms other than zero
    ///   (Consul reads values below 1000 ns as seconds) or a behavior other than
    ///   `release` / `delete`;
    /// - [`ValidationError::Empty`] for an empty node, name or check id.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(ttl) = self.ttl {
            validate_ttl(ttl)?;
        }
        if let Some(delay) = self.lock_delay {
            validate_lock_delay(delay)?;
        }
        if let Some(b) = &self.behavior {
            validate_behavior(b)?;
        }
        if self.node.as_deref() == Some("") {
            return Err(ValidationError::Empty { field: "node" });
        }
        if self.name.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "session name",
            });
        }
        let empty_check = self
            .node_checks
            .iter()
            .chain(self.checks.iter())
            .flatten()
            .any(String::is_empty)
            || self
                .service_checks
                .iter()
                .flatten()
                .any(|c| c.id.is_empty());
        if empty_check {
            return Err(ValidationError::Empty { field: "check id" });
        }
        Ok(())
    }
}

/// Checks a session TTL against Consul's bounds ([`MIN_TTL`]..=[`MAX_TTL`]).
///
/// ```
/// use consul_types::session::validate_ttl;
/// use std::time::Duration;
/// assert!(validate_ttl(Duration::from_secs(10)).is_ok());
/// assert!(validate_ttl(Duration::from_secs(86_400)).is_ok());
/// assert!(validate_ttl(Duration::from_secs(5)).is_err());
/// ```
///
/// # Errors
/// [`ValidationError::OutOfRange`].
pub fn validate_ttl(ttl: Duration) -> Result<(), ValidationError> {
    if ttl < MIN_TTL || ttl > MAX_TTL {
        return Err(ValidationError::OutOfRange {
            field: "session TTL",
            value: crate::duration::format(ttl),
            min: crate::duration::format(MIN_TTL),
            max: crate::duration::format(MAX_TTL),
        });
    }
    Ok(())
}

/// Checks a lock-delay: zero, or between 1 ms and [`MAX_LOCK_DELAY`].
///
/// # Errors
/// [`ValidationError::OutOfRange`] above 60 s; [`ValidationError::InvalidValue`] for a
/// positive value under 1 ms, which Consul would read as that many *seconds*.
pub fn validate_lock_delay(delay: Duration) -> Result<(), ValidationError> {
    if delay > MAX_LOCK_DELAY {
        return Err(ValidationError::OutOfRange {
            field: "lock delay",
            value: crate::duration::format(delay),
            min: "0s".into(),
            max: crate::duration::format(MAX_LOCK_DELAY),
        });
    }
    if !delay.is_zero() && delay < Duration::from_millis(1) {
        return Err(ValidationError::InvalidValue {
            field: "lock delay",
            reason: "must be zero or at least 1ms".into(),
        });
    }
    Ok(())
}

/// Parses a lock-delay written as Go-format text (`"15s"`) and checks it
/// ([`validate_lock_delay`]).
///
/// ```
/// use consul_types::session::parse_lock_delay;
/// use std::time::Duration;
/// assert_eq!(parse_lock_delay("1.5s").unwrap(), Duration::from_millis(1500));
/// assert!(parse_lock_delay("soon").is_err());
/// assert!(parse_lock_delay("2m").is_err());
/// ```
///
/// # Errors
/// [`ValidationError::InvalidDuration`] for text that is not a duration, and the errors of
/// [`validate_lock_delay`].
pub fn parse_lock_delay(text: &str) -> Result<Duration, ValidationError> {
    let d = crate::duration::parse(text)?;
    validate_lock_delay(d)?;
    Ok(d)
}

/// Checks that a behavior is one Consul accepts (`release` or `delete`).
///
/// # Errors
/// [`ValidationError::InvalidValue`] for [`SessionBehavior::Other`].
pub fn validate_behavior(behavior: &SessionBehavior) -> Result<(), ValidationError> {
    match behavior {
        SessionBehavior::Release | SessionBehavior::Delete => Ok(()),
        SessionBehavior::Other(s) => Err(ValidationError::InvalidValue {
            field: "session behavior",
            reason: format!("{s:?} is not one of \"release\", \"delete\"").into(),
        }),
    }
}

/// Checks a session id used in a path or a lock parameter.
///
/// # Errors
/// [`ValidationError::Empty`] for an empty id.
pub fn validate_id(id: &str) -> Result<(), ValidationError> {
    if id.is_empty() {
        return Err(ValidationError::Empty {
            field: "session id",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_bounds_are_inclusive() {
        assert!(validate_ttl(MIN_TTL).is_ok());
        assert!(validate_ttl(MAX_TTL).is_ok());
        assert!(matches!(
            validate_ttl(Duration::from_secs(5)),
            Err(ValidationError::OutOfRange {
                field: "session TTL",
                ..
            })
        ));
        assert!(validate_ttl(MIN_TTL - Duration::from_millis(1)).is_err());
        assert!(validate_ttl(MAX_TTL + Duration::from_secs(1)).is_err());
        assert!(validate_ttl(Duration::ZERO).is_err());
    }

    #[test]
    fn lock_delay_rules() {
        assert!(validate_lock_delay(Duration::ZERO).is_ok());
        assert!(validate_lock_delay(Duration::from_millis(1)).is_ok());
        assert!(validate_lock_delay(MAX_LOCK_DELAY).is_ok());
        assert!(matches!(
            validate_lock_delay(Duration::from_nanos(500)),
            Err(ValidationError::InvalidValue { .. })
        ));
        assert!(matches!(
            validate_lock_delay(Duration::from_secs(61)),
            Err(ValidationError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_lock_delay("fifteen"),
            Err(ValidationError::InvalidDuration { .. })
        ));
    }

    #[test]
    fn behavior_round_trips_and_validates() {
        for (text, b) in [
            ("release", SessionBehavior::Release),
            ("delete", SessionBehavior::Delete),
        ] {
            assert_eq!(SessionBehavior::from(text), b);
            assert_eq!(String::from(b.clone()), text);
            assert!(validate_behavior(&b).is_ok());
        }
        let other = SessionBehavior::from("destroy");
        assert_eq!(other, SessionBehavior::Other("destroy".into()));
        assert_eq!(other.to_string(), "destroy");
        assert!(validate_behavior(&other).is_err());
        let json: SessionBehavior = serde_json::from_str("\"evaporate\"").unwrap();
        assert_eq!(json, SessionBehavior::Other("evaporate".into()));
    }

    #[test]
    fn new_session_serializes_only_what_is_set() {
        assert_eq!(serde_json::to_string(&NewSession::default()).unwrap(), "{}");
        let s = NewSession::default()
            .name("n")
            .node("node-1")
            .lock_delay(Duration::from_millis(1500))
            .ttl(Duration::from_secs(90))
            .behavior(SessionBehavior::Release)
            .service_checks(vec![ServiceCheck::new("service:web")])
            .without_checks();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "Name": "n",
                "Node": "node-1",
                "LockDelay": "1.5s",
                "Behavior": "release",
                "TTL": "1m30s",
                "NodeChecks": [],
                "ServiceChecks": [{"ID": "service:web"}],
            })
        );
        assert!(s.validate().is_ok());
    }

    #[test]
    fn new_session_validation() {
        let bad = [
            NewSession::default().ttl(Duration::from_secs(5)),
            NewSession::default().ttl(Duration::from_secs(86_401)),
            NewSession::default().lock_delay(Duration::from_secs(120)),
            NewSession::default().behavior(SessionBehavior::from("destroy")),
            NewSession::default().node(""),
            NewSession::default().name(""),
            NewSession::default().node_checks(vec![String::new()]),
            NewSession::default().service_checks(vec![ServiceCheck::new("")]),
        ];
        for s in bad {
            assert!(s.validate().is_err(), "{s:?}");
        }
        assert!(validate_id("").is_err());
        assert!(validate_id("abc").is_ok());
    }

    #[test]
    fn decodes_recorded_info() {
        let body = include_str!("../tests/fixtures/session/info.json");
        let s: Vec<SessionEntry> = serde_json::from_str(body).unwrap();
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert_eq!(s.name, "fixture-ttl");
        assert_eq!(s.id.len(), 36);
        assert_eq!(s.lock_delay, Duration::from_secs(2));
        assert_eq!(s.behavior, SessionBehavior::Delete);
        assert_eq!(s.ttl, Some(Duration::from_secs(10)));
        assert_eq!(s.node_checks, vec!["serfHealth".to_owned()]);
        assert!(s.service_checks.is_empty(), "null decodes as empty");
        assert!(s.create_index > 0);
    }

    #[test]
    fn decodes_recorded_list_node_and_renew() {
        let list: Vec<SessionEntry> =
            serde_json::from_str(include_str!("../tests/fixtures/session/list.json")).unwrap();
        assert_eq!(list.len(), 4);
        let default = list.iter().find(|s| s.name == "fixture-default").unwrap();
        assert_eq!(default.ttl, None, "\"\" means no TTL");
        assert_eq!(default.lock_delay, DEFAULT_LOCK_DELAY);
        assert_eq!(default.behavior, SessionBehavior::Release);
        let no_checks = list.iter().find(|s| s.name == "fixture-nochecks").unwrap();
        assert!(no_checks.node_checks.is_empty());
        let node: Vec<SessionEntry> =
            serde_json::from_str(include_str!("../tests/fixtures/session/node.json")).unwrap();
        assert_eq!(node[0].node, "fx4node");
        let renew: Vec<SessionEntry> =
            serde_json::from_str(include_str!("../tests/fixtures/session/renew.json")).unwrap();
        assert_eq!(renew[0].ttl, Some(Duration::from_secs(10)));
    }
}
