//! The one executor every call goes through (Go's `api.go`): build the request from the
//! endpoint's description, send it under a time budget inside a tracing span, take its
//! status as the endpoint says, and hand the answer back to be decoded.

use crate::call::Answer;
use crate::error::{error_message_of, MAX_ERROR_BODY};
use crate::{Client, Error, Result};
use bytes::Bytes;
use consul_transport::{BodyStream, RequestTimeout, Transport, TransportError};
use consul_types::endpoint::{Blocking, Decode, Endpoint, Options, Outcome, Target, TOKEN_HEADER};
use futures_core::Stream;
use http::{HeaderValue, Method, StatusCode};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tracing::Instrument;

impl Client {
    /// What the client brings to every request.
    pub(crate) fn target(&self) -> Target<'_> {
        let inner = &self.inner;
        let mut target = Target::new(&inner.base);
        target.token = inner.token.as_ref();
        target.authorization = inner.authorization.as_ref();
        target.consistency = inner.consistency;
        target.datacenter = self.datacenter.as_deref();
        target.namespace = inner.namespace.as_deref();
        target.partition = inner.partition.as_deref();
        target
    }

    /// Runs one call: builds it (nothing is sent when that fails), sends it, and takes its
    /// status as the endpoint says.
    pub(crate) async fn execute(
        &self,
        endpoint: &Endpoint,
        options: Options<'_>,
    ) -> Result<Answer> {
        let mut request = endpoint.to_request(&self.target(), options)?;
        if let Some(limit) = self.time_budget(endpoint, options) {
            request.extensions_mut().insert(RequestTimeout(limit));
        }
        let span = tracing::debug_span!(
            "consul.request",
            method = %request.method(),
            path = %endpoint.shown_path(),
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        match endpoint.decoding() {
            Decode::Stream | Decode::LiveStream => {
                self.execute_streaming(endpoint, request, span).await
            }
            _ => self.execute_buffered(endpoint, request, span).await,
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

    async fn execute_buffered(
        &self,
        endpoint: &Endpoint,
        request: http::Request<Bytes>,
        span: tracing::Span,
    ) -> Result<Answer> {
        let token = request.headers().get(TOKEN_HEADER).cloned();
        let started = Instant::now();
        let result = self
            .inner
            .transport
            .send(request)
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        span.record("duration_ms", elapsed.as_millis() as u64);
        let response = result.map_err(|e| {
            span.in_scope(|| tracing::debug!(error = %e, "consul request failed"));
            Error::Transport(e)
        })?;
        span.record("status", response.status().as_u16());
        match endpoint.outcome(response.status(), response.body()) {
            Outcome::Value => Ok(Answer::buffered(response, elapsed, false)),
            // Consul 1.8 answers `403 ACL not found` both for a missing token or policy and
            // for a request whose own token is unknown: only the first is "absent".
            Outcome::Absent if response.status() == StatusCode::FORBIDDEN => {
                if self.token_is_known(token).await? {
                    Ok(Answer::buffered(response, elapsed, true))
                } else {
                    Err(Error::PermissionDenied {
                        message: "ACL not found: the request's token is unknown to Consul".into(),
                    })
                }
            }
            Outcome::Absent => Ok(Answer::buffered(response, elapsed, true)),
            Outcome::Unsupported => Err(Error::Unsupported {
                agent_version: self.agent_version_best_effort().await,
                path: endpoint.unsupported_target().to_owned(),
            }),
            _ => Err(Error::from_response(&response)),
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
                agent_version: self.agent_version_best_effort().await,
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
    async fn token_is_known(&self, token: Option<HeaderValue>) -> Result<bool> {
        let mut endpoint = Endpoint::read(Method::GET, "acl/token/self");
        if let Some(token) = token {
            endpoint = endpoint.header(TOKEN_HEADER, token);
        }
        let opts = consul_types::QueryOptions::default();
        let request = endpoint.to_request(&self.target(), Options::Read(&opts))?;
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
        let request = endpoint
            .to_request(&self.target(), Options::Read(&opts))
            .ok()?;
        let response = self.inner.transport.send(request).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let json: serde_json::Value = serde_json::from_slice(response.body()).ok()?;
        json.pointer("/Config/Version")?.as_str().map(str::to_owned)
    }
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
