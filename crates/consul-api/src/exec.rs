//! The one executor every call goes through (Go's `api.go`): build the request from the
//! endpoint's description, send it under a time budget inside a tracing span, take its
//! status as the endpoint says, and hand the answer back to be decoded.
//!
//! Identical blocking reads in flight at the same time are sent once ([`Flights`]).

use crate::call::Answer;
use crate::error::{error_message_of, MAX_ERROR_BODY};
use crate::retry::{retried_wait, Failure, Kind};
use crate::RetryPolicy;
use crate::{Client, Error, Result};
use bytes::Bytes;
use consul_transport::{BodyStream, RequestTimeout, SharedTransport, Transport, TransportError};
use consul_types::endpoint::{
    Blocking, Decode, Endpoint, Idempotence, Options, Outcome, Target, TOKEN_HEADER,
};
use futures_core::Stream;
use http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The outcome of a buffered exchange once its answer is in: settled at once, or after a
/// further request (a rare case, boxed).
enum Settled<'a> {
    Now(Result<Answer>),
    Later(Pin<Box<dyn Future<Output = Result<Answer>> + Send + 'a>>),
}

impl Client {
    /// What the client brings to every request sent to `base`.
    pub(crate) fn target<'a>(&'a self, base: &'a str) -> Target<'a> {
        let inner = &self.inner;
        let mut target = Target::new(base);
        target.token = inner.token.as_ref();
        target.authorization = inner.authorization.as_ref();
        target.consistency = inner.consistency;
        target.datacenter = self.datacenter.as_deref();
        target.namespace = inner.namespace.as_deref();
        target.partition = inner.partition.as_deref();
        target
    }

