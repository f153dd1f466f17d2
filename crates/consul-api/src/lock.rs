//! Distributed locks on a KV key, built on sessions (Go's `api/lock.go`): leader election
//! that interoperates with `consul lock` and Go's `api.Lock`.
//!
//! [`Lock::acquire`] creates a session (unless one is given), renews it in the background
//! while it is needed, waits for the key with blocking reads (never by polling; a
//! lock-delay is waited out with short, growing pauses), and returns a [`LockGuard`].
//! The guard watches the key with blocking reads and reports the lock's loss —
//! session invalidated, key released, deleted or taken — through [`LockGuard::lost`] or a
//! [`watch`] channel ([`LockGuard::subscribe`]). [`LockGuard::release`] releases it; so
//! does dropping the guard, best effort, in the background.
//!
//! Acquisition is cancel-safe: dropping the future of [`Lock::acquire`] (for example with
//! `tokio::time::timeout`) stops the renewal, releases the key if the acquisition may
//! have landed and destroys the session it created. One gap remains: a future dropped
//! while the session-create request is in flight cannot learn the session's id, so that
//! session lives until its TTL runs out (twice the TTL, in Consul's accounting); it holds
//! no lock.
//!
//! Key layout (see `docs/locks.md`): the key gets flags [`LOCK_FLAG_VALUE`] and the
//! holder's value and is locked by the holder's session; `consul lock <prefix>` locks
//! [`cli_lock_key`]`(prefix)` = `<prefix>/.lock`.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
//! let lock = client.lock_key("service/web/leader")?;
//! let guard = lock.acquire().await?;
//! tokio::select! {
//!     reason = guard.lost() => eprintln!("leadership lost: {reason}"),
//!     _ = async { /* lead */ } => guard.release().await?,
//! }
//! # Ok(()) }
//! ```
//!
//! Needs a Tokio runtime (the `session` feature turns on Tokio's `rt`, `time`, `sync`
//! and `macros`; the renewal and monitoring run in spawned tasks).

use crate::semaphore;
use crate::session::Session;
use crate::{Client, Error};
use bytes::Bytes;
use consul_types::kv::KvPutParams;
use consul_types::lock::SemaphoreOptions;
pub use consul_types::lock::{
    cli_lock_key, LockOptions, DEFAULT_LOCK_SESSION_NAME, DEFAULT_MONITOR_RETRY_TIME,
    DEFAULT_RETRY_TIME, DEFAULT_SESSION_TTL, DEFAULT_WAIT_TIME, LOCK_FLAG_VALUE,
};
use consul_types::session::NewSession;
use consul_types::{Consistency, QueryOptions, ValidationError, WriteOptions};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
pub use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long one monitoring read blocks before it is sent again.
const MONITOR_WAIT: Duration = Duration::from_secs(300);

/// First pause before retrying an acquisition refused by a lock-delay.
const FIRST_RETRY: Duration = Duration::from_millis(50);

/// Why a held lock or semaphore slot ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum LostReason {
    /// The session was invalidated: destroyed, its TTL ran out, or a health check it
    /// depends on failed. Consul released (or deleted) the key.
    SessionInvalidated,
    /// The session lives, but the key no longer carries it: someone released, deleted or
    /// overwrote the key (for a semaphore: removed this holder from the lock record).
    KeyChanged,
    /// Watching the lock failed (Consul unreachable for longer than the retries allow, or
    /// the session could not be renewed within its TTL): the holder must assume it lost.
    MonitorFailed(Arc<Error>),
    /// The holder released it ([`LockGuard::release`] or drop).
    Released,
}

impl fmt::Display for LostReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LostReason::SessionInvalidated => f.write_str("the session was invalidated"),
            LostReason::KeyChanged => f.write_str("the key no longer belongs to the session"),
            LostReason::MonitorFailed(e) => write!(f, "watching the lock failed: {e}"),
            LostReason::Released => f.write_str("released by the holder"),
        }
    }
}

