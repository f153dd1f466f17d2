//! Requests you configure by chaining and `.await`.
//!
//! Every endpoint method takes only what identifies its target and returns a
//! [`ReadRequest`] or a [`WriteRequest`]: a value with chained setters for everything
//! optional, which runs when it is awaited (it implements [`IntoFuture`]). The setters
//! common to every call live here; a call's own (a service's `passing()`, a key's
//! `separator()`) live beside it in its family's module. A setter only exists where it
//! means something: `dc()` and `stale()` on calls the servers answer ([`Cluster`]),
//! `wait()` and `watch()` on the calls that block ([`IndexBlocking`], [`HashBlocking`]).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use std::time::Duration;
//! let pair = client.kv().get("app/replicas").await?;
//! let next = client
//!     .kv()
//!     .get("app/replicas")
//!     .wait(pair.meta.last_index, Duration::from_secs(30))
//!     .await?;
//! let written = client.kv().put("app/replicas", "3").cas(next.meta.last_index).await?;
//! # Ok(()) }
//! ```
//!
//! A call is data ([`Call`]): an [`Endpoint`] plus how its [`Answer`] becomes a value. The
//! trait is public, so an endpoint this crate does not model yet can be called with the
//! same request path — token, tracing, time limits, status rules, metadata, watches — by
//! implementing it.

use crate::{Client, Error, Result, RetryPolicy, Watch};
use bytes::Bytes;
use consul_transport::BodyStream;
use consul_types::endpoint::{Endpoint, Options};
use consul_types::{
    Consistency, QueryMeta, QueryOptions, QueryResponse, Token, ValidationError, WriteMeta,
    WriteOptions, WriteResponse,
};
use http::{HeaderMap, StatusCode};
use serde::de::{self, DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A boxed, `Send` future of a request.
pub type RequestFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'static>>;

/// One call of Consul's HTTP API: its endpoint, and how the answer becomes a value.
///
/// Implemented by the parameter types of every endpoint method (`KvGet`, `HealthService`,
/// …); implement it for an endpoint this crate does not model yet.
///
/// ```no_run
/// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
/// use consul_api::call::{Answer, Call, Cluster, ReadRequest};
/// use consul_api::types::endpoint::Endpoint;
/// use consul_api::ValidationError;
///
/// /// `GET /v1/catalog/datacenters`, as if this crate did not have it.
/// #[derive(Clone, Debug)]
/// struct Datacenters;
///
/// impl Call for Datacenters {
///     type Output = Vec<String>;
///     fn endpoint(&self) -> Result<Endpoint, ValidationError> {
///         Ok(Endpoint::read(http::Method::GET, "catalog/datacenters"))
///     }
///     fn output(&self, answer: Answer) -> consul_api::Result<Vec<String>> {
///         answer.json_list()
///     }
/// }
///
/// let dcs = ReadRequest::new(client, Datacenters).await?.value;
/// # Ok(()) }
/// ```
pub trait Call: Clone + fmt::Debug + Send + Sync + 'static {
    /// The value the call returns.
    type Output: Send + 'static;

    /// The endpoint it calls.
    ///
    /// # Errors
    /// [`ValidationError`] for input Consul would refuse or misroute: nothing is sent.
    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError>;

    /// The endpoint it calls when the request goes to `datacenter` (the request's `dc()`,
    /// else the handle's; `None` for the agent's own). Calls ignore it, except those Consul
    /// routes by something other than `?dc=`: a catalog registration names its datacenter
    /// in the body.
    ///
    /// # Errors
    /// As [`Call::endpoint`].
    fn endpoint_in(
        &self,
        datacenter: Option<&str>,
    ) -> std::result::Result<Endpoint, ValidationError> {
        let _ = datacenter;
        self.endpoint()
    }

    /// The value of an answer (a success, one of the endpoint's own answers, or "absent").
    ///
    /// # Errors
    /// [`Error::Decode`] when the body cannot be read as the value.
    fn output(&self, answer: Answer) -> Result<Self::Output>;
}

/// A call the servers answer: datacenter and consistency mode apply (`dc()`, `stale()`,
/// `consistent()`).
pub trait Cluster: Call {}

/// A call that can wait for a change: it has `watch()`.
pub trait Watchable: Call {}

/// A call that blocks on an index (`?index=`): it has `wait(index, time)`.
pub trait IndexBlocking: Watchable {}

/// A call of the local agent that blocks on a content hash (`?hash=`): it has
/// `wait_hash(hash, time)`.
pub trait HashBlocking: Watchable {}

