//! What every lock and semaphore contender shares: the session it holds (created and
//! renewed, or given and checked), the channel its loss is reported on, the tasks that
//! keep it, and what it gives back when it ends.

use crate::call::{IndexBlocking, ReadRequest};
use crate::session::{keepalive_loop, Keepalive, KeepaliveEnd};
use crate::{Client, Error};
use consul_types::lock::DEFAULT_SESSION_TTL;
use consul_types::session::NewSession;
use consul_types::ValidationError;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Why a held lock or semaphore slot ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum LostReason {
    /// The session was invalidated: destroyed, its TTL ran out, or a health check it
    /// depends on failed. Consul released (or deleted) the key.
    SessionInvalidated,
    /// The session lives, but the key no longer carries it: someone released, deleted or
    /// overwrote the key (for a semaphore: removed this holder from the lock record).
    ///
    /// Also the reason published first whenever the key leaves the session: the guard
    /// reports the loss at once and only then reads the session, refining the reason to
    /// [`LostReason::SessionInvalidated`] if it ended (see [`LockGuard::lost`](crate::lock::LockGuard::lost)).
    KeyChanged,
    /// Watching the lock failed (Consul unreachable for longer than the retries allow, or
    /// the session could not be renewed within its TTL): the holder must assume it lost.
    MonitorFailed(Arc<Error>),
    /// The holder released it ([`LockGuard::release`](crate::lock::LockGuard::release) or drop).
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
    /// The session given to use ([`Lock::session`](crate::lock::Lock::session),
    /// [`Semaphore::session`](crate::semaphore::Semaphore::session)) does not exist (expired, destroyed or never created);
    /// nothing was written.
    #[error("session {session:?} does not exist")]
    SessionNotFound {
        /// The session id.
        session: String,
    },
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

/// Replaces a published [`LostReason::KeyChanged`] by `reason` (the only refinement:
/// the classification found that the session itself ended).
fn refine(tx: &LostTx, reason: LostReason) {
    tx.send_if_modified(|state| {
        if matches!(state, Some(LostReason::KeyChanged)) {
            *state = Some(reason);
            true
        } else {
            false
        }
    });
}

/// The key (or the semaphore record) stopped carrying the session: publishes the loss at
/// once with the best reason known then ([`LostReason::KeyChanged`], unless the session
/// task already reported the session's end), then asks Consul whether the session ended
/// and, if it did, refines the reason to [`LostReason::SessionInvalidated`].
pub(crate) async fn report_loss(client: &Client, session: &str, tx: &LostTx) {
    signal(tx, LostReason::KeyChanged);
    if !matches!(*tx.borrow(), Some(LostReason::KeyChanged)) {
        return;
    }
    if let LostReason::SessionInvalidated = classify(client, session).await {
        refine(tx, LostReason::SessionInvalidated);
    }
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

/// What a holder gives back when it ends: its lock key, its semaphore slot.
pub(crate) trait Release: fmt::Debug + Send + Sync {
    /// Gives it back on behalf of `session`.
    fn release<'a>(
        &'a self,
        client: &'a Client,
        session: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;
}

/// What a holder undoes when it ends, once it may have taken something.
pub(crate) type Undo = Option<Arc<dyn Release>>;

/// A session (created or given), the task keeping it known alive (renewing a created
/// session with a TTL, reading any other), the monitoring task, and what to undo.
/// Dropping it while active stops the tasks and, in the background, undoes and destroys
/// a created session.
pub(crate) struct Holder {
    client: Client,
    session: String,
    owned: bool,
    tx: LostTx,
    rx: watch::Receiver<Option<LostReason>>,
    keepalive: Option<JoinHandle<()>>,
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
    /// Uses `given` (which must exist) and starts checking it, or creates a session from
    /// `new` and starts renewing it (checking it, when it has no TTL).
    pub(crate) async fn start(
        client: &Client,
        given: Option<&str>,
        new: &NewSession,
    ) -> Result<Holder, LockError> {
        let (tx, rx) = watch::channel(None);
        let tx = Arc::new(tx);
        let sessions = client.session();
        let (session, owned, mode, ttl, sent) =
            match given {
                Some(id) => {
                    let sent = Instant::now();
                    let entry = sessions.info(id).await?.value.ok_or_else(|| {
                        LockError::SessionNotFound {
                            session: id.to_owned(),
                        }
                    })?;
                    (id.to_owned(), false, Keepalive::Check, entry.ttl, sent)
                }
                None => {
                    let sent = Instant::now();
                    let id = sessions.create().settings(new.clone()).await?.value;
                    let mode = match new.ttl {
                        Some(_) => Keepalive::Renew,
                        None => Keepalive::Check,
                    };
                    (id, true, mode, new.ttl, sent)
                }
            };
        let ttl = ttl.filter(|t| !t.is_zero()).unwrap_or(DEFAULT_SESSION_TTL);
        let keepalive = tokio::spawn({
            let (id, tx) = (session.clone(), Arc::clone(&tx));
            async move {
                let reason = match keepalive_loop(sessions, id, mode, ttl, sent).await {
                    KeepaliveEnd::SessionEnded => LostReason::SessionInvalidated,
                    KeepaliveEnd::Failed(e) => LostReason::MonitorFailed(Arc::new(e)),
                };
                signal(&tx, reason);
            }
        });
        Ok(Holder {
            client: client.clone(),
            session,
            owned,
            tx,
            rx,
            keepalive: Some(keepalive),
            monitor: None,
            undo: None,
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

    pub(crate) fn lost_reason(&self) -> Option<LostReason> {
        self.rx.borrow().clone()
    }

    fn stop_tasks(&mut self) {
        if let Some(t) = self.monitor.take() {
            t.abort();
        }
        if let Some(t) = self.keepalive.take() {
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
        let undo = self.undo.take();
        if undo.is_none() && !self.owned {
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
        None => Ok(()),
        Some(release) => release.release(client, session).await,
    };
    let destroyed = if owned {
        client.session().destroy(session).await.map(|_| ())
    } else {
        Ok(())
    };
    undone.and(destroyed)
}

/// After the key stopped carrying the session: was it the session that ended?
pub(crate) async fn classify(client: &Client, session: &str) -> LostReason {
    let info = client.session().info(session).into_future();
    match tokio::time::timeout(Duration::from_secs(2), info).await {
        Ok(Ok(r)) if r.value.is_none() => LostReason::SessionInvalidated,
        _ => LostReason::KeyChanged,
    }
}

/// `read`, blocking on `index` for at most `wait`; the first read (index 0) answers at
/// once.
pub(crate) fn blocking<C: IndexBlocking>(
    read: ReadRequest<C>,
    index: u64,
    wait: Duration,
) -> ReadRequest<C> {
    if index > 0 {
        read.wait(index, wait)
    } else {
        read
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