/// What can go wrong acquiring, releasing or destroying a lock or semaphore.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// A request failed, or the options were invalid ([`Error::Validation`]: nothing sent).
    #[error(transparent)]
    Consul(#[from] Error),
    /// The key exists with flags of another use (Go's `ErrLockConflict` /
    /// `ErrSemaphoreConflict`): a lock on a semaphore key, or a plain key.
    #[error("existing key {key:?} does not match lock use (flags {flags:#x})")]
    Conflict {
        /// The key.
        key: String,
        /// Its flags.
        flags: u64,
    },
    /// The semaphore's lock record has another limit than this contender.
    #[error("semaphore limit conflict (lock: {theirs}, local: {ours})")]
    LimitConflict {
        /// The limit in the record.
        theirs: u32,
        /// This contender's limit.
        ours: u32,
    },
    /// The session ended while waiting to acquire.
    #[error("the session ended while acquiring: {0}")]
    SessionLost(LostReason),
    /// Destroy refused: the lock or semaphore is held (Go's `ErrLockInUse`).
    #[error("lock in use")]
    InUse,
    /// Consul refused this contender's key of a semaphore.
    #[error("failed to make contender entry {key:?}")]
    ContenderRefused {
        /// The contender key.
        key: String,
    },
}

impl From<ValidationError> for LockError {
    fn from(e: ValidationError) -> Self {
        LockError::Consul(Error::Validation(e))
    }
}

impl LockError {
    /// Whether the options were rejected before anything was sent.
    pub fn is_validation(&self) -> bool {
        matches!(self, LockError::Consul(e) if e.is_validation())
    }

    /// The request error, if that is what failed.
    pub fn as_consul(&self) -> Option<&Error> {
        match self {
            LockError::Consul(e) => Some(e),
            _ => None,
        }
    }
}

pub(crate) type LostTx = Arc<watch::Sender<Option<LostReason>>>;

/// Records the first reason only.
pub(crate) fn signal(tx: &LostTx, reason: LostReason) {
    tx.send_if_modified(|state| {
        if state.is_none() {
            *state = Some(reason);
            true
        } else {
            false
        }
    });
}

/// Waits until the state says lost (or every sender is gone).
pub(crate) async fn wait_lost(rx: &mut watch::Receiver<Option<LostReason>>) -> LostReason {
    loop {
        if let Some(reason) = rx.borrow_and_update().clone() {
            return reason;
        }
        if rx.changed().await.is_err() {
            return rx.borrow().clone().unwrap_or(LostReason::Released);
        }
    }
}

/// The index to block on next, with Consul's reset rule: an index that went backwards
/// starts over from 0, and 0 is never waited on twice.
pub(crate) fn next_index(previous: u64, returned: u64) -> u64 {
    if returned < previous {
        0
    } else {
        returned.max(1)
    }
}

/// What a holder undoes when it ends.
#[derive(Clone, Debug)]
pub(crate) enum Undo {
    Nothing,
    Lock { key: String, value: Bytes },
    Semaphore(Box<SemaphoreOptions>),
}

/// A session (created or given), its renewal and monitoring tasks, and what to undo.
/// Dropping it while active stops the tasks and, in the background, undoes and destroys
/// a created session.
pub(crate) struct Holder {
    client: Client,
    session: String,
    owned: bool,
    tx: LostTx,
    rx: watch::Receiver<Option<LostReason>>,
    renew: Option<JoinHandle<()>>,
    monitor: Option<JoinHandle<()>>,
    pub(crate) undo: Undo,
    active: bool,
}

impl fmt::Debug for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Holder")
            .field("session", &self.session)
            .field("owned", &self.owned)
            .field("state", &*self.rx.borrow())
            .finish_non_exhaustive()
    }
}

impl Holder {
    /// Uses `given`, or creates a session from `new` and starts renewing it.
    pub(crate) async fn start(
        client: &Client,
        given: Option<&str>,
        new: &NewSession,
    ) -> Result<Holder, Error> {
        let (tx, rx) = watch::channel(None);
        let tx = Arc::new(tx);
        let (session, owned, renew) = match given {
            Some(id) => (id.to_owned(), false, None),
            None => {
                let id = client
                    .session()
                    .create(new, &WriteOptions::default())
                    .await?
                    .value;
                let renew = new.ttl.map(|ttl| {
                    tokio::spawn(renew_loop(
                        client.session(),
                        id.clone(),
                        ttl,
                        Arc::clone(&tx),
                    ))
                });
                (id, true, renew)
            }
        };
        Ok(Holder {
            client: client.clone(),
            session,
            owned,
            tx,
            rx,
            renew,
            monitor: None,
            undo: Undo::Nothing,
            active: true,
        })
    }

    pub(crate) fn session(&self) -> &str {
        &self.session
    }

    pub(crate) fn lost_tx(&self) -> LostTx {
        Arc::clone(&self.tx)
    }

    pub(crate) fn receiver(&self) -> watch::Receiver<Option<LostReason>> {
        self.rx.clone()
    }

