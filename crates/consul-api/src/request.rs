#![allow(dead_code)] // The old request path, left while the families move to `exec` (issue 8).
//! The one request path every endpoint goes through (Go's `api.go`): validate options,
//! build the percent-encoded URI, attach the token as a header, call the transport, map
//! failure statuses to errors, read the metadata and decode the body.

use crate::error::{error_message_of, MAX_ERROR_BODY};
use crate::{Client, Error, Result};
use bytes::Bytes;
use consul_transport::{BodyStream, RequestTimeout, Transport};
use consul_types::{
    QueryMeta, QueryOptions, QueryResponse, WriteMeta, WriteOptions, WriteResponse,
};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Characters kept as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A KV key keeps its `/` separators (Consul would decode `%2F` to `/` anyway).
const KEY: &AsciiSet = &SEGMENT.remove(b'/');

const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-consul-token");

/// Percent-encodes one path segment (a name or id).
pub(crate) fn segment(s: &str) -> Cow<'_, str> {
    utf8_percent_encode(s, SEGMENT).into()
}

/// Percent-encodes a KV key, keeping `/`.
pub(crate) fn key_path(s: &str) -> Cow<'_, str> {
    utf8_percent_encode(s, KEY).into()
}

/// One request being put together.
pub(crate) struct Call<'a> {
    client: &'a Client,
    method: Method,
    /// Path after `/v1/`, already encoded.
    path: String,
    query: Vec<(Cow<'static, str>, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    json_body: bool,
    token: Option<HeaderValue>,
    timeout: Option<Duration>,
    /// What logs show instead of the path, when the path holds a secret.
    log_path: Option<&'static str>,
}

impl Client {
    /// Starts a request to `/v1/{path}`; `path` must already be encoded.
    pub(crate) fn call(&self, method: Method, path: impl Into<String>) -> Call<'_> {
        Call {
            client: self,
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Bytes::new(),
            json_body: false,
            token: None,
            timeout: None,
            log_path: None,
        }
    }
}

impl<'a> Call<'a> {
    /// Adds a query parameter.
    pub(crate) fn param(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter when the value is set.
    pub(crate) fn param_opt(self, name: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.param(name, v),
            None => self,
        }
    }

    /// Adds a flag parameter (`?recurse`).
    pub(crate) fn flag(self, name: &'static str) -> Self {
        self.param(name, String::new())
    }

    /// Adds a flag parameter when `on`.
    pub(crate) fn flag_if(self, name: &'static str, on: bool) -> Self {
        if on {
            self.flag(name)
        } else {
            self
        }
    }

    /// Applies read options: validates them and adds their parameters, token, cache
    /// headers and, for blocking reads, a time limit that covers Consul's wait.
    pub(crate) fn query_options(mut self, opts: &QueryOptions) -> Result<Self> {
        opts.validate()?;
        let inner = &self.client.inner;
        for (k, v) in opts.query_pairs(inner.consistency) {
            self.query.push((Cow::Borrowed(k), v));
        }
        self.apply_defaults(
            opts.datacenter.is_some(),
            opts.namespace.is_some(),
            opts.partition.is_some(),
        );
        if let Some(token) = &opts.token {
            self.token = Some(crate::client::token_header(token)?);
        }
        if let Some(cc) = opts.cache_control() {
            let value = HeaderValue::from_str(&cc).map_err(Error::decode)?;
            self.headers.push((CACHE_CONTROL, value));
        }
        if let Some(budget) = opts.blocking_budget() {
            self.timeout = Some(budget.saturating_add(inner.blocking_margin));
        }
        Ok(self)
    }

    /// Applies write options: validates them and adds their parameters and token.
    pub(crate) fn write_options(mut self, opts: &WriteOptions) -> Result<Self> {
        opts.validate()?;
        for (k, v) in opts.query_pairs() {
            self.query.push((Cow::Borrowed(k), v));
        }
        self.apply_defaults(
            opts.datacenter.is_some(),
            opts.namespace.is_some(),
            opts.partition.is_some(),
        );
        if let Some(token) = &opts.token {
            self.token = Some(crate::client::token_header(token)?);
        }
        Ok(self)
    }

