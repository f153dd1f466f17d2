//! Identical blocking reads in flight share one request: checked on a transport that holds
//! every request until the test answers it (no agent needed).
#![cfg(feature = "kv")]

use bytes::Bytes;
use consul_api::{Client, Config};
use consul_transport::{Transport, TransportError, TransportFuture};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, Notify};

/// One request the transport holds: what was sent, and how to answer it.
struct Held {
    uri: String,
    method: http::Method,
    answer: oneshot::Sender<Result<http::Response<Bytes>, TransportError>>,
}

/// A transport that holds each request until the test answers it, and counts the
/// exchanges that were cancelled (their future dropped before an answer).
#[derive(Clone, Default)]
struct Holding {
    held: Arc<Mutex<Vec<Held>>>,
    arrived: Arc<Notify>,
    cancelled: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Holding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Holding")
    }
}

/// Counts a cancellation when dropped before `done`.
struct Cancelled(Arc<AtomicUsize>, bool);

impl Drop for Cancelled {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Transport for Holding {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        let (answer, answered) = oneshot::channel();
        self.held.lock().unwrap().push(Held {
            uri: request.uri().to_string(),
            method: request.method().clone(),
            answer,
        });
        self.arrived.notify_waiters();
        let guard = Cancelled(Arc::clone(&self.cancelled), false);
        Box::pin(async move {
            let mut guard = guard;
            let result = answered
                .await
                .unwrap_or_else(|_| Err(TransportError::other("the test dropped the request")));
            guard.1 = true;
            result
        })
    }
}

impl Holding {
    fn count(&self) -> usize {
        self.held.lock().unwrap().len()
    }

    /// Waits until `n` requests have arrived in all (at most 5 s).
    async fn until(&self, n: usize) {
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                let arrived = self.arrived.notified();
                if self.count() >= n {
                    return;
                }
                arrived.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{n} requests never arrived ({} did)", self.count()));
    }

    /// Answers every request held so far with a KV pair at `index`.
    fn answer_all(&self, index: u64) {
        let held: Vec<Held> = std::mem::take(&mut *self.held.lock().unwrap());
        for h in held {
            let _ = h.answer.send(Ok(kv_answer(index)));
        }
    }

    fn uris(&self) -> Vec<String> {
        self.held
            .lock()
            .unwrap()
            .iter()
            .map(|h| h.uri.clone())
            .collect()
    }
}

fn kv_answer(index: u64) -> http::Response<Bytes> {
    let body = format!(
        r#"[{{"Key":"k","Value":"djE=","CreateIndex":1,"ModifyIndex":{index},"LockIndex":0,"Flags":0}}]"#
    );
    http::Response::builder()
        .header("x-consul-index", index.to_string())
        .body(Bytes::from(body))
        .unwrap()
}

fn client(transport: &Holding, coalesce: bool) -> Client {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("secret".into());
    config.coalesce_blocking_reads = coalesce;
    // The failures these tests hand out are each reader's to see, not to retry.
    config.retry = consul_api::RetryPolicy::none();
    Client::with_transport(config, transport.clone()).unwrap()
}

/// `n` identical blocking reads of `k` at `index`, each in its own task.
fn blocking_reads(
    client: &Client,
    n: usize,
    index: u64,
) -> Vec<
    tokio::task::JoinHandle<
        consul_api::Result<consul_api::QueryResponse<Option<consul_api::types::kv::KvPair>>>,
    >,
> {
    (0..n)
        .map(|_| {
            let read = client.kv().get("k").wait(index, Duration::from_secs(60));
            tokio::spawn(read.into_future())
        })
        .collect()
}

use std::future::IntoFuture;

#[tokio::test]
async fn identical_blocking_reads_share_one_request_and_all_get_the_answer() {
    let transport = Holding::default();
    let client = client(&transport, true);
    let reads = blocking_reads(&client, 20, 5);
    transport.until(1).await;
    // Let every task run up to its read.
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert_eq!(transport.count(), 1, "one request for twenty readers");
    transport.answer_all(6);
    for read in reads {
        let got = read.await.unwrap().unwrap();
        assert_eq!(got.meta.last_index, 6);
        assert_eq!(got.value.unwrap().value_str(), Some("v1"));
    }
    // Over: the next identical read is a request of its own.
    let again = blocking_reads(&client, 1, 5);
    transport.until(1).await;
    transport.answer_all(7);
    assert_eq!(
        again
            .into_iter()
            .next()
            .unwrap()
            .await
            .unwrap()
            .unwrap()
            .meta
            .last_index,
        7
    );
}

#[tokio::test]
async fn reads_that_differ_are_not_shared() {
    let transport = Holding::default();
    let client = client(&transport, true);
    let mut reads = blocking_reads(&client, 3, 5);
    reads.extend(blocking_reads(&client, 3, 6));
    // Another token is another request (Consul may answer it differently).
    let other = client
        .kv()
        .get("k")
        .token("other")
        .wait(5, Duration::from_secs(60));
    reads.push(tokio::spawn(other.into_future()));
    // Another wait time too.
    let shorter = client.kv().get("k").wait(5, Duration::from_secs(30));
    reads.push(tokio::spawn(shorter.into_future()));
    transport.until(4).await;
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    let mut uris = transport.uris();
    uris.sort();
    assert_eq!(uris.len(), 4, "{uris:?}");
    transport.answer_all(9);
    for read in reads {
        assert_eq!(read.await.unwrap().unwrap().meta.last_index, 9);
    }
}

