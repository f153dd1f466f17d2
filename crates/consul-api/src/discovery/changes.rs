//! The stream of changes to the set: each stream diffs the snapshots it sees against the
//! last one it reported, so it never lags behind nor buffers without bound.

use super::error::DiscoveryError;
use super::instance::{Instance, InstanceKey, Instances};
use super::State;
use futures_core::Stream;
use std::collections::btree_map::{BTreeMap, Entry};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::sync::watch;

/// One change of the set of passing instances.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// An instance passes that did not (or a stream's first sight of it).
    Added(Instance),
    /// An instance no longer passes, was deregistered, or its datacenter is no longer
    /// the one used.
    Removed(Instance),
    /// An instance still passes but its address, port, tags or metadata changed.
    Updated {
        /// As it was.
        old: Instance,
        /// As it is now.
        new: Instance,
    },
}

impl Change {
    /// The key of the instance that changed.
    pub fn key(&self) -> &InstanceKey {
        match self {
            Change::Added(i) | Change::Removed(i) => &i.key,
            Change::Updated { new, .. } => &new.key,
        }
    }
}

/// The changes from `old` to `new`, in key order: added, removed, and updated where a
/// client would see a different endpoint.
pub(crate) fn diff(old: &BTreeMap<InstanceKey, Instance>, new: &Instances) -> Vec<Change> {
    let mut out = Vec::new();
    for (key, was) in old {
        if new.get(key).is_none() {
            out.push(Change::Removed(was.clone()));
        }
    }
    for now in new {
        match old.get(&now.key) {
            None => out.push(Change::Added(now.clone())),
            Some(was) if !was.same_endpoint(now) => out.push(Change::Updated {
                old: was.clone(),
                new: now.clone(),
            }),
            Some(_) => {}
        }
    }
    out.sort_by(|a, b| a.key().cmp(b.key()));
    out
}

type Wait = Pin<Box<dyn Future<Output = (watch::Receiver<State>, bool)> + Send + Sync>>;

/// The changes of a resolver's set of passing instances, as a [`Stream`]; made by
/// [`Resolver::changes`](super::Resolver::changes).
///
/// It first yields [`Change::Added`] for each instance already known (and the current
/// error, if the last read failed), then each change as it comes. Changes that happen
/// faster than the stream is read are merged: it reports the difference between what it
/// last reported and the current set, so it never falls behind and holds no backlog. A
/// failed read is an `Err` item; the stream goes on. It ends when the resolver's task
/// has ended (never while the stream lives, unless the task was aborted with its runtime).
#[must_use = "a stream does nothing unless polled"]
pub struct Changes {
    receiver: Option<watch::Receiver<State>>,
    wait: Option<Wait>,
    /// The set as last reported to the reader.
    reported: BTreeMap<InstanceKey, Instance>,
    /// The sequence number of the last error reported.
    error_seq: u64,
    queue: VecDeque<Result<Change, DiscoveryError>>,
    closed: bool,
}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changes")
            .field("reported", &self.reported.len())
            .field("queued", &self.queue.len())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl Changes {
    pub(crate) fn new(mut receiver: watch::Receiver<State>) -> Changes {
        // The current state is news to a new stream.
        receiver.mark_changed();
        Changes {
            receiver: Some(receiver),
            wait: None,
            reported: BTreeMap::new(),
            error_seq: 0,
            queue: VecDeque::new(),
            closed: false,
        }
    }

    /// The next change; `None` once the resolver's task has ended.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// use consul_api::discovery::Change;
    /// let resolver = client.resolver("web").start()?;
    /// let mut changes = resolver.changes();
    /// while let Some(change) = changes.next().await {
    ///     match change {
    ///         Ok(Change::Added(i)) => println!("+ {}", i.authority()),
    ///         Ok(Change::Removed(i)) => println!("- {}", i.authority()),
    ///         Ok(change) => println!("~ {}", change.key()),
    ///         Err(e) => eprintln!("{e} (keeping the last set)"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next(&mut self) -> Option<Result<Change, DiscoveryError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Queues what changed between the last report and `state`.
    fn take(&mut self, state: &State) {
        if let Some((seq, error)) = &state.error {
            if *seq > self.error_seq {
                self.error_seq = *seq;
                self.queue.push_back(Err(error.clone()));
            }
        }
        if !state.instances.is_resolved() {
            return;
        }
        for change in diff(&self.reported, &state.instances) {
            match &change {
                Change::Removed(i) => {
                    self.reported.remove(&i.key);
                }
                Change::Added(i) | Change::Updated { new: i, .. } => {
                    self.reported.insert(i.key.clone(), i.clone());
                }
            }
            self.queue.push_back(Ok(change));
        }
        // Instances whose check outputs alone changed: keep the newest read, unreported.
        for now in &state.instances {
            if let Entry::Occupied(mut e) = self.reported.entry(now.key.clone()) {
                if e.get() != now {
                    e.insert(now.clone());
                }
            }
        }
    }
}