    /// Client-wide datacenter, namespace and partition, where the options set none.
    fn apply_defaults(&mut self, has_dc: bool, has_ns: bool, has_partition: bool) {
        let client = self.client;
        if !has_dc {
            if let Some(dc) = client.datacenter.as_deref() {
                self.query.push((Cow::Borrowed("dc"), dc.to_owned()));
            }
        }
        self.apply_scope(has_ns, has_partition);
    }

    /// Client-wide namespace and partition, where the options set none. Go's client sends
    /// them with every request, the agent's own endpoints included (a service registered
    /// through the agent lands in the client's namespace).
    fn apply_scope(&mut self, has_ns: bool, has_partition: bool) {
        let client = self.client;
        if !has_ns {
            if let Some(ns) = &client.inner.namespace {
                self.query.push((Cow::Borrowed("ns"), ns.clone()));
            }
        }
        if !has_partition {
            if let Some(p) = &client.inner.partition {
                self.query.push((Cow::Borrowed("partition"), p.clone()));
            }
        }
    }

    /// Applies read options to an agent-local read: the token, `filter`, hash blocking
    /// (`hash`, `wait`, with a time limit covering the wait) and an explicit namespace or
    /// partition. Datacenter and consistency do not apply to the local agent.
    pub(crate) fn agent_query_options(mut self, opts: &QueryOptions) -> Result<Self> {
        opts.validate()?;
        for (k, v) in opts.query_pairs(consul_types::Consistency::Default) {
            if matches!(k, "filter" | "hash" | "wait" | "index" | "ns" | "partition") {
                self.query.push((Cow::Borrowed(k), v));
            }
        }
        if let Some(token) = &opts.token {
            self.token = Some(crate::client::token_header(token)?);
        }
        if let Some(budget) = opts.blocking_budget() {
            self.timeout = Some(budget.saturating_add(self.client.inner.blocking_margin));
        }
        self.apply_scope(opts.namespace.is_some(), opts.partition.is_some());
        Ok(self)
    }

    /// Applies write options to an agent-local write: the token and the namespace and
    /// partition (the options' or the client's). The datacenter does not apply to the local
    /// agent.
    pub(crate) fn agent_write_options(mut self, opts: &WriteOptions) -> Result<Self> {
        opts.validate()?;
        for (k, v) in opts.query_pairs() {
            if matches!(k, "ns" | "partition") {
                self.query.push((Cow::Borrowed(k), v));
            }
        }
        self.apply_scope(opts.namespace.is_some(), opts.partition.is_some());
        if let Some(token) = &opts.token {
            self.token = Some(crate::client::token_header(token)?);
        }
        Ok(self)
    }

    /// Applies the client's raw-request defaults: its datacenter and, for reads, its
    /// consistency mode, unless the parameters already choose; its namespace and partition.
    pub(crate) fn raw_defaults(mut self) -> Self {
        let has = |name: &str| self.query.iter().any(|(k, _)| k == name);
        let (has_dc, has_ns, has_partition) = (has("dc"), has("ns"), has("partition"));
        let chooses_consistency = has("stale") || has("consistent");
        if self.method == Method::GET && !chooses_consistency {
            match self.client.inner.consistency {
                consul_types::Consistency::Consistent => {
                    self.query
                        .push((Cow::Borrowed("consistent"), String::new()));
                }
                consul_types::Consistency::Stale => {
                    self.query.push((Cow::Borrowed("stale"), String::new()));
                }
                _ => {}
            }
        }
        self.apply_defaults(has_dc, has_ns, has_partition);
        self
    }

    /// Uses this datacenter-less call as a token-only one (`catalog/datacenters`).
    pub(crate) fn token_override(mut self, token: Option<&consul_types::Token>) -> Result<Self> {
        if let Some(token) = token {
            self.token = Some(crate::client::token_header(token)?);
        }
        Ok(self)
    }

    /// Sets this request's token, replacing the client's.
    pub(crate) fn token_value(mut self, token: HeaderValue) -> Self {
        self.token = Some(token);
        self
    }

