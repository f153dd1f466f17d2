//! Distributed locks on a KV key, built on sessions (Go's `api/lock.go`): leader election
//! that interoperates with `consul lock` and Go's `api.Lock`.
//!
//! [`Lock::acquire`] creates a session (unless one is given), renews it in the background
//! while it is needed, waits for the key with blocking reads (never by polling; a
//! lock-delay is waited out with short, growing pauses), and returns a [`LockGuard`].
//! The guard watches the key with blocking reads and reports the lock's loss —
//! session invalidated, key released, deleted or taken — through [`LockGuard::lost`] or a
//! [`watch`] channel ([`LockGuard::subscribe`]). [`LockGuard::release`] releases it; so
//! does dropping the guard, best effort, in the background. [`LockGuard::fencing_token`]
//! is the value to fence the protected work with (see `docs/locks.md`).
//!
//! A session given with [`Lock::session`] is the caller's: it is neither renewed nor
//! destroyed, but it is checked like a created one (it must exist when acquiring, and is
//! read every half TTL while needed), so its end or a lost contact with Consul is
//! reported as the loss of the lock.
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
//! use std::time::Duration;
//! let lock = client.lock("service/web/leader").value("node-1").session_ttl(Duration::from_secs(10));
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

use crate::contender::{
    blocking, next_index, report_loss, signal, wait_lost, Holder, LostTx, Release, Retries, Undo,
};
pub use crate::contender::{LockError, LostReason};
use crate::{Client, Error, RetryPolicy};
use bytes::Bytes;
pub use consul_types::lock::{
    cli_lock_key, LockOptions, DEFAULT_LOCK_SESSION_NAME, DEFAULT_MONITOR_RETRY_TIME,
    DEFAULT_RETRY_TIME, DEFAULT_SESSION_TTL, DEFAULT_WAIT_TIME, LOCK_FLAG_VALUE,
};
use consul_types::session::NewSession;
use std::sync::Arc;
use std::time::Duration;
pub use tokio::sync::watch;
use tokio::time::Instant;

/// How long one monitoring read blocks before it is sent again.
const MONITOR_WAIT: Duration = Duration::from_secs(300);

/// First pause before retrying an acquisition refused by a lock-delay.
const FIRST_RETRY: Duration = Duration::from_millis(50);

/// A lock on one key; made by [`Client::lock`], configured by chaining, taken by
/// [`Lock::acquire`] or [`Lock::try_acquire`].
///
/// A `Lock` only describes the lock: each [`Lock::acquire`] is an independent contender
/// (with its own session unless [`Lock::session`] names one — do not share a given
/// session between concurrent acquisitions, Consul would let both "hold" it). The
/// settings are checked when it is acquired or destroyed: invalid ones are an
/// [`Error::Validation`] and nothing is sent.
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
/// use consul_api::lock::cli_lock_key;
/// use std::time::Duration;
/// // The lock `consul lock service/web/leader <command>` takes.
/// let lock = client
///     .lock(cli_lock_key("service/web/leader"))
///     .value("node-1")
///     .session_name("web leader")
///     .session_ttl(Duration::from_secs(10))
///     .lock_delay(Duration::from_secs(1));
/// let guard = lock.acquire().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a lock does nothing until it is acquired"]
pub struct Lock {
    client: Client,
    opts: LockOptions,
}

impl Client {
    /// A lock on `key`, with Go's defaults (session "Consul API Lock", TTL 15 s) until
    /// chained setters change them.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock("service/web/leader").acquire().await?;
    /// # Ok(()) }
    /// ```
    pub fn lock(&self, key: impl Into<String>) -> Lock {
        Lock {
            client: self.clone(),
            opts: LockOptions::new(key),
        }
    }
}

/// What a lock holder gives back: the key, released with its value and flags kept (as
/// Go does).
#[derive(Debug)]
struct KeyRelease {
    key: String,
    value: Bytes,
}

impl Release for KeyRelease {
    fn release<'a>(
        &'a self,
        client: &'a Client,
        session: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send + 'a>> {
        Box::pin(async move {
            client
                .kv()
                .put(&self.key, self.value.clone())
                .flags(LOCK_FLAG_VALUE)
                .release(session)
                .await
                .map(|_| ())
        })
    }
}

