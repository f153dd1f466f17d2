//! HTTP/2 over TLS with as many connections as the requests in flight need.
//!
//! hyper-util's pooled client keeps one HTTP/2 connection per agent and queues every
//! request beyond the agent's `SETTINGS_MAX_CONCURRENT_STREAMS` behind it: the 251st
//! blocking query would wait minutes for one of the first 250 to return. This pool puts at
//! most `max_streams` requests on a connection and opens another one when all are full.
//!
//! - A request takes a place on the first open connection with room (so connections fill
//!   up one after the other and the spare ones go idle and close), else on a connection
//!   being opened with room, else it opens a new connection. Connecting runs in a task of
//!   its own: a caller that gives up does not cancel it for the others waiting on it, who
//!   share its outcome (an error included).
//! - A request waiting for a connection being opened takes room freed on an open one
//!   meanwhile, so it never waits on a connection the agent's cap holds back while
//!   another has room; a connection nobody waits for any more is not opened.
//! - The place is held until the response body is read or dropped ([`Lease`]).
//! - A connection's limit is the setting, lowered to the agent's own
//!   `SETTINGS_MAX_CONCURRENT_STREAMS` once that has arrived (and remembered for the next
//!   connections to the same agent).
//! - A connection with no request for the idle timeout is closed.
//! - An agent whose TLS does not offer `h2` is remembered, and its requests go back to
//!   the HTTP/1.1 pool.
//! - Every connection holds a place under the agent's connection cap, like any other.
//! - Connections are driven with the `h2` crate (hyper's own HTTP/2) directly, not through
//!   hyper's client: hyper spawns a task for every request whose size is that of the task
//!   driving the whole connection (1.4 KB), which ten thousand watches pay ten thousand
//!   times. Here a request is its stream's response future, polled by the caller. Pings
//!   keep the connection honest as hyper's would ([`KeepAlive`]).

use super::{map_connect_error, tls_watch, unbox, Conn, Connector, Gated, Limits, Target};
use crate::TransportError;
use bytes::Bytes;
use hyper::body::{Body, Frame};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

type Request = http::Request<Bytes>;
/// The connection's I/O is boxed: the TLS session is over a kilobyte, and the driver is
/// moved into its task once.
type Driver = ::h2::client::Connection<TokioIo<Box<Conn>>, Bytes>;

/// How many times a request that no connection took (it closed just then) is tried again.
const UNSENT_RETRIES: usize = 3;

/// What the pool is made with.
pub(super) struct Settings {
    pub(super) connector: Connector,
    pub(super) builder: ::h2::client::Builder,
    pub(super) keep_alive: KeepAlive,
    pub(super) max_streams: usize,
    pub(super) idle_timeout: Option<Duration>,
    pub(super) connect_timeout: Option<Duration>,
}

/// HTTP/2 pings: every `interval` (while requests are in flight, or always with
/// `while_idle`), a ping the agent must answer within `timeout`, else the connection is
/// closed and its requests fail at once rather than wait out their time limit on a
/// connection that died silently (a host gone from the network).
#[derive(Clone, Copy, Debug)]
pub(super) struct KeepAlive {
    pub(super) interval: Option<Duration>,
    pub(super) timeout: Duration,
    pub(super) while_idle: bool,
}

