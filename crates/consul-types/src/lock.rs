//! Conventions and options of the lock and semaphore recipes (Go's `api/lock.go` and
//! `api/semaphore.go`), shared with `consul lock`.
//!
//! The constants and key layout here are those of HashiCorp's Go client, so a lock taken
//! by this library and one taken by `consul lock` (or any Go program using
//! `api.Lock` / `api.Semaphore`) exclude each other:
//!
//! | recipe | key(s) | flags | value |
//! |---|---|---|---|
//! | lock | the key itself (`consul lock <prefix>` uses `<prefix>/.lock`) | [`LOCK_FLAG_VALUE`] | the holder's value, locked by its session |
//! | semaphore | `<prefix>/.lock` | [`SEMAPHORE_FLAG_VALUE`] | [`SemaphoreLock`] JSON, updated by check-and-set, not locked |
//! | semaphore | `<prefix>/<session id>` (one per contender) | [`SEMAPHORE_FLAG_VALUE`] | the contender's value, locked by its session |

use crate::session::{self, NewSession, SessionBehavior};
use crate::ValidationError;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Flags of a key used as a lock (Go's `LockFlagValue`); a key with other flags is not a
/// lock and acquiring it fails with a conflict.
pub const LOCK_FLAG_VALUE: u64 = 0x2ddc_cbc0_58a5_0c18;

/// Flags of the keys of a semaphore (Go's `SemaphoreFlagValue`).
pub const SEMAPHORE_FLAG_VALUE: u64 = 0xe0f6_9a2b_aa41_4de0;

/// Name of the coordination key under a semaphore's prefix, and of the key `consul lock`
/// locks under its prefix (Go's `DefaultSemaphoreKey`).
pub const DEFAULT_SEMAPHORE_KEY: &str = ".lock";

/// Session name of a lock that creates its own session (Go's `DefaultLockSessionName`).
pub const DEFAULT_LOCK_SESSION_NAME: &str = "Consul API Lock";

/// Session name of a semaphore that creates its own session.
pub const DEFAULT_SEMAPHORE_SESSION_NAME: &str = "Consul API Semaphore";

/// TTL of a session created by a lock or semaphore (Go's `DefaultLockSessionTTL`, `"15s"`).
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(15);

/// Longest single blocking read while waiting to acquire (Go's `DefaultLockWaitTime`).
pub const DEFAULT_WAIT_TIME: Duration = Duration::from_secs(15);

/// Longest pause before retrying an acquisition refused by a lock-delay (Go's
/// `DefaultLockRetryTime`).
pub const DEFAULT_RETRY_TIME: Duration = Duration::from_secs(5);

/// Pause between retries of a failed monitoring read (Go's `DefaultMonitorRetryTime`).
pub const DEFAULT_MONITOR_RETRY_TIME: Duration = Duration::from_secs(2);

/// The key `consul lock <prefix>` locks: `<prefix>/.lock` (Go's
/// `path.Join(prefix, ".lock")`; a leading `/` is dropped as the command does).
///
/// ```
/// use consul_types::lock::cli_lock_key;
/// assert_eq!(cli_lock_key("service/web/leader/"), "service/web/leader/.lock");
/// assert_eq!(cli_lock_key("/jobs"), "jobs/.lock");
/// ```
pub fn cli_lock_key(prefix: &str) -> String {
    join(prefix.trim_start_matches('/'), DEFAULT_SEMAPHORE_KEY)
}

/// Go's `path.Join(prefix, name)` for the prefixes the validation accepts: the prefix
/// without its trailing `/`, then `/name`.
pub fn join(prefix: &str, name: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

/// The coordination record of a semaphore, stored as JSON under `<prefix>/.lock`
/// (Go's `semaphoreLock`): `{"Limit":3,"Holders":{"<session>":true}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SemaphoreLock {
    /// How many holders the semaphore admits; every contender must agree on it.
    pub limit: u32,
    /// The sessions holding a slot (a set: every value is `true`).
    #[serde(deserialize_with = "crate::serde_util::null_as_default")]
    pub holders: BTreeMap<String, bool>,
}

impl SemaphoreLock {
    /// An empty record admitting `limit` holders.
    pub fn new(limit: u32) -> Self {
        SemaphoreLock {
            limit,
            holders: BTreeMap::new(),
        }
    }

    /// Drops the holders whose session holds no key of the listing (dead contenders;
    /// Go's `pruneDeadHolders`). `live_sessions` are the `Session` fields of the keys
    /// under the prefix.
    pub fn prune<'a>(&mut self, live_sessions: impl IntoIterator<Item = &'a str>) {
        let live: std::collections::BTreeSet<&str> = live_sessions.into_iter().collect();
        self.holders.retain(|s, _| live.contains(s.as_str()));
    }

    /// Whether `session` holds a slot.
    pub fn is_holder(&self, session: &str) -> bool {
        self.holders.contains_key(session)
    }

    /// Whether every slot is taken.
    pub fn is_full(&self) -> bool {
        self.holders.len() >= self.limit as usize
    }

    /// The JSON Consul stores.
    ///
    /// # Errors
    /// Never in practice; a serialization failure is reported as
    /// [`ValidationError::InvalidValue`].
    pub fn encode(&self) -> Result<Bytes, ValidationError> {
        serde_json::to_vec(self)
            .map(Bytes::from)
            .map_err(|e| ValidationError::InvalidValue {
                field: "semaphore lock record",
                reason: e.to_string().into(),
            })
    }

    /// Reads the stored JSON; an empty value is an empty record admitting `limit`.
    ///
    /// # Errors
    /// The serde error for a value that is not a semaphore record.
    pub fn decode(value: &[u8], limit: u32) -> Result<Self, serde_json::Error> {
        if value.is_empty() {
            return Ok(SemaphoreLock::new(limit));
        }
        serde_json::from_slice(value)
    }
}

