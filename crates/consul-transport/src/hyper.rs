//! The production transport: hyper 1.x with hyper-util's pooled client for HTTP/1.1, and
//! (feature `tls`) a pool of HTTP/2 connections of its own for HTTPS; response bodies are
//! collected and capped with http-body-util, hyper's own body utilities.

use crate::{
    BodyStream, RequestTimeout, StreamingFuture, Transport, TransportError, TransportFuture,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[cfg(feature = "tls")]
mod h2;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a connection is: TCP or Unix, possibly inside TLS (watched for the TLS failure
/// that ends it).
#[cfg(feature = "tls")]
type Stream = tls_watch::TlsWatch<hyper_rustls::MaybeHttpsStream<Io>>;
#[cfg(not(feature = "tls"))]
type Stream = Io;

/// A connection as the pools hold it: a [`Stream`] that counts against its agent's
/// connection cap while it is open.
type Conn = Gated<Stream>;

/// Default limit for connecting.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit for a whole non-blocking request. Blocking queries raise it per request
/// through [`RequestTimeout`], since Consul may legitimately hold them for minutes.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a buffered response body. Consul's largest ordinary answers (a big
/// catalog, a KV tree read recursively) stay far below it; snapshots are streamed and not
/// capped.
const DEFAULT_MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;
/// Default idle time before TCP keep-alive probes: long blocking queries leave a connection
/// silent for minutes, and NATs and load balancers drop silent flows.
const DEFAULT_TCP_KEEPALIVE: Duration = Duration::from_secs(30);
/// Default cap on the connections to one agent: below Consul's own
/// `limits.http_max_conns_per_client` (200), which refuses the connections above it.
const DEFAULT_MAX_CONNECTIONS: usize = 128;
/// Default interval of HTTP/2 keep-alive pings on TLS connections.
#[cfg(feature = "tls")]
const DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Default time to wait for the answer to an HTTP/2 keep-alive ping before the connection
/// is given up.
#[cfg(feature = "tls")]
const DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(20);
/// Default number of concurrent HTTP/2 streams put on one connection: the
/// `SETTINGS_MAX_CONCURRENT_STREAMS` of Go's HTTP/2 server, which Consul uses unchanged.
#[cfg(feature = "tls")]
const DEFAULT_MAX_STREAMS_PER_CONNECTION: usize = 250;

/// A pooled keep-alive HTTP/1.1 transport over TCP or a Unix socket; with the `tls`
/// feature also HTTPS, where HTTP/2 is used when the agent offers it (ALPN `h2`).
///
/// Cloning is cheap and clones share the connection pool. Requests must be sent from
/// within a Tokio runtime.
///
/// Defaults, each changeable on [`HyperTransportBuilder`]: connect within 5 s, a whole
/// request within 60 s, a buffered response body of at most 64 MiB (streamed bodies are not
/// capped), TCP keep-alive probes after 30 s of silence, and on HTTP/2 (TLS) connections a
/// keep-alive ping every 30 s that must be answered within 20 s. Bodies are read and
/// capped with http-body-util, hyper's own body utilities.
///
/// # Many requests at once
///
/// - **At most 128 connections to one agent** ([`max_connections`]), below Consul's own
///   limit of 200 per client address: a burst of requests never makes the agent refuse
///   connections.
/// - **HTTP/1.1** (plain `http://`, Unix sockets): a connection carries one request at a
///   time, so at most 128 requests are in flight per agent; the others wait their turn,
///   first come first served. A blocking query holds its connection for its whole wait:
///   watching more things than the cap over HTTP/1.1 delays the extra ones (see
///   [`max_connections`]). Prefer HTTPS for many watches.
/// - **HTTP/2** (HTTPS, feature `tls`): one connection carries up to 250 requests at once
///   ([`max_streams_per_connection`], the limit Consul's HTTP/2 server announces; a lower
///   limit the agent announces wins). A request that finds every connection full opens
///   another one instead of queueing behind the limit, so ten thousand blocking queries
///   need 40 connections.
///
/// [`max_connections`]: HyperTransportBuilder::max_connections
/// [`max_streams_per_connection`]: HyperTransportBuilder::max_streams_per_connection
///
/// ```no_run
/// use consul_transport::HyperTransport;
/// use std::time::Duration;
/// let tcp = HyperTransport::builder()
///     .connect_timeout(Duration::from_secs(2))
///     .request_timeout(Duration::from_secs(30))
///     .build();
/// // For an agent listening on `addresses { http = "unix:///run/consul/http.sock" }`:
/// let unix = HyperTransport::builder().unix_socket("/run/consul/http.sock").build();
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<Connector, Full<Bytes>>,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_body: usize,
    unix_socket: Option<Arc<PathBuf>>,
    limits: Arc<Limits>,
    #[cfg(feature = "tls")]
    h2: Option<Arc<h2::Pool>>,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_body", &self.max_response_body)
            .field("max_connections", &self.limits.max_connections)
            .field("unix_socket", &self.unix_socket)
            .finish_non_exhaustive()
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        HyperTransport::new()
    }
}

/// What a response holds on to until its body is read or dropped: its HTTP/1.1
/// connection's turn, or its HTTP/2 stream's place on a connection.
enum Hold {
    Turn {
        _permit: OwnedSemaphorePermit,
    },
    #[cfg(feature = "tls")]
    Stream {
        _lease: h2::Lease,
    },
}

impl HyperTransport {
    /// A TCP transport with default settings.
    pub fn new() -> Self {
        HyperTransport::builder().build()
    }

    /// Settings for a transport.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// How many connections this transport (and its clones) has open right now, to every
    /// agent, whatever their protocol: what the agent counts against its
    /// `limits.http_max_conns_per_client`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_transport::HyperTransport) {
    /// println!("{} connections open", client.open_connections());
    /// # }
    /// ```
    pub fn open_connections(&self) -> usize {
        self.limits.open.load(Ordering::Relaxed)
    }

    async fn exchange(
        &self,
        request: Box<http::Request<Bytes>>,
        target: &Target,
    ) -> Result<(http::Response<ResponseBody>, Hold), TransportError> {
        let key = target.key();
        // One await per path: a blocking read holds this future for its whole wait.
        #[cfg(feature = "tls")]
        let request = match &self.h2 {
            Some(pool) if request.uri().scheme() == Some(&http::uri::Scheme::HTTPS) => {
                match pool.send(&key, request, target).await? {
                    h2::Sent::Response(response, lease) => {
                        let response = response.map(ResponseBody::Http2);
                        return Ok((response, Hold::Stream { _lease: lease }));
                    }
                    // The agent does not speak HTTP/2: one request per connection.
                    h2::Sent::Http1(back) => back,
                }
            }
            _ => request,
        };
        self.exchange_http1(&key, request, target).await
    }