impl Lock {
    /// What a holder of this lock gives back when it ends.
    fn release_of(&self) -> Arc<dyn Release> {
        Arc::new(KeyRelease {
            key: self.opts.key.clone(),
            value: self.opts.value.clone(),
        })
    }

    /// The settings, as chained so far.
    pub fn options_ref(&self) -> &LockOptions {
        &self.opts
    }

    /// Uses these settings (a prepared [`LockOptions`]), replacing any set before; the
    /// key stays the one given to [`Client::lock`].
    pub fn options(mut self, opts: LockOptions) -> Self {
        let key = std::mem::take(&mut self.opts.key);
        self.opts = opts;
        self.opts.key = key;
        self
    }

    /// The value written to the key while held (default empty).
    pub fn value(mut self, value: impl Into<Bytes>) -> Self {
        self.opts.value = value.into();
        self
    }

    /// Locks with this existing session instead of creating one. It is the caller's: it
    /// is neither renewed nor destroyed, but it must exist when acquiring, and while it is
    /// needed it is read every half of its TTL (of [`DEFAULT_SESSION_TTL`] if it has
    /// none): its end is reported as the loss of the lock, and so is no successful read
    /// for a whole TTL.
    pub fn session(mut self, id: impl Into<String>) -> Self {
        self.opts.session = Some(id.into());
        self
    }

    /// Creates the session with these settings, instead of the name, TTL and lock-delay
    /// set here.
    pub fn session_opts(mut self, session: NewSession) -> Self {
        self.opts.session_opts = Some(session);
        self
    }

