use crate::{Token, ValidationError};
use std::time::Duration;

/// The longest wait Consul honours for a blocking read (its `maxQueryTime`); longer waits
/// are refused by [`QueryOptions::validate`].
pub const MAX_WAIT_TIME: Duration = Duration::from_secs(600);

/// The wait Consul applies when a blocking read gives none (or zero).
pub const DEFAULT_WAIT_TIME: Duration = Duration::from_secs(300);

/// How up to date a read must be.
///
/// Go's client has two booleans (`AllowStale`, `RequireConsistent`) that may not both be
/// set; one enum makes that conflict unrepresentable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Consistency {
    /// The leader answers without checking that it still is the leader (no parameter).
    #[default]
    Default,
    /// The leader confirms its leadership with a quorum first (`?consistent`).
    Consistent,
    /// Any server answers, even without a leader (`?stale`).
    Stale,
}

impl Consistency {
    /// Parses a mode as Consul spells it (`default`, `leader`, `consistent`, `stale`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "default" | "leader" | "" => Some(Consistency::Default),
            "consistent" => Some(Consistency::Consistent),
            "stale" => Some(Consistency::Stale),
            _ => None,
        }
    }
}

/// Options shared by every read (Go's `api.QueryOptions`).
///
/// Everything is optional; unset fields are not sent, so an option an agent does not know
/// (namespace or partition on Consul OSS) only reaches it when set explicitly.
///
/// ```
/// use consul_types::{Consistency, QueryOptions};
/// use std::time::Duration;
/// let opts = QueryOptions::default()
///     .datacenter("dc2")
///     .consistency(Consistency::Stale)
///     .wait_index(42)
///     .wait_time(Duration::from_secs(5));
/// let pairs = opts.query_pairs(Consistency::Default);
/// assert!(pairs.contains(&("dc", "dc2".to_owned())));
/// assert!(pairs.contains(&("wait", "5000ms".to_owned())));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct QueryOptions {
    /// Datacenter to query instead of the agent's own (`?dc=`).
    pub datacenter: Option<String>,
    /// Consistency mode; `None` uses the client's default.
    pub consistency: Option<Consistency>,
    /// Index to block on (`?index=`): the read returns when the data's index passes it.
    pub wait_index: Option<u64>,
    /// Content hash to block on (`?hash=`), for the agent endpoints that use hashes.
    pub wait_hash: Option<String>,
    /// How long a blocking read may wait (`?wait=`), at most [`MAX_WAIT_TIME`]. `None` or
    /// zero leaves it to the agent (5 minutes, [`DEFAULT_WAIT_TIME`]).
    pub wait_time: Option<Duration>,
    /// Token for this request instead of the client's.
    pub token: Option<Token>,
    /// Filter expression (`?filter=`), Consul 1.5+.
    pub filter: Option<String>,
    /// Sort by round trip time from this node (`?near=`; `_agent` for the local agent).
    pub near: Option<String>,
    /// Node metadata filters (`?node-meta=key:value`, repeatable).
    pub node_meta: Vec<(String, String)>,
    /// Namespace (`?ns=`, Consul Enterprise).
    pub namespace: Option<String>,
    /// Admin partition (`?partition=`, Consul Enterprise).
    pub partition: Option<String>,
    /// Serve from the agent's cache (`?cached`).
    pub use_cache: bool,
    /// With `use_cache`: the oldest cached answer to accept (`Cache-Control: max-age`).
    pub max_age: Option<Duration>,
}

