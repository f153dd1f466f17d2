//! Blocking queries as streams.
//!
//! A [`Watch`] runs a blocking read in a loop — each request waits on the index (or, on the
//! agent's own endpoints, the content hash) of the previous answer — and yields a result
//! each time the data actually changed. It follows Consul's rules for blocking queries
//! and Go's `watch` package:
//!
//! - the first result is yielded at once;
//! - an answer with the same index, or with an unchanged value, is not yielded (Consul
//!   returns when `wait` expires, and an index can move for unrelated writes);
//! - an index that goes backwards (snapshot restore, reaped tombstones) resets the stored
//!   index to 0, so the next read returns at once instead of hanging;
//! - an index of 0 is sent as 1, never as 0, which would not block;
//! - after an error the index is forgotten (as Go does) and the next read, after a backoff
//!   with jitter (a quarter second, doubling up to 30 s), is a fresh one: an agent restarted with
//!   fresh state is read again at once instead of after a full wait;
//! - an answer that comes back at once with an unchanged index (or none: a proxy, a server
//!   that does not block) is followed by a pause, so a watch never becomes a busy loop;
//! - a validation error ends the stream.
//!
//! Dropping a `Watch` cancels the read in flight.
//!
//! Many watches of the same read (the same endpoint, parameters and token) cost the agent
//! one request per change, not one each: once they wait on the same index, their identical
//! blocking reads share one request in flight
//! ([`Config::coalesce_blocking_reads`](crate::Config::coalesce_blocking_reads)). Over plain
//! HTTP each read in flight holds a connection of its own, and the default transport opens
//! at most 128 ([`Config::max_connections`](crate::Config::max_connections)); for many
//! distinct watches use HTTPS, where one HTTP/2 connection carries 250 of them.

use crate::{Error, Result};
use consul_types::endpoint::Blocking;
use consul_types::{QueryOptions, QueryResponse, ValidationError};
use futures_core::Stream;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

type FetchFuture<T> = Pin<Box<dyn Future<Output = Result<QueryResponse<T>>> + Send>>;
type Fetch<T> = Arc<dyn Fn(QueryOptions) -> FetchFuture<T> + Send + Sync>;

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The least time between two reads whose answers did not move the index.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// A stream of the changes of one blocking read; made by `watch()` on a request whose
/// endpoint blocks (for example `client.kv().get(key).watch()`).
///
/// It is a [`futures_core::Stream`]; [`Watch::next`] reads it without extra crates.
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
/// let mut changes = client.kv().get("config/replicas").watch();
/// while let Some(change) = changes.next().await {
///     let change = change?;
///     println!("index {}: {:?}", change.meta.last_index, change.value);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a watch does nothing until it is polled: call `next()` or use it as a Stream"]
pub struct Watch<T> {
    fetch: Fetch<T>,
    opts: QueryOptions,
    mode: Blocking,
    /// The index the next request waits on (index mode).
    index: u64,
    /// The hash the next request waits on (hash mode).
    hash: Option<String>,
    last: Option<T>,
    pending: Option<FetchFuture<T>>,
    started: tokio::time::Instant,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
    failures: u32,
    error: Option<ValidationError>,
    done: bool,
}

// Nothing in a `Watch` is pinned in place: futures and timers are boxed, `T` is only moved.
impl<T> Unpin for Watch<T> {}