/// How a session-backed recipe gets its session.
fn session_for(
    session_opts: &Option<NewSession>,
    name: &str,
    ttl: Duration,
    lock_delay: Option<Duration>,
    behavior: Option<SessionBehavior>,
) -> NewSession {
    match session_opts {
        Some(s) => s.clone(),
        None => {
            let mut s = NewSession::default().name(name).ttl(ttl);
            s.lock_delay = lock_delay;
            s.behavior = behavior;
            s
        }
    }
}

/// Settings of a lock (Go's `api.LockOptions`).
///
/// ```
/// use consul_types::lock::LockOptions;
/// use consul_types::session::NewSession;
/// use std::time::Duration;
/// let opts = LockOptions::new("service/web/leader")
///     .value("node-1")
///     .session_ttl(Duration::from_secs(10));
/// assert!(opts.validate().is_ok());
/// let opts = LockOptions::new("service/web/leader")
///     .session_opts(NewSession::default().ttl(Duration::from_secs(10)).lock_delay(Duration::from_secs(1)));
/// assert!(opts.validate().is_ok());
/// assert!(LockOptions::new("").validate().is_err());
/// assert!(LockOptions::new("k").session_ttl(Duration::from_secs(5)).validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LockOptions {
    /// The key to lock (`consul lock <prefix>` locks [`cli_lock_key`]`(prefix)`).
    pub key: String,
    /// Value written to the key while held.
    pub value: Bytes,
    /// An existing session to lock with; it is neither renewed nor destroyed by the lock,
    /// but it must exist when acquiring, and while it is needed it is read every half of
    /// its TTL (of [`DEFAULT_SESSION_TTL`] if it has none): its end is reported as the loss
    /// of the lock, and so is no successful read for a whole TTL.
    /// `None`: each acquisition creates its own session, renews it while needed and
    /// destroys it on release.
    pub session: Option<String>,
    /// How to create the session; `None`: named [`LockOptions::session_name`] with TTL
    /// [`LockOptions::session_ttl`], lock-delay [`LockOptions::lock_delay`] and Consul's
    /// other defaults (as Go does).
    pub session_opts: Option<NewSession>,
    /// Name of a created session (default [`DEFAULT_LOCK_SESSION_NAME`]).
    pub session_name: String,
    /// TTL of a created session (default [`DEFAULT_SESSION_TTL`]).
    pub session_ttl: Duration,
    /// Lock-delay of a created session (Go's `LockDelay`): how long the key stays
    /// unacquirable after the holder's session is invalidated. `None`: Consul's default,
    /// [`DEFAULT_LOCK_DELAY`](crate::session::DEFAULT_LOCK_DELAY).
    pub lock_delay: Option<Duration>,
    /// Longest single blocking read while waiting (default [`DEFAULT_WAIT_TIME`]); also
    /// the whole wait of a try-once acquisition (Go's `LockWaitTime`).
    pub wait_time: Duration,
    /// Longest pause before retrying while a lock-delay is in effect (default
    /// [`DEFAULT_RETRY_TIME`]); the pause starts at 50 ms and doubles up to this.
    pub retry_time: Duration,
    /// Retries of a monitoring read that fails with a retryable error before the lock is
    /// reported lost (default 0, as Go; `consul lock` uses 3).
    pub monitor_retries: u32,
    /// Pause between those retries (default [`DEFAULT_MONITOR_RETRY_TIME`]).
    pub monitor_retry_time: Duration,
}

