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
    /// With `use_cache`: how stale a cached answer may be when the servers cannot be
    /// reached (`Cache-Control: stale-if-error`; Go's `StaleIfError`).
    pub stale_if_error: Option<Duration>,
    /// How many other agents relay each agent's answer back (`?relay-factor=`, 0 to 5;
    /// keyring operations: more resilience against lost gossip).
    pub relay_factor: Option<u8>,
    /// Ask the local agent only, not every server (`?local-only`; keyring listing).
    pub local_only: bool,
    /// Only Connect-capable instances (`?connect`; prepared query execution).
    pub connect: bool,
    /// The cluster peer whose imported data to read (`?peer=`, Consul 1.13+).
    pub peer: Option<String>,
    /// Merge the central service and proxy defaults into the answer
    /// (`?merge-central-config`, Consul 1.13+).
    pub merge_central_config: bool,
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
    /// Sets [`QueryOptions::stale_if_error`].
    stale_if_error: Duration => Some;
    /// Sets [`QueryOptions::relay_factor`].
    relay_factor: u8 => Some;
    /// Sets [`QueryOptions::local_only`].
    local_only: bool => |v| v;
    /// Sets [`QueryOptions::connect`].
    connect: bool => |v| v;
    /// Sets [`QueryOptions::peer`].
    peer: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`QueryOptions::merge_central_config`].
    merge_central_config: bool => |v| v;
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
        if self.peer.as_deref() == Some("") {
            return Err(ValidationError::Empty { field: "peer" });
        }
        if self.stale_if_error.is_some() && !self.use_cache {
            return Err(ValidationError::Conflict("stale_if_error needs use_cache"));
        }
        validate_relay_factor(self.relay_factor)?;
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
        push_relay_factor(&mut out, self.relay_factor);
        if self.local_only {
            out.push(("local-only", "true".to_owned()));
        }
        if self.connect {
            out.push(("connect", "true".to_owned()));
        }
        if let Some(peer) = &self.peer {
            out.push(("peer", peer.clone()));
        }
        if self.merge_central_config {
            out.push(("merge-central-config", String::new()));
        }
        out
    }

    /// The headers these options add (`Cache-Control`). The token is added by the client.
    pub fn cache_control(&self) -> Option<String> {
        let directives: Vec<String> = [
            self.max_age.map(|age| format!("max-age={}", age.as_secs())),
            self.stale_if_error
                .map(|age| format!("stale-if-error={}", age.as_secs())),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!directives.is_empty()).then(|| directives.join(", "))
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
    /// How many other agents relay each agent's answer back (`?relay-factor=`, 0 to 5;
    /// keyring operations).
    pub relay_factor: Option<u8>,
}

setters!(WriteOptions {
    /// Sets [`WriteOptions::relay_factor`].
    relay_factor: u8 => Some;
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
    /// [`ValidationError::Empty`] for an empty datacenter; [`ValidationError::OutOfRange`]
    /// for a relay factor above 5.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.datacenter.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "datacenter",
            });
        }
        validate_relay_factor(self.relay_factor)
    }

    /// The query parameters these options add.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(dc) = &self.datacenter {
            out.push(("dc", dc.clone()));
        }
        push_scope(&mut out, &self.namespace, &self.partition);
        push_relay_factor(&mut out, self.relay_factor);
        out
    }
}

/// The most other agents Consul lets relay an answer (`relay-factor`).
pub const MAX_RELAY_FACTOR: u8 = 5;

fn validate_relay_factor(factor: Option<u8>) -> Result<(), ValidationError> {
    match factor {
        Some(n) if n > MAX_RELAY_FACTOR => Err(ValidationError::OutOfRange {
            field: "relay_factor",
            value: n.to_string(),
            min: "0".into(),
            max: MAX_RELAY_FACTOR.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Go sends a relay factor only when it is not zero.
fn push_relay_factor(out: &mut Vec<(&'static str, String)>, factor: Option<u8>) {
    if let Some(n) = factor.filter(|n| *n > 0) {
        out.push(("relay-factor", n.to_string()));
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
    fn go_parity_options_encode_as_go_does() {
        let q = QueryOptions::default()
            .use_cache(true)
            .max_age(Duration::from_secs(30))
            .stale_if_error(Duration::from_secs(600))
            .relay_factor(3)
            .local_only(true)
            .connect(true);
        assert!(q.validate().is_ok());
        assert_eq!(
            q.cache_control().as_deref(),
            Some("max-age=30, stale-if-error=600")
        );
        let pairs = q.query_pairs(Consistency::Default);
        for want in [
            ("relay-factor", "3"),
            ("local-only", "true"),
            ("connect", "true"),
        ] {
            assert!(pairs.contains(&(want.0, want.1.to_owned())), "{want:?}");
        }
        // Go sends no relay factor of zero.
        let zero = QueryOptions::default().relay_factor(0);
        assert!(zero.query_pairs(Consistency::Default).is_empty());
        assert!(matches!(
            QueryOptions::default().relay_factor(6).validate(),
            Err(ValidationError::OutOfRange { .. })
        ));
        assert!(matches!(
            QueryOptions::default()
                .stale_if_error(Duration::from_secs(1))
                .validate(),
            Err(ValidationError::Conflict(_))
        ));
        let peered = QueryOptions::default()
            .peer("cluster-02")
            .merge_central_config(true)
            .query_pairs(Consistency::Default);
        assert!(peered.contains(&("peer", "cluster-02".to_owned())));
        assert!(peered.contains(&("merge-central-config", String::new())));
        assert!(QueryOptions::default().peer("").validate().is_err());
        let w = WriteOptions::default().relay_factor(2);
        assert_eq!(w.query_pairs(), vec![("relay-factor", "2".to_owned())]);
        assert!(WriteOptions::default().relay_factor(9).validate().is_err());
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