    pub(crate) fn set_monitor(&mut self, task: JoinHandle<()>) {
        self.monitor = Some(task);
    }

    pub(crate) fn is_held(&self) -> bool {
        self.rx.borrow().is_none()
    }

    pub(crate) async fn lost(&self) -> LostReason {
        wait_lost(&mut self.rx.clone()).await
    }

    fn stop_tasks(&mut self) {
        if let Some(t) = self.monitor.take() {
            t.abort();
        }
        if let Some(t) = self.renew.take() {
            t.abort();
        }
    }

    /// Releases now: stops the tasks, undoes, destroys a created session.
    pub(crate) async fn release(mut self) -> Result<(), Error> {
        self.stop_tasks();
        signal(&self.tx, LostReason::Released);
        // If this future is dropped half-way, `Drop` runs the (idempotent) cleanup again.
        let result = finish(&self.client, &self.session, self.owned, self.undo.clone()).await;
        self.active = false;
        result
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.stop_tasks();
        if !self.active {
            return;
        }
        self.active = false;
        signal(&self.tx, LostReason::Released);
        let undo = std::mem::replace(&mut self.undo, Undo::Nothing);
        if matches!(undo, Undo::Nothing) && !self.owned {
            return;
        }
        let (client, session, owned) = (self.client.clone(), self.session.clone(), self.owned);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = finish(&client, &session, owned, undo).await {
                    tracing::debug!(error = %e, "background release failed");
                }
            });
        } else {
            tracing::debug!("no Tokio runtime: the lock is left to its session's TTL");
        }
    }
}

/// Undoes what the holder did, then destroys its session if it created it.
async fn finish(client: &Client, session: &str, owned: bool, undo: Undo) -> Result<(), Error> {
    let undone = match undo {
        Undo::Nothing => Ok(()),
        Undo::Lock { key, value } => {
            let params = KvPutParams::default()
                .flags(LOCK_FLAG_VALUE)
                .release(session);
            client
                .kv()
                .put_with_params(&key, value, &params, &WriteOptions::default())
                .await
                .map(|_| ())
        }
        Undo::Semaphore(opts) => semaphore::release_slot(client, &opts, session).await,
    };
    let destroyed = if owned {
        client
            .session()
            .destroy(session, &WriteOptions::default())
            .await
            .map(|_| ())
    } else {
        Ok(())
    };
    undone.and(destroyed)
}

/// Renews a created session every half TTL (Go's `RenewPeriodic`); reports the session's
/// end, or renewals failing for longer than the TTL.
async fn renew_loop(session: Session, id: String, mut ttl: Duration, tx: LostTx) {
    let mut wait = ttl / 2;
    let mut last = Instant::now();
    loop {
        tokio::time::sleep(wait).await;
        let limit = (ttl / 2).max(Duration::from_secs(1));
        let outcome = tokio::time::timeout(limit, session.renew(&id, &WriteOptions::default()))
            .await
            .unwrap_or_else(|_| {
                Err(Error::Transport(consul_transport::TransportError::timeout(
                    "session renewal timed out",
                )))
            });
        match outcome {
            Ok(renewed) => {
                if let Some(t) = renewed.value.ttl {
                    ttl = t;
                }
                wait = ttl / 2;
                last = Instant::now();
            }
            Err(e) if e.is_not_found() => {
                signal(&tx, LostReason::SessionInvalidated);
                return;
            }
            Err(e) => {
                if last.elapsed() > ttl {
                    signal(&tx, LostReason::MonitorFailed(Arc::new(e)));
                    return;
                }
                wait = Duration::from_secs(1);
            }
        }
    }
}

/// After the key stopped carrying the session: was it the session that ended?
pub(crate) async fn classify(client: &Client, session: &str) -> LostReason {
    let sessions = client.session();
    let q = QueryOptions::default();
    match tokio::time::timeout(Duration::from_secs(2), sessions.info(session, &q)).await {
        Ok(Ok(r)) if r.value.is_none() => LostReason::SessionInvalidated,
        _ => LostReason::KeyChanged,
    }
}

/// How a monitor reacts to a failed read: retry (after a pause) or give up.
pub(crate) struct Retries {
    left: u32,
    max: u32,
    pause: Duration,
}

