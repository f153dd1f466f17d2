//! The background task: one health watch per datacenter of the fallback list, and the rule
//! that picks the datacenter whose instances are published.

use super::error::DiscoveryError;
use super::instance::Instances;
use super::State;
use crate::{Result, Watch};
use consul_types::health::ServiceEntry;
use consul_types::QueryResponse;
use futures_core::Stream;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use tokio::sync::watch;
use tracing::{debug, info, warn};

/// What is known of one datacenter of the list.
#[derive(Debug, Default)]
pub(crate) struct Datacenter {
    /// Its name (`None`: the agent's own, when no list was given).
    pub(crate) name: Option<String>,
    /// Its last good set, if it ever answered.
    pub(crate) last_good: Option<Instances>,
    /// Whether a read of it has failed since it last answered (or before it ever did).
    pub(crate) failing: bool,
}

/// What the rule decides.
#[derive(Debug, PartialEq)]
pub(crate) enum Pick {
    /// Wait: a datacenter earlier than any usable one has not answered yet.
    Undecided,
    /// Publish the set of the datacenter at this position.
    Use(usize),
    /// No datacenter has a passing instance (or could be read).
    Nothing,
}

/// The fallback rule: walk the list in order; a datacenter that has not answered yet and
/// has not failed makes the decision wait; the first one whose last good set is non-empty
/// is used; one that is empty, or failed without ever answering, is skipped.
pub(crate) fn pick(datacenters: &[Datacenter]) -> Pick {
    for (i, dc) in datacenters.iter().enumerate() {
        match &dc.last_good {
            None if !dc.failing => return Pick::Undecided,
            Some(set) if !set.is_empty() => return Pick::Use(i),
            _ => {}
        }
    }
    Pick::Nothing
}

/// The next item of any watch, with its position; `None` from a watch means it ended
/// (a validation error, which `start` rules out beforehand).
async fn next_of(
    watches: &mut [Option<Watch<Vec<ServiceEntry>>>],
    turn: &mut usize,
) -> (usize, Option<Result<QueryResponse<Vec<ServiceEntry>>>>) {
    std::future::poll_fn(|cx| {
        let n = watches.len();
        // Start at a different watch each time, so a busy one cannot starve the others.
        *turn = (*turn + 1) % n.max(1);
        for k in 0..n {
            let i = (*turn + k) % n;
            if let Some(watch) = watches[i].as_mut() {
                if let Poll::Ready(item) = Pin::new(watch).poll_next(cx) {
                    if item.is_none() {
                        watches[i] = None;
                    }
                    return Poll::Ready((i, item));
                }
            }
        }
        Poll::Pending
    })
    .await
}

/// Runs until every receiver of `tx` (the resolver, its clones and its streams) is gone.
pub(crate) async fn run(
    service: String,
    mut watches: Vec<Option<Watch<Vec<ServiceEntry>>>>,
    mut datacenters: Vec<Datacenter>,
    tx: watch::Sender<State>,
) {
    let mut turn = 0;
    let mut error_seq = 0u64;
    // The datacenter whose failure is the published error.
    let mut failed_last = None;
    let mut used: Option<Option<String>> = None;
    loop {
        let (i, item) = tokio::select! {
            () = tx.closed() => break,
            next = next_of(&mut watches, &mut turn) => next,
        };
        let dc = &mut datacenters[i];
        let dc_name = dc.name.as_deref().unwrap_or("(agent's)");
        match item {
            Some(Ok(answer)) => {
                let set = Instances::from_answer(
                    answer.value,
                    dc.name.as_deref(),
                    answer.meta.last_index,
                );
                debug!(
                    datacenter = dc_name,
                    passing = set.len(),
                    index = answer.meta.last_index,
                    "passing instances read"
                );
                dc.last_good = Some(set);
                dc.failing = false;
                if failed_last == Some(i) {
                    failed_last = None;
                    tx.send_modify(|state| state.error = None);
                }
            }
            Some(Err(e)) => {
                warn!(datacenter = dc_name, error = %e, "health watch failed; keeping the last good set");
                dc.failing = true;
                error_seq += 1;
                failed_last = Some(i);
                let error = DiscoveryError::Watch {
                    service: service.clone(),
                    datacenter: dc.name.clone(),
                    source: Arc::new(e),
                };
                tx.send_modify(|state| state.error = Some((error_seq, error)));
            }
            None => {
                warn!(datacenter = dc_name, "health watch ended");
                dc.failing = true;
            }
        }
        let instances = match pick(&datacenters) {
            Pick::Undecided => continue,
            Pick::Nothing => Instances::resolved_empty(),
            Pick::Use(k) => datacenters[k]
                .last_good
                .clone()
                .unwrap_or_else(Instances::resolved_empty),
        };
        let now = instances.datacenter().map(str::to_owned);
        if used.as_ref() != Some(&now) && datacenters.len() > 1 {
            info!(from = ?used.flatten(), to = ?now, "datacenter used changed");
        }
        used = Some(now);
        tx.send_if_modified(|state| {
            if state.instances == instances {
                return false;
            }
            state.instances = instances;
            true
        });
    }
    debug!("resolver dropped; health watches stopped");
}

#[cfg(test)]
mod tests {
    use super::super::instance::tests::entry;
    use super::*;

    fn dc(answer: Option<usize>, failing: bool) -> Datacenter {
        Datacenter {
            name: Some("dc".into()),
            last_good: answer.map(|n| {
                let entries = (0..n).map(|k| entry("n", &k.to_string(), "", 80)).collect();
                Instances::from_answer(entries, Some("dc"), 1)
            }),
            failing,
        }
    }

    #[test]
    fn the_first_datacenter_with_a_passing_instance_is_used() {
        assert_eq!(
            pick(&[dc(Some(2), false), dc(Some(1), false)]),
            Pick::Use(0)
        );
        assert_eq!(
            pick(&[dc(Some(0), false), dc(Some(1), false)]),
            Pick::Use(1)
        );
        assert_eq!(
            pick(&[dc(Some(0), false), dc(Some(0), false)]),
            Pick::Nothing
        );
    }

    #[test]
    fn an_earlier_datacenter_not_heard_from_makes_it_wait() {
        assert_eq!(
            pick(&[dc(None, false), dc(Some(1), false)]),
            Pick::Undecided
        );
        assert_eq!(pick(&[dc(Some(1), false), dc(None, false)]), Pick::Use(0));
    }

    #[test]
    fn failures_skip_only_datacenters_that_never_answered() {
        assert_eq!(pick(&[dc(None, true), dc(Some(1), false)]), Pick::Use(1));
        assert_eq!(pick(&[dc(Some(1), true), dc(Some(1), false)]), Pick::Use(0));
        assert_eq!(pick(&[dc(None, true)]), Pick::Nothing);
    }
}
