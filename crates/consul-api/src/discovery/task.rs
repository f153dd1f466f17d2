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

/// What happened to one of the watches.
enum Next {
    /// The watch at this position yielded (`None`: it ended, after a validation error,
    /// which `start` rules out beforehand).
    Item(usize, Option<Result<QueryResponse<Vec<ServiceEntry>>>>),
    /// The failing watch at this position read successfully again, an answer it did not
    /// yield because the value had not changed.
    Recovered(usize),
}

/// The next event of any watch. `failing` tells which watches failed last.
async fn next_of(
    watches: &mut [Option<Watch<Vec<ServiceEntry>>>],
    failing: &[bool],
    turn: &mut usize,
) -> Next {
    std::future::poll_fn(|cx| {
        let n = watches.len();
        // Start at a different watch each time, so a busy one cannot starve the others.
        *turn = (*turn + 1) % n.max(1);
        for k in 0..n {
            let i = (*turn + k) % n;
            if let Some(watch) = watches[i].as_mut() {
                if let Poll::Ready(item) = Pin::new(&mut *watch).poll_next(cx) {
                    if item.is_none() {
                        watches[i] = None;
                    }
                    return Poll::Ready(Next::Item(i, item));
                }
                // A watch forgets its index after an error; one again means an answer.
                if failing.get(i).copied().unwrap_or(false) && watch.index() != 0 {
                    return Poll::Ready(Next::Recovered(i));
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
        let failing: Vec<bool> = datacenters.iter().map(|d| d.failing).collect();
        let (i, item) = tokio::select! {
            () = tx.closed() => break,
            next = next_of(&mut watches, &failing, &mut turn) => match next {
                Next::Item(i, item) => (i, Some(item)),
                Next::Recovered(i) => (i, None),
            },
        };
        let dc = &mut datacenters[i];
        let dc_name = dc.name.as_deref().unwrap_or("(agent's)");
        let Some(item) = item else {
            info!(
                datacenter = dc_name,
                "health watch answers again, unchanged"
            );
            dc.failing = false;
            if failed_last == Some(i) {
                failed_last = None;
                tx.send_modify(|state| state.error = None);
            }
            continue;
        };
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
    use std::time::Duration;

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

    /// A watch over scripted answers (index, service ids); then it blocks forever.
    fn scripted(answers: Vec<Result<(u64, Vec<&'static str>)>>) -> Watch<Vec<ServiceEntry>> {
        use consul_types::endpoint::Blocking;
        use consul_types::{QueryMeta, QueryOptions};
        let answers = std::sync::Mutex::new(std::collections::VecDeque::from(answers));
        Watch::new(QueryOptions::default(), Ok(Blocking::Index), move |_| {
            let next = answers.lock().unwrap().pop_front();
            async move {
                match next {
                    Some(Ok((index, ids))) => {
                        let mut meta = QueryMeta::default();
                        meta.last_index = index;
                        let value = ids.iter().map(|id| entry("n", id, "", 80)).collect();
                        Ok(QueryResponse { value, meta })
                    }
                    Some(Err(e)) => Err(e),
                    None => std::future::pending().await,
                }
            }
        })
    }

    fn leaderless() -> crate::Error {
        crate::Error::Status {
            code: http::StatusCode::INTERNAL_SERVER_ERROR,
            body: "No cluster leader".into(),
            retry_after: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_is_cleared_when_the_datacenter_answers_again_unchanged() {
        let watch = scripted(vec![
            Ok((5, vec!["a"])),
            Err(leaderless()),
            Ok((6, vec!["a"])),
        ]);
        let (tx, mut rx) = watch::channel(State::default());
        let task = tokio::spawn(run(
            "web".into(),
            vec![Some(watch)],
            vec![Datacenter::default()],
            tx,
        ));
        let state = rx.wait_for(|s| s.error.is_some()).await.unwrap().clone();
        assert_eq!(state.instances.len(), 1, "the last good set is kept");
        // (Virtual time: a lost recovery fails in an instant instead of hanging.)
        let cleared =
            tokio::time::timeout(Duration::from_secs(600), rx.wait_for(|s| s.error.is_none()));
        let state = cleared.await.expect("the error cleared").unwrap().clone();
        assert_eq!(state.instances.len(), 1);
        drop(rx);
        task.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_datacenter_that_never_answers_is_skipped_once_it_fails() {
        let nowhere = scripted(vec![Err(leaderless())]);
        let dc2 = scripted(vec![Ok((3, vec!["b"]))]);
        let named = |n: &str| Datacenter {
            name: Some(n.into()),
            ..Datacenter::default()
        };
        let (tx, mut rx) = watch::channel(State::default());
        tokio::spawn(run(
            "web".into(),
            vec![Some(nowhere), Some(dc2)],
            vec![named("nowhere"), named("dc2")],
            tx,
        ));
        let state = rx
            .wait_for(|s| s.instances.is_resolved())
            .await
            .unwrap()
            .clone();
        assert_eq!(state.instances.datacenter(), Some("dc2"));
        assert!(state.error.is_some());
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