/// Consul's answer to a call, handed to [`Call::output`].
#[non_exhaustive]
pub struct Answer {
    status: StatusCode,
    version: http::Version,
    headers: HeaderMap,
    body: Body,
    elapsed: Duration,
    absent: bool,
}

enum Body {
    Bytes(Bytes),
    Stream(BodyStream),
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("absent", &self.absent)
            .field("elapsed", &self.elapsed)
            .finish_non_exhaustive()
    }
}

impl Answer {
    pub(crate) fn buffered(
        response: http::Response<Bytes>,
        elapsed: Duration,
        absent: bool,
    ) -> Self {
        let (parts, body) = response.into_parts();
        Answer {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body: Body::Bytes(body),
            elapsed,
            absent,
        }
    }

    pub(crate) fn streamed(response: http::Response<BodyStream>, elapsed: Duration) -> Self {
        let (parts, body) = response.into_parts();
        Answer {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body: Body::Stream(body),
            elapsed,
            absent: false,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The HTTP version the answer came in (HTTP/2 over TLS when the agent offers it).
    pub fn version(&self) -> http::Version {
        self.version
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether Consul said the target does not exist (the endpoint's not-found rule).
    pub fn is_absent(&self) -> bool {
        self.absent
    }

    /// How long the exchange took (until the head, for a streamed body).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The buffered body (empty for a streamed one).
    pub fn bytes(&self) -> &Bytes {
        static EMPTY: Bytes = Bytes::new();
        match &self.body {
            Body::Bytes(b) => b,
            Body::Stream(_) => &EMPTY,
        }
    }

    /// The body as a stream (a buffered body as one chunk).
    pub fn into_stream(self) -> BodyStream {
        match self.body {
            Body::Bytes(b) => BodyStream::once(b),
            Body::Stream(s) => s,
        }
    }

    /// The body as JSON.
    ///
    /// # Errors
    /// [`Error::Decode`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(self.bytes()).map_err(Error::decode)
    }

    /// The body as JSON; `None` when absent, or when Consul answered `null`.
    ///
    /// # Errors
    /// [`Error::Decode`].
    pub fn json_opt<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        if self.absent {
            return Ok(None);
        }
        self.json()
    }

    /// The body as a JSON list; empty when absent, or when Consul answered `null` (its way
    /// of saying "nothing").
    ///
    /// # Errors
    /// [`Error::Decode`].
    pub fn json_list<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        Ok(self
            .json_opt::<Option<Vec<T>>>()?
            .flatten()
            .unwrap_or_default())
    }

    /// The first element of a JSON list; `None` when absent, `null` or empty (how
    /// Consul answers a read of one KV pair or one session).
    ///
    /// # Errors
    /// [`Error::Decode`].
    pub fn json_first<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        if self.absent {
            return Ok(None);
        }
        // The first element read in place, the others checked and passed over: no list is
        // built to be taken apart.
        let mut json = serde_json::Deserializer::from_slice(self.bytes());
        let first = First::<T>::deserialize(&mut json).map_err(Error::decode)?;
        json.end().map_err(Error::decode)?;
        Ok(first.0)
    }

    /// The metadata of a read.
    ///
    /// # Errors
    /// [`Error::Meta`] for a malformed header.
    pub fn query_meta(&self) -> Result<QueryMeta> {
        let mut meta = QueryMeta::from_headers(&self.headers)?;
        meta.request_time = self.elapsed;
        Ok(meta)
    }

    /// The metadata of a write.
    pub fn write_meta(&self) -> WriteMeta {
        WriteMeta::new(self.elapsed)
    }
}

