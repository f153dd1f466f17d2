//! Endpoints as data: what one call sends and how its answer is read, with no I/O.
//!
//! An [`Endpoint`] says everything the request path needs to know about one call of
//! Consul's HTTP API: its method; its path, where every user string is percent-encoded as
//! one segment (and `.`, `..` or empty refused); which options apply ([`Scope`],
//! [`Accepts`], [`Blocking`]); what a "not found" answer means ([`Missing`]); which other
//! statuses are answers rather than failures; and how the body is read ([`Decode`]).
//! [`Endpoint::to_request`] turns it, the client's settings ([`Target`]) and the call's
//! options into a plain `http::Request<Bytes>`, and [`Endpoint::outcome`] classifies the
//! status of the answer. kube-core's `Request` is the model: requests are built without a
//! client, so every rule here is tested without a transport.
//!
//! ```
//! use consul_types::endpoint::{Endpoint, Options, Target};
//! use consul_types::QueryOptions;
//! use http::Method;
//!
//! let endpoint = Endpoint::read(Method::GET, "catalog/service")
//!     .segment("service name", "web")?
//!     .param("tag", "v1");
//! let opts = QueryOptions::default().datacenter("dc2");
//! let request = endpoint.to_request(&Target::new("http://127.0.0.1:8500"), Options::Read(&opts))?;
//! assert_eq!(request.uri(), "http://127.0.0.1:8500/v1/catalog/service/web?tag=v1&dc=dc2");
//! # Ok::<(), consul_types::ValidationError>(())
//! ```

use crate::{Consistency, QueryOptions, Token, ValidationError, WriteOptions};
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::borrow::Cow;

/// Characters kept as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A KV key keeps its `/` separators (Consul would decode `%2F` to `/` anyway).
const KEY: &AsciiSet = &SEGMENT.remove(b'/');

/// The header Consul reads the ACL token from; the token never travels in the URL.
pub const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-consul-token");

/// Who answers an endpoint, which decides the options that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// The servers, through the agent: datacenter, consistency modes (reads), namespace
    /// and partition apply.
    Cluster,
    /// The local agent: no datacenter and no consistency mode; namespace and partition
    /// apply.
    Agent,
}

/// How an endpoint blocks, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocking {
    /// It answers at once.
    No,
    /// `?index=&wait=`, answered with `X-Consul-Index`.
    Index,
    /// `?hash=&wait=`, answered with `X-Consul-ContentHash` (agent-local endpoints).
    Hash,
}

/// What a "not found" answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Missing {
    /// An error ([`Outcome::Failure`]): the call acts on something that must exist.
    Error,
    /// The value is absent: `404`, with or without a message.
    Absent,
    /// The value is absent: `404`, or `403 ACL not found` (how Consul 1.8 answers a read
    /// of an ACL token or policy that does not exist).
    AclAbsent,
    /// The value is absent: `404`, even with an empty body (how Consul answers a read of an
    /// ACL role that does not exist). An agent that does not serve the route answers the
    /// same, so it reads as "absent" too, not as [`Outcome::Unsupported`].
    AbsentEvenEmpty,
}

/// How the body of a successful answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decode {
    /// JSON (a `true`/`false` answer is JSON too).
    Json,
    /// The bytes as they are (a KV value, a translated rule text).
    Bytes,
    /// Nothing of interest: the status says it all.
    Unit,
    /// A stream that flows until it ends (a snapshot): a pause longer than the client's
    /// request timeout ends it with an error.
    Stream,
    /// A stream that may stay quiet for as long as it lives (the agent's log).
    LiveStream,
}

/// What sending a write a second time does, which decides whether a client may send it
/// again after a failure that leaves unknown whether the first one was applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Idempotence {
    /// A second one may do more than the first (a plain KV put overwrites a newer value;
    /// an event fires twice): it is sent again only when the first provably never reached
    /// Consul.
    #[default]
    No,
    /// A second one does nothing more than the first (renew a session, mark a TTL check
    /// passing).
    Yes,
    /// A compare-and-set: it applies only while the target is as it was read (a KV write
    /// with `?cas=`), so it cannot apply twice; but a second one, after the first applied,
    /// answers "not applied" (`false`), which then says nothing about the first.
    CompareAndSet,
}

/// The read options an endpoint accepts besides the common ones (token, namespace,
/// partition, and for cluster reads datacenter and consistency).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepts {
    /// `?filter=` (Consul 1.5+).
    pub filter: bool,
    /// `?near=`.
    pub near: bool,
    /// `?node-meta=`.
    pub node_meta: bool,
    /// `?cached` and `Cache-Control: max-age, stale-if-error`.
    pub cache: bool,
    /// `?relay-factor=` (keyring operations).
    pub relay_factor: bool,
    /// `?local-only` (keyring listing).
    pub local_only: bool,
    /// `?connect` (prepared query execution).
    pub connect: bool,
    /// `?peer=` (reads of data imported from a cluster peer, Consul 1.13+).
    pub peer: bool,
    /// `?merge-central-config` (service reads, Consul 1.13+).
    pub merge_central_config: bool,
}

impl Accepts {
    /// Nothing beyond the common options.
    pub const NONE: Accepts = Accepts {
        filter: false,
        near: false,
        node_meta: false,
        cache: false,
        relay_factor: false,
        local_only: false,
        connect: false,
        peer: false,
        merge_central_config: false,
    };