    /// Runs one call: builds it (nothing is sent when that fails), sends it, takes its
    /// status as the endpoint says, and sends it again as `retry` (else the client's
    /// policy) allows.
    ///
    /// Not an `async fn`: an `async fn` keeps its arguments twice in its future (as given
    /// and as bound), and a watch holds this future for minutes, ten thousand at a time.
    /// The same holds for [`Client::exchange`] and [`Client::execute_buffered`].
    #[allow(clippy::manual_async_fn)] // an `async fn` would keep its arguments twice
    pub(crate) fn execute<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        options: Options<'a>,
        retry: Option<&'a RetryPolicy>,
    ) -> impl Future<Output = Result<Answer>> + Send + 'a {
        async move {
            let span = request_span(endpoint);
            // Tokio's clock, as the pauses' (a test with paused time sees the time they
            // take).
            let sent = tokio::time::Instant::now();
            let agents = &self.inner.agents;
            // One agent: the exchange itself. Several: the failover loop, boxed, so that
            // the common case's future (a watch holds one for minutes) does not carry it.
            let error = if agents.len() == 1 {
                match self
                    .exchange(endpoint, options, agents.base(0), &span)
                    .await
                {
                    Ok(answer) => return Ok(answer),
                    Err(error) => error,
                }
            } else {
                match self.attempt_boxed(endpoint, options, &span).await {
                    Ok(answer) => return Ok(answer),
                    Err(error) => error,
                }
            };
            // Boxed, out of sight: the rare path, kept out of the future every read (a
            // watch's) holds for minutes.
            self.retrying(endpoint, options, retry, error, sent, span)
                .await
        }
    }

    /// [`Client::attempt`], boxed by a plain function (see [`Client::retrying`]).
    fn attempt_boxed<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        options: Options<'a>,
        span: &'a tracing::Span,
    ) -> Pin<Box<dyn Future<Output = Result<Answer>> + Send + 'a>> {
        Box::pin(self.attempt(endpoint, options, span))
    }

    /// [`Client::retry`], boxed by a plain function: the future of the caller then holds a
    /// box, not room for the retry loop.
    fn retrying<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        options: Options<'a>,
        retry: Option<&'a RetryPolicy>,
        error: Error,
        first_sent: tokio::time::Instant,
        span: tracing::Span,
    ) -> Pin<Box<dyn Future<Output = Result<Answer>> + Send + 'a>> {
        Box::pin(self.retry(endpoint, options, retry, error, first_sent, span))
    }

    /// Sends a call again after its first attempt failed with `error`, for as long as the
    /// policy allows.
    async fn retry(
        &self,
        endpoint: &Endpoint,
        options: Options<'_>,
        retry: Option<&RetryPolicy>,
        mut error: Error,
        first_sent: tokio::time::Instant,
        span: tracing::Span,
    ) -> Result<Answer> {
        let policy = retry.unwrap_or(&self.inner.retry);
        let kind = Kind::of(endpoint.method(), endpoint.idempotence());
        let started = tokio::time::Instant::now();
        let mut attempts = 1;
        // A write's failure that may have applied it: what the write's outcome is, unless
        // a later attempt proves otherwise.
        let mut maybe_applied: Option<Error> = None;
        loop {
            let failure = Failure::of(&error);
            let pause = policy.next_pause(
                kind,
                failure,
                attempts,
                started.elapsed(),
                error.retry_after(),
                fastrand::f64(),
            );
            let Some(pause) = pause else {
                span.record("attempts", attempts);
                return Err(maybe_applied.unwrap_or(error));
            };
            span.in_scope(|| {
                tracing::info!(
                    attempt = attempts,
                    pause_ms = pause.as_millis() as u64,
                    error = %error,
                    "retrying consul request"
                );
            });
            if failure.maybe_applied() && matches!(kind, Kind::Write(_)) {
                maybe_applied.get_or_insert(error);
            }
            tokio::time::sleep(pause).await;
            attempts += 1;
            let shortened;
            let options = match options {
                Options::Read(opts) if opts.blocking_budget().is_some() => {
                    shortened = retried_wait(opts, first_sent.elapsed(), failure);
                    Options::Read(&shortened)
                }
                other => other,
            };
            error = match self.attempt(endpoint, options, &span).await {
                Ok(answer) => {
                    span.record("attempts", attempts);
                    return settle(kind, answer, maybe_applied, &span);
                }
                Err(e) => e,
            };
        }
    }

    /// One attempt of a call: sent to the current agent, and to the next ones in turn
    /// while none can be reached.
    async fn attempt(
        &self,
        endpoint: &Endpoint,
        options: Options<'_>,
        span: &tracing::Span,
    ) -> Result<Answer> {
        let agents = &self.inner.agents;
        let mut tried = 0;
        loop {
            let index = agents.pick();
            // (No named result held across the loop: it would take room in the future.)
            match self
                .exchange(endpoint, options, agents.base(index), span)
                .await
            {
                Err(Error::Transport(e)) if e.is_connect() => {
                    tried += 1;
                    if agents.unreachable(index) && tried < agents.len() {
                        continue;
                    }
                    return Err(Error::Transport(e));
                }
                Err(e @ (Error::Validation(_) | Error::Config(_))) => return Err(e),
                other => {
                    agents.answered(index);
                    return other;
                }
            }
        }
    }

    /// One exchange of a call with the agent at `base`.
    #[allow(clippy::manual_async_fn)] // an `async fn` would keep its arguments twice
    fn exchange<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        options: Options<'a>,
        base: &'a str,
        span: &'a tracing::Span,
    ) -> impl Future<Output = Result<Answer>> + Send + 'a {
        async move {
            // Boxed: every layer of a future keeps its own copy of what it was given, and
            // a watch holds this future for minutes, ten thousand at a time.
            let mut request = Box::new(endpoint.to_request(&self.target(base), options)?);
            if let Some(limit) = self.time_budget(endpoint, options) {
                request.extensions_mut().insert(RequestTimeout(limit));
            }
            let shared = self.inner.coalesce && is_blocking_read(endpoint, options, &request);
            match endpoint.decoding() {
                // Boxed: a buffered blocking read (a watch) holds this future for minutes,
                // ten thousand at a time, and should not carry the streaming one's room.
                Decode::Stream | Decode::LiveStream => {
                    Box::pin(self.execute_streaming(endpoint, unbox(request), span.clone())).await
                }
                _ => {
                    self.execute_buffered(endpoint, request, span, shared, base)
                        .await
                }
            }
        }
    }

    /// A blocking read may take its wait, Consul's jitter and a margin; an answer the server
    /// holds on purpose (a profile) that time and the request timeout; anything else the
    /// transport's own limit.
    fn time_budget(&self, endpoint: &Endpoint, options: Options<'_>) -> Option<Duration> {
        if let Some(hold) = endpoint.held_for() {
            return Some(hold.saturating_add(self.inner.idle_limit));
        }
        match (options, endpoint.blocking_mode()) {
            (Options::Read(opts), Blocking::Index | Blocking::Hash) => opts
                .blocking_budget()
                .map(|budget| budget.saturating_add(self.inner.blocking_margin)),
            _ => None,
        }
    }

    #[allow(clippy::manual_async_fn)] // an `async fn` would keep its arguments twice
    fn execute_buffered<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        request: Box<http::Request<Bytes>>,
        span: &'a tracing::Span,
        shared: bool,
        base: &'a str,
    ) -> impl Future<Output = Result<Answer>> + Send + 'a {
        async move {
            let token = request.headers().get(TOKEN_HEADER).cloned();
            let started = Instant::now();
            let joined = if shared {
                self.inner
                    .flights
                    .join(&self.inner.transport, request, span)
            } else {
                Err(request)
            };
            let result = match joined {
                Ok(flight) => flight.outcome().await,
                Err(request) => {
                    self.inner
                        .transport
                        .send(unbox(request))
                        .instrument(span.clone())
                        .await
                }
            };
            // What follows the answer is a plain function, with its rare waits boxed: in
            // this future it would take room for the whole wait.
            match self.settle_buffered(endpoint, result, token, started.elapsed(), span, base) {
                Settled::Now(settled) => settled,
                Settled::Later(settling) => settling.await,
            }
        }
    }

    /// Takes the answer of a buffered exchange as the endpoint says.
    fn settle_buffered<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        result: std::result::Result<http::Response<Bytes>, TransportError>,
        token: Option<HeaderValue>,
        elapsed: Duration,
        span: &tracing::Span,
        base: &'a str,
    ) -> Settled<'a> {
        span.record("duration_ms", elapsed.as_millis() as u64);
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                span.in_scope(|| tracing::debug!(error = %e, "consul request failed"));
                return Settled::Now(Err(Error::Transport(e)));
            }
        };
        span.record("status", response.status().as_u16());
        match endpoint.outcome(response.status(), response.body()) {
            Outcome::Value => Settled::Now(Ok(Answer::buffered(response, elapsed, false))),
            // Consul 1.8 answers `403 ACL not found` both for a missing token or policy and
            // for a request whose own token is unknown: only the first is "absent".
            Outcome::Absent if response.status() == StatusCode::FORBIDDEN => {
                Settled::Later(Box::pin(async move {
                    if self.token_is_known(token, base).await? {
                        Ok(Answer::buffered(response, elapsed, true))
                    } else {
                        Err(Error::PermissionDenied {
                            message: "ACL not found: the request's token is unknown to Consul"
                                .into(),
                        })
                    }
                }))
            }
            Outcome::Absent => Settled::Now(Ok(Answer::buffered(response, elapsed, true))),
            Outcome::Unsupported => Settled::Later(Box::pin(async move {
                Err(Error::Unsupported {
                    agent_version: self.agent_version_best_effort().await,
                    path: endpoint.unsupported_target().to_owned(),
                })
            })),
            _ => Settled::Now(Err(Error::from_response(&response))),
        }
    }

    async fn execute_streaming(
        &self,
        endpoint: &Endpoint,
        request: http::Request<Bytes>,
        span: tracing::Span,
    ) -> Result<Answer> {
        let started = Instant::now();
        let result = self
            .inner
            .transport
            .send_streaming(request)
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        span.record("duration_ms", elapsed.as_millis() as u64);
        let response = result.map_err(Error::Transport)?;
        span.record("status", response.status().as_u16());
        let status = response.status();
        if status.is_success() {
            let response = match endpoint.decoding() {
                Decode::Stream => {
                    let idle = self.inner.idle_limit;
                    response.map(|body| BodyStream::new(IdleLimited::new(body, idle)))
                }
                _ => response,
            };
            return Ok(Answer::streamed(response, elapsed));
        }
        // A failure's body is read under a size and time limit: a server trickling an
        // endless error page must not hold the caller.
        let (parts, body) = response.into_parts();
        let (body, total) = error_body(body, self.inner.blocking_margin).await;
        match endpoint.outcome(status, &body) {
            Outcome::Unsupported => Err(Error::Unsupported {
                agent_version: Box::pin(self.agent_version_best_effort()).await,
                path: endpoint.unsupported_target().to_owned(),
            }),
            _ => {
                let message = error_message_of(&body, total);
                Err(Error::from_parts(status, &parts.headers, message))
            }
        }
    }

    /// Whether Consul knows `token` (the one a request was sent with): `acl/token/self`
    /// answers `403 ACL not found` only for a token it does not know.
    async fn token_is_known(&self, token: Option<HeaderValue>, base: &str) -> Result<bool> {
        let mut endpoint = Endpoint::read(Method::GET, "acl/token/self");
        if let Some(token) = token {
            endpoint = endpoint.header(TOKEN_HEADER, token);
        }
        let opts = consul_types::QueryOptions::default();
        let request = endpoint.to_request(&self.target(base), Options::Read(&opts))?;
        let response = self
            .inner
            .transport
            .send(request)
            .await
            .map_err(Error::Transport)?;
        let unknown = response.status() == StatusCode::FORBIDDEN
            && String::from_utf8_lossy(response.body()).trim() == "ACL not found";
        Ok(!unknown)
    }

    /// The agent's version, best effort, to explain an [`Error::Unsupported`].
    pub(crate) async fn agent_version_best_effort(&self) -> Option<String> {
        let endpoint = Endpoint::read(Method::GET, "agent/self").agent();
        let opts = consul_types::QueryOptions::default();
        let agents = &self.inner.agents;
        let request = endpoint
            .to_request(
                &self.target(agents.base(agents.current())),
                Options::Read(&opts),
            )
            .ok()?;
        let response = self.inner.transport.send(request).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let json: serde_json::Value = serde_json::from_slice(response.body()).ok()?;
        json.pointer("/Config/Version")?.as_str().map(str::to_owned)
    }
}