impl Retries {
    pub(crate) fn new(max: u32, pause: Duration) -> Self {
        Retries {
            left: max,
            max,
            pause,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.left = self.max;
    }

    /// `true` after pausing when the error may be retried.
    pub(crate) async fn retry(&mut self, e: &Error) -> bool {
        if self.left > 0 && e.is_retryable() {
            self.left -= 1;
            tokio::time::sleep(self.pause).await;
            true
        } else {
            false
        }
    }
}

/// A lock on one key; made by [`Client::lock_key`] or [`Client::lock_opts`].
///
/// A `Lock` only describes the lock: each [`Lock::acquire`] is an independent contender
/// (with its own session unless [`LockOptions::session`] names one — do not share a
/// given session between concurrent acquisitions, Consul would let both "hold" it).
#[derive(Debug, Clone)]
pub struct Lock {
    client: Client,
    opts: LockOptions,
}

impl Client {
    /// A lock on `key` with Go's defaults (session "Consul API Lock", TTL 15 s).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock_key("service/web/leader")?.acquire().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an invalid key.
    pub fn lock_key(&self, key: &str) -> Result<Lock, Error> {
        self.lock_opts(LockOptions::new(key))
    }

    /// A lock with these options.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// use consul_api::lock::{cli_lock_key, LockOptions};
    /// // The lock `consul lock service/web/leader <command>` takes.
    /// let lock = client.lock_opts(LockOptions::new(cli_lock_key("service/web/leader")).value("node-1"))?;
    /// let guard = lock.acquire().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for invalid options ([`LockOptions::validate`]).
    pub fn lock_opts(&self, opts: LockOptions) -> Result<Lock, Error> {
        opts.validate()?;
        Ok(Lock {
            client: self.clone(),
            opts,
        })
    }
}

impl Lock {
    /// The options.
    pub fn options(&self) -> &LockOptions {
        &self.opts
    }

    /// Waits until the lock is acquired and returns its guard (Go's `Lock.Lock`).
    ///
    /// Waiting uses blocking reads of the key ([`LockOptions::wait_time`] each); when
    /// Consul refuses because a lock-delay is in effect, the attempt is retried after
    /// pauses growing from 50 ms to [`LockOptions::retry_time`]. Cancel-safe (see the
    /// module docs): bound the wait with `tokio::time::timeout`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// use std::time::Duration;
    /// let lock = client.lock_key("jobs/nightly")?;
    /// match tokio::time::timeout(Duration::from_secs(10), lock.acquire()).await {
    ///     Ok(guard) => {
    ///         let guard = guard?;
    ///         // ... run the job ...
    ///         guard.release().await?;
    ///     }
    ///     Err(_) => println!("someone else runs it"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`LockError::Conflict`] if the key exists with other flags; [`LockError::SessionLost`]
    /// if the session ended while waiting; [`LockError::Consul`] for failed requests.
    pub async fn acquire(&self) -> Result<LockGuard, LockError> {
        self.opts.validate()?;
        let mut holder = Holder::start(
            &self.client,
            self.opts.session.as_deref(),
            &self.opts.new_session(),
        )
        .await?;
        let session = holder.session().to_owned();
        let mut watcher = holder.receiver();
        let index = tokio::select! {
            r = self.acquire_loop(&session, &mut holder.undo) => r?,
            reason = wait_lost(&mut watcher) => return Err(LockError::SessionLost(reason)),
        };
        let task = tokio::spawn(monitor_lock(
            self.client.clone(),
            self.opts.key.clone(),
            session,
            index,
            Retries::new(self.opts.monitor_retries, self.opts.monitor_retry_time),
            holder.lost_tx(),
        ));
        holder.set_monitor(task);
        Ok(LockGuard {
            holder,
            key: self.opts.key.clone(),
        })
    }

    /// Returns the index to monitor from once the key is held by `session`.
    async fn acquire_loop(&self, session: &str, undo: &mut Undo) -> Result<u64, LockError> {
        let kv = self.client.kv();
        let key = &self.opts.key;
        let mut index = 0;
        let mut pause = FIRST_RETRY.min(self.opts.retry_time);
        loop {
            let mut q = QueryOptions::default().wait_time(self.opts.wait_time);
            if index > 0 {
                q = q.wait_index(index);
            }
            let got = kv.get(key, &q).await?;
            if let Some(pair) = &got.value {
                if pair.flags != LOCK_FLAG_VALUE {
                    return Err(LockError::Conflict {
                        key: key.clone(),
                        flags: pair.flags,
                    });
                }
                if pair.session.as_deref() == Some(session) {
                    return Ok(got.meta.last_index);
                }
                if pair.session.is_some() {
                    index = next_index(index, got.meta.last_index);
                    continue;
                }
            }
            *undo = Undo::Lock {
                key: key.clone(),
                value: self.opts.value.clone(),
            };
            let params = KvPutParams::default()
                .flags(LOCK_FLAG_VALUE)
                .acquire(session);
            let locked = kv
                .put_with_params(
                    key,
                    self.opts.value.clone(),
                    &params,
                    &WriteOptions::default(),
                )
                .await?
                .value;
            if locked {
                return Ok(got.meta.last_index);
            }
            // Held by another session (wait for it), or a lock-delay (pause, then retry).
            let now = kv.get(key, &QueryOptions::default()).await?;
            match &now.value {
                Some(pair) if pair.session.is_some() => {
                    index = next_index(0, now.meta.last_index);
                }
                _ => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(self.opts.retry_time);
                    index = 0;
                }
            }
        }
    }

