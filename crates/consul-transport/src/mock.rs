//! Test doubles for code built on [`Transport`] (feature `test-util`).
//!
//! [`MockTransport`] replays canned responses and records every request, so unit tests can
//! assert the method, path, query, headers and body a client produced. [`Recording`] wraps
//! a real transport and records what passes through it, which lets integration tests prove
//! that a request was — or was not — sent.

use crate::{RequestTimeout, StreamingFuture, Transport, TransportError, TransportFuture};
use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// One request as the transport saw it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: http::Method,
    /// The full URI.
    pub uri: http::Uri,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The request's own time limit ([`RequestTimeout`]), if it carried one.
    pub timeout: Option<std::time::Duration>,
}

impl RecordedRequest {
    fn of(request: &http::Request<Bytes>) -> Self {
        RecordedRequest {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: request.body().clone(),
            timeout: request.extensions().get::<RequestTimeout>().map(|t| t.0),
        }
    }

    /// The query parameters, decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let query = self.uri.query().unwrap_or("");
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect()
    }

    /// The value of one query parameter (the first if repeated).
    pub fn query(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn decode(s: &str) -> String {
    // Test helper only: '+' and %XX as a form decoder reads them.
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A canned answer for [`MockTransport`].
#[derive(Debug)]
pub enum Reply {
    /// A response with this status, headers and body.
    Response(http::Response<Bytes>),
    /// A transport failure.
    Error(TransportError),
}

impl Reply {
    /// A response with a status and body.
    ///
    /// # Panics
    /// For a status outside 100..=999 (a bug in the test that builds it).
    pub fn status(status: u16, body: impl Into<Bytes>) -> Self {
        let mut response = http::Response::new(body.into());
        *response.status_mut() = http::StatusCode::from_u16(status).expect("valid status code");
        Reply::Response(response)
    }

    /// A `200` JSON response.
    pub fn json(body: impl Into<Bytes>) -> Self {
        Reply::status(200, body)
    }

    /// Adds a header to a response.
    ///
    /// # Panics
    /// For a value that is not a valid header value (a bug in the test that builds it).
    #[must_use]
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        if let Reply::Response(r) = &mut self {
            r.headers_mut()
                .insert(name, value.parse().expect("valid header value"));
        }
        self
    }
}

#[derive(Debug, Default)]
struct State {
    replies: VecDeque<Reply>,
    requests: Vec<RecordedRequest>,
}

/// Replays queued [`Reply`]s in order and records every request.
///
/// A request with no reply queued for it is a bug in the test: it panics, naming the
/// request, rather than inventing an answer the test never chose.
#[derive(Debug, Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

impl MockTransport {
    /// An empty mock.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a reply.
    pub fn push(&self, reply: Reply) -> &Self {
        self.state().replies.push_back(reply);
        self
    }

    /// How many queued replies have not been used yet.
    pub fn pending(&self) -> usize {
        self.state().replies.len()
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// The last request received.
    pub fn last(&self) -> Option<RecordedRequest> {
        self.state().requests.last().cloned()
    }

    /// How many requests were received.
    pub fn count(&self) -> usize {
        self.state().requests.len()
    }
}

impl Transport for MockTransport {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        let reply = {
            let mut state = self.state();
            state.requests.push(RecordedRequest::of(&request));
            state.replies.pop_front()
        };
        let Some(reply) = reply else {
            panic!(
                "MockTransport: no reply queued for {} {}",
                request.method(),
                request.uri()
            );
        };
        Box::pin(async move {
            match reply {
                Reply::Response(r) => Ok(r),
                Reply::Error(e) => Err(e),
            }
        })
    }
}

/// Forwards to another transport and records every request that passes.
#[derive(Debug, Clone)]
pub struct Recording<T> {
    inner: T,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl<T: Transport> Recording<T> {
    /// Wraps a transport.
    pub fn new(inner: T) -> Self {
        Recording {
            inner,
            requests: Arc::default(),
        }
    }

    fn log(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The requests sent so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log().clone()
    }

    /// How many requests were sent.
    pub fn count(&self) -> usize {
        self.log().len()
    }
}

impl<T: Transport> Transport for Recording<T> {
    fn send(&self, request: http::Request<Bytes>) -> TransportFuture<'_> {
        self.log().push(RecordedRequest::of(&request));
        self.inner.send(request)
    }

    fn send_streaming(&self, request: http::Request<Bytes>) -> StreamingFuture<'_> {
        self.log().push(RecordedRequest::of(&request));
        self.inner.send_streaming(request)
    }
}
