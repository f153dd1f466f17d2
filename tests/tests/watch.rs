//! Watches against a real agent that restarts under them, and against a loopback server that
//! answers every blocking read at once without an index.

use consul_integration_tests::{unique_prefix, TestAgent};
use consulate::{Client, Error};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn a_watch_resyncs_at_once_after_the_agent_restarts_with_fresh_state() {
    let mut agent = TestAgent::dev().await;
    let client = agent.client();
    let kv = client.kv();
    let key = format!("{}restarted", unique_prefix("watch"));
    // Move the index well past where a fresh agent starts, so a remembered index would
    // block on the restarted agent until the wait ran out (5 minutes by default).
    for i in 0..40 {
        kv.put(format!("{key}-filler"), i.to_string())
            .await
            .unwrap();
    }
    kv.put(&key, "before").await.unwrap();
    // A watch as applications run one: a task reading it all the time.
    let mut watch = kv.get(&key).watch();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(item) = watch.next().await {
            if tx.send(item).is_err() {
                return;
            }
        }
    });
    let first = rx.recv().await.unwrap().unwrap();
    assert_eq!(first.value.unwrap().value_str(), Some("before"));
    let high_index = first.meta.last_index;
    assert!(high_index > 40);

    agent.restart().await.unwrap();
    kv.put(&key, "after").await.unwrap();
    let written = Instant::now();
    let mut errors = 0;
    let seen = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match rx.recv().await.unwrap() {
                // The read in flight when the agent died fails, typed.
                Err(e) => {
                    assert!(e.as_transport().is_some(), "{e:?}");
                    errors += 1;
                }
                Ok(change) => {
                    if change.value.as_ref().and_then(|p| p.value_str()) == Some("after") {
                        return change;
                    }
                }
            }
        }
    })
    .await
    .expect("the change after the restart arrives, without waiting out the old index");
    let took = written.elapsed();
    println!("change after restart seen in {took:?}, after {errors} failed reads");
    assert!(seen.meta.last_index < high_index, "a fresh agent's index");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_server_that_never_blocks_does_not_make_a_watch_spin() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counted = Arc::clone(&counted);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut seen = Vec::new();
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    // Answer each request head at once: a KV pair, no X-Consul-Index.
                    while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        seen.drain(..end + 4);
                        counted.fetch_add(1, Ordering::SeqCst);
                        let body = r#"[{"Key":"k","Value":"dg==","Flags":0,"CreateIndex":1,"ModifyIndex":1,"LockIndex":0}]"#;
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if stream.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    let client = Client::builder()
        .address(&format!("http://{addr}"))
        .build()
        .unwrap();
    let mut watch = client.kv().get("k").watch();
    assert!(watch.next().await.unwrap().unwrap().value.is_some());
    let started = Instant::now();
    let more = tokio::time::timeout(Duration::from_secs(2), watch.next()).await;
    assert!(more.is_err(), "nothing changed, so nothing is yielded");
    let n = requests.load(Ordering::SeqCst);
    let rate = n as f64 / started.elapsed().as_secs_f64();
    println!("{n} requests in {:?}: {rate:.1}/s", started.elapsed());
    assert!(rate < 15.0, "{rate:.1} requests/s");
}

#[tokio::test]
async fn an_invalid_watch_reports_once_and_ends() {
    let agent = TestAgent::dev().await;
    let mut watch = agent.client().kv().get("a/../b").watch();
    let err = watch.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(watch.next().await.is_none());
}
