//! Distributed semaphores on a KV prefix, built on sessions (Go's `api/semaphore.go`):
//! up to N holders at once, interoperating with `consul lock -n N` and Go's
//! `api.Semaphore`.
//!
//! Each contender locks its own key `<prefix>/<session>` with its session, then adds its
//! session to the lock record `<prefix>/.lock` (JSON `{"Limit":N,"Holders":{…}}`) by
//! check-and-set, once fewer than N live holders are listed there. Holders whose contender
//! key is gone (their session ended) are pruned by whoever updates the record next. Both
//! keys carry the flags [`SEMAPHORE_FLAG_VALUE`].
//!
//! As with [`lock`](crate::lock): the session is renewed in the background, waiting uses
//! blocking reads of the prefix, the slot's loss is reported by
//! [`SemaphoreGuard::lost`], release happens on request or, best effort, on drop, and
//! acquisition is cancel-safe.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
//! let semaphore = client.semaphore("jobs/reindex", 3);
//! let slot = semaphore.acquire().await?; // at most 3 processes get here at once
//! // ... work ...
//! slot.release().await?;
//! # Ok(()) }
//! ```

use crate::contender::{
    blocking, next_index, report_loss, signal, wait_lost, Holder, LockError, LostReason, Release,
    Retries, Undo,
};
use crate::{Client, Error, RetryPolicy};
use bytes::Bytes;
use consul_types::kv::KvPair;
pub use consul_types::lock::{
    SemaphoreLock, SemaphoreOptions, DEFAULT_SEMAPHORE_KEY, DEFAULT_SEMAPHORE_SESSION_NAME,
    SEMAPHORE_FLAG_VALUE,
};
use consul_types::session::NewSession;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

const MONITOR_WAIT: Duration = Duration::from_secs(300);

/// A semaphore on a prefix; made by [`Client::semaphore`], configured by chaining, taken
/// by [`Semaphore::acquire`] or [`Semaphore::try_acquire`]. Each acquisition is an
/// independent contender. The settings are checked when it is acquired or destroyed:
/// invalid ones are an [`Error::Validation`] and nothing is sent.
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
/// use std::time::Duration;
/// let semaphore = client
///     .semaphore("jobs/reindex", 3)
///     .value("worker-7")
///     .session_ttl(Duration::from_secs(20));
/// let slot = semaphore.acquire().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a semaphore does nothing until it is acquired"]
pub struct Semaphore {
    client: Client,
    opts: SemaphoreOptions,
}

impl Client {
    /// A semaphore admitting `limit` holders on `prefix`, with Go's defaults (session
    /// "Consul API Semaphore", TTL 15 s, behavior `delete`) until chained setters change
    /// them.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let slot = client.semaphore("jobs/reindex", 3).acquire().await?;
    /// # Ok(()) }
    /// ```
    pub fn semaphore(&self, prefix: impl Into<String>, limit: u32) -> Semaphore {
        Semaphore {
            client: self.clone(),
            opts: SemaphoreOptions::new(prefix, limit),
        }
    }
}

fn find_record<'a>(pairs: &'a [KvPair], key: &str) -> Option<&'a KvPair> {
    pairs.iter().find(|p| p.key == key)
}

fn live_record(
    opts: &SemaphoreOptions,
    pairs: &[KvPair],
) -> Result<(SemaphoreLock, Option<u64>), LockError> {
    let key = opts.lock_key();
    let pair = find_record(pairs, &key);
    if let Some(p) = pair {
        if p.flags != SEMAPHORE_FLAG_VALUE {
            return Err(LockError::Conflict {
                key,
                flags: p.flags,
            });
        }
    }
    let value = pair.map(|p| &p.value[..]).unwrap_or_default();
    let mut record = SemaphoreLock::decode(value, opts.limit).map_err(Error::decode)?;
    record.prune(pairs.iter().filter_map(|p| p.session.as_deref()));
    Ok((record, pair.map(|p| p.modify_index)))
}

impl Semaphore {
    /// The settings, as chained so far.
    pub fn options_ref(&self) -> &SemaphoreOptions {
        &self.opts
    }

    /// Uses these settings (a prepared [`SemaphoreOptions`]), replacing any set before;
    /// the prefix and limit stay those given to [`Client::semaphore`].
    pub fn options(mut self, opts: SemaphoreOptions) -> Self {
        let prefix = std::mem::take(&mut self.opts.prefix);
        let limit = self.opts.limit;
        self.opts = opts;
        self.opts.prefix = prefix;
        self.opts.limit = limit;
        self
    }