    /// An exchange on a connection of its own, once the agent's cap gives it a turn.
    async fn exchange_http1(
        &self,
        key: &str,
        request: Box<http::Request<Bytes>>,
        target: &Target,
    ) -> Result<(http::Response<ResponseBody>, Hold), TransportError> {
        // First come, first served: tokio's semaphore is fair.
        let turn = self
            .limits
            .host(key)
            .requests
            .clone()
            .acquire_owned()
            .await
            .map_err(TransportError::other)?;
        let response = self
            .client
            .request(unbox(request).map(Full::new))
            .await
            .map_err(|e| map_client_error(e, self.connect_timeout).with_target(target))?;
        Ok((
            response.map(ResponseBody::Http1),
            Hold::Turn { _permit: turn },
        ))
    }

    /// The agent a request goes to.
    fn target(&self, request: &http::Request<Bytes>) -> Target {
        Target::of(request.uri(), self.unix_socket.as_ref())
    }

    fn limit(&self, request: &http::Request<Bytes>) -> Option<Duration> {
        request
            .extensions()
            .get::<RequestTimeout>()
            .map(|t| t.0)
            .or(self.request_timeout)
    }
}

/// The value of a box, the box freed at once (moving out of a box frees it only when the
/// box goes out of scope, which in an `async fn` can be after a long wait).
#[allow(clippy::boxed_local)] // the point: taking the box frees it on return
fn unbox<T>(boxed: Box<T>) -> T {
    *boxed
}

/// The agent a request goes to: what errors name, and what the connection caps count.
///
/// Built for every request, so it only takes reference-counted parts of the request (or of
/// the transport); the strings are made when an error is reported or, for a URI without a
/// port, when the caps look the agent up.
#[derive(Clone, Debug)]
enum Target {
    /// An authority that names its port, as the client's URIs do: the key as written.
    HostPort(http::uri::Authority),
    /// An authority without a port (or with user info), with the port its scheme implies.
    Host(http::uri::Authority, Option<u16>),
    /// The Unix socket every request goes to.
    Unix(Arc<PathBuf>),
    /// A URI without an authority (refused by the client; named as it was given).
    Uri(http::Uri),
}

impl Target {
    fn of(uri: &http::Uri, unix_socket: Option<&Arc<PathBuf>>) -> Self {
        match (unix_socket, uri.authority()) {
            (Some(path), _) => Target::Unix(Arc::clone(path)),
            (None, Some(authority)) => {
                // The client's URIs name their port: then the authority is the key as
                // written, and parsing the port (the costly part) is left out.
                let text = authority.as_str();
                let names_port = text
                    .rfind(':')
                    .is_some_and(|colon| !text[colon..].contains(']'));
                if names_port && !text.contains('@') {
                    return Target::HostPort(authority.clone());
                }
                let port = authority.port_u16().or(match uri.scheme_str() {
                    Some("https") => Some(443),
                    Some("http") => Some(80),
                    _ => None,
                });
                Target::Host(authority.clone(), port)
            }
            (None, None) => Target::Uri(uri.clone()),
        }
    }

    /// The agent as the connection caps count it: `host:port` (the scheme's port when the
    /// URI names none), `unix:` and the socket's path, or the URI itself without a host.
    fn key(&self) -> Cow<'_, str> {
        match self {
            // No string built per request for the client's URIs.
            Target::HostPort(authority) => Cow::Borrowed(authority.as_str()),
            Target::Host(authority, Some(port)) => {
                Cow::Owned(format!("{}:{port}", authority.host()))
            }
            Target::Host(authority, None) => Cow::Borrowed(authority.host()),
            Target::Unix(path) => Cow::Owned(format!("unix:{}", path.display())),
            Target::Uri(uri) => Cow::Owned(uri.to_string()),
        }
    }
}

/// What errors name: `host:port` as the URI gave it, or the Unix socket's path.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::HostPort(authority) | Target::Host(authority, _) => {
                f.write_str(authority.as_str())
            }
            Target::Unix(path) => write!(f, "{}", path.display()),
            Target::Uri(uri) => write!(f, "{uri}"),
        }
    }
}

impl From<&Target> for String {
    fn from(target: &Target) -> String {
        target.to_string()
    }
}

impl Transport for HyperTransport {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        let limit = self.limit(&request);
        let target = self.target(&request);
        // Boxed: every layer of an `async fn` keeps its own copy of what it was given, and
        // ten thousand watches hold ten thousand of these futures.
        let request = Box::new(request);
        Box::pin(WithLimit::new(limit, target.clone(), async move {
            let (response, hold) = self.exchange(request, &target).await?;
            let (parts, body) = response.into_parts();
            let body = collect(body, self.max_response_body)
                .await
                .map_err(|e| e.with_target(&target))?;
            // The connection's turn (HTTP/1.1) or the stream's place (HTTP/2) ends with
            // the body.
            drop(hold);
            Ok(http::Response::from_parts(parts, body))
        }))
    }

    fn send_streaming(&self, request: http::Request<Bytes>) -> StreamingFuture<'_> {
        // The limit covers the response head only: a streamed body may legitimately
        // flow for as long as the caller keeps reading, and is not capped in size
        // (a snapshot is as large as the cluster's state).
        let limit = self.limit(&request);
        let target = self.target(&request);
        // Boxed: every layer of an `async fn` keeps its own copy of what it was given, and
        // ten thousand watches hold ten thousand of these futures.
        let request = Box::new(request);
        Box::pin(WithLimit::new(limit, target.clone(), async move {
            let (response, hold) = self.exchange(request, &target).await?;
            Ok(response.map(|body| {
                BodyStream::new(IncomingStream {
                    body,
                    target,
                    _hold: hold,
                })
            }))
        }))
    }
}

/// The caps on connections and on HTTP/1.1 requests in flight, per agent, and the count
/// of open connections. Shared by a transport, its clones and its connectors.
#[derive(Debug)]
struct Limits {
    max_connections: usize,
    hosts: Mutex<HashMap<String, Arc<HostGates>>>,
    open: AtomicUsize,
}

/// The two gates of one agent, each with `max_connections` places.
#[derive(Debug)]
struct HostGates {
    /// One place per connection open or being opened, whatever its protocol: the hard
    /// cap. A connection gives its place back when it closes.
    connections: Arc<Semaphore>,
    /// One place per HTTP/1.1 request in flight (each needs a connection of its own),
    /// held until its response body is read: where requests over the cap wait, in order.
    requests: Arc<Semaphore>,
}