setters!(QueryOptions {
    /// Sets [`QueryOptions::datacenter`].
    datacenter: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::consistency`].
    consistency: Consistency => Some;
    /// Sets [`QueryOptions::wait_index`].
    wait_index: u64 => Some;
    /// Sets [`QueryOptions::wait_hash`].
    wait_hash: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::wait_time`].
    wait_time: Duration => Some;
    /// Sets [`QueryOptions::token`].
    token: impl Into<Token> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::filter`].
    filter: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::near`].
    near: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::namespace`].
    namespace: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::partition`].
    partition: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::use_cache`].
    use_cache: bool => |v| v;
    /// Sets [`QueryOptions::max_age`].
    max_age: Duration => Some;
});

impl QueryOptions {
    /// Adds one node metadata filter.
    #[must_use]
    pub fn node_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.node_meta.push((key.into(), value.into()));
        self
    }

    /// Checks the options for combinations Consul rejects.
    ///
    /// # Errors
    /// [`ValidationError::Conflict`] for `use_cache` with [`Consistency::Consistent`] or
    /// `max_age` without `use_cache`; [`ValidationError::Empty`] for an empty datacenter;
    /// [`ValidationError::OutOfRange`] for a wait longer than [`MAX_WAIT_TIME`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(wait) = self.wait_time.filter(|w| *w > MAX_WAIT_TIME) {
            return Err(ValidationError::OutOfRange {
                field: "wait_time",
                value: format!("{wait:?}"),
                min: "0s".into(),
                max: "10m (Consul's limit)".into(),
            });
        }
        if self.use_cache && self.consistency == Some(Consistency::Consistent) {
            return Err(ValidationError::Conflict(
                "the agent cache cannot serve consistent reads",
            ));
        }
        if self.max_age.is_some() && !self.use_cache {
            return Err(ValidationError::Conflict("max_age needs use_cache"));
        }
        if self.datacenter.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "datacenter",
            });
        }
        Ok(())
    }

    /// The query parameters these options add, given the client's default consistency.
    pub fn query_pairs(&self, default_consistency: Consistency) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(dc) = &self.datacenter {
            out.push(("dc", dc.clone()));
        }
        match self.consistency.unwrap_or(default_consistency) {
            Consistency::Default => {}
            Consistency::Consistent => out.push(("consistent", String::new())),
            Consistency::Stale => out.push(("stale", String::new())),
        }
        if let Some(index) = self.wait_index {
            out.push(("index", index.to_string()));
        }
        if let Some(hash) = &self.wait_hash {
            out.push(("hash", hash.clone()));
        }
        // Zero means "the agent's default", which Consul applies when `wait` is absent
        // (Go omits it too); `wait=0ms` would say the same less clearly.
        if let Some(wait) = self.wait_time.filter(|w| !w.is_zero()) {
            out.push(("wait", wait_millis(wait)));
        }
        if let Some(filter) = &self.filter {
            out.push(("filter", filter.clone()));
        }
        if let Some(near) = &self.near {
            out.push(("near", near.clone()));
        }
        for (k, v) in &self.node_meta {
            out.push(("node-meta", format!("{k}:{v}")));
        }
        push_scope(&mut out, &self.namespace, &self.partition);
        if self.use_cache {
            out.push(("cached", String::new()));
        }
        out
    }

    /// The headers these options add (`Cache-Control`). The token is added by the client.
    pub fn cache_control(&self) -> Option<String> {
        self.max_age.map(|age| format!("max-age={}", age.as_secs()))
    }

    /// The longest a blocking read with these options may legitimately take on the server:
    /// the wait plus Consul's jitter of up to `wait / 16`. `None` when the read does not block.
    ///
    /// An unset or zero wait is the agent's default ([`DEFAULT_WAIT_TIME`]); a wait above
    /// [`MAX_WAIT_TIME`] (refused by [`QueryOptions::validate`]) is counted as the maximum,
    /// which is what Consul would apply.
    pub fn blocking_budget(&self) -> Option<Duration> {
        if self.wait_index.is_none() && self.wait_hash.is_none() {
            return None;
        }
        let wait = self
            .wait_time
            .filter(|w| !w.is_zero())
            .unwrap_or(DEFAULT_WAIT_TIME)
            .min(MAX_WAIT_TIME);
        Some(wait.saturating_add(wait / 16))
    }
}

/// Options shared by every write (Go's `api.WriteOptions`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct WriteOptions {
    /// Datacenter to write to instead of the agent's own (`?dc=`).
    pub datacenter: Option<String>,
    /// Token for this request instead of the client's.
    pub token: Option<Token>,
    /// Namespace (`?ns=`, Consul Enterprise).
    pub namespace: Option<String>,
    /// Admin partition (`?partition=`, Consul Enterprise).
    pub partition: Option<String>,
}

setters!(WriteOptions {
    /// Sets [`WriteOptions::datacenter`].
    datacenter: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`WriteOptions::token`].
    token: impl Into<Token> => |v: _| Some(Into::into(v));
    /// Sets [`WriteOptions::namespace`].
    namespace: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`WriteOptions::partition`].
    partition: impl Into<String> => |v: _| Some(Into::into(v));
});

impl WriteOptions {
    /// Checks the options.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty datacenter.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.datacenter.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "datacenter",
            });
        }
        Ok(())
    }

    /// The query parameters these options add.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(dc) = &self.datacenter {
            out.push(("dc", dc.clone()));
        }
        push_scope(&mut out, &self.namespace, &self.partition);
        out
    }
}

fn push_scope(
    out: &mut Vec<(&'static str, String)>,
    namespace: &Option<String>,
    partition: &Option<String>,
) {
    if let Some(ns) = namespace {
        out.push(("ns", ns.clone()));
    }
    if let Some(p) = partition {
        out.push(("partition", p.clone()));
    }
}

/// Go's `durToMsec`: whole milliseconds, but a positive wait below 1 ms becomes `1ms`
/// rather than `0ms`, which Consul would read as "use the 5 minute default".
pub(crate) fn wait_millis(wait: Duration) -> String {
    let mut ms = wait.as_millis();
    if ms == 0 && !wait.is_zero() {
        ms = 1;
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_options_send_nothing() {
        assert!(QueryOptions::default()
            .query_pairs(Consistency::Default)
            .is_empty());
        assert!(WriteOptions::default().query_pairs().is_empty());
    }

    #[test]
    fn client_default_consistency_applies_unless_overridden() {
        let pairs = QueryOptions::default().query_pairs(Consistency::Stale);
        assert_eq!(pairs, vec![("stale", String::new())]);
        let pairs = QueryOptions::default()
            .consistency(Consistency::Default)
            .query_pairs(Consistency::Stale);
        assert!(pairs.is_empty());
        let pairs = QueryOptions::default()
            .consistency(Consistency::Consistent)
            .query_pairs(Consistency::Stale);
        assert_eq!(pairs, vec![("consistent", String::new())]);
    }

    #[test]
    fn wait_is_sent_in_milliseconds_and_rounds_up() {
        let p = |d| {
            QueryOptions::default()
                .wait_time(d)
                .query_pairs(Consistency::Default)
        };
        assert_eq!(p(Duration::from_secs(10)), vec![("wait", "10000ms".into())]);
        assert_eq!(p(Duration::from_micros(10)), vec![("wait", "1ms".into())]);
        assert_eq!(
            p(Duration::ZERO),
            vec![],
            "zero is the agent's default: omitted"
        );
    }

    #[test]
    fn all_fields_encode() {
        let opts = QueryOptions::default()
            .datacenter("dc2")
            .wait_index(7)
            .wait_hash("abc")
            .filter("Service == web")
            .near("_agent")
            .node_meta("rack", "r1")
            .namespace("team")
            .partition("part")
            .use_cache(true)
            .max_age(Duration::from_secs(30));
        let pairs = opts.query_pairs(Consistency::Default);
        for want in [
            ("dc", "dc2"),
            ("index", "7"),
            ("hash", "abc"),
            ("filter", "Service == web"),
            ("near", "_agent"),
            ("node-meta", "rack:r1"),
            ("ns", "team"),
            ("partition", "part"),
            ("cached", ""),
        ] {
            assert!(pairs.contains(&(want.0, want.1.to_owned())), "{want:?}");
        }
        assert_eq!(opts.cache_control().as_deref(), Some("max-age=30"));
    }

    #[test]
    fn token_never_becomes_a_query_parameter() {
        let pairs = QueryOptions::default()
            .token("secret")
            .query_pairs(Consistency::Default);
        assert!(pairs.iter().all(|(_, v)| !v.contains("secret")));
        let pairs = WriteOptions::default().token("secret").query_pairs();
        assert!(pairs.is_empty());
    }

    #[test]
    fn conflicting_options_are_rejected() {
        let bad = QueryOptions::default()
            .use_cache(true)
            .consistency(Consistency::Consistent);
        assert!(matches!(bad.validate(), Err(ValidationError::Conflict(_))));
        let bad = QueryOptions::default().max_age(Duration::from_secs(1));
        assert!(matches!(bad.validate(), Err(ValidationError::Conflict(_))));
        let bad = QueryOptions::default().datacenter("");
        assert!(matches!(bad.validate(), Err(ValidationError::Empty { .. })));
        assert!(WriteOptions::default().datacenter("").validate().is_err());
    }

    #[test]
    fn blocking_budget_includes_jitter() {
        assert_eq!(QueryOptions::default().blocking_budget(), None);
        let b = QueryOptions::default()
            .wait_index(1)
            .wait_time(Duration::from_secs(16))
            .blocking_budget();
        assert_eq!(b, Some(Duration::from_secs(17)));
    }

    #[test]
    fn zero_or_no_wait_budgets_the_agents_default() {
        let default = Some(DEFAULT_WAIT_TIME + DEFAULT_WAIT_TIME / 16);
        let blocking = QueryOptions::default().wait_index(1);
        assert_eq!(blocking.blocking_budget(), default);
        assert_eq!(
            blocking.clone().wait_time(Duration::ZERO).blocking_budget(),
            default
        );
        assert_eq!(
            QueryOptions::default().wait_hash("h").blocking_budget(),
            default
        );
    }

    #[test]
    fn waits_beyond_consuls_limit_are_refused_and_never_overflow() {
        for wait in [
            Duration::MAX,
            Duration::from_secs(u64::MAX),
            MAX_WAIT_TIME + Duration::from_nanos(1),
        ] {
            let opts = QueryOptions::default().wait_index(1).wait_time(wait);
            let err = opts.validate().unwrap_err();
            assert!(
                matches!(
                    err,
                    ValidationError::OutOfRange {
                        field: "wait_time",
                        ..
                    }
                ),
                "{err}"
            );
            assert!(err.to_string().contains("10m"), "{err}");
            let budget = opts.blocking_budget().unwrap();
            assert_eq!(budget, MAX_WAIT_TIME + MAX_WAIT_TIME / 16);
            let _ = opts.query_pairs(Consistency::Default);
        }
        let max = QueryOptions::default()
            .wait_index(1)
            .wait_time(MAX_WAIT_TIME);
        assert!(max.validate().is_ok());
    }

    #[test]
    fn consistency_names() {
        assert_eq!(Consistency::from_name("leader"), Some(Consistency::Default));
        assert_eq!(Consistency::from_name("stale"), Some(Consistency::Stale));
        assert_eq!(
            Consistency::from_name("consistent"),
            Some(Consistency::Consistent)
        );
        assert_eq!(Consistency::from_name("bogus"), None);
    }
}