    /// The value of this contender's key (default empty).
    pub fn value(mut self, value: impl Into<Bytes>) -> Self {
        self.opts.value = value.into();
        self
    }

    /// Uses this existing session instead of creating one: the caller's, neither renewed
    /// nor destroyed, but checked as for a lock ([`Lock::session`](crate::lock::Lock::session)).
    pub fn session(mut self, id: impl Into<String>) -> Self {
        self.opts.session = Some(id.into());
        self
    }

    /// Creates the session with these settings, instead of the name and TTL set here and
    /// behavior `delete`.
    pub fn session_opts(mut self, session: NewSession) -> Self {
        self.opts.session_opts = Some(session);
        self
    }

    /// The name of a created session (default [`DEFAULT_SEMAPHORE_SESSION_NAME`]).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.opts.session_name = name.into();
        self
    }

    /// The TTL of a created session (default
    /// [`DEFAULT_SESSION_TTL`](crate::lock::DEFAULT_SESSION_TTL)); it is renewed every
    /// half TTL while needed.
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.opts.session_ttl = ttl;
        self
    }

    /// The longest single blocking read while waiting (default
    /// [`DEFAULT_WAIT_TIME`](crate::lock::DEFAULT_WAIT_TIME)); also the whole wait of
    /// [`Semaphore::try_acquire`] (Go's `SemaphoreWaitTime`).
    pub fn wait_time(mut self, wait: Duration) -> Self {
        self.opts.wait_time = wait;
        self
    }

    /// How many times a failing monitoring read is retried before the slot is reported
    /// lost (default 0).
    pub fn monitor_retries(mut self, retries: u32) -> Self {
        self.opts.monitor_retries = retries;
        self
    }

    /// The pause between those retries (default
    /// [`DEFAULT_MONITOR_RETRY_TIME`](crate::lock::DEFAULT_MONITOR_RETRY_TIME)).
    pub fn monitor_retry_time(mut self, pause: Duration) -> Self {
        self.opts.monitor_retry_time = pause;
        self
    }

    /// Waits for a slot and returns its guard (Go's `Semaphore.Acquire`). Cancel-safe;
    /// [`Semaphore::try_acquire`] gives up after one wait.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let slot = client.semaphore("jobs/reindex", 3).acquire().await?;
    /// tokio::select! {
    ///     reason = slot.lost() => eprintln!("slot lost: {reason}"),
    ///     _ = async { /* work */ } => slot.release().await?,
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`LockError::Consul`] with [`Error::Validation`] for invalid settings (nothing is
    /// sent); [`LockError::Conflict`] when a key of the prefix has other flags,
    /// [`LockError::LimitConflict`] when the record has another limit,
    /// [`LockError::SessionLost`] if the session ended while waiting,
    /// [`LockError::SessionNotFound`] if the session given with [`Semaphore::session`]
    /// does not exist,
    /// [`LockError::Consul`] for failed requests.
    pub async fn acquire(&self) -> Result<SemaphoreGuard, LockError> {
        loop {
            // Without a deadline the contender never gives up: one round is enough.
            if let Some(slot) = self.contend(None).await? {
                return Ok(slot);
            }
        }
    }

    /// Tries to take a slot, waiting at most [`Semaphore::wait_time`] (Go's
    /// `SemaphoreTryOnce`): `None` when every slot is still taken at the end of that wait.
    ///
    /// When it gives up, its contender key is deleted and the session it created is
    /// destroyed before it returns, as a cancelled [`Semaphore::acquire`] does.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// use std::time::Duration;
    /// let semaphore = client.semaphore("jobs/reindex", 3).wait_time(Duration::from_secs(2));
    /// match semaphore.try_acquire().await? {
    ///     Some(slot) => {
    ///         // ... work ...
    ///         slot.release().await?;
    ///     }
    ///     None => println!("3 workers are busy already"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Semaphore::acquire`].
    pub async fn try_acquire(&self) -> Result<Option<SemaphoreGuard>, LockError> {
        self.contend(Some(self.opts.wait_time)).await
    }

    /// One contender: `None` when `limit` (counted from the first read) ran out first.
    async fn contend(&self, limit: Option<Duration>) -> Result<Option<SemaphoreGuard>, LockError> {
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
        let index = tokio::select! {
            r = self.acquire_loop(&session, &mut holder.undo, deadline) => r?,
            reason = wait_lost(&mut watcher) => return Err(LockError::SessionLost(reason)),
        };
        let Some(index) = index else {
            // Gave up: leave the contender entry and destroy the session now.
            if let Err(e) = holder.release().await {
                tracing::debug!(error = %e, "cleaning up after giving up failed");
            }
            return Ok(None);
        };
        let task = tokio::spawn(monitor_semaphore(
            self.client.clone(),
            self.opts.clone(),
            session,
            index,
            Retries::new(self.opts.monitor_retries, self.opts.monitor_retry_time),
            holder.lost_tx(),
        ));
        holder.set_monitor(task);
        Ok(Some(SemaphoreGuard { holder }))
    }

    /// Takes a slot for `session`: the index to monitor from, or `None` if `deadline`
    /// passed first.
    async fn acquire_loop(
        &self,
        session: &str,
        undo: &mut Undo,
        deadline: Option<Instant>,
    ) -> Result<Option<u64>, LockError> {
        let kv = self.client.kv();
        let contender = self.opts.contender_key(session);
        *undo = Some(Arc::new(SlotRelease(self.opts.clone())));
        let made = kv
            .put(&contender, self.opts.value.clone())
            .flags(SEMAPHORE_FLAG_VALUE)
            .acquire(session)
            .await?
            .value;
        if !made {
            return Err(LockError::ContenderRefused { key: contender });
        }
        let prefix = self.opts.list_prefix();
        let lock_key = self.opts.lock_key();
        let mut index = 0;
        let mut attempts = 0u32;
        loop {
            let mut wait = self.opts.wait_time;
            if let Some(deadline) = deadline {
                // Go's SemaphoreTryOnce: after the first read, only what is left of the wait.
                let left = deadline.saturating_duration_since(Instant::now());
                if attempts > 0 && left.is_zero() {
                    return Ok(None);
                }
                if attempts > 0 {
                    wait = wait.min(left);
                }
            }
            attempts += 1;
            let listed = blocking(kv.list(&prefix), index, wait).await?;
            let (mut record, modify_index) = live_record(&self.opts, &listed.value)?;
            if record.limit != self.opts.limit {
                return Err(LockError::LimitConflict {
                    theirs: record.limit,
                    ours: self.opts.limit,
                });
            }
            if record.is_holder(session) {
                return Ok(Some(listed.meta.last_index));
            }
            if record.is_full() {
                index = next_index(index, listed.meta.last_index);
                continue;
            }
            record.holders.insert(session.to_owned(), true);
            let swapped = kv
                .put(&lock_key, record.encode()?)
                .flags(SEMAPHORE_FLAG_VALUE)
                .cas(modify_index.unwrap_or(0))
                .await?
                .value;
            if swapped {
                return Ok(Some(listed.meta.last_index));
            }
            // Another contender won the race: read again at once.
            index = 0;
        }
    }

    /// Deletes the lock record if no live holder is listed (Go's `Semaphore.Destroy`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// client.semaphore("jobs/reindex", 3).destroy().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`LockError::InUse`] while a slot is held, [`LockError::Conflict`] for keys of
    /// another use, [`LockError::Consul`] for failed requests or invalid settings
    /// ([`Error::Validation`]: nothing is sent).
    pub async fn destroy(&self) -> Result<(), LockError> {
        self.opts.validate()?;
        let kv = self.client.kv();
        let pairs = kv.list(self.opts.list_prefix()).await?.value;
        let (record, modify_index) = live_record(&self.opts, &pairs)?;
        let Some(modify_index) = modify_index else {
            return Ok(());
        };
        if !record.holders.is_empty() {
            return Err(LockError::InUse);
        }
        if !kv
            .delete_cas(self.opts.lock_key(), modify_index)
            .await?
            .value
        {
            return Err(LockError::InUse);
        }
        Ok(())
    }
}