impl Limits {
    fn new(max_connections: usize) -> Self {
        Limits {
            max_connections: max_connections.max(1),
            hosts: Mutex::default(),
            open: AtomicUsize::new(0),
        }
    }

    fn host(&self, key: &str) -> Arc<HostGates> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(gates) = hosts.get(key) {
            return Arc::clone(gates);
        }
        let gates = Arc::new(HostGates {
            connections: Arc::new(Semaphore::new(self.max_connections)),
            requests: Arc::new(Semaphore::new(self.max_connections)),
        });
        hosts.insert(key.to_owned(), Arc::clone(&gates));
        gates
    }
}

/// A connection holding its place under its agent's cap, counted while open.
struct Gated<S> {
    inner: S,
    limits: Arc<Limits>,
    _place: OwnedSemaphorePermit,
}

impl<S> Gated<S> {
    fn new(inner: S, limits: Arc<Limits>, place: OwnedSemaphorePermit) -> Self {
        limits.open.fetch_add(1, Ordering::Relaxed);
        Gated {
            inner,
            limits,
            _place: place,
        }
    }
}

impl<S> Drop for Gated<S> {
    fn drop(&mut self) {
        self.limits.open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<S: Connection> Connection for Gated<S> {
    fn connected(&self) -> Connected {
        self.inner.connected()
    }
}

impl<S: hyper::rt::Read + Unpin> hyper::rt::Read for Gated<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: hyper::rt::Write + Unpin> hyper::rt::Write for Gated<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

pin_project_lite::pin_project! {
    /// An exchange under its time limit, failing with a timeout naming the limit and the
    /// target when it passes.
    ///
    /// A plain future rather than an `async fn` taking the exchange: such a function keeps
    /// the exchange's future twice (its argument, and inside tokio's `Timeout`), and a
    /// process holding ten thousand blocking reads holds ten thousand of them.
    struct WithLimit<F> {
        #[pin]
        inner: tokio::time::Timeout<F>,
        limit: Option<Duration>,
        target: Target,
    }
}

impl<F: Future> WithLimit<F> {
    fn new(limit: Option<Duration>, target: Target, inner: F) -> Self {
        // No limit: a deadline that never comes (tokio's far future).
        let inner = tokio::time::timeout(limit.unwrap_or(Duration::MAX), inner);
        WithLimit {
            inner,
            limit,
            target,
        }
    }
}

impl<F, T> Future for WithLimit<F>
where
    F: Future<Output = Result<T, TransportError>>,
{
    type Output = Result<T, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.inner.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(result)) => Poll::Ready(result),
            Poll::Ready(Err(elapsed)) => {
                let mut e = TransportError::timeout(elapsed).with_target(&*this.target);
                if let Some(limit) = *this.limit {
                    e = e.with_time_limit(limit);
                }
                Poll::Ready(Err(e))
            }
        }
    }
}

fn map_client_error(
    e: hyper_util::client::legacy::Error,
    connect_timeout: Option<Duration>,
) -> TransportError {
    // A connection that rustls saw fail (the agent's alert for a certificate it refused)
    // reaches us as hyper's "connection closed": the TLS error is the real cause.
    #[cfg(feature = "tls")]
    if let Some(failure) = e.connect_info().and_then(tls_watch::failure) {
        return if tls_watch::refused_session(&failure) {
            TransportError::connect(failure)
        } else {
            TransportError::io(failure)
        };
    }
    if !e.is_connect() {
        return TransportError::io(e);
    }
    map_connect_error(Box::new(e), connect_timeout)
}

/// A failure to connect, naming the connect timeout when that is what passed.
fn map_connect_error(e: BoxError, connect_timeout: Option<Duration>) -> TransportError {
    match connect_timeout {
        // hyper-util's connect timeout surfaces as tokio's "deadline has elapsed": say
        // which limit passed.
        Some(limit) if has_timed_out(&*e) => TransportError::connect(Explained {
            message: format!("no connection within {limit:?}"),
            source: e,
        }),
        _ => TransportError::connect(e),
    }
}

/// Whether an operating system "timed out" is somewhere in the chain.
fn has_timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// A message in front of an error that stays the source.
#[derive(Debug)]
struct Explained {
    message: String,
    source: BoxError,
}

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Explained {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// Reads a whole body of at most `limit` bytes (http-body-util's `Limited` refuses a
/// larger `Content-Length` at once and counts the bytes of a chunked one). A body of one
/// chunk, as most Consul answers are, is kept without copying.
async fn collect(body: ResponseBody, limit: usize) -> Result<Bytes, TransportError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(TransportError::body_too_large(
            u64::try_from(limit).unwrap_or(u64::MAX),
        )),
        Err(e) => Err(TransportError::io(e)),
    }
}

/// A response body, from the HTTP/1.1 client or an HTTP/2 stream.
enum ResponseBody {
    Http1(Incoming),
    #[cfg(feature = "tls")]
    Http2(h2::H2Body),
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            ResponseBody::Http1(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
            #[cfg(feature = "tls")]
            ResponseBody::Http2(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Http1(body) => body.is_end_stream(),
            #[cfg(feature = "tls")]
            ResponseBody::Http2(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            ResponseBody::Http1(body) => body.size_hint(),
            #[cfg(feature = "tls")]
            ResponseBody::Http2(body) => body.size_hint(),
        }
    }
}

struct IncomingStream {
    body: ResponseBody,
    target: Target,
    /// The connection's turn or the stream's place, until the body is dropped.
    _hold: Hold,
}

impl futures_core::Stream for IncomingStream {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => {
                    Poll::Ready(Some(Err(TransportError::io(e).with_target(&self.target))))
                }
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => Poll::Ready(Some(Ok(data))),
                    Err(_) => continue, // trailers
                },
            };
        }
    }
}