/// The span of one call (made here, not in the `async fn`: the macro's temporaries would
/// take room in the future a watch holds).
fn request_span(endpoint: &Endpoint) -> tracing::Span {
    tracing::debug_span!(
        "consul.request",
        method = %endpoint.method(),
        path = %endpoint.shown_path(),
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        attempts = tracing::field::Empty,
    )
}

/// The outcome of a call that succeeded after a retry. A compare-and-set answered `false`
/// after an earlier attempt may have applied it says nothing about that attempt (it would
/// answer `false` for its own write): the earlier failure is the outcome, so that `false`
/// keeps meaning "not applied".
fn settle(
    kind: Kind,
    answer: Answer,
    maybe_applied: Option<Error>,
    span: &tracing::Span,
) -> Result<Answer> {
    match maybe_applied {
        Some(earlier)
            if kind == Kind::Write(Idempotence::CompareAndSet)
                && answer.bytes().trim_ascii() == b"false" =>
        {
            span.in_scope(|| {
                tracing::info!(
                    error = %earlier,
                    "a compare-and-set retried after a failure that may have applied it was \
                     refused: reporting that failure"
                );
            });
            Err(earlier)
        }
        _ => Ok(answer),
    }
}

/// Whether a request is a blocking read: a `GET` of an endpoint that blocks, waiting on an
/// index or a hash. Only these are shared between identical callers; a read that answers
/// at once gains nothing from it, and a write must never be.
fn is_blocking_read(
    endpoint: &Endpoint,
    options: Options<'_>,
    request: &http::Request<Bytes>,
) -> bool {
    request.method() == Method::GET
        && matches!(endpoint.blocking_mode(), Blocking::Index | Blocking::Hash)
        && matches!(options, Options::Read(opts) if opts.blocking_budget().is_some())
}

