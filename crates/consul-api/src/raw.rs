//! aioconsul's escape hatch: any request to `{address}/v1/{path}`, for endpoints this crate
//! does not model yet.

use crate::{Client, Error, Result};
use bytes::Bytes;
use consul_types::Token;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, Method};
use std::fmt;

const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-consul-token");

/// Parameters, body and headers of a raw request.
///
/// Its `Debug` output shows neither the token nor an `X-Consul-Token` or `Authorization`
/// header.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RawRequest {
    /// Query parameters, encoded by the client. A `dc`, `ns`, `partition`, `stale` or
    /// `consistent` given here wins over the client's own setting.
    pub params: Vec<(String, String)>,
    /// The body, sent as is.
    pub body: Bytes,
    /// Extra headers. An `X-Consul-Token` given here replaces the client's token.
    pub headers: HeaderMap,
    /// The token for this request instead of the client's.
    pub token: Option<Token>,
}

impl fmt::Debug for RawRequest {
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
            .field("params", &self.params)
            .field("body", &self.body)
            .field("headers", &headers)
            .field("token", &self.token)
            .finish()
    }
}

fn is_secret_header(name: &HeaderName) -> bool {
    *name == TOKEN_HEADER || *name == AUTHORIZATION
}

impl RawRequest {
    /// Uses this token instead of the client's.
    #[must_use]
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }
}

impl Client {
    /// Sends any request to `{address}/v1/{path}` (aioconsul's `Consul.request`).
    ///
    /// `path` is used as given (encode names yourself); a leading `/` is ignored, and a
    /// `.`, `..` or empty segment is refused. The request is scoped like every typed call:
    /// the handle's datacenter ([`Client::dc`]), the client's namespace and partition and,
    /// for a `GET`, its consistency mode, unless `params` choose their own. The token
    /// ([`RawRequest::token`], an `X-Consul-Token` header, or else the client's) travels as
    /// one header. Failure statuses become errors as with every other call; a success
    /// returns the whole response.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::RawRequest;
    /// let response = client
    ///     .request(http::Method::GET, "status/peers", RawRequest::default())
    ///     .await?;
    /// let peers: Vec<String> = serde_json::from_slice(response.body()).unwrap();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As any call: [`Error::Transport`], [`Error::Status`] and its siblings.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        request: RawRequest,
    ) -> Result<http::Response<Bytes>> {
        let path = path.trim_start_matches('/');
        if path.is_empty() {
            return Err(Error::Validation(consul_types::ValidationError::Empty {
                field: "path",
            }));
        }
        let mut call = self.call(method, path.to_owned());
        for (k, v) in request.params {
            call = call.param(k, v);
        }
        call = call.raw_defaults();
        let mut headers = request.headers;
        if let Some(mut token) = headers.remove(TOKEN_HEADER) {
            token.set_sensitive(true);
            call = call.token_value(token);
        }
        if let Some(token) = &request.token {
            call = call.token_value(crate::client::token_header(token)?);
        }
        for (name, value) in &headers {
            let mut value = value.clone();
            if is_secret_header(name) {
                value.set_sensitive(true);
            }
            call = call.header(name.clone(), value);
        }
        let (response, _) = call.body(request.body).send().await?;
        Ok(response)
    }

    /// `GET` through [`Client::request`].
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let leader = client.get("status/leader", &[]).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn get(&self, path: &str, params: &[(&str, &str)]) -> Result<http::Response<Bytes>> {
        self.request(Method::GET, path, with_params(params)).await
    }

    /// `PUT` through [`Client::request`].
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.put("kv/raw/example", &[("flags", "7")], "value").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn put(
        &self,
        path: &str,
        params: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<http::Response<Bytes>> {
        self.request(Method::PUT, path, with_params(params).body(body))
            .await
    }

    /// `POST` through [`Client::request`].
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.post("acl/rules/translate", &[], r#"key "" { policy = "read" }"#).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn post(
        &self,
        path: &str,
        params: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<http::Response<Bytes>> {
        self.request(Method::POST, path, with_params(params).body(body))
            .await
    }

    /// `DELETE` through [`Client::request`].
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.delete("kv/raw/example", &[]).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn delete(
        &self,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<http::Response<Bytes>> {
        self.request(Method::DELETE, path, with_params(params))
            .await
    }
}

fn with_params(params: &[(&str, &str)]) -> RawRequest {
    RawRequest {
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..RawRequest::default()
    }
}