/// What a semaphore holder gives back: its slot.
#[derive(Debug)]
struct SlotRelease(SemaphoreOptions);

impl Release for SlotRelease {
    fn release<'a>(
        &'a self,
        client: &'a Client,
        session: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send + 'a>> {
        Box::pin(release_slot(client, &self.0, session))
    }
}

/// Removes `session` from the holders (check-and-set, retried on races) and deletes its
/// contender key (Go's `Semaphore.Release`).
async fn release_slot(
    client: &Client,
    opts: &SemaphoreOptions,
    session: &str,
) -> Result<(), Error> {
    let kv = client.kv();
    let lock_key = opts.lock_key();
    loop {
        let Some(pair) = kv.get(&lock_key).await?.value else {
            break;
        };
        let mut record = SemaphoreLock::decode(&pair.value, opts.limit).map_err(Error::decode)?;
        if record.holders.remove(session).is_none() {
            break;
        }
        if kv
            .put(&lock_key, record.encode()?)
            .flags(SEMAPHORE_FLAG_VALUE)
            .cas(pair.modify_index)
            .await?
            .value
        {
            break;
        }
    }
    kv.delete(opts.contender_key(session)).await?;
    Ok(())
}

/// Watches the prefix with consistent blocking reads until `session` is no longer a live
/// holder.
async fn monitor_semaphore(
    client: Client,
    opts: SemaphoreOptions,
    session: String,
    mut index: u64,
    mut retries: Retries,
    tx: Arc<watch::Sender<Option<LostReason>>>,
) {
    let kv = client.kv();
    let prefix = opts.list_prefix();
    let report = |reason: LostReason| signal(&tx, reason);
    loop {
        match kv
            .list(&prefix)
            .consistent()
            .wait(index, MONITOR_WAIT)
            // Its own retries (`monitor_retries`) decide, not the client's.
            .retry(RetryPolicy::none())
            .await
        {
            Ok(listed) => {
                retries.reset();
                match live_record(&opts, &listed.value) {
                    Ok((record, _)) if record.is_holder(&session) => {
                        index = next_index(index, listed.meta.last_index);
                    }
                    Ok(_) => {
                        report_loss(&client, &session, &tx).await;
                        return;
                    }
                    Err(e) => {
                        let e = match e {
                            LockError::Consul(e) => e,
                            other => Error::decode(other.to_string()),
                        };
                        report(LostReason::MonitorFailed(Arc::new(e)));
                        return;
                    }
                }
            }
            Err(e) => {
                if retries.retry(&e).await {
                    index = 0;
                    continue;
                }
                report(LostReason::MonitorFailed(Arc::new(e)));
                return;
            }
        }
    }
}