/// The first element of a JSON list (`None` for `null` or `[]`), the rest validated and
/// ignored.
struct First<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for First<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Visit<T> {
            type Value = First<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list or null")
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<First<T>, E> {
                Ok(First(None))
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<First<T>, E> {
                Ok(First(None))
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<First<T>, D::Error> {
                d.deserialize_seq(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<First<T>, A::Error> {
                let first = seq.next_element::<T>()?;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(First(first))
            }
        }
        d.deserialize_option(Visit(PhantomData))
    }
}

/// What a read and a write request share: their struct, `Debug`, `Clone`, constructor and
/// the setters of the options every call takes (token, namespace, partition, a prepared
/// set), and `dc()` where the servers answer.
macro_rules! request_type {
    ($(#[$doc:meta])* $name:ident, $opts:ident, $verb:literal) => {
        $(#[$doc])*
        #[must_use = "a request does nothing until it is awaited"]
        pub struct $name<C> {
            client: Client,
            call: C,
            opts: $opts,
            /// Its own retry policy, replacing the client's (shared: a watch makes a
            /// request per read).
            retry: Option<Arc<RetryPolicy>>,
        }

        impl<C: fmt::Debug> fmt::Debug for $name<C> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("call", &self.call)
                    .field("options", &self.opts)
                    .finish_non_exhaustive()
            }
        }

        impl<C: Clone> Clone for $name<C> {
            fn clone(&self) -> Self {
                $name {
                    client: self.client.clone(),
                    call: self.call.clone(),
                    opts: self.opts.clone(),
                    retry: self.retry.clone(),
                }
            }
        }

        impl<C: Call> $name<C> {
            /// A request of `call` through `client`, with no options set.
            pub fn new(client: Client, call: C) -> Self {
                $name {
                    client,
                    call,
                    opts: $opts::default(),
                    retry: None,
                }
            }

            /// The call's own parameters, for its family's setters.
            pub(crate) fn call_mut(&mut self) -> &mut C {
                &mut self.call
            }

            /// The options, for the setters declared per call (`read_setters!`).
            #[allow(dead_code)]
            pub(crate) fn opts_mut(&mut self) -> &mut $opts {
                &mut self.opts
            }

            /// The datacenter the request goes to: its own, else the handle's.
            fn datacenter(&self) -> Option<&str> {
                self.opts
                    .datacenter
                    .as_deref()
                    .or_else(|| self.client.datacenter())
            }

            /// The call's own parameters.
            pub fn call(&self) -> &C {
                &self.call
            }

            /// The options set so far.
            pub fn options_ref(&self) -> &$opts {
                &self.opts
            }

            /// Uses these options (a prepared set), replacing any set before.
            pub fn options(mut self, opts: &$opts) -> Self {
                self.opts = opts.clone();
                self
            }

            /// Retries as `policy` says instead of as the client's policy does
            /// ([`RetryPolicy::none`] to fail at the first error). Which failures are
            /// retried does not change: see [`RetryPolicy`].
            pub fn retry(mut self, policy: RetryPolicy) -> Self {
                self.retry = Some(Arc::new(policy));
                self
            }

            /// Sends this token instead of the client's.
            pub fn token(mut self, token: impl Into<Token>) -> Self {
                self.opts.token = Some(token.into());
                self
            }

            #[doc = concat!($verb, " in this namespace (Consul Enterprise).")]
            pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
                self.opts.namespace = Some(namespace.into());
                self
            }

            #[doc = concat!($verb, " in this admin partition (Consul Enterprise).")]
            pub fn partition(mut self, partition: impl Into<String>) -> Self {
                self.opts.partition = Some(partition.into());
                self
            }
        }

        impl<C: Cluster> $name<C> {
            #[doc = concat!($verb, " in datacenter `name` instead of the handle's (or the agent's own).")]
            pub fn dc(mut self, name: impl Into<String>) -> Self {
                self.opts.datacenter = Some(name.into());
                self
            }
        }
    };
}

request_type! {
    /// A read (a call with [`QueryOptions`]), run when awaited; returns the value with its
    /// [`QueryMeta`].
    ReadRequest, QueryOptions, "Reads"
}

request_type! {
    /// A write (a call with [`WriteOptions`]), run when awaited; returns the value with its
    /// [`WriteMeta`].
    WriteRequest, WriteOptions, "Writes"
}

impl<C: Call> ReadRequest<C> {
    /// Runs the read.
    ///
    /// # Errors
    /// [`Error::Validation`] before anything is sent; transport, status and decoding errors.
    #[allow(clippy::manual_async_fn)] // an `async fn` would keep its arguments twice
    pub fn send(
        mut self,
    ) -> impl Future<Output = Result<QueryResponse<C::Output>>> + Send + 'static {
        // An `async` block, not an `async fn`: an `async fn` keeps its arguments twice in
        // its future (as given and as bound), and a watch holds this future for minutes,
        // ten thousand at a time. The block uses `self` where it was captured.
        async move {
            // The client's default wait (Go's `Config.WaitTime`) for blocking reads that
            // set none, or zero ("the default").
            let blocking = self.opts.wait_index.is_some() || self.opts.wait_hash.is_some();
            if blocking && self.opts.wait_time.is_none_or(|w| w.is_zero()) {
                if let Some(wait) = self.client.inner.wait_time {
                    self.opts.wait_time = Some(wait);
                }
            }
            // Boxed: beside the request and the exchange it would take this future past
            // 1 KiB, which malloc serves on a slower path than smaller blocks.
            let endpoint = Box::new(self.call.endpoint_in(self.datacenter())?);
            let answer = self
                .client
                .execute(&endpoint, Options::Read(&self.opts), self.retry.as_deref())
                .await?;
            let meta = answer.query_meta()?;
            let value = self.call.output(answer)?;
            Ok(QueryResponse { value, meta })
        }
    }
}

