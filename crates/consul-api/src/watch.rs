//! Blocking queries as streams.
//!
//! A [`Watch`] runs a blocking read in a loop — each request waits on the index of the
//! previous answer — and yields a result each time the data actually changed. It follows
//! Consul's rules for blocking queries (and Go's `watch` package):
//!
//! - the first result is yielded at once;
//! - an answer with the same index, or with an unchanged value, is not yielded (Consul
//!   returns when `wait` expires, and an index can move for unrelated writes);
//! - an index that goes backwards (snapshot restore, reaped tombstones) resets the stored
//!   index to 0, so the next read returns at once instead of hanging;
//! - an index of 0 is sent as 1, never as 0, which would not block and would spin;
//! - an error is yielded and the next request waits a backoff (1 s, doubling up to 30 s),
//!   so a watcher of a down agent does not spin; a validation error ends the stream.

use crate::{Error, Result};
use consul_types::{QueryOptions, QueryResponse};
use futures_core::Stream;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

type FetchFuture<T> = Pin<Box<dyn Future<Output = Result<QueryResponse<T>>> + Send>>;
type Fetch<T> = Arc<dyn Fn(QueryOptions) -> FetchFuture<T> + Send + Sync>;

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A stream of the changes of one blocking read; made by the `watch` methods of the
/// endpoint handles (for example [`Kv::watch`](crate::kv::Kv::watch)).
///
/// It is a [`futures_core::Stream`]; [`Watch::next`] reads it without extra crates.
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
/// use consul_api::QueryOptions;
/// let mut changes = client.kv().watch("config/replicas", &QueryOptions::default());
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
    /// The index the next request waits on.
    index: u64,
    /// The index of the last answer.
    seen: u64,
    last: Option<T>,
    pending: Option<FetchFuture<T>>,
    backoff: Option<Pin<Box<tokio::time::Sleep>>>,
    next_backoff: Duration,
    done: bool,
}

// Nothing in a `Watch` is pinned in place: futures and timers are boxed, `T` is only moved.
impl<T> Unpin for Watch<T> {}

impl<T> fmt::Debug for Watch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("index", &self.index)
            .field("opts", &self.opts)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + PartialEq + Send + 'static> Watch<T> {
    /// A watch over any read: `fetch` is called with the options of each request (the
    /// caller's, with `wait_index` set to the last index seen).
    pub(crate) fn new<F, Fut>(opts: &QueryOptions, fetch: F) -> Self
    where
        F: Fn(QueryOptions) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<QueryResponse<T>>> + Send + 'static,
    {
        Watch {
            fetch: Arc::new(move |o| Box::pin(fetch(o))),
            index: opts.wait_index.unwrap_or(0),
            seen: opts.wait_index.unwrap_or(0),
            opts: opts.clone(),
            last: None,
            pending: None,
            backoff: None,
            next_backoff: FIRST_BACKOFF,
            done: false,
        }
    }

    /// The next change: `None` only after a validation error ended the stream.
    pub async fn next(&mut self) -> Option<Result<QueryResponse<T>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The index the next request will wait on.
    pub fn index(&self) -> u64 {
        self.index
    }
}

impl<T: Clone + PartialEq + Send + 'static> Stream for Watch<T> {
    type Item = Result<QueryResponse<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(sleep) = this.backoff.as_mut() {
                ready!(sleep.as_mut().poll(cx));
                this.backoff = None;
            }
            if this.pending.is_none() {
                let mut opts = this.opts.clone();
                opts.wait_index = (this.index > 0).then_some(this.index);
                this.pending = Some((this.fetch)(opts));
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
                        this.backoff = Some(Box::pin(tokio::time::sleep(this.next_backoff)));
                        this.next_backoff = (this.next_backoff * 2).min(MAX_BACKOFF);
                    }
                    return Poll::Ready(Some(Err(e)));
                }
                Ok(response) => {
                    this.next_backoff = FIRST_BACKOFF;
                    let new = response.meta.last_index;
                    let first = this.last.is_none();
                    let moved = new != this.seen;
                    this.seen = new;
                    this.index = match new {
                        0 => 1,
                        n if n < this.index => 0,
                        n => n,
                    };
                    let changed = first || (moved && this.last.as_ref() != Some(&response.value));
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
        let watch = Watch::new(&QueryOptions::default(), move |opts: QueryOptions| {
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
        });
        (watch, sent)
    }

    #[tokio::test]
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

    #[tokio::test]
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
    async fn errors_are_yielded_then_retried_after_a_backoff() {
        let (mut w, sent) = scripted(vec![
            Err(Error::Status {
                code: http::StatusCode::INTERNAL_SERVER_ERROR,
                body: "No cluster leader".into(),
                retry_after: None,
            }),
            Ok((2, "a")),
        ]);
        let started = tokio::time::Instant::now();
        assert!(w.next().await.unwrap().is_err());
        assert_eq!(w.next().await.unwrap().unwrap().value, "a");
        assert!(
            started.elapsed() >= FIRST_BACKOFF,
            "retried without waiting"
        );
        assert_eq!(sent.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_validation_error_ends_the_stream() {
        let (mut w, _) = scripted(vec![Err(Error::Validation(
            consul_types::ValidationError::Empty { field: "key" },
        ))]);
        assert!(w.next().await.unwrap().is_err());
        assert!(w.next().await.is_none());
    }
}