/// A held semaphore slot; made by [`Semaphore::acquire`] or [`Semaphore::try_acquire`].
/// Dropping it releases the slot in the background; [`SemaphoreGuard::release`] does it
/// now. Dropping it at once by mistake is caught by the `unused_must_use` lint (but
/// `let _ = …` drops it too, and only clippy's `let_underscore_must_use` warns about that:
/// bind it to a name such as `_slot`):
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
/// client.semaphore("jobs/reindex", 3).acquire().await?; // the slot is given back
/// # Ok(()) }
/// ```
///
/// ```no_run
/// #![deny(unused_must_use)]
/// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
/// let _slot = client.semaphore("jobs/reindex", 3).acquire().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "dropping the guard gives the slot back at once; keep it for as long as the slot must be held"]
pub struct SemaphoreGuard {
    holder: Holder,
}

impl SemaphoreGuard {
    /// The session holding the slot.
    pub fn session(&self) -> &str {
        self.holder.session()
    }

    /// Whether the slot is still held, as far as the guard knows; `false` as soon as the
    /// monitor sees the slot gone, before the reason is classified.
    pub fn is_held(&self) -> bool {
        self.holder.is_held()
    }

    /// Resolves when the slot is lost, with the reason first published (cancel-safe).
    /// As for a lock ([`LockGuard::lost`](crate::lock::LockGuard::lost)), a
    /// [`LostReason::KeyChanged`] is published at once and refined to
    /// [`LostReason::SessionInvalidated`] if reading the session (at most 2 s) shows it
    /// ended; [`SemaphoreGuard::lost_reason`] and [`SemaphoreGuard::subscribe`] show that.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let slot = client.semaphore("jobs/reindex", 3).acquire().await?;
    /// eprintln!("slot lost: {}", slot.lost().await);
    /// # Ok(()) }
    /// ```
    pub async fn lost(&self) -> LostReason {
        self.holder.lost().await
    }

    /// Why the slot was lost, as known now (`None` while held; see
    /// [`SemaphoreGuard::lost`] for the one possible refinement).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let slot = client.semaphore("jobs/reindex", 3).acquire().await?;
    /// if let Some(reason) = slot.lost_reason() {
    ///     eprintln!("slot lost: {reason}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn lost_reason(&self) -> Option<LostReason> {
        self.holder.lost_reason()
    }

    /// A channel that turns from `None` to `Some(reason)` when the slot is lost (and
    /// changes once more if the reason is refined).
    pub fn subscribe(&self) -> watch::Receiver<Option<LostReason>> {
        self.holder.receiver()
    }

    /// Gives the slot back and destroys the session if the semaphore created it.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::lock::LockError> {
    /// let slot = client.semaphore("jobs/reindex", 3).acquire().await?;
    /// slot.release().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`LockError::Consul`] when a request failed.
    pub async fn release(self) -> Result<(), LockError> {
        self.holder.release().await.map_err(LockError::from)
    }
}