impl<C: Call> WriteRequest<C> {
    /// Runs the write. It is reported done only when Consul confirmed it.
    ///
    /// # Errors
    /// [`Error::Validation`] before anything is sent; transport, status and decoding errors.
    #[allow(clippy::manual_async_fn)] // an `async fn` would keep its arguments twice
    pub fn send(self) -> impl Future<Output = Result<WriteResponse<C::Output>>> + Send + 'static {
        // An `async` block for the reason given at `ReadRequest::send`.
        async move {
            let endpoint = self.call.endpoint_in(self.datacenter())?;
            let answer = self
                .client
                .execute(&endpoint, Options::Write(&self.opts), self.retry.as_deref())
                .await?;
            let meta = answer.write_meta();
            let value = self.call.output(answer)?;
            Ok(WriteResponse { value, meta })
        }
    }
}

impl<C: Cluster> ReadRequest<C> {
    /// Lets any server answer, even without a leader (`?stale`): fast, possibly behind.
    pub fn stale(self) -> Self {
        self.consistency(Consistency::Stale)
    }

    /// Has the leader confirm its leadership first (`?consistent`): slower, never behind.
    pub fn consistent(self) -> Self {
        self.consistency(Consistency::Consistent)
    }

    /// Uses this consistency mode instead of the client's.
    pub fn consistency(mut self, consistency: Consistency) -> Self {
        self.opts.consistency = Some(consistency);
        self
    }
}

impl<C: IndexBlocking> ReadRequest<C> {
    /// Blocks until the data's index passes `index` or `time` passes (at most 10 minutes;
    /// zero is the agent's default of 5 minutes). Pass the `meta.last_index` of the
    /// previous answer.
    pub fn wait(mut self, index: u64, time: Duration) -> Self {
        self.opts.wait_index = Some(index);
        self.opts.wait_time = Some(time);
        self
    }
}

impl<C: HashBlocking> ReadRequest<C> {
    /// Blocks until the content's hash differs from `hash` or `time` passes. Pass the
    /// `meta.last_content_hash` of the previous answer.
    pub fn wait_hash(mut self, hash: impl Into<String>, time: Duration) -> Self {
        self.opts.wait_hash = Some(hash.into());
        self.opts.wait_time = Some(time);
        self
    }
}

impl<C: Watchable> ReadRequest<C> {
    /// How long a blocking read may wait (at most 10 minutes; zero or unset is the agent's
    /// default of 5 minutes): for each read of a [`watch`](ReadRequest::watch), or with
    /// `wait()`/`wait_hash()` for one.
    pub fn wait_time(mut self, time: Duration) -> Self {
        self.opts.wait_time = Some(time);
        self
    }
}

impl<C> ReadRequest<C>
where
    C: Watchable,
    C::Output: Clone + PartialEq,
{
    /// A stream of the changes of this read: the first answer at once, then each change,
    /// using blocking reads (see [`Watch`]). The request's own `wait` time, if set, is
    /// used for each read.
    pub fn watch(self) -> Watch<C::Output> {
        let mode = self.call.endpoint().map(|e| e.blocking_mode());
        // The options once, in the watch (which sets each read's index on them).
        let ReadRequest {
            client,
            call,
            opts,
            retry,
        } = self;
        Watch::new(opts, mode, move |opts| {
            let request = ReadRequest {
                client: client.clone(),
                call: call.clone(),
                opts,
                retry: retry.clone(),
            };
            request.send()
        })
    }
}