impl LockOptions {
    /// Defaults for locking `key`.
    pub fn new(key: impl Into<String>) -> Self {
        LockOptions {
            key: key.into(),
            value: Bytes::new(),
            session: None,
            session_opts: None,
            session_name: DEFAULT_LOCK_SESSION_NAME.to_owned(),
            session_ttl: DEFAULT_SESSION_TTL,
            lock_delay: None,
            wait_time: DEFAULT_WAIT_TIME,
            retry_time: DEFAULT_RETRY_TIME,
            monitor_retries: 0,
            monitor_retry_time: DEFAULT_MONITOR_RETRY_TIME,
        }
    }

    /// The session to create (from `session_opts`, or the name and TTL).
    pub fn new_session(&self) -> NewSession {
        session_for(
            &self.session_opts,
            &self.session_name,
            self.session_ttl,
            self.lock_delay,
            None,
        )
    }

    /// Checks the options.
    ///
    /// # Errors
    /// [`ValidationError`] for an invalid key, session id or session settings (TTL
    /// outside 10 s..=24 h, …), a zero wait or retry time.
    pub fn validate(&self) -> Result<(), ValidationError> {
        crate::kv::validate_key(&self.key)?;
        crate::kv::validate_value(&self.value)?;
        validate_common(
            self.session.as_deref(),
            &self.new_session(),
            self.wait_time,
            self.retry_time,
        )
    }
}

setters!(LockOptions {
    /// Sets [`LockOptions::value`].
    value: impl Into<Bytes> => |v: _| Into::into(v);
    /// Sets [`LockOptions::session`].
    session: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`LockOptions::session_opts`].
    session_opts: NewSession => Some;
    /// Sets [`LockOptions::session_name`].
    session_name: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`LockOptions::session_ttl`].
    session_ttl: Duration => |v| v;
    /// Sets [`LockOptions::lock_delay`].
    lock_delay: Duration => Some;
    /// Sets [`LockOptions::wait_time`].
    wait_time: Duration => |v| v;
    /// Sets [`LockOptions::retry_time`].
    retry_time: Duration => |v| v;
    /// Sets [`LockOptions::monitor_retries`].
    monitor_retries: u32 => |v| v;
    /// Sets [`LockOptions::monitor_retry_time`].
    monitor_retry_time: Duration => |v| v;
});

/// Settings of a semaphore (Go's `api.SemaphoreOptions`).
///
/// ```
/// use consul_types::lock::SemaphoreOptions;
/// let opts = SemaphoreOptions::new("jobs/reindex", 3);
/// assert!(opts.validate().is_ok());
/// assert_eq!(opts.lock_key(), "jobs/reindex/.lock");
/// assert_eq!(opts.contender_key("abc"), "jobs/reindex/abc");
/// assert!(SemaphoreOptions::new("jobs", 0).validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SemaphoreOptions {
    /// The prefix holding the coordination key and one contender key per contender.
    pub prefix: String,
    /// How many holders at most; every contender must use the same limit.
    pub limit: u32,
    /// Value of this contender's key.
    pub value: Bytes,
    /// An existing session to use; neither renewed nor destroyed by the semaphore, but
    /// checked as for a lock ([`LockOptions::session`]).
    pub session: Option<String>,
    /// How to create the session; `None`: named [`SemaphoreOptions::session_name`] with
    /// TTL [`SemaphoreOptions::session_ttl`] and behavior `delete` (as Go does).
    pub session_opts: Option<NewSession>,
    /// Name of a created session (default [`DEFAULT_SEMAPHORE_SESSION_NAME`]).
    pub session_name: String,
    /// TTL of a created session (default [`DEFAULT_SESSION_TTL`]).
    pub session_ttl: Duration,
    /// Longest single blocking read while waiting (default [`DEFAULT_WAIT_TIME`]); also
    /// the whole wait of a try-once acquisition (Go's `SemaphoreWaitTime`).
    pub wait_time: Duration,
    /// Retries of a failing monitoring read before the slot is reported lost (default 0).
    pub monitor_retries: u32,
    /// Pause between those retries (default [`DEFAULT_MONITOR_RETRY_TIME`]).
    pub monitor_retry_time: Duration,
}