/// Settings for a [`HyperTransport`].
#[derive(Debug, Clone)]
pub struct HyperTransportBuilder {
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    max_response_body: usize,
    tcp_keepalive: Option<Duration>,
    max_connections: usize,
    #[cfg(feature = "tls")]
    max_streams_per_connection: usize,
    #[cfg(feature = "tls")]
    http2_keep_alive_interval: Option<Duration>,
    #[cfg(feature = "tls")]
    http2_keep_alive_timeout: Duration,
    #[cfg(feature = "tls")]
    http2_keep_alive_while_idle: bool,
    unix_socket: Option<PathBuf>,
    #[cfg(feature = "tls")]
    tls: Option<(
        Arc<rustls::ClientConfig>,
        Option<rustls::pki_types::ServerName<'static>>,
    )>,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        HyperTransportBuilder {
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: usize::MAX,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            tcp_keepalive: Some(DEFAULT_TCP_KEEPALIVE),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            #[cfg(feature = "tls")]
            max_streams_per_connection: DEFAULT_MAX_STREAMS_PER_CONNECTION,
            #[cfg(feature = "tls")]
            http2_keep_alive_interval: Some(DEFAULT_HTTP2_KEEP_ALIVE_INTERVAL),
            #[cfg(feature = "tls")]
            http2_keep_alive_timeout: DEFAULT_HTTP2_KEEP_ALIVE_TIMEOUT,
            #[cfg(feature = "tls")]
            http2_keep_alive_while_idle: true,
            unix_socket: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl HyperTransportBuilder {
    /// Limit for establishing a connection (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Default limit for a whole request (default 60 s); a [`RequestTimeout`] in a
    /// request's extensions overrides it.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Removes the default request limit (requests without a [`RequestTimeout`] may hang).
    #[must_use]
    pub fn no_request_timeout(mut self) -> Self {
        self.request_timeout = None;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s).
    #[must_use]
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = Some(timeout);
        self
    }

    /// How many idle connections are kept per host (default: unbounded).
    #[must_use]
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// The largest response body [`Transport::send`] buffers, in bytes (default 64 MiB);
    /// a larger one fails with [`TransportError::is_body_too_large`], naming the limit,
    /// instead of filling memory. Streamed responses ([`Transport::send_streaming`]: a
    /// snapshot, the agent's log) are not capped.
    ///
    /// ```no_run
    /// use consul_transport::HyperTransport;
    /// let t = HyperTransport::builder().max_response_body(256 * 1024 * 1024).build();
    /// ```
    #[must_use]
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Idle time after which the operating system probes a TCP connection (`SO_KEEPALIVE`,
    /// default 30 s; `None` turns probes off). A blocking query leaves its connection
    /// silent for minutes, and NATs, firewalls and load balancers drop silent flows; the
    /// probes keep the flow known and find a peer that went away. The interval and count
    /// of probes are the operating system's. Unix sockets have no keep-alive.
    ///
    /// ```no_run
    /// use consul_transport::HyperTransport;
    /// use std::time::Duration;
    /// let t = HyperTransport::builder().tcp_keepalive(Duration::from_secs(15)).build();
    /// let without = HyperTransport::builder().tcp_keepalive(None).build();
    /// ```
    #[must_use]
    pub fn tcp_keepalive(mut self, idle: impl Into<Option<Duration>>) -> Self {
        self.tcp_keepalive = idle.into();
        self
    }

    /// The most connections open to one agent at a time (default 128; at least 1), whatever
    /// their protocol. Consul refuses connections from one client address above its
    /// `limits.http_max_conns_per_client` (200 by default); keep this below the agent's
    /// setting, leaving room for the other clients on the same machine.
    ///
    /// **Over HTTP/1.1** (plain `http://`, Unix sockets) a connection carries one request at
    /// a time, so this is also the number of requests in flight to one agent. Requests
    /// beyond it wait for a connection to come free, first come first served, and their
    /// time limit ([`request_timeout`](Self::request_timeout) or the request's own
    /// [`RequestTimeout`]) runs while they wait: a request still waiting when it passes
    /// fails with a timeout, and nothing was sent. No connection is ever opened beyond the
    /// cap, so the agent never refuses one.
    ///
    /// A blocking query (a watch) holds its connection for its whole wait (up to 5 minutes
    /// by default). **With more concurrent watches than this cap over HTTP/1.1, the extra
    /// ones wait until another watch's read returns**, so they see changes late, and
    /// ordinary requests queue behind them too. Use HTTPS (feature `tls`), where one HTTP/2
    /// connection carries 250 requests at once (see
    /// [`max_streams_per_connection`](Self::max_streams_per_connection)), or shorten the
    /// watches' wait time so that connections take turns.
    ///
    /// ```no_run
    /// use consul_transport::HyperTransport;
    /// // An agent configured with `limits { http_max_conns_per_client = 1000 }`.
    /// let t = HyperTransport::builder().max_connections(900).build();
    /// ```
    #[must_use]
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// The most requests sent at once on one HTTP/2 connection (default 250; at least 1),
    /// for HTTPS agents that speak HTTP/2. A request that finds every connection at this
    /// limit opens another connection (within
    /// [`max_connections`](Self::max_connections)) instead of queueing behind the limit.
    ///
    /// 250 is the `SETTINGS_MAX_CONCURRENT_STREAMS` Go's HTTP/2 server announces, which
    /// Consul uses unchanged. When an agent announces a lower limit, the lower one is used
    /// once its settings have arrived; a request that still meets a full connection waits
    /// there for a stream to end.
    ///
    /// ```no_run
    /// use consul_transport::{HyperTransport, TlsConfig};
    /// # fn demo() -> Result<(), consul_transport::TransportError> {
    /// let t = HyperTransport::builder()
    ///     .tls(&TlsConfig::default().ca_file("/etc/consul.d/consul-agent-ca.pem"))?
    ///     .max_streams_per_connection(100)
    ///     .build();
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[must_use]
    pub fn max_streams_per_connection(mut self, max: usize) -> Self {
        self.max_streams_per_connection = max.max(1);
        self
    }

    /// Interval of HTTP/2 keep-alive pings on TLS connections that negotiated HTTP/2
    /// (default 30 s; `None` turns pings off). A connection whose ping is not answered
    /// within [`http2_keep_alive_timeout`](Self::http2_keep_alive_timeout) is closed and
    /// its requests fail instead of waiting for their whole time limit.
    ///
    /// ```no_run
    /// use consul_transport::{HyperTransport, TlsConfig};
    /// use std::time::Duration;
    /// # fn demo() -> Result<(), consul_transport::TransportError> {
    /// let t = HyperTransport::builder()
    ///     .tls(&TlsConfig::default().ca_file("/etc/consul.d/consul-agent-ca.pem"))?
    ///     .http2_keep_alive_interval(Duration::from_secs(10))
    ///     .http2_keep_alive_timeout(Duration::from_secs(5))
    ///     .build();
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[must_use]
    pub fn http2_keep_alive_interval(mut self, interval: impl Into<Option<Duration>>) -> Self {
        self.http2_keep_alive_interval = interval.into();
        self
    }

    /// How long to wait for the answer to an HTTP/2 keep-alive ping before closing the
    /// connection (default 20 s).
    ///
    /// ```no_run
    /// use consul_transport::HyperTransport;
    /// use std::time::Duration;
    /// let t = HyperTransport::builder()
    ///     .http2_keep_alive_timeout(Duration::from_secs(5))
    ///     .build();
    /// ```
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[must_use]
    pub fn http2_keep_alive_timeout(mut self, timeout: Duration) -> Self {
        self.http2_keep_alive_timeout = timeout;
        self
    }

    /// Whether HTTP/2 keep-alive pings are also sent on a pooled connection with no
    /// request in flight (default `true`, so a dead idle connection is found before a
    /// request is put on it).
    ///
    /// ```no_run
    /// use consul_transport::HyperTransport;
    /// let t = HyperTransport::builder().http2_keep_alive_while_idle(false).build();
    /// ```
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    #[must_use]
    pub fn http2_keep_alive_while_idle(mut self, enabled: bool) -> Self {
        self.http2_keep_alive_while_idle = enabled;
        self
    }

    /// Connects to this Unix socket instead of the request URI's host; the URI still gives
    /// the path and the `Host` header.
    #[must_use]
    pub fn unix_socket(mut self, path: impl AsRef<Path>) -> Self {
        self.unix_socket = Some(path.as_ref().to_owned());
        self
    }

    /// Enables `https://` addresses with these settings (feature `tls`). Certificates and
    /// keys are read now, so a bad path fails here rather than on the first request.
    ///
    /// ```no_run
    /// use consul_transport::{HyperTransport, TlsConfig};
    /// # fn demo() -> Result<(), consul_transport::TransportError> {
    /// let tls = TlsConfig::default().ca_file("/etc/consul.d/consul-agent-ca.pem");
    /// let transport = HyperTransport::builder().tls(&tls)?.build();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`TransportError`] (kind `Other`) naming the file that could not be read or used.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls(mut self, config: &crate::TlsConfig) -> Result<Self, TransportError> {
        let rustls = crate::tls::rustls_config::client_config(config)?;
        let server_name = config
            .server_name
            .as_deref()
            .map(|name| {
                rustls::pki_types::ServerName::try_from(name.to_owned()).map_err(|e| {
                    TransportError::other(format!("invalid TLS server name {name:?}: {e}"))
                })
            })
            .transpose()?;
        self.tls = Some((Arc::new(rustls), server_name));
        Ok(self)
    }

    /// Builds the transport.
    pub fn build(self) -> HyperTransport {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        // TLS wraps this connector for https:// URIs; the scheme is checked in `Connector`.
        http.enforce_http(false);
        http.set_connect_timeout(self.connect_timeout);
        http.set_keepalive(self.tcp_keepalive);
        let unix_socket = self.unix_socket.map(Arc::new);
        let plain = PlainConnector {
            http,
            unix_socket: unix_socket.clone(),
            connect_timeout: self.connect_timeout,
        };
        #[cfg(feature = "tls")]
        let https = self.tls.map(|(config, server_name)| {
            let builder = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config((*config).clone())
                .https_or_http();
            let builder = match server_name {
                Some(name) => builder
                    .with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name)),
                None => builder,
            };
            builder.enable_all_versions().wrap_connector(plain.clone())
        });
        let limits = Arc::new(Limits::new(self.max_connections));
        let connector = Connector {
            plain,
            #[cfg(feature = "tls")]
            https,
            limits: Arc::clone(&limits),
        };
        #[cfg(feature = "tls")]
        let h2 = connector.https.is_some().then(|| {
            // hyper's HTTP/2 client settings, for the h2 crate hyper uses.
            let mut builder = ::h2::client::Builder::new();
            builder
                .enable_push(false)
                .initial_window_size(2 * 1024 * 1024)
                .initial_connection_window_size(5 * 1024 * 1024)
                .max_frame_size(16 * 1024)
                .max_header_list_size(16 * 1024)
                .max_send_buffer_size(1024 * 1024)
                // Until the agent's settings arrive, assume it allows what we send.
                .initial_max_send_streams(self.max_streams_per_connection);
            Arc::new(h2::Pool::new(h2::Settings {
                connector: connector.clone(),
                builder,
                keep_alive: h2::KeepAlive {
                    interval: self.http2_keep_alive_interval,
                    timeout: self.http2_keep_alive_timeout,
                    while_idle: self.http2_keep_alive_while_idle,
                },
                max_streams: self.max_streams_per_connection,
                idle_timeout: self.pool_idle_timeout,
                connect_timeout: self.connect_timeout,
            }))
        });
        let mut client = Client::builder(TokioExecutor::new());
        client
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host);
        #[cfg(feature = "tls")]
        client
            // HTTP/2 pings need a timer.
            .timer(TokioTimer::new())
            .http2_keep_alive_interval(self.http2_keep_alive_interval)
            .http2_keep_alive_timeout(self.http2_keep_alive_timeout)
            .http2_keep_alive_while_idle(self.http2_keep_alive_while_idle);
        HyperTransport {
            client: client.build(connector),
            request_timeout: self.request_timeout,
            connect_timeout: self.connect_timeout,
            max_response_body: self.max_response_body,
            unix_socket,
            limits,
            #[cfg(feature = "tls")]
            h2,
        }
    }
}