impl<C: Call> IntoFuture for ReadRequest<C> {
    type Output = Result<QueryResponse<C::Output>>;
    type IntoFuture = RequestFuture<QueryResponse<C::Output>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<C: Call> IntoFuture for WriteRequest<C> {
    type Output = Result<WriteResponse<C::Output>>;
    type IntoFuture = RequestFuture<WriteResponse<C::Output>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Declares the read setters a call accepts besides the common ones, as inherent methods of
/// its `ReadRequest`, so they only exist where Consul reads them.
#[allow(unused_macros)]
macro_rules! read_setters {
    ($call:ty: $($setter:ident),+ $(,)?) => {
        impl $crate::call::ReadRequest<$call> {
            $(read_setters!(@one $setter);)+
        }
    };
    (@one filter) => {
        /// Keeps only the entries matching this expression (`?filter=`, Consul 1.5+), for
        /// example `Service.Tags contains "v1"`.
        pub fn filter(mut self, expression: impl Into<String>) -> Self {
            self.opts_mut().filter = Some(expression.into());
            self
        }
    };
    (@one near) => {
        /// Sorts by estimated round-trip time from this node (`?near=`; `_agent` for the
        /// agent answering).
        pub fn near(mut self, node: impl Into<String>) -> Self {
            self.opts_mut().near = Some(node.into());
            self
        }
    };
    (@one node_meta) => {
        /// Keeps only nodes with this metadata (`?node-meta=key:value`); repeatable.
        pub fn node_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.opts_mut().node_meta.push((key.into(), value.into()));
            self
        }
    };
    (@one cached) => {
        /// Serves the read from the agent's cache (`?cached`), accepting an answer up to
        /// `max_age` old when given (`Cache-Control: max-age`).
        pub fn cached(mut self, max_age: impl Into<Option<std::time::Duration>>) -> Self {
            let opts = self.opts_mut();
            opts.use_cache = true;
            opts.max_age = max_age.into();
            self
        }

        /// With [`cached`](Self::cached): when the servers cannot be reached, accepts a
        /// cached answer up to `age` old (`Cache-Control: stale-if-error`; Go's
        /// `StaleIfError`).
        pub fn stale_if_error(mut self, age: std::time::Duration) -> Self {
            self.opts_mut().stale_if_error = Some(age);
            self
        }
    };
    (@one relay_factor) => {
        /// Has `factor` other agents (0 to 5) relay each agent's answer back
        /// (`?relay-factor=`), for resilience against lost gossip.
        pub fn relay_factor(mut self, factor: u8) -> Self {
            self.opts_mut().relay_factor = Some(factor);
            self
        }
    };
    (@one local_only) => {
        /// Asks the local agent only instead of every server (`?local-only`).
        pub fn local_only(mut self) -> Self {
            self.opts_mut().local_only = true;
            self
        }
    };
    (@one connect) => {
        /// Only Connect-capable instances (`?connect`).
        pub fn connect(mut self) -> Self {
            self.opts_mut().connect = true;
            self
        }
    };
    (@one peer) => {
        /// Reads what cluster peer `name` exported to this cluster (`?peer=`, Consul 1.13+).
        ///
        /// An older agent ignores the parameter and answers with this cluster's own
        /// instances (measured on Consul 1.8.7): check the agent's version first when that
        /// matters.
        pub fn peer(mut self, name: impl Into<String>) -> Self {
            self.opts_mut().peer = Some(name.into());
            self
        }
    };
    (@one merge_central_config) => {
        /// Merges the central service and proxy defaults into the answer
        /// (`?merge-central-config`, Consul 1.13+). An older agent ignores it and answers
        /// with the services as registered (measured on Consul 1.8.7).
        pub fn merge_central_config(mut self) -> Self {
            self.opts_mut().merge_central_config = true;
            self
        }
    };
}

/// Declares the write setters a call accepts besides the common ones (`relay_factor`).
#[allow(unused_macros)]
macro_rules! write_setters {
    ($call:ty: relay_factor) => {
        impl $crate::call::WriteRequest<$call> {
            /// Has `factor` other agents (0 to 5) relay each agent's answer back
            /// (`?relay-factor=`), for resilience against lost gossip.
            pub fn relay_factor(mut self, factor: u8) -> Self {
                self.opts_mut().relay_factor = Some(factor);
                self
            }
        }
    };
}

/// Declares the marker traits of call types.
#[allow(unused_macros)]
macro_rules! call_traits {
    ($call:ty: $($marker:ident),+ $(,)?) => {
        $(impl $crate::call::$marker for $call {})+
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &'static str, absent: bool) -> Answer {
        Answer::buffered(
            http::Response::new(Bytes::from_static(body.as_bytes())),
            Duration::ZERO,
            absent,
        )
    }

    #[test]
    fn the_first_element_of_a_list_is_read_and_the_rest_passed_over() {
        let first = |body| answer(body, false).json_first::<u32>();
        assert_eq!(first("[7, 8, {\"a\": [1]}]").unwrap(), Some(7));
        assert_eq!(first(" [ 7 ] ").unwrap(), Some(7));
        assert_eq!(first("[]").unwrap(), None);
        assert_eq!(first("null").unwrap(), None);
        assert_eq!(
            answer("ACL not found", true).json_first::<u32>().unwrap(),
            None
        );
        for bad in ["[\"7\"]", "[7, ]", "[7] x", "{}", "7", ""] {
            assert!(matches!(first(bad), Err(Error::Decode(_))), "{bad:?}");
        }
    }
}