#[tokio::test]
async fn reads_that_do_not_block_and_writes_are_never_shared() {
    let transport = Holding::default();
    let client = client(&transport, true);
    let gets: Vec<_> = (0..3)
        .map(|_| tokio::spawn(client.kv().get("k").into_future()))
        .collect();
    let puts: Vec<_> = (0..3)
        .map(|_| tokio::spawn(client.kv().put("k", "v").into_future()))
        .collect();
    transport.until(6).await;
    let methods: Vec<_> = transport
        .held
        .lock()
        .unwrap()
        .iter()
        .map(|h| h.method.clone())
        .collect();
    assert_eq!(
        methods.iter().filter(|m| **m == http::Method::GET).count(),
        3
    );
    assert_eq!(
        methods.iter().filter(|m| **m == http::Method::PUT).count(),
        3
    );
    let held: Vec<Held> = std::mem::take(&mut *transport.held.lock().unwrap());
    for h in held {
        let response = if h.method == http::Method::PUT {
            http::Response::new(Bytes::from_static(b"true"))
        } else {
            kv_answer(3)
        };
        let _ = h.answer.send(Ok(response));
    }
    for get in gets {
        assert!(get.await.unwrap().unwrap().value.is_some());
    }
    for put in puts {
        assert!(put.await.unwrap().unwrap().value);
    }
}

#[tokio::test]
async fn without_coalescing_each_read_is_sent() {
    let transport = Holding::default();
    let client = client(&transport, false);
    let reads = blocking_reads(&client, 5, 5);
    transport.until(5).await;
    assert_eq!(transport.count(), 5);
    transport.answer_all(6);
    for read in reads {
        assert_eq!(read.await.unwrap().unwrap().meta.last_index, 6);
    }
}

#[tokio::test]
async fn the_first_reader_giving_up_does_not_cancel_the_others_and_the_last_one_does() {
    let transport = Holding::default();
    let client = client(&transport, true);
    let mut reads = blocking_reads(&client, 3, 5);
    transport.until(1).await;
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    // The one that started the request goes away.
    let first = reads.remove(0);
    first.abort();
    let _ = first.await;
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        transport.cancelled.load(Ordering::SeqCst),
        0,
        "still wanted"
    );
    transport.answer_all(6);
    for read in reads {
        assert_eq!(read.await.unwrap().unwrap().meta.last_index, 6);
    }
    assert_eq!(transport.cancelled.load(Ordering::SeqCst), 0);

    // Everybody goes away: the request is cancelled.
    let reads = blocking_reads(&client, 3, 6);
    transport.until(1).await;
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    for read in reads {
        read.abort();
        let _ = read.await;
    }
    tokio::time::timeout(Duration::from_secs(5), async {
        while transport.cancelled.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the shared request is cancelled with its last reader");
    // And forgotten: the next read sends anew.
    let next = blocking_reads(&client, 1, 6);
    transport.until(2).await;
    transport.answer_all(8);
    assert_eq!(
        next.into_iter()
            .next()
            .unwrap()
            .await
            .unwrap()
            .unwrap()
            .meta
            .last_index,
        8
    );
}

#[tokio::test]
async fn a_failed_exchange_reaches_every_reader() {
    let transport = Holding::default();
    let client = client(&transport, true);
    let reads = blocking_reads(&client, 4, 5);
    transport.until(1).await;
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert_eq!(transport.count(), 1);
    let held: Vec<Held> = std::mem::take(&mut *transport.held.lock().unwrap());
    for h in held {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let _ = h.answer.send(Err(
            TransportError::connect(refused).with_target("127.0.0.1:8500")
        ));
    }
    for read in reads {
        let err = read.await.unwrap().unwrap_err();
        let transport = err.as_transport().expect("a transport error");
        assert!(transport.is_connect(), "{err:?}");
        assert_eq!(transport.to_string(), "connect to 127.0.0.1:8500: refused");
    }
}

#[tokio::test]
async fn a_shared_error_status_is_each_readers_own_error() {
    let transport = Holding::default();
    let client = client(&transport, true);
    let reads = blocking_reads(&client, 3, 5);
    transport.until(1).await;
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    let held: Vec<Held> = std::mem::take(&mut *transport.held.lock().unwrap());
    for h in held {
        let mut response = http::Response::new(Bytes::from_static(b"No cluster leader"));
        *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        let _ = h.answer.send(Ok(response));
    }
    for read in reads {
        let err = read.await.unwrap().unwrap_err();
        assert_eq!(err.status(), Some(http::StatusCode::INTERNAL_SERVER_ERROR));
        assert!(err.to_string().contains("No cluster leader"), "{err}");
    }
}