impl<T> fmt::Debug for Watch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("mode", &self.mode)
            .field("index", &self.index)
            .field("opts", &self.opts)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + PartialEq + Send + 'static> Watch<T> {
    /// A watch over any read: `fetch` is called with the options of each request (the
    /// caller's, with the index or hash of the last answer set). `mode` is how the
    /// endpoint blocks, or why the read is invalid (the stream then yields that error).
    pub(crate) fn new<F, Fut>(
        opts: QueryOptions,
        mode: std::result::Result<Blocking, ValidationError>,
        fetch: F,
    ) -> Self
    where
        F: Fn(QueryOptions) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<QueryResponse<T>>> + Send + 'static,
    {
        let (mode, error) = match mode {
            Ok(mode) => (mode, None),
            Err(e) => (Blocking::Index, Some(e)),
        };
        Watch {
            fetch: Arc::new(move |o| Box::pin(fetch(o))),
            index: opts.wait_index.unwrap_or(0),
            hash: opts.wait_hash.clone(),
            opts,
            mode,
            last: None,
            pending: None,
            started: tokio::time::Instant::now(),
            pause: None,
            failures: 0,
            error,
            done: false,
        }
    }

    /// The next change: `None` only after a validation error ended the stream.
    pub async fn next(&mut self) -> Option<Result<QueryResponse<T>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The index the next request will wait on (0: a fresh read).
    pub fn index(&self) -> u64 {
        self.index
    }

    fn request_options(&self) -> QueryOptions {
        let mut opts = self.opts.clone();
        match self.mode {
            Blocking::Hash => opts.wait_hash = self.hash.clone(),
            _ => opts.wait_index = (self.index > 0).then_some(self.index),
        }
        opts
    }

    /// Notes an answer; returns whether its position (index or hash) moved, or `None`
    /// when the answer had none to tell.
    fn advance(&mut self, response: &QueryResponse<T>) -> Option<bool> {
        match self.mode {
            Blocking::Hash => {
                let hash = response.meta.last_content_hash.clone();
                let moved = hash.as_ref().map(|h| Some(h) != self.hash.as_ref());
                self.hash = hash;
                moved
            }
            _ => {
                let new = response.meta.last_index;
                let moved = (new != 0).then_some(new != self.index);
                self.index = match new {
                    0 => 1,
                    n if n < self.index => 0,
                    n => n,
                };
                moved
            }
        }
    }

    fn sleep(&mut self, duration: Duration) {
        self.pause = Some(Box::pin(tokio::time::sleep(duration)));
    }
}

/// About `base * 2^failures`, capped, with "equal jitter": half fixed, half random.
fn backoff(failures: u32) -> Duration {
    let exp = FIRST_BACKOFF.saturating_mul(1 << failures.min(16));
    let capped = exp.min(MAX_BACKOFF);
    let half = capped / 2;
    half + half.mul_f64(fastrand::f64())
}