// Nothing is pinned in place: the pending wait is boxed.
impl Unpin for Changes {}

impl Stream for Changes {
    type Item = Result<Change, DiscoveryError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.queue.pop_front() {
                return Poll::Ready(Some(item));
            }
            // `changed()` marks the new value seen, so a wait that ended is news itself.
            let mut news = false;
            if let Some(wait) = this.wait.as_mut() {
                let (receiver, open) = ready!(wait.as_mut().poll(cx));
                this.wait = None;
                this.receiver = Some(receiver);
                this.closed |= !open;
                news = true;
            }
            let Some(mut receiver) = this.receiver.take() else {
                return Poll::Ready(None);
            };
            if news || receiver.has_changed().unwrap_or(false) {
                let state = receiver.borrow_and_update().clone();
                this.take(&state);
            }
            if this.queue.is_empty() && this.closed {
                return Poll::Ready(None);
            }
            if this.queue.is_empty() {
                this.wait = Some(Box::pin(async move {
                    let open = receiver.changed().await.is_ok();
                    (receiver, open)
                }));
            } else {
                this.receiver = Some(receiver);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::instance::tests::entry;
    use super::*;

    fn set(entries: &[(&str, &str, u16)]) -> Instances {
        let entries = entries
            .iter()
            .map(|(node, id, port)| entry(node, id, "", *port))
            .collect();
        Instances::from_answer(entries, Some("dc1"), 1)
    }

    #[test]
    fn diff_reports_added_removed_and_updated_by_key() {
        let old = set(&[("n1", "a", 80), ("n1", "b", 80), ("n2", "a", 80)]);
        let new = set(&[("n1", "a", 80), ("n1", "b", 81), ("n3", "c", 80)]);
        let changes = diff(&old.to_map(), &new);
        let summary: Vec<_> = changes
            .iter()
            .map(|c| match c {
                Change::Added(i) => format!("+{}", i.key),
                Change::Removed(i) => format!("-{}", i.key),
                Change::Updated { old, new } => format!("~{} {}>{}", new.key, old.port, new.port),
            })
            .collect();
        assert_eq!(summary, ["~dc1/n1/b 80>81", "-dc1/n2/a", "+dc1/n3/c"]);
    }

    #[tokio::test]
    async fn a_stream_starts_with_the_current_set_and_merges_what_it_missed() {
        let (tx, rx) = watch::channel(State::default());
        let mut changes = Changes::new(rx);
        tx.send_replace(State {
            instances: set(&[("n1", "a", 80), ("n1", "b", 80)]),
            error: None,
        });
        let first: Vec<_> = vec![
            changes.next().await.unwrap().unwrap(),
            changes.next().await.unwrap().unwrap(),
        ];
        assert!(first.iter().all(|c| matches!(c, Change::Added(_))));
        // Two updates before the reader looks: one difference, not two.
        tx.send_replace(State {
            instances: set(&[("n1", "a", 80)]),
            error: None,
        });
        tx.send_replace(State {
            instances: set(&[("n1", "a", 80), ("n1", "b", 80)]),
            error: None,
        });
        // A stream already waiting is woken by the next value (`changed()` marks it seen).
        let waiting = tokio::spawn(async move {
            let change = changes.next().await;
            (changes, change)
        });
        tokio::task::yield_now().await;
        tx.send_replace(State {
            instances: set(&[("n1", "a", 80), ("n1", "b", 80), ("n1", "c", 80)]),
            error: None,
        });
        let (mut changes, change) = waiting.await.unwrap();
        assert!(matches!(change, Some(Ok(Change::Added(i))) if i.key.service_id == "c"));
        let error = DiscoveryError::NoRuntime;
        tx.send_replace(State {
            instances: set(&[("n1", "a", 80), ("n1", "b", 80), ("n1", "c", 80)]),
            error: Some((1, error)),
        });
        assert!(changes.next().await.unwrap().is_err(), "the error, once");
        drop(tx);
        assert!(changes.next().await.is_none(), "b's flap merged away");
    }
}
