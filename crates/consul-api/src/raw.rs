//! aioconsul's escape hatch: any request to `{address}/v1/{path}`, for endpoints this crate
//! does not model yet. (To call such an endpoint with typed options, decoding and watches,
//! implement [`Call`](crate::call::Call) instead.)

use crate::call::{Answer, Call, RequestFuture};
use crate::{Client, Result};
use bytes::Bytes;
use consul_types::endpoint::{Endpoint, Options, TOKEN_HEADER};
use consul_types::{QueryOptions, Token, ValidationError, WriteOptions};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::fmt;
use std::future::IntoFuture;

/// Any request to `{address}/v1/{path}`, made by [`Client::request`]; run when awaited.
///
/// Its `Debug` output shows neither the token nor an `X-Consul-Token` or `Authorization`
/// header.
#[must_use = "a request does nothing until it is awaited"]
pub struct RawRequest {
    client: Client,
    call: RawCall,
}

#[derive(Clone)]
struct RawCall {
    method: Method,
    path: String,
    params: Vec<(String, String)>,
    body: Bytes,
    headers: HeaderMap,
    token: Option<Token>,
}

impl fmt::Debug for RawCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&HeaderName, &dyn fmt::Debug)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown: &dyn fmt::Debug = if is_secret_header(name) || value.is_sensitive() {
                    &"<redacted>"
                } else {
                    value
                };
                (name, shown)
            })
            .collect();
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("params", &self.params)
            .field("body", &self.body)
            .field("headers", &headers)
            .field("token", &self.token)
            .finish()
    }
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.call.fmt(f)
    }
}

fn is_secret_header(name: &HeaderName) -> bool {
    *name == TOKEN_HEADER || *name == AUTHORIZATION
}

impl Call for RawCall {
    type Output = http::Response<Bytes>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        let path = self.path.trim_start_matches('/');
        if path.is_empty() {
            return Err(ValidationError::Empty { field: "path" });
        }
        let reads = self.method == Method::GET;
        let mut endpoint =
            Endpoint::custom(self.method.clone(), path, reads).body(self.body.clone());
        for (k, v) in &self.params {
            endpoint = endpoint.param_owned(k.clone(), v.clone());
        }
        for (name, value) in &self.headers {
            if *name == TOKEN_HEADER && self.token.is_some() {
                continue;
            }
            let mut value = value.clone();
            if is_secret_header(name) {
                value.set_sensitive(true);
            }
            endpoint = endpoint.header(name.clone(), value);
        }
        Ok(endpoint)
    }

    fn output(&self, answer: Answer) -> Result<http::Response<Bytes>> {
        let mut response = http::Response::new(answer.bytes().clone());
        *response.status_mut() = answer.status();
        *response.version_mut() = answer.version();
        *response.headers_mut() = answer.headers().clone();
        Ok(response)
    }
}

impl Client {
    /// Any request to `{address}/v1/{path}` (aioconsul's `Consul.request`), with chained
    /// `.param()`, `.body()`, `.header()` and `.token()`.
    ///
    /// `path` is used as given (encode names yourself); a leading `/` is ignored, and a
    /// `.`, `..` or empty segment is refused. The request is scoped like every typed call:
    /// the handle's datacenter ([`Client::dc`]), the client's namespace and partition and,
    /// for a `GET`, its consistency mode, unless the parameters choose their own. The token
    /// ([`RawRequest::token`], an `X-Consul-Token` header, or else the client's) travels as
    /// one header. Failure statuses become errors as with every other call; a success
    /// returns the whole response.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use http::Method;
    /// let response = client.request(Method::GET, "status/peers").await?;
    /// let peers: Vec<String> = serde_json::from_slice(response.body()).unwrap();
    /// client.request(Method::PUT, "kv/raw/example").param("flags", "7").body("value").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As any call: [`Error::Validation`](crate::Error::Validation),
    /// [`Error::Transport`](crate::Error::Transport), [`Error::Status`](crate::Error::Status)
    /// and its siblings.
    pub fn request(&self, method: Method, path: impl Into<String>) -> RawRequest {
        RawRequest {
            client: self.clone(),
            call: RawCall {
                method,
                path: path.into(),
                params: Vec::new(),
                body: Bytes::new(),
                headers: HeaderMap::new(),
                token: None,
            },
        }
    }
}

impl RawRequest {
    /// Adds a query parameter. A `dc`, `ns`, `partition`, `stale` or `consistent` given
    /// here wins over the client's own setting.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.call.params.push((name.into(), value.into()));
        self
    }

    /// Sets the body, sent as is.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.call.body = body.into();
        self
    }

    /// Adds a header. An `X-Consul-Token` given here replaces the client's token.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.call.headers.append(name, value);
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.call.token = Some(token.into());
        self
    }

    /// Runs the request.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn send(self) -> Result<http::Response<Bytes>> {
        let endpoint = self.call.endpoint()?;
        let answer = if endpoint.takes_read_options() {
            let mut opts = QueryOptions::default();
            opts.token = self.call.token.clone();
            self.client
                .execute(&endpoint, Options::Read(&opts), None)
                .await?
        } else {
            let mut opts = WriteOptions::default();
            opts.token = self.call.token.clone();
            self.client
                .execute(&endpoint, Options::Write(&opts), None)
                .await?
        };
        self.call.output(answer)
    }
}

impl IntoFuture for RawRequest {
    type Output = Result<http::Response<Bytes>>;
    type IntoFuture = RequestFuture<http::Response<Bytes>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