    /// Sets a JSON body.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::Validation(consul_types::ValidationError::InvalidValue {
                field: "request body",
                reason: e.to_string().into(),
            })
        })?;
        self.body = Bytes::from(bytes);
        self.json_body = true;
        Ok(self)
    }

    /// Keeps the path out of logs (legacy ACL paths carry the token's secret).
    pub(crate) fn secret_path(mut self, shown: &'static str) -> Self {
        self.log_path = Some(shown);
        self
    }

    /// Sets a raw body.
    pub(crate) fn body(mut self, body: Bytes) -> Self {
        self.body = body;
        self
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    fn build(self) -> Result<(http::Request<Bytes>, String)> {
        let inner = &self.client.inner;
        let shown = self
            .log_path
            .map_or_else(|| self.path.clone(), str::to_owned);
        check_path(&self.path, &shown)?;
        if self.client.datacenter.as_deref() == Some("") {
            return Err(consul_types::ValidationError::Empty {
                field: "datacenter",
            }
            .into());
        }
        let mut uri = String::with_capacity(inner.base.len() + 4 + self.path.len() + 32);
        uri.push_str(&inner.base);
        uri.push_str("/v1/");
        uri.push_str(&self.path);
        if !self.query.is_empty() {
            uri.push('?');
            let start = uri.len();
            let mut ser = form_urlencoded::Serializer::for_suffix(uri, start);
            for (k, v) in &self.query {
                ser.append_pair(k, v);
            }
            uri = ser.finish();
        }
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(&uri);
        let headers = builder.headers_mut().ok_or_else(|| invalid_uri(&shown))?;
        if let Some(token) = self.token.or_else(|| inner.token.clone()) {
            headers.insert(TOKEN_HEADER, token);
        }
        if let Some(auth) = &inner.authorization {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        if self.json_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in self.headers {
            // A request's own credentials replace the client's rather than travel beside them.
            if name == AUTHORIZATION {
                headers.insert(name, value);
            } else {
                headers.append(name, value);
            }
        }
        if let Some(t) = self.timeout {
            builder = builder.extension(RequestTimeout(t));
        }
        let request = builder.body(self.body).map_err(|_| invalid_uri(&shown))?;
        Ok((request, shown))
    }

    /// Sends the request and returns the response whatever its status.
    pub(crate) async fn send_raw(self) -> Result<(http::Response<Bytes>, Duration)> {
        let transport = self.client.inner.transport.clone();
        let (request, path) = self.build()?;
        let span = tracing::debug_span!(
            "consul.request",
            method = %request.method(),
            path = %path,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        async move {
            let started = Instant::now();
            let result = transport.send(request).await;
            let elapsed = started.elapsed();
            let span = tracing::Span::current();
            span.record("duration_ms", elapsed.as_millis() as u64);
            match result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    tracing::debug!("consul answered");
                    Ok((response, elapsed))
                }
                Err(e) => {
                    tracing::debug!(error = %e, "consul request failed");
                    Err(Error::Transport(e))
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Sends the request, streaming the response body; returns once the head arrived, with
    /// the time that took. A failure status becomes an error, its body read under a size
    /// and time limit.
    pub(crate) async fn send_streaming(self) -> Result<(http::Response<BodyStream>, Duration)> {
        let transport = self.client.inner.transport.clone();
        let margin = self.client.inner.blocking_margin;
        let (request, path) = self.build()?;
        let span = tracing::debug_span!(
            "consul.request",
            method = %request.method(),
            path = %path,
            streaming = true,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let response = transport
            .send_streaming(request)
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        span.record("duration_ms", elapsed.as_millis() as u64);
        let response = response.map_err(Error::Transport)?;
        span.record("status", response.status().as_u16());
        if !response.status().is_success() {
            let (parts, body) = response.into_parts();
            let (body, total) = error_body(body, margin).await;
            let message = error_message_of(&body, total);
            return Err(Error::from_parts(parts.status, &parts.headers, message));
        }
        Ok((response, elapsed))
    }

    /// A read whose body is streamed; the metadata comes from the head, and its request
    /// time is the time until the head arrived.
    ///
    /// The body must keep flowing: a pause longer than the client's request timeout ends it
    /// with a timeout error (a snapshot is written as fast as the server can send it).
    pub(crate) async fn query_streaming(self) -> Result<QueryResponse<BodyStream>> {
        let idle = self.client.inner.idle_limit;
        let (response, elapsed) = self.send_streaming().await?;
        let (parts, body) = response.into_parts();
        let mut meta = QueryMeta::from_headers(&parts.headers)?;
        meta.request_time = elapsed;
        Ok(QueryResponse {
            value: BodyStream::new(IdleLimited::new(body, idle)),
            meta,
        })
    }

    /// Sends the request; a failure status becomes an error.
    pub(crate) async fn send(self) -> Result<(http::Response<Bytes>, Duration)> {
        let client = self.client.clone();
        let path = self.path.clone();
        let self_log_path = self.log_path;
        let (response, elapsed) = self.send_raw().await?;
        if is_unknown_route(&path, &response) {
            let path = self_log_path.map_or(path, str::to_owned);
            return Err(Error::Unsupported {
                agent_version: client.agent_version_best_effort().await,
                path,
            });
        }
        check(&response)?;
        Ok((response, elapsed))
    }

    /// A read whose body decodes to `T`.
    pub(crate) async fn query<T: DeserializeOwned>(self) -> Result<QueryResponse<T>> {
        let (response, elapsed) = self.send().await?;
        let meta = query_meta(&response, elapsed)?;
        Ok(QueryResponse {
            value: decode(response.body())?,
            meta,
        })
    }

    /// A read of a list, where Consul answers `null` when there is nothing to list.
    pub(crate) async fn query_list<T: DeserializeOwned>(self) -> Result<QueryResponse<Vec<T>>> {
        let response = self.query::<Option<Vec<T>>>().await?;
        Ok(response.map(Option::unwrap_or_default))
    }

    /// A read where 404 means "absent" rather than an error.
    pub(crate) async fn query_opt<T: DeserializeOwned>(self) -> Result<QueryResponse<Option<T>>> {
        let (response, elapsed) = self.send_raw().await?;
        if response.status() == StatusCode::NOT_FOUND {
            let meta = query_meta(&response, elapsed)?;
            return Ok(QueryResponse { value: None, meta });
        }
        check(&response)?;
        let meta = query_meta(&response, elapsed)?;
        Ok(QueryResponse {
            value: Some(decode(response.body())?),
            meta,
        })
    }

    /// A read of raw bytes, where 404 means "absent".
    pub(crate) async fn query_bytes_opt(self) -> Result<QueryResponse<Option<Bytes>>> {
        let (response, elapsed) = self.send_raw().await?;
        let meta = query_meta(&response, elapsed)?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(QueryResponse { value: None, meta });
        }
        check(&response)?;
        Ok(QueryResponse {
            value: Some(response.into_body()),
            meta,
        })
    }

    /// A write whose body decodes to `T` (often `bool`).
    pub(crate) async fn write<T: DeserializeOwned>(self) -> Result<WriteResponse<T>> {
        let (response, elapsed) = self.send().await?;
        Ok(WriteResponse {
            value: decode(response.body())?,
            meta: WriteMeta::new(elapsed),
        })
    }

    /// A write whose body carries nothing of interest.
    pub(crate) async fn write_unit(self) -> Result<WriteResponse<()>> {
        let (_, elapsed) = self.send().await?;
        Ok(WriteResponse {
            value: (),
            meta: WriteMeta::new(elapsed),
        })
    }
}

/// Consul's router answers an unknown route with 404 and an empty body; every endpoint's
/// own "not found" has a message, except a missing KV key.
fn is_unknown_route(path: &str, response: &http::Response<Bytes>) -> bool {
    response.status() == StatusCode::NOT_FOUND
        && response.body().iter().all(u8::is_ascii_whitespace)
        && !path.starts_with("kv/")
        && !path.starts_with("kv?")
}

impl Client {
    /// A `GET` of a list endpoint with extra parameters and read options.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: String,
        params: Vec<(&'static str, String)>,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<T>>> {
        let mut call = self.call(Method::GET, path);
        for (k, v) in params {
            call = call.param(k, v);
        }
        call.query_options(opts)?.query_list().await
    }
}

/// Refuses a path Consul would not serve as it is: a `.` or `..` segment (Consul answers
/// with a redirect to the cleaned path, which a redirect-following transport or a
/// normalising proxy would follow to another key or endpoint), or an empty segment (an
/// empty name) outside the KV store, where a trailing `/` names a folder.
///
/// Consul's router sees the decoded path (an id `../x` sent as `..%2Fx` is `../x` to it),
/// so the decoded path is checked.
fn check_path(path: &str, shown: &str) -> Result<()> {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let is_kv = decoded == "kv" || decoded.starts_with("kv/");
    let last = decoded.split('/').count() - 1;
    for (i, segment) in decoded.split('/').enumerate() {
        let reason = match segment {
            "." | ".." => format!(
                "segment {segment:?} of /v1/{shown}: '.' and '..' would be resolved as a relative path"
            ),
            "" if !(is_kv && i == last) => {
                format!("/v1/{shown} has an empty segment (an empty name or id)")
            }
            _ => continue,
        };
        return Err(consul_types::ValidationError::InvalidValue {
            field: "request path",
            reason: reason.into(),
        }
        .into());
    }
    Ok(())
}

fn invalid_uri(path: &str) -> Error {
    Error::Validation(consul_types::ValidationError::InvalidValue {
        field: "request URI",
        reason: format!("cannot build a request for /v1/{path}").into(),
    })
}

pub(crate) fn check(response: &http::Response<Bytes>) -> Result<()> {
    if response.status().is_success() {
        Ok(())
    } else {
        Err(Error::from_response(response))
    }
}

/// A body stream that fails with a timeout when no chunk arrives for `limit`.
struct IdleLimited {
    body: Option<BodyStream>,
    limit: Duration,
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
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

impl futures_core::Stream for IdleLimited {
    type Item = std::result::Result<Bytes, consul_transport::TransportError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = &mut *self;
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        match std::pin::Pin::new(body).poll_next(cx) {
            Poll::Ready(Some(item)) => {
                let deadline = tokio::time::Instant::now() + this.limit;
                this.timer.as_mut().reset(deadline);
                Poll::Ready(Some(item))
            }
            Poll::Ready(None) => {
                this.body = None;
                Poll::Ready(None)
            }
            Poll::Pending => match std::future::Future::poll(this.timer.as_mut(), cx) {
                Poll::Ready(()) => {
                    this.body = None;
                    let limit = this.limit;
                    Poll::Ready(Some(Err(consul_transport::TransportError::timeout(
                        format!("no data for {limit:?} while streaming the body"),
                    ))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Reads the start of a streamed failure's body: at most [`MAX_ERROR_BODY`] bytes (plus one
/// chunk) and for at most `limit`, so a server trickling an endless error page cannot hold
/// the caller. Returns what was read and the body's size when it was read to its end.
async fn error_body(mut body: BodyStream, limit: Duration) -> (Vec<u8>, Option<usize>) {
    use futures_core::Stream;
    let mut read = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_next(cx));
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

pub(crate) fn query_meta(response: &http::Response<Bytes>, elapsed: Duration) -> Result<QueryMeta> {
    let mut meta = QueryMeta::from_headers(response.headers())?;
    meta.request_time = elapsed;
    Ok(meta)
}

pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(Error::decode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_empty_segments_are_refused() {
        for bad in [
            "agent/service/..",
            "agent/service/.",
            "agent/force-leave/../leave",
            "kv/a/../b",
            "kv/%2e%2E/x",
            "agent/service/%2E%2E%2F",
            "agent/service/..%2Fleave",
            "agent/service/%2Fx",
            "agent/service/",
            "catalog//nodes",
            "",
        ] {
            let err = check_path(bad, bad).unwrap_err();
            assert!(err.is_validation(), "{bad:?}: {err}");
        }
        for ok in [
            "kv/",
            "kv/folder/",
            "kv/a.b/..c",
            "agent/service/web.1",
            "catalog/nodes",
            "agent/service/a%2Fb",
        ] {
            assert!(check_path(ok, ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn encodes_segments_and_keys() {
        assert_eq!(segment("a b/c?d#e%"), "a%20b%2Fc%3Fd%23e%25");
        assert_eq!(key_path("dir/a b/ü?"), "dir/a%20b/%C3%BC%3F");
        assert_eq!(segment("web-1.v2_x~"), "web-1.v2_x~");
    }
}
