use crate::{BodyStream, TransportError};
use bytes::Bytes;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The future returned by [`Transport::send`].
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'a>>;

/// The future returned by [`Transport::send_streaming`].
pub type StreamingFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<BodyStream>, TransportError>> + Send + 'a>>;

/// Sends HTTP requests to a Consul agent.
///
/// The trait is object safe and takes `&self`, so one transport is shared by every clone of
/// a client without locks. Implementations must not interpret status codes: a 404 or a 500
/// is returned as a response; only failures to exchange a response at all are errors.
///
/// New methods are only ever added with a default body, so implementing [`Transport::send`]
/// is all an implementation needs.
pub trait Transport: fmt::Debug + Send + Sync {
    /// Sends one request and buffers the whole response body.
    ///
    /// A [`RequestTimeout`] in the request's extensions overrides the transport's default
    /// time limit for this request (blocking queries use it to wait longer).
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_>;

    /// Sends one request and returns as soon as the response head arrived; the body is
    /// read as a stream (agent monitor, snapshots). The default implementation buffers
    /// through [`Transport::send`] and yields the body as a single chunk.
    fn send_streaming(&self, request: http::Request<Bytes>) -> StreamingFuture<'_> {
        Box::pin(async move {
            let response = self.send(request).await?;
            Ok(response.map(BodyStream::once))
        })
    }
}

/// A per-request time limit, carried in [`http::Request::extensions`].
///
/// The whole exchange (connect, send, receive the body) must finish within it; transports
/// that honour it return [`TransportError::timeout`] otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTimeout(pub Duration);

/// A cheaply clonable, type-erased [`Transport`].
#[derive(Clone, Debug)]
pub struct SharedTransport(Arc<dyn Transport>);

impl SharedTransport {
    /// Wraps a transport.
    pub fn new(transport: impl Transport + 'static) -> Self {
        SharedTransport(Arc::new(transport))
    }
}

impl From<Arc<dyn Transport>> for SharedTransport {
    fn from(t: Arc<dyn Transport>) -> Self {
        SharedTransport(t)
    }
}

impl Transport for SharedTransport {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        self.0.send(request)
    }

    fn send_streaming(&self, request: http::Request<Bytes>) -> StreamingFuture<'_> {
        self.0.send_streaming(request)
    }
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        (**self).send(request)
    }

    fn send_streaming(&self, request: http::Request<Bytes>) -> StreamingFuture<'_> {
        (**self).send_streaming(request)
    }
}