/// The HTTP/2 connections of one transport, per agent.
pub(super) struct Pool {
    settings: Settings,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

/// What became of a request given to the pool.
pub(super) enum Sent {
    /// The agent answered; the lease holds the request's place until it is dropped.
    Response(http::Response<H2Body>, Lease),
    /// The agent does not speak HTTP/2 (its TLS did not offer `h2`): the request, unsent,
    /// for the HTTP/1.1 pool.
    Http1(Box<Request>),
}

/// The connections of one agent.
struct Host {
    key: String,
    state: Mutex<HostState>,
    /// Connections being opened (kept beside the state so a finishing request can look
    /// without the lock).
    openings: AtomicUsize,
    /// Room was freed on an open connection.
    room: Notify,
}

#[derive(Default)]
struct HostState {
    open: Vec<Arc<H2Conn>>,
    opening: Vec<Arc<Opening>>,
    /// The agent's TLS did not offer HTTP/2.
    http1: bool,
    /// The streams per connection the agent announced last, if lower than the setting.
    announced: Option<usize>,
}

impl Host {
    fn state(&self) -> MutexGuard<'_, HostState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One HTTP/2 connection.
struct H2Conn {
    sender: ::h2::client::SendRequest<Bytes>,
    /// Why the client closed it (an unanswered ping), for the errors of its requests.
    failure: OnceLock<String>,
    host: Weak<Host>,
    /// Requests on it (in flight, or waiting for it while it was opened). Raised only
    /// under the host's lock, and only up to `limit`.
    load: AtomicUsize,
    /// How many requests it may carry: the setting, or less if the agent said so.
    limit: AtomicUsize,
    /// Retired (idle too long) or ended.
    closed: AtomicBool,
    /// When its last request ended.
    idle_since: Mutex<Instant>,
    /// What the connector said of it, holding the TLS error that may end it.
    connected: Connected,
}

impl H2Conn {
    fn is_usable(&self) -> bool {
        !self.closed.load(Ordering::Acquire)
    }

    fn has_room(&self) -> bool {
        self.is_usable() && self.load.load(Ordering::Acquire) < self.limit.load(Ordering::Acquire)
    }

    fn release(&self) {
        if self.load.fetch_sub(1, Ordering::AcqRel) == 1 {
            *self.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        }
        if let Some(host) = self.host.upgrade() {
            if host.openings.load(Ordering::Acquire) > 0 {
                host.room.notify_waiters();
            }
        }
    }

    /// How long it has carried nothing (zero while it carries something).
    fn idle_for(&self) -> Duration {
        if self.load.load(Ordering::Acquire) > 0 {
            return Duration::ZERO;
        }
        self.idle_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed()
    }

    /// A failed exchange: why the client closed the connection, or the TLS error that
    /// ended it (the agent refusing our certificate) when there is one, else h2's.
    fn error(&self, e: ::h2::Error) -> TransportError {
        if let Some(failure) = self.failure.get() {
            return TransportError::io(failure.clone());
        }
        tls_error(&self.connected).unwrap_or_else(|| TransportError::io(e))
    }
}

/// The TLS error that ended a connection, if any: a refused session (the agent's alert
/// about our certificate) means nothing was processed, as a failed connect.
fn tls_error(connected: &Connected) -> Option<TransportError> {
    let failure = tls_watch::failure(connected)?;
    Some(if tls_watch::refused_session(&failure) {
        TransportError::connect(failure)
    } else {
        TransportError::io(failure)
    })
}

/// A connection being opened, and the requests waiting for it.
struct Opening {
    /// Requests waiting (changed only under the host's lock).
    reserved: AtomicUsize,
    outcome: watch::Receiver<Option<Outcome>>,
    /// The connection, once open.
    conn: OnceLock<Arc<H2Conn>>,
}

#[derive(Clone)]
enum Outcome {
    Open,
    Http1,
    Failed(TransportError),
}

/// A request's place on a connection, given back when dropped.
pub(super) struct Lease {
    conn: Arc<H2Conn>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.conn.release();
    }
}

/// A request's place on a connection being opened.
struct Ticket {
    host: Arc<Host>,
    opening: Arc<Opening>,
    /// Turned into a lease: the place is the lease's now.
    used: bool,
}

impl Ticket {
    /// The lease on the opened connection, or on room freed elsewhere first; `None` when
    /// the agent speaks HTTP/1.1 only.
    async fn wait(mut self) -> Result<Option<Lease>, TransportError> {
        let mut outcome = self.opening.outcome.clone();
        let host = Arc::clone(&self.host);
        loop {
            let mut room = pin!(host.room.notified());
            // Registered before looking, so room freed from here on is not missed.
            room.as_mut().enable();
            if let Some(lease) = self.take_room() {
                return Ok(Some(lease));
            }
            let mut settled = pin!(outcome.wait_for(Option::is_some));
            let woke = std::future::poll_fn(|cx| {
                if let Poll::Ready(seen) = settled.as_mut().poll(cx) {
                    return Poll::Ready(Some(seen.ok().and_then(|s| s.clone())));
                }
                room.as_mut().poll(cx).map(|()| None)
            })
            .await;
            let Some(outcome) = woke else {
                continue; // room somewhere: look again
            };
            return match outcome {
                Some(Outcome::Open) => {
                    let conn = self.opening.conn.get().cloned().ok_or_else(|| {
                        TransportError::other("an opened HTTP/2 connection went missing")
                    })?;
                    // Its load already counts this ticket.
                    self.used = true;
                    Ok(Some(Lease { conn }))
                }
                Some(Outcome::Http1) => Ok(None),
                Some(Outcome::Failed(e)) => Err(e),
                None => Err(TransportError::other(
                    "the connection attempt ended without an outcome",
                )),
            };
        }
    }