    /// The name of a created session (default [`DEFAULT_LOCK_SESSION_NAME`]).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.opts.session_name = name.into();
        self
    }

    /// The TTL of a created session (default [`DEFAULT_SESSION_TTL`]); it is renewed
    /// every half TTL while needed.
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.opts.session_ttl = ttl;
        self
    }

    /// The lock-delay of a created session (Go's `LockDelay`; default Consul's 15 s):
    /// how long the key stays unacquirable after a holder's session is invalidated.
    pub fn lock_delay(mut self, delay: Duration) -> Self {
        self.opts.lock_delay = Some(delay);
        self
    }

    /// The longest single blocking read while waiting (default [`DEFAULT_WAIT_TIME`]);
    /// also the whole wait of [`Lock::try_acquire`] (Go's `LockWaitTime`).
    pub fn wait_time(mut self, wait: Duration) -> Self {
        self.opts.wait_time = wait;
        self
    }

    /// The longest pause before retrying while a lock-delay is in effect (default
    /// [`DEFAULT_RETRY_TIME`]); the pause starts at 50 ms and doubles up to this.
    pub fn retry_time(mut self, retry: Duration) -> Self {
        self.opts.retry_time = retry;
        self
    }

    /// How many times a monitoring read that fails with a retryable error is retried
    /// before the lock is reported lost (default 0, as Go; `consul lock` uses 3).
    pub fn monitor_retries(mut self, retries: u32) -> Self {
        self.opts.monitor_retries = retries;
        self
    }

    /// The pause between those retries (default [`DEFAULT_MONITOR_RETRY_TIME`]).
    pub fn monitor_retry_time(mut self, pause: Duration) -> Self {
        self.opts.monitor_retry_time = pause;
        self
    }

    /// Waits until the lock is acquired and returns its guard (Go's `Lock.Lock`).
    ///
    /// Waiting uses blocking reads of the key ([`Lock::wait_time`] each); when Consul
    /// refuses because a lock-delay is in effect, the attempt is retried after pauses
    /// growing from 50 ms to [`Lock::retry_time`]. Cancel-safe (see the module docs):
    /// bound the wait with `tokio::time::timeout`, or use [`Lock::try_acquire`] to give
    /// up after one wait.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// use std::time::Duration;
    /// let lock = client.lock("jobs/nightly");
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
    /// [`LockError::Consul`] with [`Error::Validation`] for invalid settings (nothing is
    /// sent); [`LockError::Conflict`] if the key exists with other flags;
    /// [`LockError::SessionLost`] if the session ended while waiting;
    /// [`LockError::SessionNotFound`] if the session given with [`Lock::session`] does not
    /// exist; [`LockError::Consul`] for failed requests.
    pub async fn acquire(&self) -> Result<LockGuard, LockError> {
        loop {
            // Without a deadline the contender never gives up: one round is enough.
            if let Some(guard) = self.contend(None).await? {
                return Ok(guard);
            }
        }
    }

    /// Tries to acquire the lock, waiting at most [`Lock::wait_time`] (Go's
    /// `LockTryOnce`): `None` when the lock is still held by another session (or a
    /// lock-delay still refuses it) at the end of that wait.
    ///
    /// The wait is one blocking read of the key (with Consul's jitter of up to 1/16 of
    /// it), shortened by the time already spent, plus the lock-delay pauses within it.
    /// When it gives up, the session it created is destroyed before it returns, as a
    /// cancelled [`Lock::acquire`] does; nothing is left behind.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// use std::time::Duration;
    /// let lock = client.lock("jobs/nightly").wait_time(Duration::from_secs(2));
    /// match lock.try_acquire().await? {
    ///     Some(guard) => {
    ///         // ... run the job ...
    ///         guard.release().await?;
    ///     }
    ///     None => println!("someone else runs it"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Lock::acquire`].
    pub async fn try_acquire(&self) -> Result<Option<LockGuard>, LockError> {
        self.contend(Some(self.opts.wait_time)).await
    }

    /// One contender: `None` when `limit` (counted from the first read) ran out first.
    async fn contend(&self, limit: Option<Duration>) -> Result<Option<LockGuard>, LockError> {
        self.opts.validate()?;
        let mut holder = Holder::start(
            &self.client,
            self.opts.session.as_deref(),
            &self.opts.new_session(),
        )
        .await?;
        let session = holder.session().to_owned();
        let mut watcher = holder.receiver();
        let deadline = limit.map(|l| Instant::now() + l);
        let acquired = tokio::select! {
            r = self.acquire_loop(&session, &mut holder.undo, deadline) => r?,
            reason = wait_lost(&mut watcher) => return Err(LockError::SessionLost(reason)),
        };
        let Some(acquired) = acquired else {
            // Gave up: release what may have landed and destroy the session now.
            if let Err(e) = holder.release().await {
                tracing::debug!(error = %e, "cleaning up after giving up failed");
            }
            return Ok(None);
        };
        let task = tokio::spawn(monitor_lock(
            self.client.clone(),
            self.opts.key.clone(),
            session,
            acquired.index,
            Retries::new(self.opts.monitor_retries, self.opts.monitor_retry_time),
            holder.lost_tx(),
        ));
        holder.set_monitor(task);
        Ok(Some(LockGuard {
            holder,
            key: self.opts.key.clone(),
            lock_index: acquired.lock_index,
            fencing_token: acquired.modify_index,
        }))
    }

    /// Takes the key for `session`; `None` if `deadline` passed first.
    async fn acquire_loop(
        &self,
        session: &str,
        undo: &mut Undo,
        deadline: Option<Instant>,
    ) -> Result<Option<Acquired>, LockError> {
        let kv = self.client.kv();
        let key = &self.opts.key;
        let mut index = 0;
        let mut pause = FIRST_RETRY.min(self.opts.retry_time);
        let mut attempts = 0u32;
        loop {
            let mut wait = self.opts.wait_time;
            if let Some(deadline) = deadline {
                // Go's LockTryOnce: after the first read, only what is left of the wait.
                let left = deadline.saturating_duration_since(Instant::now());
                if attempts > 0 && left.is_zero() {
                    return Ok(None);
                }
                if attempts > 0 {
                    wait = wait.min(left);
                }
            }
            attempts += 1;
            let got = blocking(kv.get(key), index, wait).await?;
            if let Some(pair) = &got.value {
                if pair.flags != LOCK_FLAG_VALUE {
                    return Err(LockError::Conflict {
                        key: key.clone(),
                        flags: pair.flags,
                    });
                }
                if pair.session.as_deref() == Some(session) {
                    // Already held through this session (by another guard on it): taken
                    // again, and released by this guard too (Go's Lock does the same).
                    *undo = Some(self.release_of());
                    if let Some(acquired) = self.held_by(session).await? {
                        return Ok(Some(acquired));
                    }
                    index = 0;
                    continue;
                }
                if pair.session.is_some() {
                    index = next_index(index, got.meta.last_index);
                    continue;
                }
            }
            *undo = Some(self.release_of());
            let locked = kv
                .put(key, self.opts.value.clone())
                .flags(LOCK_FLAG_VALUE)
                .acquire(session)
                .await?
                .value;
            if locked {
                if let Some(acquired) = self.held_by(session).await? {
                    return Ok(Some(acquired));
                }
                // Lost again before it could be read: contend again.
                index = 0;
                continue;
            }
            // Held by another session (wait for it), or a lock-delay (pause, then retry).
            let now = kv.get(key).await?;
            match &now.value {
                Some(pair) if pair.session.is_some() => {
                    index = next_index(0, now.meta.last_index);
                }
                _ => {
                    let nap = match deadline {
                        Some(d) => pause.min(d.saturating_duration_since(Instant::now())),
                        None => pause,
                    };
                    tokio::time::sleep(nap).await;
                    pause = (pause * 2).min(self.opts.retry_time);
                    index = 0;
                }
            }
        }
    }

    /// Reads the key consistently: its indexes, if it carries `session`.
    async fn held_by(&self, session: &str) -> Result<Option<Acquired>, LockError> {
        let got = self.client.kv().get(&self.opts.key).consistent().await?;
        Ok(match got.value {
            Some(pair) if pair.session.as_deref() == Some(session) => Some(Acquired {
                index: next_index(0, got.meta.last_index),
                lock_index: pair.lock_index,
                modify_index: pair.modify_index,
            }),
            _ => None,
        })
    }

    /// Deletes the lock's key if nobody holds it (Go's `Lock.Destroy`; `consul lock`
    /// does this after releasing). A missing key is fine.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// client.lock("jobs/nightly").destroy().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`LockError::InUse`] while held, [`LockError::Conflict`] for a key that is not a
    /// lock, [`LockError::Consul`] for failed requests or invalid settings
    /// ([`Error::Validation`]: nothing is sent).
    pub async fn destroy(&self) -> Result<(), LockError> {
        self.opts.validate()?;
        let kv = self.client.kv();
        let key = &self.opts.key;
        let Some(pair) = kv.get(key).await?.value else {
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
        if !kv.delete_cas(key, pair.modify_index).await?.value {
            return Err(LockError::InUse);
        }
        Ok(())
    }
}