    /// Also `?filter=`.
    #[must_use]
    pub const fn with_filter(mut self) -> Self {
        self.filter = true;
        self
    }

    /// Also `?near=`.
    #[must_use]
    pub const fn with_near(mut self) -> Self {
        self.near = true;
        self
    }

    /// Also `?node-meta=`.
    #[must_use]
    pub const fn with_node_meta(mut self) -> Self {
        self.node_meta = true;
        self
    }

    /// Also the agent cache.
    #[must_use]
    pub const fn with_cache(mut self) -> Self {
        self.cache = true;
        self
    }

    /// Also `?relay-factor=`.
    #[must_use]
    pub const fn with_relay_factor(mut self) -> Self {
        self.relay_factor = true;
        self
    }

    /// Also `?local-only`.
    #[must_use]
    pub const fn with_local_only(mut self) -> Self {
        self.local_only = true;
        self
    }

    /// Also `?connect`.
    #[must_use]
    pub const fn with_connect(mut self) -> Self {
        self.connect = true;
        self
    }

    /// Also `?peer=`.
    #[must_use]
    pub const fn with_peer(mut self) -> Self {
        self.peer = true;
        self
    }

    /// Also `?merge-central-config`.
    #[must_use]
    pub const fn with_merge_central_config(mut self) -> Self {
        self.merge_central_config = true;
        self
    }
}

/// The options of one call.
#[derive(Debug, Clone, Copy)]
pub enum Options<'a> {
    /// A read's (or a read-like call's, such as a transaction's).
    Read(&'a QueryOptions),
    /// A write's.
    Write(&'a WriteOptions),
}

/// What the client brings to every request: where the agent is and the defaults that apply
/// unless a call chooses otherwise.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Target<'a> {
    /// `scheme://authority[/prefix]`, without a trailing `/`.
    pub base: &'a str,
    /// The client's token, already a (sensitive) header value.
    pub token: Option<&'a HeaderValue>,
    /// The client's basic authentication, already a header value.
    pub authorization: Option<&'a HeaderValue>,
    /// The consistency mode of reads that do not choose one.
    pub consistency: Consistency,
    /// The datacenter of calls that do not choose one (a handle made by `dc()`).
    pub datacenter: Option<&'a str>,
    /// The namespace of calls that do not choose one.
    pub namespace: Option<&'a str>,
    /// The partition of calls that do not choose one.
    pub partition: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// A target with no defaults besides its base URI.
    pub fn new(base: &'a str) -> Self {
        Target {
            base,
            ..Target::default()
        }
    }
}

/// How an answer's status is to be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// A value: a success status, or one this endpoint answers with (`409` of a
    /// transaction, `429`/`503` of the agent's local health).
    Value,
    /// The value does not exist ([`Missing`]).
    Absent,
    /// The agent does not serve the route: `404` with an empty body outside the KV store
    /// (an endpoint newer than the agent, or Enterprise-only).
    Unsupported,
    /// A failure: the status and body become an error.
    Failure,
}

/// One call of Consul's HTTP API, as data. See the [module docs](self).
///
/// Its `Debug` output shows the path as logs do ([`Endpoint::secret_path`]) and neither
/// parameters nor body, which may carry what the user would not log.
#[derive(Clone)]
pub struct Endpoint {
    method: Method,
    path: String,
    shown: Option<Cow<'static, str>>,
    params: Vec<(Cow<'static, str>, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    json_body: bool,
    reads: bool,
    scope: Scope,
    blocking: Blocking,
    accepts: Accepts,
    missing: Missing,
    answers: &'static [u16],
    decode: Decode,
    /// Whether the path was given whole ([`Endpoint::custom`]) rather than built from
    /// checked segments, so it must be checked before sending.
    custom: bool,
    /// Whether the path is from the agent's root (`/debug/pprof`) rather than `/v1/`.
    root: bool,
    /// How long the server holds the answer on purpose (a profile's duration).
    holds: Option<std::time::Duration>,
    /// Failure answers by which the agent says it does not know what was asked for.
    unknown: Option<Unknown>,
    /// What sending it twice does.
    idempotence: Idempotence,
}

/// Failure answers by which an agent that serves a route says it does not know what was
/// asked for: statuses, a marker their message contains, and the path to name instead of
/// the endpoint's.
#[derive(Clone, Debug)]
struct Unknown {
    statuses: &'static [u16],
    marker: &'static str,
    path: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("method", &self.method)
            .field("path", &self.shown_path())
            .field("scope", &self.scope)
            .field("blocking", &self.blocking)
            .field("missing", &self.missing)
            .field("decode", &self.decode)
            .field("idempotence", &self.idempotence)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    fn new(method: Method, path: impl Into<String>, reads: bool) -> Self {
        Endpoint {
            method,
            path: path.into(),
            shown: None,
            params: Vec::new(),
            headers: Vec::new(),
            body: Bytes::new(),
            json_body: false,
            reads,
            scope: Scope::Cluster,
            blocking: Blocking::No,
            accepts: Accepts::NONE,
            missing: Missing::Error,
            answers: &[],
            decode: Decode::Json,
            custom: false,
            root: false,
            holds: None,
            unknown: None,
            idempotence: Idempotence::No,
        }
    }

    /// A call taking read options ([`QueryOptions`]) at `/v1/{path}`; `path` is a fixed
    /// prefix such as `"catalog/nodes"` (user strings are added with [`Endpoint::segment`]).
    pub fn read(method: Method, path: &'static str) -> Self {
        Endpoint::new(method, with_room(path), true)
    }