/// Identical blocking reads in flight, sent once.
///
/// Many watchers of the same thing (the same endpoint, parameters, token and index or hash)
/// would each hold a request open on the agent and each get the same answer. Instead the
/// first one starts an exchange in a task of its own, and every identical read made while
/// it is in flight waits for that exchange's outcome:
///
/// - the key is the whole request as built — method, URI (path and query, so the index,
///   hash, wait, datacenter, consistency and filters), every header (the token among
///   them) and body — so two reads share only when Consul would answer them alike;
/// - the exchange runs in a spawned task: the caller that started it may drop its future
///   (a watch dropped, a `select!` that took another branch) without cancelling it for
///   the others; when the last caller waiting for it is gone, the task is aborted and the
///   request cancelled;
/// - every caller gets the outcome: the buffered response (cheap to clone: the body is
///   `Bytes`) or the transport error (cloned; each caller's own error has the same kind,
///   message and source chain). Each caller then applies the endpoint's status rules and
///   decodes on its own, so a shared `403` is checked against each caller's token and an
///   error status becomes each caller's own [`Error`];
/// - once the exchange is over it is forgotten: a read made after that is a new request
///   (the next read of a watch waits on the new index anyway).
///
/// Writes and reads that do not block are never shared. Without a Tokio runtime to spawn
/// on, nothing is shared either.
#[derive(Debug, Default)]
pub(crate) struct Flights {
    in_flight: Arc<FlightMap>,
    next_id: AtomicU64,
}