impl<T: Clone + PartialEq + Send + 'static> Stream for Watch<T> {
    type Item = Result<QueryResponse<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(e) = this.error.take() {
                this.done = true;
                return Poll::Ready(Some(Err(Error::Validation(e))));
            }
            if let Some(pause) = this.pause.as_mut() {
                ready!(pause.as_mut().poll(cx));
                this.pause = None;
            }
            if this.pending.is_none() {
                this.started = tokio::time::Instant::now();
                this.pending = Some((this.fetch)(this.request_options()));
            }
            let Some(pending) = this.pending.as_mut() else {
                continue;
            };
            let result = ready!(pending.as_mut().poll(cx));
            this.pending = None;
            match result {
                Err(e) => {
                    if matches!(e, Error::Validation(_) | Error::Config(_)) {
                        this.done = true;
                    } else {
                        // Start over: whatever the agent knew may be gone (a restart with
                        // fresh state), and a stale index would wait out a full `wait`.
                        this.index = 0;
                        this.hash = None;
                        this.sleep(backoff(this.failures));
                        this.failures = this.failures.saturating_add(1);
                    }
                    return Poll::Ready(Some(Err(e)));
                }
                Ok(response) => {
                    this.failures = 0;
                    let moved = this.advance(&response);
                    let quick = this.started.elapsed() < MIN_INTERVAL;
                    if moved != Some(true) && quick {
                        let rest = MIN_INTERVAL.saturating_sub(this.started.elapsed());
                        this.sleep(rest);
                    }
                    // Without an index or hash to go by, the value alone tells a change.
                    let first = this.last.is_none();
                    let changed = first
                        || (moved != Some(false) && this.last.as_ref() != Some(&response.value));
                    if changed {
                        this.last = Some(response.value.clone());
                        return Poll::Ready(Some(Ok(response)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_types::QueryMeta;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    fn meta(index: u64) -> QueryMeta {
        let mut m = QueryMeta::default();
        m.last_index = index;
        m
    }

    /// The `wait_index` of each request a scripted watch made.
    type SentIndexes = Arc<Mutex<Vec<Option<u64>>>>;

    /// A watch over scripted answers that records the index of each request.
    fn scripted(answers: Vec<Result<(u64, &'static str)>>) -> (Watch<&'static str>, SentIndexes) {
        let answers = Arc::new(Mutex::new(VecDeque::from(answers)));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&sent);
        let watch = Watch::new(
            QueryOptions::default(),
            Ok(Blocking::Index),
            move |opts: QueryOptions| {
                log.lock().unwrap().push(opts.wait_index);
                let next = answers.lock().unwrap().pop_front();
                async move {
                    match next {
                        Some(Ok((index, value))) => Ok(QueryResponse {
                            value,
                            meta: meta(index),
                        }),
                        Some(Err(e)) => Err(e),
                        None => std::future::pending().await,
                    }
                }
            },
        );
        (watch, sent)
    }

    fn leaderless() -> Error {
        Error::Status {
            code: http::StatusCode::INTERNAL_SERVER_ERROR,
            body: "No cluster leader".into(),
            retry_after: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn yields_changes_only_and_blocks_on_the_last_index() {
        let (mut w, sent) = scripted(vec![
            Ok((5, "a")),
            Ok((5, "a")), // wait expired, nothing changed
            Ok((7, "a")), // index moved, value did not
            Ok((9, "b")),
        ]);
        assert_eq!(w.next().await.unwrap().unwrap().value, "a");
        let second = w.next().await.unwrap().unwrap();
        assert_eq!((second.value, second.meta.last_index), ("b", 9));
        assert_eq!(*sent.lock().unwrap(), vec![None, Some(5), Some(5), Some(7)]);
        assert_eq!(w.index(), 9);
    }

    #[tokio::test(start_paused = true)]
    async fn index_going_backwards_resets_and_zero_becomes_one() {
        let (mut w, sent) = scripted(vec![
            Ok((10, "a")),
            Ok((3, "b")),
            Ok((0, "c")),
            Ok((4, "d")),
        ]);
        assert_eq!(w.next().await.unwrap().unwrap().value, "a");
        assert_eq!(w.next().await.unwrap().unwrap().value, "b");
        assert_eq!(w.next().await.unwrap().unwrap().value, "c");
        assert_eq!(w.next().await.unwrap().unwrap().value, "d");
        assert_eq!(
            *sent.lock().unwrap(),
            vec![None, Some(10), None, Some(1)],
            "reset to 0 after going backwards; 0 is sent as 1"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn after_an_error_the_index_is_forgotten_and_retried_after_a_backoff() {
        let (mut w, sent) = scripted(vec![Ok((7, "a")), Err(leaderless()), Ok((2, "b"))]);
        assert_eq!(w.next().await.unwrap().unwrap().value, "a");
        let started = tokio::time::Instant::now();
        assert!(w.next().await.unwrap().is_err());
        assert_eq!(w.next().await.unwrap().unwrap().value, "b");
        assert!(
            started.elapsed() >= FIRST_BACKOFF / 2,
            "retried without waiting"
        );
        assert_eq!(
            *sent.lock().unwrap(),
            vec![None, Some(7), None],
            "a fresh read after the error"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn answers_that_never_move_are_paced() {
        let answers: Vec<_> = std::iter::once(Ok((0, "a")))
            .chain(std::iter::repeat_with(|| Ok((0, "a"))).take(50))
            .chain(std::iter::once(Ok((0, "a"))))
            .collect();
        let (mut w, sent) = scripted(answers);
        assert_eq!(w.next().await.unwrap().unwrap().value, "a");
        let started = tokio::time::Instant::now();
        let next = tokio::time::timeout(Duration::from_secs(2), w.next()).await;
        assert!(next.is_err(), "nothing changed, nothing yielded");
        let requests = sent.lock().unwrap().len();
        let elapsed = started.elapsed();
        assert!(
            requests as f64 <= 1.0 + elapsed.as_secs_f64() / MIN_INTERVAL.as_secs_f64() + 1.0,
            "{requests} requests in {elapsed:?}"
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for failures in 0..40 {
            let d = backoff(failures);
            let full = FIRST_BACKOFF
                .saturating_mul(1 << failures.min(16))
                .min(MAX_BACKOFF);
            assert!(d >= full / 2 && d <= full, "{failures}: {d:?}");
        }
    }

    #[tokio::test]
    async fn a_validation_error_ends_the_stream() {
        let (mut w, _) = scripted(vec![Err(Error::Validation(
            consul_types::ValidationError::Empty { field: "key" },
        ))]);
        assert!(w.next().await.unwrap().is_err());
        assert!(w.next().await.is_none());
        let mut w: Watch<u8> = Watch::new(
            QueryOptions::default(),
            Err(ValidationError::Empty { field: "key" }),
            |_| async { unreachable!("an invalid read is never sent") },
        );
        assert!(w.next().await.unwrap().unwrap_err().is_validation());
        assert!(w.next().await.is_none());
    }
}