impl SemaphoreOptions {
    /// Defaults for a semaphore of `limit` holders on `prefix`.
    pub fn new(prefix: impl Into<String>, limit: u32) -> Self {
        SemaphoreOptions {
            prefix: prefix.into(),
            limit,
            value: Bytes::new(),
            session: None,
            session_opts: None,
            session_name: DEFAULT_SEMAPHORE_SESSION_NAME.to_owned(),
            session_ttl: DEFAULT_SESSION_TTL,
            wait_time: DEFAULT_WAIT_TIME,
            monitor_retries: 0,
            monitor_retry_time: DEFAULT_MONITOR_RETRY_TIME,
        }
    }

    /// The session to create.
    pub fn new_session(&self) -> NewSession {
        session_for(
            &self.session_opts,
            &self.session_name,
            self.session_ttl,
            None,
            Some(SessionBehavior::Delete),
        )
    }

    /// The coordination key, `<prefix>/.lock`.
    pub fn lock_key(&self) -> String {
        join(&self.prefix, DEFAULT_SEMAPHORE_KEY)
    }

    /// The contender key of `session`, `<prefix>/<session>`.
    pub fn contender_key(&self, session: &str) -> String {
        join(&self.prefix, session)
    }

    /// The prefix to list: every key of the semaphore, and nothing else.
    pub fn list_prefix(&self) -> String {
        format!("{}/", self.prefix.trim_end_matches('/'))
    }

    /// Checks the options.
    ///
    /// # Errors
    /// [`ValidationError`] for an empty or invalid prefix, a zero limit, invalid session
    /// settings or a zero wait time.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.prefix.trim_end_matches('/').is_empty() {
            return Err(ValidationError::Empty {
                field: "semaphore prefix",
            });
        }
        crate::kv::validate_key(&self.prefix)?;
        crate::kv::validate_value(&self.value)?;
        if self.limit == 0 {
            return Err(ValidationError::OutOfRange {
                field: "semaphore limit",
                value: "0".into(),
                min: "1".into(),
                max: u32::MAX.to_string(),
            });
        }
        validate_common(
            self.session.as_deref(),
            &self.new_session(),
            self.wait_time,
            Duration::from_secs(1),
        )
    }
}

setters!(SemaphoreOptions {
    /// Sets [`SemaphoreOptions::value`].
    value: impl Into<Bytes> => |v: _| Into::into(v);
    /// Sets [`SemaphoreOptions::session`].
    session: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`SemaphoreOptions::session_opts`].
    session_opts: NewSession => Some;
    /// Sets [`SemaphoreOptions::session_name`].
    session_name: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`SemaphoreOptions::session_ttl`].
    session_ttl: Duration => |v| v;
    /// Sets [`SemaphoreOptions::wait_time`].
    wait_time: Duration => |v| v;
    /// Sets [`SemaphoreOptions::monitor_retries`].
    monitor_retries: u32 => |v| v;
    /// Sets [`SemaphoreOptions::monitor_retry_time`].
    monitor_retry_time: Duration => |v| v;
});