    /// Deletes the lock's key if nobody holds it (Go's `Lock.Destroy`; `consul lock`
    /// does this after releasing). A missing key is fine.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// client.lock_key("jobs/nightly")?.destroy().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`LockError::InUse`] while held, [`LockError::Conflict`] for a key that is not a
    /// lock, [`LockError::Consul`] for failed requests.
    pub async fn destroy(&self) -> Result<(), LockError> {
        let kv = self.client.kv();
        let key = &self.opts.key;
        let Some(pair) = kv.get(key, &QueryOptions::default()).await?.value else {
            return Ok(());
        };
        if pair.flags != LOCK_FLAG_VALUE {
            return Err(LockError::Conflict {
                key: key.clone(),
                flags: pair.flags,
            });
        }
        if pair.session.is_some() {
            return Err(LockError::InUse);
        }
        if !kv
            .delete_cas(key, pair.modify_index, &WriteOptions::default())
            .await?
            .value
        {
            return Err(LockError::InUse);
        }
        Ok(())
    }
}

/// Watches the held key with consistent blocking reads until it stops carrying `session`.
async fn monitor_lock(
    client: Client,
    key: String,
    session: String,
    mut index: u64,
    mut retries: Retries,
    tx: LostTx,
) {
    let kv = client.kv();
    loop {
        let q = QueryOptions::default()
            .consistency(Consistency::Consistent)
            .wait_index(index)
            .wait_time(MONITOR_WAIT);
        match kv.get(&key, &q).await {
            Ok(got) => {
                retries.reset();
                match got.value {
                    Some(pair) if pair.session.as_deref() == Some(session.as_str()) => {
                        index = next_index(index, got.meta.last_index);
                    }
                    _ => {
                        let reason = classify(&client, &session).await;
                        signal(&tx, reason);
                        return;
                    }
                }
            }
            Err(e) => {
                if retries.retry(&e).await {
                    index = 0;
                    continue;
                }
                signal(&tx, LostReason::MonitorFailed(Arc::new(e)));
                return;
            }
        }
    }
}

/// A held lock; made by [`Lock::acquire`].
///
/// Dropping it releases the lock in the background (when a Tokio runtime is running);
/// [`LockGuard::release`] does it now and reports errors.
#[derive(Debug)]
pub struct LockGuard {
    holder: Holder,
    key: String,
}

impl LockGuard {
    /// The locked key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The session holding the lock.
    pub fn session(&self) -> &str {
        self.holder.session()
    }

    /// Whether the lock is still held, as far as the monitor knows.
    pub fn is_held(&self) -> bool {
        self.holder.is_held()
    }

    /// Resolves when the lock is lost, with the reason (cancel-safe, may be awaited many
    /// times). Loss is seen by a blocking read of the key, so it is reported as soon as
    /// Consul applies the change (milliseconds on a local agent).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock_key("service/web/leader")?.acquire().await?;
    /// let reason = guard.lost().await;
    /// eprintln!("no longer leader: {reason}");
    /// # Ok(()) }
    /// ```
    pub async fn lost(&self) -> LostReason {
        self.holder.lost().await
    }

    /// A channel that turns from `None` to `Some(reason)` when the lock is lost, to hand
    /// to other tasks.
    pub fn subscribe(&self) -> watch::Receiver<Option<LostReason>> {
        self.holder.receiver()
    }

    /// Releases the lock (keeping the key, its flags and value, as Go does) and destroys
    /// the session if the lock created it.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock_key("service/web/leader")?.acquire().await?;
    /// guard.release().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`LockError::Consul`] when a request failed (the session, if created here, still
    /// ends: by its TTL at the latest).
    pub async fn release(self) -> Result<(), LockError> {
        self.holder.release().await.map_err(LockError::from)
    }
}