/// The key as read right after it was taken.
#[derive(Debug, Clone, Copy)]
struct Acquired {
    /// The index to monitor from.
    index: u64,
    lock_index: u64,
    modify_index: u64,
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
        // Its own retries (`monitor_retries`, Go's `MonitorRetries`) decide, not the client's.
        let read = kv.get(&key).consistent().wait(index, MONITOR_WAIT);
        match read.retry(RetryPolicy::none()).await {
            Ok(got) => {
                retries.reset();
                match got.value {
                    Some(pair) if pair.session.as_deref() == Some(session.as_str()) => {
                        index = next_index(index, got.meta.last_index);
                    }
                    _ => {
                        report_loss(&client, &session, &tx).await;
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

/// A held lock; made by [`Lock::acquire`] or [`Lock::try_acquire`].
///
/// Dropping it releases the lock in the background (when a Tokio runtime is running);
/// [`LockGuard::release`] does it now and reports errors. Dropping it at once by mistake
/// is caught by the `unused_must_use` lint (but `let _ = …` drops it too, and only
/// clippy's `let_underscore_must_use` warns about that: bind it to a name such as `_guard`):
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
/// client.lock("jobs/nightly").acquire().await?; // the guard is dropped here
/// # Ok(()) }
/// ```
///
/// ```no_run
/// #![deny(unused_must_use)]
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
/// let _guard = client.lock("jobs/nightly").acquire().await?; // held until scope end
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "dropping the guard releases the lock at once; keep it for as long as the lock must be held"]
pub struct LockGuard {
    holder: Holder,
    key: String,
    lock_index: u64,
    fencing_token: u64,
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

    /// The fencing token of this tenure: the key's `ModifyIndex` as read (consistently)
    /// right after it was taken, that is, the Raft index of the write that gave it to this
    /// session. Every later holder's token is strictly greater, so a resource that
    /// remembers the greatest token it has seen and refuses smaller ones cannot be
    /// changed by a holder that lost the lock without knowing it (paused, partitioned).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let guard = client.lock("jobs/nightly/leader").acquire().await?;
    /// let token = guard.fencing_token();
    /// // The protected resource, here a key, records the greatest token it has accepted
    /// // and is only written with a check-and-set against what was read.
    /// let kv = client.kv();
    /// let fence = "jobs/nightly/fence";
    /// let seen = kv.get(fence).await?.value;
    /// let (greatest, cas) = seen.map_or((0, 0), |p| {
    ///     (p.value_str().and_then(|v| v.parse().ok()).unwrap_or(0), p.modify_index)
    /// });
    /// if token < greatest {
    ///     return Err("a later holder has taken over: stop".into());
    /// }
    /// if !kv.cas(fence, token.to_string(), cas).await?.value {
    ///     return Err("the fence moved meanwhile: read it again".into());
    /// }
    /// // ... write the job's output, knowing no later holder has written yet ...
    /// # Ok(()) }
    /// ```
    pub fn fencing_token(&self) -> u64 {
        self.fencing_token
    }

    /// The key's `LockIndex` when it was taken: how many times the key has been acquired
    /// (it grows by one per acquisition, but restarts when the key is deleted; use
    /// [`LockGuard::fencing_token`] to fence).
    pub fn lock_index(&self) -> u64 {
        self.lock_index
    }

    /// Whether the lock is still held, as far as the guard knows. It turns `false` as soon
    /// as the monitor sees the key stop carrying the session, before the reason is
    /// classified.
    pub fn is_held(&self) -> bool {
        self.holder.is_held()
    }

    /// Resolves when the lock is lost, with the reason first published (cancel-safe, may
    /// be awaited many times). Loss is seen by a blocking read of the key, so it is
    /// reported as soon as Consul applies the change (milliseconds on a local agent).
    ///
    /// The loss is published at once, with [`LostReason::KeyChanged`] unless the session
    /// is already known to be gone; the guard then asks Consul about the session (for at
    /// most 2 s) and, if it ended, refines the reason to
    /// [`LostReason::SessionInvalidated`]. [`LockGuard::lost_reason`] and
    /// [`LockGuard::subscribe`] show the refinement.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock("service/web/leader").acquire().await?;
    /// let reason = guard.lost().await;
    /// eprintln!("no longer leader: {reason}");
    /// # Ok(()) }
    /// ```
    pub async fn lost(&self) -> LostReason {
        self.holder.lost().await
    }

    /// Why the lock was lost, as known now: `None` while held; a published
    /// [`LostReason::KeyChanged`] may still be refined once to
    /// [`LostReason::SessionInvalidated`] (see [`LockGuard::lost`]).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock("service/web/leader").acquire().await?;
    /// if let Some(reason) = guard.lost_reason() {
    ///     eprintln!("lost: {reason}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn lost_reason(&self) -> Option<LostReason> {
        self.holder.lost_reason()
    }

    /// A channel that turns from `None` to `Some(reason)` when the lock is lost, to hand
    /// to other tasks. It changes a second time if the reason is refined from
    /// [`LostReason::KeyChanged`] to [`LostReason::SessionInvalidated`] (see
    /// [`LockGuard::lost`]).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock("service/web/leader").acquire().await?;
    /// let mut rx = guard.subscribe();
    /// tokio::spawn(async move {
    ///     let _ = rx.wait_for(Option::is_some).await;
    ///     eprintln!("lost the lock");
    /// });
    /// # Ok(()) }
    /// ```
    pub fn subscribe(&self) -> watch::Receiver<Option<LostReason>> {
        self.holder.receiver()
    }

    /// Releases the lock (keeping the key, its flags and value, as Go does) and destroys
    /// the session if the lock created it.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let guard = client.lock("service/web/leader").acquire().await?;
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