    /// A call taking write options ([`WriteOptions`]) at `/v1/{path}`.
    pub fn write(method: Method, path: &'static str) -> Self {
        Endpoint::new(method, with_room(path), false)
    }

    /// A call to a path given whole, already encoded (raw requests): it takes read options
    /// when `reads`, write options otherwise, and is checked like any other (no `.`, `..`
    /// or empty segment).
    pub fn custom(method: Method, path: impl Into<String>, reads: bool) -> Self {
        let mut endpoint = Endpoint::new(method, path, reads);
        endpoint.custom = true;
        endpoint
    }

    /// Appends one user string as one path segment, percent-encoded.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty string; [`ValidationError::InvalidValue`]
    /// for `.` or `..`, which Consul would resolve as a relative path (answering with a
    /// redirect that a redirect-following transport or a normalising proxy would follow
    /// to another endpoint).
    pub fn segment(mut self, field: &'static str, value: &str) -> Result<Self, ValidationError> {
        check_segment(field, value)?;
        self.path.push('/');
        self.path
            .extend(utf8_percent_encode(value, SEGMENT).map(|s| s as &str));
        Ok(self)
    }

    /// Appends a KV key or prefix, keeping its `/` separators.
    ///
    /// # Errors
    /// As [`kv::validate_prefix`](crate::kv::validate_prefix).
    pub fn key(mut self, key: &str) -> Result<Self, ValidationError> {
        crate::kv::validate_prefix(key)?;
        self.path.push('/');
        self.path
            .extend(utf8_percent_encode(key, KEY).map(|s| s as &str));
        Ok(self)
    }

    /// Appends a fixed path segment (`"clone"` of `acl/token/:id/clone`).
    #[must_use]
    pub fn fixed(mut self, segment: &'static str) -> Self {
        self.path.push('/');
        self.path.push_str(segment);
        self
    }

    /// Logs show `shown` instead of the path, which holds a secret (legacy ACL paths) or
    /// may hold one passed by mistake (`acl/token/:accessor`).
    #[must_use]
    pub fn secret_path(mut self, shown: &'static str) -> Self {
        self.shown = Some(Cow::Borrowed(shown));
        self
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn param(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((Cow::Borrowed(name), value.into()));
        self
    }

    /// Adds a query parameter when the value is set.
    #[must_use]
    pub fn param_opt(self, name: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.param(name, v),
            None => self,
        }
    }

    /// Adds a valueless flag (`?recurse`) when `on`.
    #[must_use]
    pub fn flag(self, name: &'static str, on: bool) -> Self {
        if on {
            self.param(name, String::new())
        } else {
            self
        }
    }