/// Connects plainly, or through TLS for `https://` URIs when TLS is configured, once the
/// agent's connection cap has a place (waiting for one, in order, when it has none).
#[derive(Clone)]
struct Connector {
    plain: PlainConnector,
    #[cfg(feature = "tls")]
    https: Option<hyper_rustls::HttpsConnector<PlainConnector>>,
    limits: Arc<Limits>,
}

impl Connector {
    fn open(
        &mut self,
        uri: http::Uri,
    ) -> Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>> {
        #[cfg(feature = "tls")]
        if let Some(https) = &mut self.https {
            let connecting = tower_service::Service::call(https, uri);
            return Box::pin(async move {
                let stream = connecting.await?;
                let tls = matches!(stream, hyper_rustls::MaybeHttpsStream::Https(_));
                Ok(tls_watch::TlsWatch::new(stream, tls))
            });
        }
        if uri.scheme() == Some(&http::uri::Scheme::HTTPS) {
            return Box::pin(async {
                Err(BoxError::from(
                    "https:// needs TLS: enable the `tls` feature and give TLS settings",
                ))
            });
        }
        let connecting = tower_service::Service::call(&mut self.plain, uri);
        Box::pin(async move {
            let io = connecting.await?;
            #[cfg(feature = "tls")]
            let io = tls_watch::TlsWatch::new(hyper_rustls::MaybeHttpsStream::Http(io), false);
            Ok(io)
        })
    }
}

