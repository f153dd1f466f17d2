//! A transport that holds back chosen requests on their way to a real agent, to show
//! what a client does while Consul cannot answer (a slow session read, a partition).

use bytes::Bytes;
use consul_transport::{
    HyperTransport, RequestTimeout, Transport, TransportError, TransportFuture,
};
use consulate::{Client, Config};
use std::fmt;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

type Rule = Box<dyn Fn(&http::Request<Bytes>) -> bool + Send + Sync>;

/// Forwards requests to the agent, except those matching the rule set by [`Gate::hold`]:
/// they wait until [`Gate::open`] (or until their own time limit, which then fails them
/// as a timeout, as an unanswered request would).
pub struct Gate {
    inner: HyperTransport,
    rule: Mutex<Option<Rule>>,
    /// How many requests were held so far.
    held: watch::Sender<usize>,
    opened: watch::Sender<bool>,
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("held", &*self.held.borrow())
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// A client of `config` whose requests pass through a new gate (open at first).
    pub fn client(config: Config) -> (Client, Arc<Gate>) {
        let gate = Arc::new(Gate {
            inner: HyperTransport::new(),
            rule: Mutex::new(None),
            held: watch::channel(0).0,
            opened: watch::channel(false).0,
        });
        let client = Client::with_transport(config, Arc::clone(&gate)).expect("valid config");
        (client, gate)
    }

    /// From now on, holds every request for which `rule` is true.
    pub fn hold(&self, rule: impl Fn(&http::Request<Bytes>) -> bool + Send + Sync + 'static) {
        self.opened.send_replace(false);
        *self.rule.lock().unwrap() = Some(Box::new(rule));
    }

    /// Lets the held requests (and every later one) through.
    pub fn open(&self) {
        *self.rule.lock().unwrap() = None;
        self.opened.send_replace(true);
    }

    /// Waits until at least `n` requests have been held.
    pub async fn held(&self, n: usize) {
        let mut rx = self.held.subscribe();
        rx.wait_for(|held| *held >= n).await.expect("gate alive");
    }
}

impl Transport for Gate {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        let hold = self
            .rule
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|r| r(&request));
        if !hold {
            return self.inner.send(request);
        }
        let mut opened = self.opened.subscribe();
        self.held.send_modify(|n| *n += 1);
        let limit = request.extensions().get::<RequestTimeout>().map(|t| t.0);
        Box::pin(async move {
            let wait = opened.wait_for(|open| *open);
            let passed = match limit {
                Some(limit) => tokio::time::timeout(limit, wait).await.is_ok(),
                None => wait.await.is_ok(),
            };
            if !passed {
                return Err(TransportError::timeout("held by the test's gate"));
            }
            self.inner.send(request).await
        })
    }
}