    /// Adds a query parameter whose name is not fixed (raw requests).
    #[must_use]
    pub fn param_owned(mut self, name: String, value: String) -> Self {
        self.params.push((Cow::Owned(name), value));
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sends `body` as JSON.
    ///
    /// # Errors
    /// [`ValidationError::InvalidValue`] when it cannot be serialized.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Self, ValidationError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ValidationError::InvalidValue {
            field: "request body",
            reason: e.to_string().into(),
        })?;
        self.body = Bytes::from(bytes);
        self.json_body = true;
        Ok(self)
    }

    /// Sends `body` as it is.
    #[must_use]
    pub fn body(mut self, body: Bytes) -> Self {
        self.body = body;
        self.json_body = false;
        self
    }

    /// The path is from the agent's root rather than `/v1/` (the agent's
    /// `/debug/pprof` profiles).
    #[must_use]
    pub fn at_root(mut self) -> Self {
        self.root = true;
        self
    }

    /// The server holds the answer for `time` on purpose (it profiles for that long), so
    /// the request's time limit must cover it.
    #[must_use]
    pub fn holds_for(mut self, time: std::time::Duration) -> Self {
        self.holds = Some(time);
        self
    }

    /// How long the server holds the answer on purpose, if it does.
    pub fn held_for(&self) -> Option<std::time::Duration> {
        self.holds
    }

    /// Answered by the local agent ([`Scope::Agent`]).
    #[must_use]
    pub fn agent(mut self) -> Self {
        self.scope = Scope::Agent;
        self
    }

    /// Blocks as `blocking` says.
    #[must_use]
    pub fn blocking(mut self, blocking: Blocking) -> Self {
        self.blocking = blocking;
        self
    }

    /// Accepts these read options besides the common ones.
    #[must_use]
    pub fn accepts(mut self, accepts: Accepts) -> Self {
        self.accepts = accepts;
        self
    }

    /// What "not found" means.
    #[must_use]
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Failure statuses that are answers of this endpoint.
    #[must_use]
    pub fn answers(mut self, statuses: &'static [u16]) -> Self {
        self.answers = statuses;
        self
    }

    /// How the body is read.
    #[must_use]
    pub fn decode(mut self, decode: Decode) -> Self {
        self.decode = decode;
        self
    }

    /// A failure answer with one of `statuses` whose message contains `marker` means the
    /// agent does not know what was asked for although it serves the route ([`Outcome::Unsupported`]):
    /// Consul 1.8 answers a config entry of a kind newer than it with
    /// `400`/`500 invalid config entry kind: mesh`.
    #[must_use]
    pub fn unsupported_when(mut self, statuses: &'static [u16], marker: &'static str) -> Self {
        let path = self.unknown.take().and_then(|u| u.path);
        self.unknown = Some(Unknown {
            statuses,
            marker,
            path,
        });
        self
    }

    /// With [`Endpoint::unsupported_when`]: the path the agent does not serve, to name
    /// instead of the endpoint's own (a config entry write names its kind only in the body,
    /// so it names `config/{kind}`).
    #[must_use]
    pub fn unsupported_path(mut self, path: impl Into<String>) -> Self {
        if let Some(unknown) = self.unknown.as_mut() {
            unknown.path = Some(path.into());
        }
        self
    }

    /// The path an [`Outcome::Unsupported`] answer names: the one set by
    /// [`Endpoint::unsupported_path`], else the path as logs show it.
    pub fn unsupported_target(&self) -> &str {
        self.unknown
            .as_ref()
            .and_then(|u| u.path.as_deref())
            .unwrap_or_else(|| self.shown_path())
    }

    /// What sending it twice does (default [`Idempotence::No`]); a client retries a write
    /// after an ambiguous failure only when it is idempotent.
    #[must_use]
    pub fn idempotent(mut self, idempotence: Idempotence) -> Self {
        self.idempotence = idempotence;
        self
    }

    /// What sending it twice does.
    pub fn idempotence(&self) -> Idempotence {
        self.idempotence
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The encoded path after `/v1/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path as logs show it.
    pub fn shown_path(&self) -> &str {
        self.shown.as_deref().unwrap_or(&self.path)
    }

    /// Who answers it.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// How it blocks.
    pub fn blocking_mode(&self) -> Blocking {
        self.blocking
    }

    /// How its body is read.
    pub fn decoding(&self) -> Decode {
        self.decode
    }

    /// What "not found" means for it.
    pub fn missing_rule(&self) -> Missing {
        self.missing
    }

    /// Whether it takes read options.
    pub fn takes_read_options(&self) -> bool {
        self.reads
    }

    /// How an answer with `status` and `body` is to be taken.
    pub fn outcome(&self, status: StatusCode, body: &[u8]) -> Outcome {
        if status.is_success() || self.answers.contains(&status.as_u16()) {
            return Outcome::Value;
        }
        if let Some(unknown) = &self.unknown {
            if unknown.statuses.contains(&status.as_u16())
                && String::from_utf8_lossy(body).contains(unknown.marker)
            {
                return Outcome::Unsupported;
            }
        }
        let is_kv = self.path == "kv" || self.path.starts_with("kv/");
        let empty = body.iter().all(u8::is_ascii_whitespace);
        match (status, self.missing) {
            (StatusCode::NOT_FOUND, Missing::AbsentEvenEmpty) => Outcome::Absent,
            (StatusCode::NOT_FOUND, _) if empty && !is_kv => Outcome::Unsupported,
            (StatusCode::NOT_FOUND, Missing::Absent | Missing::AclAbsent) => Outcome::Absent,
            (StatusCode::FORBIDDEN, Missing::AclAbsent)
                if String::from_utf8_lossy(body).trim() == "ACL not found" =>
            {
                Outcome::Absent
            }
            _ => Outcome::Failure,
        }
    }

    /// Builds the request: the path, the endpoint's parameters, the options that apply
    /// (the call's, then the client's defaults), the token as a header, and the body.
    ///
    /// # Errors
    /// [`ValidationError`] for invalid options ([`QueryOptions::validate`],
    /// [`WriteOptions::validate`]), options the endpoint does not take, an empty
    /// datacenter, a token that cannot be a header, or a path Consul would redirect.
    pub fn to_request(
        &self,
        target: &Target<'_>,
        options: Options<'_>,
    ) -> Result<http::Request<Bytes>, ValidationError> {
        if self.custom {
            check_path(&self.path, self.shown_path())?;
        }
        let prefix = if self.root { "/" } else { "/v1/" };
        let mut query = Query::new(target.base, prefix, &self.path);
        for (k, v) in &self.params {
            query.push(k, v);
        }
        if target.datacenter == Some("") {
            return Err(ValidationError::Empty {
                field: "datacenter",
            });
        }
        let token = match options {
            Options::Read(opts) => {
                self.check_read_options(opts)?;
                let consistency = match self.scope {
                    Scope::Cluster => opts.consistency.unwrap_or(target.consistency),
                    Scope::Agent => Consistency::Default,
                };
                let set = Scoped::of(&opts.datacenter, &opts.namespace, &opts.partition);
                self.push_options(&mut query, opts.query_pairs(consistency), set, target);
                opts.token.as_ref()
            }
            Options::Write(opts) => {
                opts.validate()?;
                if self.scope == Scope::Agent && opts.datacenter.is_some() {
                    return Err(self.not_accepted("datacenter"));
                }
                if !self.accepts.relay_factor && opts.relay_factor.is_some() {
                    return Err(self.not_accepted("a relay factor"));
                }
                let set = Scoped::of(&opts.datacenter, &opts.namespace, &opts.partition);
                self.push_options(&mut query, opts.query_pairs(), set, target);
                opts.token.as_ref()
            }
        };
        let invalid = || ValidationError::InvalidValue {
            field: "request URI",
            reason: format!("cannot build a request for /v1/{}", self.shown_path()).into(),
        };
        // Built in place rather than through `http::request::Builder`, which moves the
        // whole request at every step.
        let uri = http::Uri::try_from(query.finish()).map_err(|_| invalid())?;
        let mut request = http::Request::new(self.body.clone());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        match token {
            Some(token) => {
                headers.insert(TOKEN_HEADER, token_header(token)?);
            }
            None => {
                if let Some(token) = target.token {
                    headers.insert(TOKEN_HEADER, token.clone());
                }
            }
        }
        if let Some(auth) = target.authorization {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        if self.json_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if let Options::Read(opts) = options {
            if let Some(cc) = opts.cache_control() {
                let value = HeaderValue::from_str(&cc).map_err(|_| invalid())?;
                headers.insert(CACHE_CONTROL, value);
            }
        }
        for (name, value) in &self.headers {
            // A call's own credentials replace the client's rather than travel beside them.
            if *name == TOKEN_HEADER || *name == AUTHORIZATION {
                headers.insert(name.clone(), value.clone());
            } else {
                headers.append(name.clone(), value.clone());
            }
        }
        Ok(request)
    }

    fn not_accepted(&self, option: &str) -> ValidationError {
        ValidationError::InvalidValue {
            field: "options",
            reason: format!(
                "{option} does not apply to {} /v1/{}",
                self.method,
                self.shown_path()
            )
            .into(),
        }
    }

    fn check_read_options(&self, opts: &QueryOptions) -> Result<(), ValidationError> {
        opts.validate()?;
        let agent = self.scope == Scope::Agent;
        let refused = [
            (agent && opts.datacenter.is_some(), "datacenter"),
            (agent && opts.consistency.is_some(), "a consistency mode"),
            (
                self.blocking != Blocking::Index && opts.wait_index.is_some(),
                "an index to wait on",
            ),
            (
                self.blocking != Blocking::Hash && opts.wait_hash.is_some(),
                "a hash to wait on",
            ),
            (
                self.blocking == Blocking::No && opts.wait_time.is_some(),
                "a wait time",
            ),
            (!self.accepts.filter && opts.filter.is_some(), "filter"),
            (!self.accepts.near && opts.near.is_some(), "near"),
            (
                !self.accepts.node_meta && !opts.node_meta.is_empty(),
                "node_meta",
            ),
            (!self.accepts.cache && opts.use_cache, "the agent cache"),
            (
                !self.accepts.relay_factor && opts.relay_factor.is_some(),
                "a relay factor",
            ),
            (!self.accepts.local_only && opts.local_only, "local_only"),
            (!self.accepts.connect && opts.connect, "connect"),
            (!self.accepts.peer && opts.peer.is_some(), "peer"),
            (
                !self.accepts.merge_central_config && opts.merge_central_config,
                "merge_central_config",
            ),
        ];
        match refused.iter().find(|(refused, _)| *refused) {
            Some((_, option)) => Err(self.not_accepted(option)),
            None => Ok(()),
        }
    }

    /// Adds the call's options, then the client's defaults where the call set none. A
    /// parameter the endpoint sets itself (a raw request's `dc`) wins over both.
    fn push_options(
        &self,
        query: &mut Query,
        pairs: Vec<(&'static str, String)>,
        set: Scoped,
        target: &Target<'_>,
    ) {
        let has = |name: &str| self.params.iter().any(|(k, _)| k == name);
        let own_consistency = has("stale") || has("consistent");
        for (k, v) in &pairs {
            let consistency = matches!(*k, "stale" | "consistent");
            if has(k) || (consistency && own_consistency) {
                continue;
            }
            query.push(k, v);
        }
        let defaults = [
            (
                "dc",
                set.datacenter,
                target.datacenter.filter(|_| self.scope == Scope::Cluster),
            ),
            ("ns", set.namespace, target.namespace),
            ("partition", set.partition, target.partition),
        ];
        for (name, chosen, default) in defaults {
            if let (false, Some(value), false) = (chosen, default, has(name)) {
                query.push(name, value);
            }
        }
    }
}

/// Which scoping options a call set itself.
#[derive(Clone, Copy)]
struct Scoped {
    datacenter: bool,
    namespace: bool,
    partition: bool,
}

impl Scoped {
    fn of(
        datacenter: &Option<String>,
        namespace: &Option<String>,
        partition: &Option<String>,
    ) -> Self {
        Scoped {
            datacenter: datacenter.is_some(),
            namespace: namespace.is_some(),
            partition: partition.is_some(),
        }
    }
}

/// The URI being built: base, `/v1/`, path, then `?` and form-encoded pairs.
struct Query {
    uri: String,
    start: usize,
}

impl Query {
    fn new(base: &str, prefix: &str, path: &str) -> Self {
        let mut uri = String::with_capacity(base.len() + path.len() + 48);
        uri.push_str(base);
        uri.push_str(prefix);
        uri.push_str(path);
        let start = uri.len();
        Query { uri, start }
    }

    fn push(&mut self, name: &str, value: &str) {
        self.uri.push(if self.uri.len() == self.start {
            '?'
        } else {
            '&'
        });
        self.uri
            .extend(form_urlencoded::byte_serialize(name.as_bytes()));
        self.uri.push('=');
        self.uri
            .extend(form_urlencoded::byte_serialize(value.as_bytes()));
    }

    fn finish(self) -> String {
        self.uri
    }
}

/// A fixed path with room for the segments a call adds (a KV key, a service name), so
/// that adding them does not grow it piece by piece.
fn with_room(path: &str) -> String {
    let mut owned = String::with_capacity(path.len() + 64);
    owned.push_str(path);
    owned
}

/// The token as a sensitive header value.
///
/// # Errors
/// [`ValidationError::InvalidValue`] when it holds characters a header cannot carry.
pub fn token_header(token: &Token) -> Result<HeaderValue, ValidationError> {
    let mut value =
        HeaderValue::from_str(token.secret()).map_err(|_| ValidationError::InvalidValue {
            field: "token",
            reason: "contains characters not allowed in a header".into(),
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Refuses a segment Consul's router would not see as one name. It decodes `%2F` before
/// routing, so an id `../leave` is two segments to it, the first of them `..`.
fn check_segment(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let relative = value.split('/').any(|part| part == "." || part == "..");
    let empty = value.contains('/') && value.split('/').any(str::is_empty);
    if relative || empty {
        let problem = if relative {
            "would be resolved as a relative path"
        } else {
            "has an empty part between '/'"
        };
        return Err(ValidationError::InvalidValue {
            field,
            reason: format!("{value:?} {problem}").into(),
        });
    }
    Ok(())
}

/// Refuses a path Consul would not serve as it is. Consul's router sees the decoded path
/// (an id `../x` sent as `..%2Fx` is `../x` to it), so the decoded path is checked: a `.` or
/// `..` segment would be answered with a redirect to the cleaned path, and an empty one is
/// an empty name, except at the end of a KV path, where it names a folder.
fn check_path(path: &str, shown: &str) -> Result<(), ValidationError> {
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
        return Err(ValidationError::InvalidValue {
            field: "request path",
            reason: reason.into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const BASE: &str = "http://127.0.0.1:8500";

    fn uri(endpoint: &Endpoint, options: Options<'_>) -> String {
        endpoint
            .to_request(&Target::new(BASE), options)
            .unwrap()
            .uri()
            .to_string()
    }

    #[test]
    fn segments_are_encoded_one_by_one_and_dots_refused() {
        let e = Endpoint::read(Method::GET, "agent/service")
            .segment("service id", "a b/c?d#e%")
            .unwrap();
        assert_eq!(e.path(), "agent/service/a%20b%2Fc%3Fd%23e%25");
        let e = Endpoint::read(Method::GET, "kv").key("dir/a b/ü?").unwrap();
        assert_eq!(e.path(), "kv/dir/a%20b/%C3%BC%3F");
        for bad in ["", ".", ".."] {
            let err = Endpoint::read(Method::GET, "agent/service")
                .segment("service id", bad)
                .unwrap_err();
            assert!(err.to_string().contains("service id"), "{err}");
        }
        // Decoded, `..%2F` is a `..` segment to Consul's router.
        for bad in ["../leave", "a/..", "a//b", "/x", "x/"] {
            assert!(
                Endpoint::read(Method::GET, "agent/service")
                    .segment("service id", bad)
                    .is_err(),
                "{bad:?}"
            );
        }
        let ok = Endpoint::read(Method::GET, "agent/service")
            .segment("service id", "a/b")
            .unwrap();
        assert_eq!(ok.path(), "agent/service/a%2Fb");
        // A path given whole is checked decoded, before sending.
        let opts = QueryOptions::default();
        for bad in [
            "agent/service/..%2Fleave",
            "kv/a/%2e%2E/b",
            "agent//self",
            "agent/",
        ] {
            let e = Endpoint::custom(Method::GET, bad, true);
            assert!(
                e.to_request(&Target::new(BASE), Options::Read(&opts))
                    .is_err(),
                "{bad:?}"
            );
        }
        for ok in ["kv/", "kv/dir/", "agent/service/a%2Fb"] {
            let e = Endpoint::custom(Method::GET, ok, true);
            assert!(
                e.to_request(&Target::new(BASE), Options::Read(&opts))
                    .is_ok(),
                "{ok:?}"
            );
        }
        assert!(Endpoint::read(Method::GET, "kv").key("a/../b").is_err());
    }

    #[test]
    fn client_defaults_apply_where_the_call_sets_nothing() {
        let token = HeaderValue::from_static("client-token");
        let target = Target {
            base: BASE,
            token: Some(&token),
            consistency: Consistency::Stale,
            datacenter: Some("dc2"),
            namespace: Some("team"),
            partition: Some("part"),
            ..Target::default()
        };
        let e = Endpoint::read(Method::GET, "catalog/nodes").blocking(Blocking::Index);
        let opts = QueryOptions::default();
        let r = e.to_request(&target, Options::Read(&opts)).unwrap();
        assert_eq!(
            r.uri(),
            "http://127.0.0.1:8500/v1/catalog/nodes?stale=&dc=dc2&ns=team&partition=part"
        );
        assert_eq!(r.headers()[TOKEN_HEADER], "client-token");
        let opts = QueryOptions::default()
            .datacenter("dc3")
            .consistency(Consistency::Consistent)
            .token("call-token")
            .wait_index(7)
            .wait_time(Duration::from_secs(5));
        let r = e.to_request(&target, Options::Read(&opts)).unwrap();
        assert_eq!(
            r.uri(),
            "http://127.0.0.1:8500/v1/catalog/nodes?dc=dc3&consistent=&index=7&wait=5000ms&ns=team&partition=part"
        );
        let tokens: Vec<_> = r.headers().get_all(TOKEN_HEADER).iter().collect();
        assert_eq!(tokens, ["call-token"]);
        assert!(r.headers()[TOKEN_HEADER].is_sensitive());
    }

    #[test]
    fn agent_endpoints_take_neither_datacenter_nor_consistency() {
        let target = Target {
            base: BASE,
            consistency: Consistency::Stale,
            datacenter: Some("dc2"),
            namespace: Some("team"),
            ..Target::default()
        };
        let e = Endpoint::read(Method::GET, "agent/services")
            .agent()
            .accepts(Accepts::NONE.with_filter());
        let opts = QueryOptions::default();
        let r = e.to_request(&target, Options::Read(&opts)).unwrap();
        assert_eq!(r.uri(), "http://127.0.0.1:8500/v1/agent/services?ns=team");
        for opts in [
            QueryOptions::default().datacenter("dc3"),
            QueryOptions::default().consistency(Consistency::Stale),
            QueryOptions::default().wait_index(3),
        ] {
            let err = e.to_request(&target, Options::Read(&opts)).unwrap_err();
            assert!(err
                .to_string()
                .contains("does not apply to GET /v1/agent/services"));
        }
        let w = WriteOptions::default();
        let put = Endpoint::write(Method::PUT, "agent/service/register").agent();
        let r = put.to_request(&target, Options::Write(&w)).unwrap();
        assert_eq!(
            r.uri(),
            "http://127.0.0.1:8500/v1/agent/service/register?ns=team"
        );
        let w = WriteOptions::default().datacenter("dc3");
        assert!(put.to_request(&target, Options::Write(&w)).is_err());
    }

    #[test]
    fn options_an_endpoint_does_not_take_are_refused() {
        let kv = Endpoint::read(Method::GET, "kv")
            .key("k")
            .unwrap()
            .blocking(Blocking::Index);
        for opts in [
            QueryOptions::default().filter("x"),
            QueryOptions::default().near("_agent"),
            QueryOptions::default().node_meta("a", "b"),
            QueryOptions::default().use_cache(true),
            QueryOptions::default().wait_hash("h"),
        ] {
            let err = kv
                .to_request(&Target::new(BASE), Options::Read(&opts))
                .unwrap_err();
            assert!(err.to_string().contains("/v1/kv/k"), "{err}");
        }
        let status = Endpoint::read(Method::GET, "status/leader");
        let opts = QueryOptions::default().wait_time(Duration::from_secs(1));
        assert!(status
            .to_request(&Target::new(BASE), Options::Read(&opts))
            .is_err());
        let accepted = QueryOptions::default()
            .filter("Service == web")
            .near("_agent")
            .node_meta("rack", "r1")
            .use_cache(true)
            .max_age(Duration::from_secs(30));
        let all = Endpoint::read(Method::GET, "health/service")
            .segment("service", "web")
            .unwrap()
            .accepts(
                Accepts::NONE
                    .with_filter()
                    .with_near()
                    .with_node_meta()
                    .with_cache(),
            );
        let r = all
            .to_request(&Target::new(BASE), Options::Read(&accepted))
            .unwrap();
        assert_eq!(
            r.uri(),
            "http://127.0.0.1:8500/v1/health/service/web?filter=Service+%3D%3D+web&near=_agent&node-meta=rack%3Ar1&cached="
        );
        assert_eq!(r.headers()[CACHE_CONTROL], "max-age=30");
    }

    #[test]
    fn go_parity_options_only_where_accepted() {
        let keyring = Endpoint::read(Method::GET, "operator/keyring")
            .accepts(Accepts::NONE.with_relay_factor().with_local_only());
        let opts = QueryOptions::default().relay_factor(2).local_only(true);
        assert_eq!(
            uri(&keyring, Options::Read(&opts)),
            "http://127.0.0.1:8500/v1/operator/keyring?relay-factor=2&local-only=true"
        );
        let nodes = Endpoint::read(Method::GET, "catalog/nodes");
        for opts in [
            QueryOptions::default().relay_factor(2),
            QueryOptions::default().local_only(true),
            QueryOptions::default().connect(true),
        ] {
            assert!(nodes
                .to_request(&Target::new(BASE), Options::Read(&opts))
                .is_err());
        }
        let w = WriteOptions::default().relay_factor(1);
        let install = Endpoint::write(Method::POST, "operator/keyring")
            .accepts(Accepts::NONE.with_relay_factor());
        assert!(uri(&install, Options::Write(&w)).ends_with("keyring?relay-factor=1"));
        let put = Endpoint::write(Method::PUT, "kv").key("k").unwrap();
        assert!(put
            .to_request(&Target::new(BASE), Options::Write(&w))
            .is_err());
    }

    #[test]
    fn a_root_path_is_outside_v1() {
        let heap = Endpoint::read(Method::GET, "debug/pprof/heap")
            .agent()
            .at_root();
        let opts = QueryOptions::default();
        assert_eq!(
            uri(&heap, Options::Read(&opts)),
            "http://127.0.0.1:8500/debug/pprof/heap"
        );
    }

    #[test]
    fn parameters_of_the_endpoint_win_over_defaults() {
        let target = Target {
            base: BASE,
            datacenter: Some("dc2"),
            consistency: Consistency::Stale,
            ..Target::default()
        };
        let e = Endpoint::read(Method::GET, "catalog/nodes")
            .param("dc", "dc3")
            .param("consistent", "");
        let opts = QueryOptions::default();
        assert_eq!(
            e.to_request(&target, Options::Read(&opts))
                .unwrap()
                .uri()
                .to_string(),
            "http://127.0.0.1:8500/v1/catalog/nodes?dc=dc3&consistent="
        );
    }

    #[test]
    fn an_empty_datacenter_or_a_bad_token_is_refused() {
        let e = Endpoint::read(Method::GET, "catalog/nodes");
        let opts = QueryOptions::default().datacenter("");
        assert!(e
            .to_request(&Target::new(BASE), Options::Read(&opts))
            .is_err());
        let target = Target {
            base: BASE,
            datacenter: Some(""),
            ..Target::default()
        };
        let opts = QueryOptions::default();
        assert!(e.to_request(&target, Options::Read(&opts)).is_err());
        let w = WriteOptions::default();
        let put = Endpoint::write(Method::PUT, "kv").key("k").unwrap();
        assert!(put.to_request(&target, Options::Write(&w)).is_err());
        let opts = QueryOptions::default().token("bad\ntoken");
        assert!(e
            .to_request(&Target::new(BASE), Options::Read(&opts))
            .is_err());
    }

    #[test]
    fn statuses_are_classified_by_the_endpoint() {
        let kv = Endpoint::read(Method::GET, "kv")
            .key("k")
            .unwrap()
            .missing(Missing::Absent);
        assert_eq!(kv.outcome(StatusCode::OK, b"[]"), Outcome::Value);
        assert_eq!(kv.outcome(StatusCode::NOT_FOUND, b""), Outcome::Absent);
        let service = Endpoint::read(Method::GET, "agent/service")
            .segment("id", "web")
            .unwrap()
            .missing(Missing::Absent);
        assert_eq!(
            service.outcome(StatusCode::NOT_FOUND, b"unknown service ID: web"),
            Outcome::Absent
        );
        assert_eq!(
            service.outcome(StatusCode::NOT_FOUND, b""),
            Outcome::Unsupported
        );
        let renew = Endpoint::write(Method::PUT, "session/renew")
            .segment("id", "x")
            .unwrap();
        assert_eq!(
            renew.outcome(StatusCode::NOT_FOUND, b"Session id 'x' not found"),
            Outcome::Failure
        );
        let token = Endpoint::read(Method::GET, "acl/token")
            .segment("id", "x")
            .unwrap()
            .missing(Missing::AclAbsent);
        assert_eq!(
            token.outcome(StatusCode::FORBIDDEN, b"ACL not found"),
            Outcome::Absent
        );
        assert_eq!(
            token.outcome(StatusCode::FORBIDDEN, b"Permission denied"),
            Outcome::Failure
        );
        let role = Endpoint::read(Method::GET, "acl/role")
            .segment("id", "x")
            .unwrap()
            .missing(Missing::AbsentEvenEmpty);
        assert_eq!(role.outcome(StatusCode::NOT_FOUND, b""), Outcome::Absent);
        assert_eq!(
            role.outcome(StatusCode::FORBIDDEN, b"ACL not found"),
            Outcome::Failure
        );
        let txn = Endpoint::read(Method::PUT, "txn").answers(&[409]);
        assert_eq!(txn.outcome(StatusCode::CONFLICT, b"{}"), Outcome::Value);
        assert_eq!(
            txn.outcome(StatusCode::INTERNAL_SERVER_ERROR, b"x"),
            Outcome::Failure
        );
    }

    #[test]
    fn an_answer_can_say_the_agent_does_not_know_what_was_asked() {
        let put = Endpoint::write(Method::PUT, "config")
            .unsupported_when(&[400, 500], "invalid config entry kind")
            .unsupported_path("config/mesh");
        let refusal = b"Bad request: Request decoding failed: invalid config entry kind: mesh";
        assert_eq!(
            put.outcome(StatusCode::BAD_REQUEST, refusal),
            Outcome::Unsupported
        );
        assert_eq!(put.unsupported_target(), "config/mesh");
        // Another refusal with the same status stays a failure, as does the marker under
        // another status.
        assert_eq!(
            put.outcome(StatusCode::BAD_REQUEST, b"invalid config key \"Bogus\""),
            Outcome::Failure
        );
        assert_eq!(
            put.outcome(StatusCode::FORBIDDEN, b"invalid config entry kind: mesh"),
            Outcome::Failure
        );
        let get = Endpoint::read(Method::GET, "config")
            .segment("kind", "mesh")
            .unwrap()
            .missing(Missing::Absent)
            .unsupported_when(&[500], "invalid config entry kind");
        assert_eq!(
            get.outcome(
                StatusCode::INTERNAL_SERVER_ERROR,
                b"invalid config entry kind: mesh"
            ),
            Outcome::Unsupported
        );
        assert_eq!(get.unsupported_target(), "config/mesh");
        assert_eq!(
            get.outcome(StatusCode::NOT_FOUND, b"Config entry not found"),
            Outcome::Absent
        );
        // Without the rule, the path is the one logs show.
        let plain = Endpoint::read(Method::GET, "agent/self");
        assert_eq!(plain.unsupported_target(), "agent/self");
        assert_eq!(
            plain.outcome(
                StatusCode::INTERNAL_SERVER_ERROR,
                b"invalid config entry kind"
            ),
            Outcome::Failure
        );
    }

    #[test]
    fn a_secret_path_is_not_shown() {
        let e = Endpoint::read(Method::GET, "acl/info")
            .segment("token", "s3cr3t")
            .unwrap()
            .secret_path("acl/info/<redacted>");
        assert_eq!(e.shown_path(), "acl/info/<redacted>");
        assert!(!format!("{:?}", e.shown_path()).contains("s3cr3t"));
        let opts = QueryOptions::default();
        assert!(uri(&e, Options::Read(&opts)).ends_with("/v1/acl/info/s3cr3t"));
    }
}