impl tower_service::Service<http::Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.plain.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let target = Target::of(&uri, self.plain.unix_socket.as_ref());
        let gate = Arc::clone(&self.limits.host(&target.key()).connections);
        let mut connector = self.clone();
        Box::pin(async move {
            // The wait for a place is not part of the connect timeout: that limit is for
            // the agent's answer, and a place comes when another connection closes.
            let place = gate.acquire_owned().await?;
            let stream = connector.open(uri).await?;
            Ok(Gated::new(stream, connector.limits, place))
        })
    }
}

/// Connects over TCP, or to a fixed Unix socket when one is configured.
#[derive(Clone)]
struct PlainConnector {
    http: HttpConnector,
    unix_socket: Option<Arc<PathBuf>>,
    connect_timeout: Option<Duration>,
}

impl tower_service::Service<http::Uri> for PlainConnector {
    type Response = Io;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Io, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        match &self.unix_socket {
            Some(path) => {
                let path = Arc::clone(path);
                let limit = self.connect_timeout;
                Box::pin(async move {
                    let connect = tokio::net::UnixStream::connect(path.as_path());
                    let stream = match limit {
                        Some(limit) => {
                            tokio::time::timeout(limit, connect).await.map_err(|_| {
                                io::Error::new(
                                    io::ErrorKind::TimedOut,
                                    format!("no connection within {limit:?}"),
                                )
                            })??
                        }
                        None => connect.await?,
                    };
                    Ok(Io::Unix(TokioIo::new(stream)))
                })
            }
            None => {
                let connecting = self.http.call(uri);
                Box::pin(async move { Ok(Io::Tcp(connecting.await?)) })
            }
        }
    }
}

/// A connected stream of either kind.
enum Io {
    Tcp(TokioIo<tokio::net::TcpStream>),
    Unix(TokioIo<tokio::net::UnixStream>),
}

impl Connection for Io {
    fn connected(&self) -> Connected {
        match self {
            Io::Tcp(s) => s.connected(),
            Io::Unix(s) => s.connected(),
        }
    }
}

impl hyper::rt::Read for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Io::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Io::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_flush(cx),
            Io::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Io::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Io::Unix(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Io::Tcp(s) => s.is_write_vectored(),
            Io::Unix(s) => s.is_write_vectored(),
        }
    }
}

/// Keeps the TLS error that ended a connection.
///
/// When an agent refuses our client certificate, it sends an alert (`BadCertificate`,
/// `CertificateRequired`, `UnknownCA`) and closes the connection. What hyper then reports
/// to the request is "connection closed" or "operation was canceled": either rustls read
/// the alert and hyper turned the error into a closed connection, or hyper's write failed
/// first (broken pipe, reset) and nobody read the alert at all.
///
/// This wrapper remembers the first TLS error its stream returns and hands it to the pool
/// as connection info (`Connected::extra`), where [`map_client_error`] finds it again.
/// When a write fails because the peer closed the connection, it reads what the peer sent
/// before closing (its alert) before reporting the write error; the bytes or the error that
/// read gives are handed to hyper's next read, so hyper sees the stream unchanged. The
/// wait is one turn of the reactor: the socket is already closed.
#[cfg(feature = "tls")]
mod tls_watch {
    use hyper_util::client::legacy::connect::{Connected, Connection};
    use std::io;
    use std::pin::Pin;
    use std::sync::{Arc, OnceLock};
    use std::task::{Context, Poll};

    /// The first TLS error of one connection, shared between its stream and the pool's
    /// record of it.
    #[derive(Clone, Default)]
    struct FailureSlot(Arc<OnceLock<rustls::Error>>);

    /// A stream whose TLS failure is remembered.
    pub(super) struct TlsWatch<S> {
        inner: S,
        slot: FailureSlot,
        /// A write error held back until the peer's last words are read.
        write_error: Option<io::Error>,
        /// Bytes read ahead after a failed write, not yet handed to hyper.
        read_ahead: Vec<u8>,
        /// The error a read ahead met, for hyper's next read.
        read_ahead_error: Option<io::Error>,
        /// We shut our side down: a later write error is ours, not the peer's close.
        shut_down: bool,
        /// The stream is TLS (not plain HTTP through the same connector): worth reading
        /// ahead after a failed write.
        tls: bool,
    }

    impl<S> TlsWatch<S> {
        /// Watches `inner`; `tls` says whether it is a TLS stream.
        pub(super) fn new(inner: S, tls: bool) -> Self {
            TlsWatch {
                inner,
                slot: FailureSlot::default(),
                write_error: None,
                read_ahead: Vec::new(),
                read_ahead_error: None,
                shut_down: false,
                tls,
            }
        }