fn validate_common(
    session: Option<&str>,
    new_session: &NewSession,
    wait_time: Duration,
    retry_time: Duration,
) -> Result<(), ValidationError> {
    match session {
        Some(id) => session::validate_id(id)?,
        None => new_session.validate()?,
    }
    if wait_time.is_zero() {
        return Err(ValidationError::InvalidValue {
            field: "wait time",
            reason: "must be positive".into(),
        });
    }
    if wait_time > crate::MAX_WAIT_TIME {
        return Err(ValidationError::OutOfRange {
            field: "wait time",
            value: format!("{wait_time:?}"),
            min: "1ns".into(),
            max: "10m (Consul's limit on a blocking read)".into(),
        });
    }
    if retry_time.is_zero() {
        return Err(ValidationError::InvalidValue {
            field: "retry time",
            reason: "must be positive".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::KvPair;

    #[test]
    fn waits_longer_than_consul_allows_are_refused() {
        let long = Duration::from_secs(601);
        let err = LockOptions::new("k")
            .wait_time(long)
            .validate()
            .unwrap_err();
        assert!(matches!(err, ValidationError::OutOfRange { .. }), "{err}");
        let err = SemaphoreOptions::new("p", 2)
            .wait_time(long)
            .validate()
            .unwrap_err();
        assert!(matches!(err, ValidationError::OutOfRange { .. }), "{err}");
        assert!(LockOptions::new("k")
            .wait_time(crate::MAX_WAIT_TIME)
            .validate()
            .is_ok());
    }

    #[test]
    fn constants_match_go() {
        assert_eq!(LOCK_FLAG_VALUE, 3_304_740_253_564_472_344);
        assert_eq!(SEMAPHORE_FLAG_VALUE, 16_210_313_421_097_356_768);
        assert_eq!(crate::duration::format(DEFAULT_SESSION_TTL), "15s");
    }

    #[test]
    fn key_layout() {
        assert_eq!(cli_lock_key("a/b"), "a/b/.lock");
        assert_eq!(cli_lock_key("a/b/"), "a/b/.lock");
        let s = SemaphoreOptions::new("sem/", 2);
        assert_eq!(s.lock_key(), "sem/.lock");
        assert_eq!(s.contender_key("id"), "sem/id");
        assert_eq!(s.list_prefix(), "sem/");
        assert_eq!(join("", "x"), "x");
    }

    #[test]
    fn decodes_what_consul_lock_wrote() {
        let lock: Vec<KvPair> =
            serde_json::from_str(include_str!("../tests/fixtures/session/cli_lock_kv.json"))
                .unwrap();
        assert_eq!(lock[0].key, cli_lock_key("svc/leader"));
        assert_eq!(lock[0].flags, LOCK_FLAG_VALUE);
        assert!(lock[0].session.is_some());

        let sem: Vec<KvPair> = serde_json::from_str(include_str!(
            "../tests/fixtures/session/cli_semaphore_kv.json"
        ))
        .unwrap();
        let opts = SemaphoreOptions::new("svc/sem", 2);
        let record = sem.iter().find(|p| p.key == opts.lock_key()).unwrap();
        assert_eq!(record.flags, SEMAPHORE_FLAG_VALUE);
        assert_eq!(record.session, None);
        let mut decoded = SemaphoreLock::decode(&record.value, 2).unwrap();
        assert_eq!(decoded.limit, 2);
        assert_eq!(decoded.holders.len(), 1);
        let holder = decoded.holders.keys().next().unwrap().clone();
        let contender = sem
            .iter()
            .find(|p| p.key == opts.contender_key(&holder))
            .unwrap();
        assert_eq!(contender.flags, SEMAPHORE_FLAG_VALUE);
        assert_eq!(contender.session.as_deref(), Some(holder.as_str()));
        decoded.prune(sem.iter().filter_map(|p| p.session.as_deref()));
        assert!(decoded.is_holder(&holder));
        decoded.prune(std::iter::empty());
        assert!(decoded.holders.is_empty());
    }

    #[test]
    fn record_encodes_like_go() {
        let mut r = SemaphoreLock::new(3);
        r.holders.insert("s1".into(), true);
        assert_eq!(
            &r.encode().unwrap()[..],
            br#"{"Limit":3,"Holders":{"s1":true}}"#
        );
        assert!(!r.is_full());
        assert_eq!(
            SemaphoreLock::decode(b"", 4).unwrap(),
            SemaphoreLock::new(4)
        );
        let null_holders = SemaphoreLock::decode(br#"{"Limit":2,"Holders":null}"#, 1).unwrap();
        assert_eq!(null_holders, SemaphoreLock::new(2));
        assert!(SemaphoreLock::decode(b"not json", 1).is_err());
    }

    #[test]
    fn options_defaults_and_validation() {
        let l = LockOptions::new("k");
        let s = l.new_session();
        assert_eq!(s.name.as_deref(), Some(DEFAULT_LOCK_SESSION_NAME));
        assert_eq!(s.ttl, Some(DEFAULT_SESSION_TTL));
        assert_eq!(s.behavior, None);
        assert_eq!(s.lock_delay, None);
        let s = LockOptions::new("k")
            .lock_delay(Duration::from_secs(1))
            .new_session();
        assert_eq!(s.lock_delay, Some(Duration::from_secs(1)));
        assert!(LockOptions::new("k")
            .lock_delay(Duration::from_secs(61))
            .validate()
            .is_err());
        let sem = SemaphoreOptions::new("p", 1).new_session();
        assert_eq!(sem.behavior, Some(SessionBehavior::Delete));
        assert_eq!(sem.name.as_deref(), Some(DEFAULT_SEMAPHORE_SESSION_NAME));

        assert!(LockOptions::new("/k").validate().is_err());
        assert!(LockOptions::new("k").session("").validate().is_err());
        assert!(LockOptions::new("k")
            .wait_time(Duration::ZERO)
            .validate()
            .is_err());
        assert!(LockOptions::new("k")
            .session_opts(NewSession::default().behavior(SessionBehavior::from("x")))
            .validate()
            .is_err());
        assert!(SemaphoreOptions::new("", 1).validate().is_err());
        assert!(SemaphoreOptions::new("/", 1).validate().is_err());
        assert!(SemaphoreOptions::new("p", 0).validate().is_err());
        assert!(SemaphoreOptions::new("p", 1)
            .session_ttl(Duration::from_secs(1))
            .validate()
            .is_err());
    }
}