/// Keyed by the flight's own key (shared, so a map of ten thousand flights stays small).
type FlightMap = Mutex<HashMap<Arc<FlightKey>, (u64, Weak<Flight>)>>;

/// What makes two requests the same request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FlightKey {
    method: Method,
    uri: Uri,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl FlightKey {
    fn of(request: &http::Request<Bytes>) -> Self {
        let mut headers: Vec<_> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        headers.sort_by(|a, b| (a.0.as_str(), a.1.as_bytes()).cmp(&(b.0.as_str(), b.1.as_bytes())));
        FlightKey {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers,
            body: request.body().clone(),
        }
    }
}

/// The outcome of a shared exchange, as every caller gets it.
type Exchanged = std::result::Result<SharedResponse, TransportError>;

/// A buffered response, clonable (an `http::Response` is not: its extensions are not).
#[derive(Debug, Clone)]
struct SharedResponse {
    status: StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    body: Bytes,
}

impl SharedResponse {
    fn of(response: http::Response<Bytes>) -> Self {
        let (parts, body) = response.into_parts();
        SharedResponse {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body,
        }
    }

    fn into_response(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        *response.version_mut() = self.version;
        *response.headers_mut() = self.headers;
        response
    }
}

/// One shared exchange; its callers hold it, and the last one gone cancels it.
#[derive(Debug)]
struct Flight {
    id: u64,
    key: Arc<FlightKey>,
    slot: Arc<Slot>,
    task: tokio::task::AbortHandle,
    in_flight: Weak<FlightMap>,
}

/// Where a shared exchange leaves its outcome for its callers.
#[derive(Debug, Default)]
struct Slot {
    /// `Some(None)`: the exchange ended without an outcome (it panicked).
    outcome: Mutex<Option<Option<Exchanged>>>,
    /// The outcome is there.
    done: tokio::sync::Notify,
}

impl Slot {
    fn set(&self, exchanged: Option<Exchanged>) {
        let mut outcome = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        if outcome.is_none() {
            *outcome = Some(exchanged);
        }
        drop(outcome);
        self.done.notify_waiters();
    }