        fn note(&self, e: &io::Error) {
            if let Some(tls) = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                // Only the first: what follows is a consequence of it.
                let _ = self.slot.0.set(tls.clone());
            }
        }
    }

    impl<S: hyper::rt::Read + Unpin> TlsWatch<S> {
        /// Reports a held-back write error once the stream's read side has answered (with
        /// bytes, the end, or an error such as the peer's TLS alert).
        fn finish_write_error<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
            if self.slot.0.get().is_none() {
                let mut scratch = vec![0u8; 4096];
                let mut buf = hyper::rt::ReadBuf::new(&mut scratch);
                match Pin::new(&mut self.inner).poll_read(cx, buf.unfilled()) {
                    // The read registered this task's waker; the closed socket wakes it.
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(())) => {
                        let filled = buf.filled().len();
                        scratch.truncate(filled);
                        self.read_ahead.extend_from_slice(&scratch);
                    }
                    Poll::Ready(Err(e)) => {
                        self.note(&e);
                        self.read_ahead_error = Some(e);
                    }
                }
            }
            match self.write_error.take() {
                Some(e) => Poll::Ready(Err(e)),
                None => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
            }
        }

        /// Runs a write-side operation, holding back an error caused by the peer's close
        /// until what the peer sent before it is read.
        fn write_side<T>(
            &mut self,
            cx: &mut Context<'_>,
            op: impl FnOnce(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<T>>,
        ) -> Poll<io::Result<T>> {
            if self.write_error.is_some() {
                return self.finish_write_error(cx);
            }
            match op(Pin::new(&mut self.inner), cx) {
                Poll::Ready(Err(e)) => {
                    self.note(&e);
                    let peer_closed = matches!(
                        e.kind(),
                        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                    );
                    if peer_closed
                        && self.tls
                        && !self.shut_down
                        && self.slot.0.get().is_none()
                        && self.read_ahead.is_empty()
                        && self.read_ahead_error.is_none()
                    {
                        self.write_error = Some(e);
                        return self.finish_write_error(cx);
                    }
                    Poll::Ready(Err(e))
                }
                other => other,
            }
        }
    }

    /// The TLS error that ended the connection a request failed on, if any.
    pub(super) fn failure(info: &Connected) -> Option<rustls::Error> {
        let mut extensions = http::Extensions::new();
        info.get_extras(&mut extensions);
        extensions.get::<FailureSlot>()?.0.get().cloned()
    }

    /// Whether the peer refused the TLS session itself (an alert about our certificate or
    /// the handshake): the agent processed nothing that was sent on it.
    pub(super) fn refused_session(e: &rustls::Error) -> bool {
        use rustls::AlertDescription as A;
        matches!(
            e,
            rustls::Error::AlertReceived(
                A::BadCertificate
                    | A::UnsupportedCertificate
                    | A::CertificateRevoked
                    | A::CertificateExpired
                    | A::CertificateUnknown
                    | A::UnknownCA
                    | A::CertificateRequired
                    | A::AccessDenied
                    | A::HandshakeFailure
                    | A::InsufficientSecurity
                    | A::ProtocolVersion
            )
        )
    }

    impl<S: Connection> Connection for TlsWatch<S> {
        fn connected(&self) -> Connected {
            self.inner.connected().extra(self.slot.clone())
        }
    }

    impl<S: hyper::rt::Read + Unpin> hyper::rt::Read for TlsWatch<S> {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            mut buf: hyper::rt::ReadBufCursor<'_>,
        ) -> Poll<io::Result<()>> {
            let this = self.get_mut();
            if !this.read_ahead.is_empty() {
                let n = this.read_ahead.len().min(buf.remaining());
                buf.put_slice(&this.read_ahead[..n]);
                this.read_ahead.drain(..n);
                return Poll::Ready(Ok(()));
            }
            if let Some(e) = this.read_ahead_error.take() {
                return Poll::Ready(Err(e));
            }
            let result = Pin::new(&mut this.inner).poll_read(cx, buf);
            if let Poll::Ready(Err(e)) = &result {
                this.note(e);
            }
            result
        }
    }

    impl<S: hyper::rt::Read + hyper::rt::Write + Unpin> hyper::rt::Write for TlsWatch<S> {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.get_mut()
                .write_side(cx, |inner, cx| inner.poll_write(cx, buf))
        }

        fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.get_mut()
                .write_side(cx, |inner, cx| inner.poll_flush(cx))
        }

        fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            let this = self.get_mut();
            if this.write_error.is_none() {
                this.shut_down = true;
            }
            this.write_side(cx, |inner, cx| inner.poll_shutdown(cx))
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            self.get_mut()
                .write_side(cx, |inner, cx| inner.poll_write_vectored(cx, bufs))
        }

        fn is_write_vectored(&self) -> bool {
            self.inner.is_write_vectored()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_are_keyed_by_host_and_port_and_named_as_given() {
        let cases = [
            // (URI, key, as errors name it)
            (
                "http://127.0.0.1:8500/v1/kv/a",
                "127.0.0.1:8500",
                "127.0.0.1:8500",
            ),
            (
                "https://consul.local:8501/v1/kv/a",
                "consul.local:8501",
                "consul.local:8501",
            ),
            (
                "http://consul.local/v1/kv/a",
                "consul.local:80",
                "consul.local",
            ),
            (
                "https://consul.local/v1/kv/a",
                "consul.local:443",
                "consul.local",
            ),
            ("http://[::1]:8500/v1/kv/a", "[::1]:8500", "[::1]:8500"),
            ("http://[::1]/v1/kv/a", "[::1]:80", "[::1]"),
            (
                "http://user@consul.local:8500/",
                "consul.local:8500",
                "user@consul.local:8500",
            ),
            ("/v1/kv/a", "/v1/kv/a", "/v1/kv/a"),
        ];
        for (uri, key, shown) in cases {
            let target = Target::of(&uri.parse().unwrap(), None);
            assert_eq!(target.key(), key, "{uri}");
            assert_eq!(target.to_string(), shown, "{uri}");
        }
        // The usual case builds no string.
        let target = Target::of(&"http://127.0.0.1:8500/v1/kv/a".parse().unwrap(), None);
        assert!(matches!(target.key(), Cow::Borrowed(_)));

        let socket = Arc::new(PathBuf::from("/run/consul/http.sock"));
        let target = Target::of(&"http://localhost/v1/kv/a".parse().unwrap(), Some(&socket));
        assert_eq!(target.key(), "unix:/run/consul/http.sock");
        assert_eq!(String::from(&target), "/run/consul/http.sock");
    }

    #[test]
    fn builder_defaults() {
        let b = HyperTransportBuilder::default();
        assert_eq!(b.connect_timeout, Some(Duration::from_secs(5)));
        assert_eq!(b.request_timeout, Some(Duration::from_secs(60)));
        assert_eq!(b.max_response_body, 64 * 1024 * 1024);
        assert_eq!(b.tcp_keepalive, Some(Duration::from_secs(30)));
        #[cfg(feature = "tls")]
        {
            assert_eq!(b.http2_keep_alive_interval, Some(Duration::from_secs(30)));
            assert_eq!(b.http2_keep_alive_timeout, Duration::from_secs(20));
            assert!(b.http2_keep_alive_while_idle);
        }
    }

    #[test]
    fn builder_settings() {
        let b = HyperTransportBuilder::default()
            .max_response_body(1024)
            .tcp_keepalive(None);
        assert_eq!(b.max_response_body, 1024);
        assert_eq!(b.tcp_keepalive, None);
        let b = b.tcp_keepalive(Duration::from_secs(9));
        assert_eq!(b.tcp_keepalive, Some(Duration::from_secs(9)));
        #[cfg(feature = "tls")]
        let b = {
            let b = b
                .http2_keep_alive_interval(None)
                .http2_keep_alive_timeout(Duration::from_secs(3))
                .http2_keep_alive_while_idle(false);
            assert_eq!(b.http2_keep_alive_interval, None);
            assert_eq!(b.http2_keep_alive_timeout, Duration::from_secs(3));
            assert!(!b.http2_keep_alive_while_idle);
            let b = b.http2_keep_alive_interval(Duration::from_secs(4));
            assert_eq!(b.http2_keep_alive_interval, Some(Duration::from_secs(4)));
            b
        };
        let t = b.build();
        assert_eq!(t.max_response_body, 1024);
    }

    #[cfg(feature = "tls")]
    mod tls_watch {
        use super::super::tls_watch::{failure, refused_session, TlsWatch};
        use hyper::rt::{Read, ReadBuf, Write};
        use hyper_util::client::legacy::connect::{Connected, Connection};
        use std::collections::VecDeque;
        use std::io;
        use std::pin::Pin;
        use std::task::{Context, Poll, Waker};

        /// A stream whose writes fail with `write_error` and whose reads give `reads` in
        /// turn (then the end).
        struct Fake {
            reads: VecDeque<Poll<io::Result<Vec<u8>>>>,
            write_error: io::ErrorKind,
        }

        impl Connection for Fake {
            fn connected(&self) -> Connected {
                Connected::new()
            }
        }

        impl Read for Fake {
            fn poll_read(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
                mut buf: hyper::rt::ReadBufCursor<'_>,
            ) -> Poll<io::Result<()>> {
                match self.reads.pop_front() {
                    None => Poll::Ready(Ok(())),
                    Some(Poll::Pending) => Poll::Pending,
                    Some(Poll::Ready(Ok(bytes))) => {
                        buf.put_slice(&bytes);
                        Poll::Ready(Ok(()))
                    }
                    Some(Poll::Ready(Err(e))) => Poll::Ready(Err(e)),
                }
            }
        }

        impl Write for Fake {
            fn poll_write(
                self: Pin<&mut Self>,
                _: &mut Context<'_>,
                _: &[u8],
            ) -> Poll<io::Result<usize>> {
                Poll::Ready(Err(self.write_error.into()))
            }
            fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }
            fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }
        }

        fn read(w: &mut TlsWatch<Fake>, cx: &mut Context<'_>) -> Poll<io::Result<Vec<u8>>> {
            let mut raw = [0u8; 64];
            let mut buf = ReadBuf::new(&mut raw);
            match Pin::new(w).poll_read(cx, buf.unfilled()) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.filled().to_vec())),
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            }
        }

        fn alert() -> io::Error {
            io::Error::new(
                io::ErrorKind::InvalidData,
                rustls::Error::AlertReceived(rustls::AlertDescription::BadCertificate),
            )
        }

        #[test]
        fn a_failed_write_waits_for_the_alert_and_hyper_still_reads_it() {
            let mut cx = Context::from_waker(Waker::noop());
            let mut w = TlsWatch::new(
                Fake {
                    reads: VecDeque::from([Poll::Pending, Poll::Ready(Err(alert()))]),
                    write_error: io::ErrorKind::BrokenPipe,
                },
                true,
            );
            // The read side has not answered yet: the write error waits for it.
            assert!(Pin::new(&mut w).poll_write(&mut cx, b"x").is_pending());
            assert!(failure(&w.connected()).is_none());
            // Now it has: the write error is reported and the alert recorded.
            match Pin::new(&mut w).poll_write(&mut cx, b"x") {
                Poll::Ready(Err(e)) => assert_eq!(e.kind(), io::ErrorKind::BrokenPipe),
                other => panic!("{other:?}"),
            }
            let tls = failure(&w.connected()).expect("the alert");
            assert!(refused_session(&tls), "{tls:?}");
            // hyper's next read sees what the read ahead met.
            match read(&mut w, &mut cx) {
                Poll::Ready(Err(e)) => assert_eq!(e.kind(), io::ErrorKind::InvalidData),
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn bytes_read_ahead_are_handed_to_the_next_read() {
            let mut cx = Context::from_waker(Waker::noop());
            let mut w = TlsWatch::new(
                Fake {
                    reads: VecDeque::from([Poll::Ready(Ok(b"HTTP/1.1 400".to_vec()))]),
                    write_error: io::ErrorKind::ConnectionReset,
                },
                true,
            );
            assert!(matches!(
                Pin::new(&mut w).poll_write(&mut cx, b"x"),
                Poll::Ready(Err(_))
            ));
            assert!(failure(&w.connected()).is_none());
            assert_eq!(
                read(&mut w, &mut cx).map(|r| r.unwrap()),
                Poll::Ready(b"HTTP/1.1 400".to_vec())
            );
            assert_eq!(
                read(&mut w, &mut cx).map(|r| r.unwrap()),
                Poll::Ready(Vec::new())
            );
        }

        #[test]
        fn other_write_errors_are_reported_at_once() {
            let mut cx = Context::from_waker(Waker::noop());
            let mut w = TlsWatch::new(
                Fake {
                    reads: VecDeque::from([Poll::Pending]),
                    write_error: io::ErrorKind::Other,
                },
                true,
            );
            assert!(matches!(
                Pin::new(&mut w).poll_write(&mut cx, b"x"),
                Poll::Ready(Err(_))
            ));
            // A plain HTTP stream has no TLS alert to wait for.
            let mut w = TlsWatch::new(
                Fake {
                    reads: VecDeque::from([Poll::Pending]),
                    write_error: io::ErrorKind::BrokenPipe,
                },
                false,
            );
            assert!(matches!(
                Pin::new(&mut w).poll_write(&mut cx, b"x"),
                Poll::Ready(Err(_))
            ));
            // After our own shutdown, a broken pipe is ours: no waiting either.
            let mut w = TlsWatch::new(
                Fake {
                    reads: VecDeque::from([Poll::Pending]),
                    write_error: io::ErrorKind::BrokenPipe,
                },
                true,
            );
            assert!(Pin::new(&mut w).poll_shutdown(&mut cx).is_ready());
            assert!(matches!(
                Pin::new(&mut w).poll_write(&mut cx, b"x"),
                Poll::Ready(Err(_))
            ));
        }

        #[test]
        fn a_read_error_from_rustls_is_recorded() {
            let mut cx = Context::from_waker(Waker::noop());
            let mut w = TlsWatch::new(
                Fake {
                    reads: VecDeque::from([Poll::Ready(Err(alert()))]),
                    write_error: io::ErrorKind::Other,
                },
                true,
            );
            assert!(matches!(read(&mut w, &mut cx), Poll::Ready(Err(_))));
            assert!(matches!(
                failure(&w.connected()),
                Some(rustls::Error::AlertReceived(
                    rustls::AlertDescription::BadCertificate
                ))
            ));
            assert!(!refused_session(&rustls::Error::AlertReceived(
                rustls::AlertDescription::DecryptError
            )));
        }
    }
}