    /// Moves to room on an open connection, while the awaited one is not open yet.
    fn take_room(&mut self) -> Option<Lease> {
        let state = self.host.state();
        if self.opening.conn.get().is_some() {
            return None; // opened: its outcome is there to take
        }
        let conn = state.open.iter().find(|c| c.has_room())?;
        conn.load.fetch_add(1, Ordering::AcqRel);
        self.opening.reserved.fetch_sub(1, Ordering::AcqRel);
        self.used = true;
        Some(Lease {
            conn: Arc::clone(conn),
        })
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.used {
            return;
        }
        // Under the lock, so the connection being opened and this ticket agree on who
        // holds the place.
        let _state = self.host.state();
        match self.opening.conn.get() {
            Some(conn) => conn.release(),
            None => {
                self.opening.reserved.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }
}

enum Route {
    Lease(Lease),
    Wait(Ticket),
    Http1,
}

/// A request's place, as [`Pool::send`] waits for it.
enum Place {
    Lease(Lease),
    /// The lease once a connection is open or has room; `None` when the agent speaks
    /// HTTP/1.1 only.
    Wait(Pin<Box<dyn Future<Output = Result<Option<Lease>, TransportError>> + Send>>),
    Http1,
}

impl Pool {
    pub(super) fn new(settings: Settings) -> Self {
        Pool {
            settings,
            hosts: Mutex::default(),
        }
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        // Looked up before inserting: the key is copied only for a new agent.
        if let Some(host) = hosts.get(key) {
            return Arc::clone(host);
        }
        let host = Arc::new(Host {
            key: key.to_owned(),
            state: Mutex::default(),
            openings: AtomicUsize::new(0),
            room: Notify::new(),
        });
        hosts.insert(key.to_owned(), Arc::clone(&host));
        host
    }

    fn limits(&self) -> &Arc<Limits> {
        &self.settings.connector.limits
    }

    /// Sends `request` on a connection to the agent `key` with room for it, opening one
    /// when none has.
    ///
    /// A blocking read holds this future for minutes, ten thousand at a time: while it
    /// waits for the answer it holds only the connection's lease and hyper's response
    /// future. Waiting for a connection (rare, and a larger future) is boxed.
    pub(super) async fn send(
        self: &Arc<Self>,
        key: &str,
        request: Box<Request>,
        target: &Target,
    ) -> Result<Sent, TransportError> {
        let mut retries = 0;
        loop {
            let lease = match self.place(key, request.uri(), target) {
                Place::Http1 => return Ok(Sent::Http1(request)),
                Place::Lease(lease) => lease,
                Place::Wait(wait) => match wait.await? {
                    Some(lease) => lease,
                    None => return Ok(Sent::Http1(request)),
                },
            };
            let mut sender = lease.conn.sender.clone();
            // At once unless the connection is gone: the pool keeps each connection under
            // the agent's stream limit.
            if std::future::poll_fn(|cx| sender.poll_ready(cx))
                .await
                .is_err()
            {
                // The connection closed before taking it: nothing was sent.
                lease.conn.closed.store(true, Ordering::Release);
                if retries < UNSENT_RETRIES {
                    retries += 1;
                    continue;
                }
                return Err(TransportError::io("the HTTP/2 connection closed").with_target(target));
            }
            let (parts, body) = unbox(request).into_parts();
            let mut head = http::Request::from_parts(parts, ());
            prepare_head(&mut head, &body);
            let end = body.is_empty();
            let response = match sender.send_request(head, end) {
                Ok((response, mut stream)) => {
                    if !end {
                        // Buffered by h2 beyond the stream's window, and sent as the agent
                        // grants more: the body is in memory already.
                        stream
                            .send_data(body, true)
                            .map_err(|e| lease.conn.error(e).with_target(target))?;
                    }
                    response
                }
                Err(e) => return Err(lease.conn.error(e).with_target(target)),
            };
            return match response.await {
                Ok(response) => Ok(Sent::Response(response.map(H2Body::new), lease)),
                Err(e) => Err(lease.conn.error(e).with_target(target)),
            };
        }
    }

    /// A place for a request on a connection to `key`: at once, or once a connection is
    /// opened or room is freed.
    fn place(self: &Arc<Self>, key: &str, uri: &http::Uri, target: &Target) -> Place {
        let host = self.host(key);
        match self.route(&host, uri, target) {
            Route::Http1 => Place::Http1,
            Route::Lease(lease) => Place::Lease(lease),
            Route::Wait(ticket) => Place::Wait(Box::pin(ticket.wait())),
        }
    }

    fn route(self: &Arc<Self>, host: &Arc<Host>, uri: &http::Uri, target: &Target) -> Route {
        let mut state = host.state();
        if state.http1 {
            return Route::Http1;
        }
        state.open.retain(|c| c.is_usable());
        if let Some(conn) = state.open.iter().find(|c| c.has_room()) {
            conn.load.fetch_add(1, Ordering::AcqRel);
            return Route::Lease(Lease {
                conn: Arc::clone(conn),
            });
        }
        let max = state.announced.unwrap_or(self.settings.max_streams);
        let opening = match state
            .opening
            .iter()
            .find(|o| o.reserved.load(Ordering::Acquire) < max)
        {
            Some(opening) => {
                opening.reserved.fetch_add(1, Ordering::AcqRel);
                Arc::clone(opening)
            }
            None => {
                let (tx, rx) = watch::channel(None);
                let opening = Arc::new(Opening {
                    reserved: AtomicUsize::new(1),
                    outcome: rx,
                    conn: OnceLock::new(),
                });
                state.opening.push(Arc::clone(&opening));
                host.openings.fetch_add(1, Ordering::AcqRel);
                tokio::spawn(Arc::clone(self).open(
                    Arc::clone(host),
                    Arc::clone(&opening),
                    tx,
                    origin_of(uri),
                    target.clone(),
                ));
                opening
            }
        };
        Route::Wait(Ticket {
            host: Arc::clone(host),
            opening,
            used: false,
        })
    }

    /// Opens a connection for the requests waiting on `opening` and tells them how it went.
    async fn open(
        self: Arc<Self>,
        host: Arc<Host>,
        opening: Arc<Opening>,
        tell: watch::Sender<Option<Outcome>>,
        origin: http::Uri,
        target: Target,
    ) {
        let result = self.connect(&host, &opening, origin, &target).await;
        if matches!(result, Ok(Made::Abandoned)) {
            // Taken out already; nobody waits for an outcome.
            return;
        }
        let outcome = {
            let mut state = host.state();
            state.opening.retain(|o| !Arc::ptr_eq(o, &opening));
            host.openings.fetch_sub(1, Ordering::AcqRel);
            match result {
                Ok(Made::Conn(conn)) => {
                    let waiting = opening.reserved.load(Ordering::Acquire);
                    conn.load.store(waiting, Ordering::Release);
                    let _ = opening.conn.set(Arc::clone(&conn));
                    state.open.push(conn);
                    Outcome::Open
                }
                Ok(Made::Http1 | Made::Abandoned) => {
                    state.http1 = true;
                    Outcome::Http1
                }
                Err(e) => Outcome::Failed(e),
            }
        };
        tell.send_replace(Some(outcome));
    }

    /// A new HTTP/2 connection for the requests waiting on `opening`.
    async fn connect(
        &self,
        host: &Arc<Host>,
        opening: &Arc<Opening>,
        origin: http::Uri,
        target: &Target,
    ) -> Result<Made, TransportError> {
        let gate = Arc::clone(&self.limits().host(&host.key).connections);
        let place = gate.acquire_owned().await.map_err(TransportError::other)?;
        {
            let mut state = host.state();
            if opening.reserved.load(Ordering::Acquire) == 0 {
                // Every request that waited found room elsewhere first: no connection.
                state.opening.retain(|o| !Arc::ptr_eq(o, opening));
                host.openings.fetch_sub(1, Ordering::AcqRel);
                return Ok(Made::Abandoned);
            }
        }
        let mut connector = self.settings.connector.clone();
        let stream = connector
            .open(origin)
            .await
            .map_err(|e| map_connect_error(e, self.settings.connect_timeout).with_target(target))?;
        let io = Gated::new(stream, Arc::clone(self.limits()), place);
        let connected = io.connected();
        if !connected.is_negotiated_h2() {
            return Ok(Made::Http1);
        }
        let handshake = self
            .settings
            .builder
            .handshake::<_, Bytes>(TokioIo::new(Box::new(io)));
        let (sender, driver) = match handshake.await {
            Ok(pair) => pair,
            Err(e) => {
                let e = tls_error(&connected).unwrap_or_else(|| TransportError::io(e));
                return Err(e.with_target(target));
            }
        };
        let announced = host.state().announced;
        let conn = Arc::new(H2Conn {
            sender,
            failure: OnceLock::new(),
            host: Arc::downgrade(host),
            load: AtomicUsize::new(0),
            limit: AtomicUsize::new(announced.unwrap_or(self.settings.max_streams)),
            closed: AtomicBool::new(false),
            idle_since: Mutex::new(Instant::now()),
            connected,
        });
        tokio::spawn(drive(
            driver,
            Arc::clone(&conn),
            self.settings.max_streams,
            self.settings.idle_timeout,
            self.settings.keep_alive,
        ));
        Ok(Made::Conn(conn))
    }
}

/// What opening a connection gave.
enum Made {
    Conn(Arc<H2Conn>),
    /// The agent's TLS did not offer HTTP/2.
    Http1,
    /// Nobody waited for it any more: not opened.
    Abandoned,
}

/// `scheme://authority/` of a request, what the connector connects to.
fn origin_of(uri: &http::Uri) -> http::Uri {
    let mut parts = http::uri::Parts::default();
    parts.scheme = uri.scheme().cloned();
    parts.authority = uri.authority().cloned();
    parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    http::Uri::from_parts(parts).unwrap_or_else(|_| uri.clone())
}

/// Runs a connection until it ends, until it has carried nothing for `idle`, or until a
/// ping goes unanswered. Keeps the connection's limit at what the agent allows.
async fn drive(
    driver: Driver,
    conn: Arc<H2Conn>,
    max_streams: usize,
    idle: Option<Duration>,
    keep_alive: KeepAlive,
) {
    let mut driver = Box::pin(driver);
    let mut timer = idle.map(|idle| Box::pin(tokio::time::sleep(idle)));
    let mut pinger = keep_alive
        .interval
        .and_then(|interval| Some(Pinger::new(driver.ping_pong()?, interval, keep_alive)));
    std::future::poll_fn(|cx| {
        if driver.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        let allowed = driver.max_concurrent_send_streams().clamp(1, max_streams);
        if conn.limit.swap(allowed, Ordering::AcqRel) != allowed {
            if let Some(host) = conn.host.upgrade() {
                host.state().announced = (allowed < max_streams).then_some(allowed);
            }
        }
        if let Some(pinger) = pinger.as_mut() {
            if let Err(failure) = pinger.poll(cx, &conn) {
                // Its requests fail with this, not with h2's "connection closed".
                let _ = conn.failure.set(failure);
                return Poll::Ready(());
            }
        }
        if let (Some(timer), Some(idle)) = (timer.as_mut(), idle) {
            while timer.as_mut().poll(cx).is_ready() {
                let idle_for = conn.idle_for();
                if idle_for >= idle && retire(&conn) {
                    return Poll::Ready(());
                }
                let rest = idle.saturating_sub(idle_for).max(Duration::from_millis(1));
                timer.as_mut().reset(Instant::now() + rest);
            }
        }
        Poll::Pending
    })
    .await;
    conn.closed.store(true, Ordering::Release);
    // Dropping the driver ends the connection: every stream still open on it fails.
}

/// The keep-alive pings of one connection.
struct Pinger {
    ping_pong: ::h2::PingPong,
    settings: KeepAlive,
    interval: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
    /// A ping is out, and `timer` is its deadline.
    awaiting: bool,
}

impl Pinger {
    fn new(ping_pong: ::h2::PingPong, interval: Duration, settings: KeepAlive) -> Self {
        Pinger {
            ping_pong,
            settings,
            interval,
            timer: Box::pin(tokio::time::sleep(interval)),
            awaiting: false,
        }
    }

    /// Sends the pings that are due and takes their pongs; `Err` with the reason when the
    /// connection must be closed.
    fn poll(&mut self, cx: &mut Context<'_>, conn: &H2Conn) -> Result<(), String> {
        loop {
            if self.awaiting {
                match self.ping_pong.poll_pong(cx) {
                    Poll::Ready(Ok(_)) => {
                        self.awaiting = false;
                        let next = Instant::now() + self.interval;
                        self.timer.as_mut().reset(next);
                        continue;
                    }
                    Poll::Ready(Err(e)) => return Err(format!("HTTP/2 ping failed: {e}")),
                    Poll::Pending => {}
                }
                if self.timer.as_mut().poll(cx).is_ready() {
                    return Err(format!(
                        "HTTP/2 keep-alive timed out: no answer to a ping within {:?}",
                        self.settings.timeout
                    ));
                }
                return Ok(());
            }
            if self.timer.as_mut().poll(cx).is_pending() {
                return Ok(());
            }
            let busy = conn.load.load(Ordering::Acquire) > 0;
            if self.settings.while_idle || busy {
                self.ping_pong
                    .send_ping(::h2::Ping::opaque())
                    .map_err(|e| format!("HTTP/2 ping failed: {e}"))?;
                self.awaiting = true;
                let deadline = Instant::now() + self.settings.timeout;
                self.timer.as_mut().reset(deadline);
            } else {
                let next = Instant::now() + self.interval;
                self.timer.as_mut().reset(next);
            }
        }
    }
}

/// Makes a request's head fit for HTTP/2, as hyper does: no connection-specific headers
/// (HTTP/2 forbids them), and the body's length when it has one.
fn prepare_head(head: &mut http::Request<()>, body: &Bytes) {
    use http::header::{CONNECTION, CONTENT_LENGTH, HOST, TE, TRANSFER_ENCODING, UPGRADE};
    let headers = head.headers_mut();
    for name in [CONNECTION, TRANSFER_ENCODING, UPGRADE, HOST] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
    headers.remove("proxy-connection");
    if headers.get(TE).is_some_and(|te| te != "trailers") {
        headers.remove(TE);
    }
    if !body.is_empty() && !headers.contains_key(CONTENT_LENGTH) {
        headers.insert(CONTENT_LENGTH, http::HeaderValue::from(body.len()));
    }
}

/// The body of an HTTP/2 response: the stream's data, its window given back to the agent
/// as it is read.
pub(super) struct H2Body {
    stream: ::h2::RecvStream,
    /// The data is read; trailers (if any) next.
    data_done: bool,
}

impl H2Body {
    fn new(stream: ::h2::RecvStream) -> Self {
        H2Body {
            stream,
            data_done: false,
        }
    }
}

impl Body for H2Body {
    type Data = Bytes;
    type Error = ::h2::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ::h2::Error>>> {
        let this = self.get_mut();
        if !this.data_done {
            match std::task::ready!(this.stream.poll_data(cx)) {
                Some(Ok(data)) => {
                    // Read: the agent may send that much more.
                    let _ = this.stream.flow_control().release_capacity(data.len());
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => this.data_done = true,
            }
        }
        match std::task::ready!(this.stream.poll_trailers(cx)) {
            Ok(Some(trailers)) => Poll::Ready(Some(Ok(Frame::trailers(trailers)))),
            Ok(None) => Poll::Ready(None),
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.stream.is_end_stream()
    }
}

/// Takes an idle connection out of its agent's pool; `false` when a request took it
/// meanwhile.
fn retire(conn: &Arc<H2Conn>) -> bool {
    let Some(host) = conn.host.upgrade() else {
        return true;
    };
    let mut state = host.state();
    if conn.load.load(Ordering::Acquire) > 0 {
        return false;
    }
    conn.closed.store(true, Ordering::Release);
    state.open.retain(|c| !Arc::ptr_eq(c, conn));
    true
}