    fn get(&self) -> Option<Option<Exchanged>> {
        self.outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Held by a shared exchange's task: however the task ends, its callers hear of it.
struct Ending(Arc<Slot>);

impl Drop for Ending {
    fn drop(&mut self) {
        self.0.set(None);
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        // Nobody waits any more: the exchange is cancelled (a no-op once it is over).
        self.task.abort();
        forget(&self.in_flight, &self.key, self.id);
    }
}

/// Removes the entry of flight `id` (and only it: a newer exchange may have taken the key).
fn forget(in_flight: &Weak<FlightMap>, key: &FlightKey, id: u64) {
    let Some(map) = in_flight.upgrade() else {
        return;
    };
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if map.get(key).is_some_and(|(entry, _)| *entry == id) {
        map.remove(key);
    }
}

impl Flights {
    /// Joins the identical request in flight, or starts it: the flight to wait on
    /// ([`Flight::outcome`]). Gives the request back when there is no Tokio runtime to run
    /// a shared request on.
    ///
    /// Not an `async fn`: the joining is done at once, and the future that waits (held by
    /// a watch for minutes) keeps nothing of it.
    fn join(
        &self,
        transport: &SharedTransport,
        request: Box<http::Request<Bytes>>,
        span: &tracing::Span,
    ) -> std::result::Result<Arc<Flight>, Box<http::Request<Bytes>>> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return Err(request);
        };
        let key = FlightKey::of(&request);
        let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(flight) = map.get(&key).and_then(|(_, flight)| flight.upgrade()) {
            span.in_scope(|| tracing::trace!("sharing an identical blocking read in flight"));
            return Ok(flight);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let key = Arc::new(key);
        let slot = Arc::new(Slot::default());
        let in_flight = Arc::downgrade(&self.in_flight);
        let exchange = {
            let transport = transport.clone();
            let (in_flight, key, slot) = (in_flight.clone(), Arc::clone(&key), Arc::clone(&slot));
            async move {
                let ending = Ending(slot);
                // Out of its box at once: the box is not kept for the whole exchange.
                let request = unbox(request);
                let result = transport.send(request).await.map(SharedResponse::of);
                ending.0.set(Some(result));
                // Over: a read from now on is a new request.
                forget(&in_flight, &key, id);
            }
        };
        let task = runtime
            .spawn(exchange.instrument(span.clone()))
            .abort_handle();
        let flight = Arc::new(Flight {
            id,
            key: Arc::clone(&key),
            slot,
            task,
            in_flight,
        });
        map.insert(key, (id, Arc::downgrade(&flight)));
        Ok(flight)
    }
}

impl Flight {
    /// Waits for the shared exchange's outcome; the flight is let go of when it is there
    /// (or when this future is dropped).
    async fn outcome(
        self: Arc<Self>,
    ) -> std::result::Result<http::Response<Bytes>, TransportError> {
        let slot = Arc::clone(&self.slot);
        let result = loop {
            let done = slot.done.notified();
            let mut done = std::pin::pin!(done);
            // Registered before looking, so an outcome set from here on is not missed.
            done.as_mut().enable();
            if let Some(outcome) = slot.get() {
                break outcome;
            }
            done.await;
        };
        drop(self);
        match result {
            Some(exchanged) => exchanged.map(SharedResponse::into_response),
            // The task ended without an outcome: it panicked.
            None => Err(TransportError::other(
                "the shared request ended without an answer",
            )),
        }
    }
}

/// The value of a box, the box freed at once (moving out of a box frees it only when the
/// box goes out of scope, which in an `async fn` can be after a long wait).
#[allow(clippy::boxed_local)] // the point: taking the box frees it on return
fn unbox<T>(boxed: Box<T>) -> T {
    *boxed
}

/// Reads the start of a streamed failure's body: at most [`MAX_ERROR_BODY`] bytes (plus one
/// chunk) and for at most `limit`. Returns what was read and the body's size when it was
/// read to its end.
async fn error_body(mut body: BodyStream, limit: Duration) -> (Vec<u8>, Option<usize>) {
    let mut read = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx));
        match tokio::time::timeout_at(deadline, next).await {
            Ok(Some(Ok(chunk))) => {
                read.extend_from_slice(&chunk);
                if read.len() > MAX_ERROR_BODY {
                    return (read, None);
                }
            }
            Ok(Some(Err(_))) | Err(_) => return (read, None),
            Ok(None) => {
                let total = read.len();
                return (read, Some(total));
            }
        }
    }
}

/// A body stream that fails with a timeout when no chunk arrives for `limit`.
struct IdleLimited {
    body: Option<BodyStream>,
    limit: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl IdleLimited {
    fn new(body: BodyStream, limit: Duration) -> Self {
        IdleLimited {
            body: Some(body),
            limit,
            timer: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl Stream for IdleLimited {
    type Item = std::result::Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(body).poll_next(cx) {
            Poll::Ready(Some(item)) => {
                let deadline = tokio::time::Instant::now() + this.limit;
                this.timer.as_mut().reset(deadline);
                Poll::Ready(Some(item))
            }
            Poll::Ready(None) => {
                this.body = None;
                Poll::Ready(None)
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.body = None;
                    let limit = this.limit;
                    Poll::Ready(Some(Err(TransportError::timeout(format!(
                        "no data for {limit:?} while streaming the body"
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}
