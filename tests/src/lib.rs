//! Shared helpers of the integration tests (see `tests/*.rs`): every test talks to a real
//! Consul agent started by `consul-test`.

pub mod gate;

use consul_transport::mock::Recording;
use consul_transport::HyperTransport;
use consulate::Client;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use consul_test::{unique_prefix, Cluster, Federation, TestAgent};

/// A client for `agent` whose transport records every request, so a test can prove what
/// was sent (or that nothing was).
pub fn recording_client(agent: &TestAgent) -> (Client, Arc<Recording<HyperTransport>>) {
    let recorder = Arc::new(Recording::new(HyperTransport::new()));
    let client = Client::with_transport(agent.config(), Arc::clone(&recorder))
        .expect("valid test configuration");
    (client, recorder)
}

/// Polls `f` every 50 ms until it returns `Some`, for at most 15 s, for states that
/// Consul reaches asynchronously (gossip, anti-entropy) and no blocking query reports.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Everything `tracing` logs (at every level, spans included) on this thread while the
/// capture lives, for tests that prove what is — and is not — logged.
///
/// Use it with `#[tokio::test]` (a current-thread runtime), so the client's work is logged
/// on the thread that set the capture.
///
/// One subscriber for the whole process, listening to everything, writes each line to the
/// capture of the thread that logs it (or nowhere). A subscriber per test thread instead
/// misses events: other tests of the process, running at the same time without one, make
/// tracing cache "nobody listens" for call sites they reach first.
#[derive(Debug)]
pub struct LogCapture {
    buffer: LogBuffer,
}

#[derive(Clone, Debug, Default)]
struct LogBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    /// Where this thread's log lines go while a capture lives.
    static CAPTURE: std::cell::RefCell<Option<LogBuffer>> = const { std::cell::RefCell::new(None) };
}

/// Writes to the capture of the thread that logs, if it has one.
struct ThreadCapture;

impl std::io::Write for ThreadCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|capture| match capture.borrow_mut().as_mut() {
            Some(buffer) => buffer.write(buf),
            None => Ok(buf.len()),
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    /// Starts capturing.
    pub fn start() -> Self {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(|| ThreadCapture)
                .with_ansi(false)
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
                .finish();
            // A test binary that installed its own global subscriber keeps it.
            let _ = tracing::subscriber::set_global_default(subscriber);
            tracing::callsite::rebuild_interest_cache();
        });
        let buffer = LogBuffer::default();
        CAPTURE.with(|capture| *capture.borrow_mut() = Some(buffer.clone()));
        LogCapture { buffer }
    }

    /// What was logged so far.
    pub fn text(&self) -> String {
        let bytes = self.buffer.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        CAPTURE.with(|capture| *capture.borrow_mut() = None);
    }
}

/// The next answer of `watch` for which `done` holds (a watch may first yield unrelated
/// changes, such as the agent's own node being updated); at most 10 s, then the test fails
/// naming `what` it waited for.
pub async fn next_until<T: Clone + PartialEq + Send + 'static>(
    watch: &mut consulate::Watch<T>,
    what: &str,
    done: impl Fn(&T) -> bool,
) -> consulate::QueryResponse<T> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let change = watch
                .next()
                .await
                .expect("a watch does not end")
                .expect("a watch read");
            if done(&change.value) {
                return change;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for the watch to see {what}"))
}

/// The next change `watch` yields; at most 10 s.
pub async fn next_change<T: Clone + PartialEq + Send + 'static>(
    watch: &mut consulate::Watch<T>,
) -> consulate::QueryResponse<T> {
    tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("a change wakes the watch")
        .expect("a watch does not end")
        .expect("the read succeeds")
}

/// Checks that `err` is the `Error::Unsupported` by which consulate reports that the 1.8.7
/// agent under test does not serve `/v1/{path}` (an endpoint of Consul Enterprise or of a
/// later version); `call` names the call in failure messages.
pub fn assert_unsupported_on_1_8_7(call: &str, err: &consulate::Error, path: &str) {
    match err {
        consulate::Error::Unsupported {
            path: p,
            agent_version,
        } => {
            assert_eq!(p, path, "{call}");
            assert_eq!(agent_version.as_deref(), Some("1.8.7"), "{call}");
        }
        other => panic!("{call}: expected Unsupported, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("the consul agent (version 1.8.7) does not serve /v1/{path}"),
        "{call}"
    );
}
