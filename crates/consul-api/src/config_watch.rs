//! Typed configuration read from KV that follows changes (Spring Cloud Consul's
//! `ConsulPropertySource` + `ConfigWatch`, Go's `watch` `key`/`keyprefix` plans).
//!
//! A [`LiveConfig`] is a typed view of one key ([`Client::config_key`], decoded by a
//! [`Codec`]: [`Json`], [`Text`], …) or of a whole
//! prefix ([`Client::config_prefix`]: the keys below it, split on `/`, become a tree of
//! nested maps whose leaves a [`LeafDecoder`] reads, and the tree is deserialized into any
//! serde type — a struct, or a map). A background task follows it with a blocking KV
//! watch and:
//!
//! - keeps the **current value** ([`LiveConfig::current`], an `Arc<T>`);
//! - yields a **change** ([`LiveConfig::changes`]) only when the *decoded* value changed:
//!   a write of the same value, or of another encoding of it (`{"a":1}` then `{ "a": 1 }`),
//!   or of a key the type ignores, yields nothing;
//! - reports a **bad value** (one that does not decode, a missing key, a prefix that does
//!   not fit the type) as an error item and keeps the last good value current; the next
//!   good value is yielded even if it equals the last good one, so a reader learns that
//!   the error is over. Failed reads (the agent unreachable) are reported the same way
//!   while the watch retries with a backoff.
//!
//! [`start`](LiveConfigBuilder::start) fails fast: it returns the first value, or the
//! reason there is none (a service should not start on configuration it cannot read).
//! Dropping the [`LiveConfig`] ends the task and the streams of changes made from it.
//! The task's work runs in a `tracing` span `consul.config_watch` naming the key or
//! prefix.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
//! use consul_api::codec::Json;
//! #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
//! struct Limits { max_connections: u32 }
//!
//! let limits = client.config_key::<Limits, _>("app/limits", Json).start().await?;
//! println!("now: {:?}", limits.current());
//! let mut changes = limits.changes();
//! while let Some(change) = changes.next().await {
//!     match change {
//!         Ok(new) => println!("changed: {new:?}"),
//!         Err(e) => eprintln!("bad configuration, keeping {:?}: {e}", limits.current()),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Needs a Tokio runtime (the watch runs in a spawned task).

use crate::kv::KvPair;
use crate::{Client, Error, Watch};
use consul_types::codec::{Codec, CodecError, Json, Text};
use consul_types::QueryOptions;
use futures_core::Stream;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::error::Error as _;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::{broadcast, oneshot, watch};
use tracing::Instrument;

/// Why a value could not become the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The key does not exist.
    #[error("configuration key {key:?} does not exist")]
    Missing {
        /// The key.
        key: String,
    },
    /// A value did not decode.
    #[error("configuration value of {key:?} does not decode: {reason}")]
    Decode {
        /// The key whose value is bad.
        key: String,
        /// The codec's explanation.
        reason: String,
        /// The codec's error.
        #[source]
        source: CodecError,
    },
    /// The tree of a prefix does not fit the type (a missing field, a value of the wrong
    /// type).
    #[error("configuration under {prefix:?} does not fit the type: {source}")]
    Shape {
        /// The prefix.
        prefix: String,
        /// What did not fit.
        #[source]
        source: serde_json::Error,
    },
    /// Under a prefix, a key holds a value where another key needs a folder (`a/b` and
    /// `a/b/c` both with values).
    #[error("configuration key {key:?} is both a value and a folder")]
    Conflict {
        /// The key.
        key: String,
    },
    /// Reading the key or prefix failed (the watch retries with a backoff).
    #[error("reading the configuration failed: {0}")]
    Read(#[source] Error),
    /// [`LiveConfigBuilder::start`] was called outside a Tokio runtime, which the watch
    /// task needs.
    #[error("no Tokio runtime to run the configuration watch in")]
    NoRuntime,
}

fn decode_error(key: &str, source: CodecError) -> ConfigError {
    let reason = source
        .source()
        .map_or_else(|| source.to_string(), ToString::to_string);
    ConfigError::Decode {
        key: key.to_owned(),
        reason,
        source,
    }
}

/// How a leaf of a prefix's tree is read: one key's bytes to a JSON value.
pub trait LeafDecoder: Send + Sync + 'static {
    /// Decodes one value.
    ///
    /// # Errors
    /// [`CodecError`] when the bytes are not a valid encoding.
    fn decode_leaf(&self, bytes: &[u8]) -> Result<Value, CodecError>;
}

/// Every leaf is JSON (`5432`, `true`, `"text"`, `{"a": 1}`); anything else is an error.
impl LeafDecoder for Json {
    fn decode_leaf(&self, bytes: &[u8]) -> Result<Value, CodecError> {
        Codec::<Value>::decode(self, bytes)
    }
}

/// Every leaf is a string (UTF-8): for types whose fields are strings, or parse them.
impl LeafDecoder for Text {
    fn decode_leaf(&self, bytes: &[u8]) -> Result<Value, CodecError> {
        Codec::<String>::decode(self, bytes).map(Value::String)
    }
}

/// A leaf that is valid JSON is JSON (`5432` a number, `true` a boolean, `{…}` an
/// object), any other UTF-8 text a string (`db1.internal`): what Consul's UI and
/// `consul kv put app/port 5432` write decodes into `port: u16` and `host: String` alike.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOrText;

impl LeafDecoder for JsonOrText {
    fn decode_leaf(&self, bytes: &[u8]) -> Result<Value, CodecError> {
        match serde_json::from_slice(bytes) {
            Ok(value) => Ok(value),
            Err(_) => Text.decode_leaf(bytes),
        }
    }
}

/// The tree of the pairs under `prefix`: keys split on `/` below it, leaves decoded.
/// Folder markers (keys ending in `/`) and the prefix's own key are skipped.
fn tree(prefix: &str, pairs: &[KvPair], leaves: &dyn LeafDecoder) -> Result<Value, ConfigError> {
    let mut root = Map::new();
    for pair in pairs {
        let Some(rest) = pair.key.strip_prefix(prefix) else {
            continue;
        };
        let rest = rest.trim_start_matches('/');
        if rest.is_empty() || rest.ends_with('/') {
            continue;
        }
        let leaf = leaves
            .decode_leaf(&pair.value)
            .map_err(|e| decode_error(&pair.key, e))?;
        let conflict = || ConfigError::Conflict {
            key: pair.key.clone(),
        };
        let mut parts = rest.split('/').peekable();
        let mut node = &mut root;
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                match node.get(part) {
                    Some(Value::Object(_)) => return Err(conflict()),
                    _ => {
                        node.insert(part.to_owned(), leaf);
                    }
                }
                break;
            }
            let next = node
                .entry(part.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            node = match next {
                Value::Object(map) => map,
                _ => return Err(conflict()),
            };
        }
    }
    Ok(Value::Object(root))
}

/// Turns what a watch read into a value.
type Decoder<T> = Arc<dyn Fn(&[KvPair]) -> Result<T, ConfigError> + Send + Sync>;

/// What is read: one key, or a prefix.
#[derive(Debug, Clone)]
enum Source {
    Key(String),
    Prefix(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Key(key) => write!(f, "key {key}"),
            Source::Prefix(prefix) => write!(f, "prefix {prefix}"),
        }
    }
}

/// A typed view to start; made by [`Client::config_key`] or [`Client::config_prefix`].
#[must_use = "a configuration view does nothing until it is started"]
pub struct LiveConfigBuilder<T> {
    client: Client,
    source: Source,
    decode: Decoder<T>,
    opts: QueryOptions,
}

impl<T> fmt::Debug for LiveConfigBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveConfigBuilder")
            .field("source", &self.source)
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A typed view of one key, its value decoded by `codec` (see
    /// [`config_watch`](crate::config_watch)). A missing key is an error.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
    /// use consul_api::codec::Text;
    /// let banner = client.config_key::<String, _>("app/banner", Text).start().await?;
    /// println!("{}", banner.current());
    /// # Ok(()) }
    /// ```
    pub fn config_key<T, C>(&self, key: impl Into<String>, codec: C) -> LiveConfigBuilder<T>
    where
        C: Codec<T> + Send + Sync + 'static,
    {
        let key = key.into();
        let name = key.clone();
        LiveConfigBuilder {
            client: self.clone(),
            source: Source::Key(key),
            decode: Arc::new(move |pairs: &[KvPair]| match pairs.first() {
                Some(pair) => codec
                    .decode(&pair.value)
                    .map_err(|e| decode_error(&pair.key, e)),
                None => Err(ConfigError::Missing { key: name.clone() }),
            }),
            opts: QueryOptions::default(),
        }
    }

    /// A typed view of every key under `prefix`: the keys below it, split on `/`, make a
    /// tree of nested maps whose leaves `leaves` decodes ([`JsonOrText`], [`Json`],
    /// [`Text`]), deserialized into `T` (a struct, `serde_json::Value`, a `BTreeMap`, …).
    /// Folder markers (keys ending in `/`) are skipped; an empty or missing prefix is an
    /// empty map.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
    /// use consul_api::config_watch::JsonOrText;
    /// #[derive(Debug, PartialEq, serde::Deserialize)]
    /// struct Db { host: String, port: u16 }
    /// #[derive(Debug, PartialEq, serde::Deserialize)]
    /// struct App { db: Db, #[serde(default)] debug: bool }
    /// // app/db/host = db1.internal, app/db/port = 5432, app/debug = true
    /// let app = client.config_prefix::<App, _>("app/", JsonOrText).start().await?;
    /// assert_eq!(app.current().db.port, 5432);
    /// # Ok(()) }
    /// ```
    pub fn config_prefix<T, L>(&self, prefix: impl Into<String>, leaves: L) -> LiveConfigBuilder<T>
    where
        T: DeserializeOwned,
        L: LeafDecoder,
    {
        let prefix = prefix.into();
        let name = prefix.clone();
        LiveConfigBuilder {
            client: self.clone(),
            source: Source::Prefix(prefix),
            decode: Arc::new(move |pairs: &[KvPair]| {
                let tree = tree(&name, pairs, &leaves)?;
                serde_json::from_value(tree).map_err(|source| ConfigError::Shape {
                    prefix: name.clone(),
                    source,
                })
            }),
            opts: QueryOptions::default(),
        }
    }
}

/// What the task publishes: the last good value, and the latest outcome.
struct Shared<T> {
    value: Arc<T>,
    latest: Change<T>,
}

/// How many changes a reader of [`Changes`] may fall behind before it skips the oldest.
pub const CHANGES_CAPACITY: usize = 16;

impl<T: PartialEq + Send + Sync + 'static> LiveConfigBuilder<T> {
    /// Reads with these options (datacenter, token, consistency), replacing any set
    /// before; a blocking wait given here is the longest each read blocks.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
    /// use consul_api::codec::Json;
    /// use consul_api::QueryOptions;
    /// let opts = QueryOptions::default().datacenter("dc2").token("config-reader-token");
    /// let flags = client
    ///     .config_key::<serde_json::Value, _>("app/flags", Json)
    ///     .options(opts)
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn options(mut self, opts: QueryOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Reads the first value and starts following changes; returns once the first value
    /// decoded.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
    /// use consul_api::codec::Json;
    /// let flags = client.config_key::<serde_json::Value, _>("app/flags", Json).start().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first value's [`ConfigError`]: [`ConfigError::Missing`],
    /// [`ConfigError::Decode`], [`ConfigError::Shape`], [`ConfigError::Conflict`], or
    /// [`ConfigError::Read`] when the read failed (with [`Error::Validation`] for an invalid
    /// key or options: nothing sent); [`ConfigError::NoRuntime`] outside a Tokio runtime.
    pub async fn start(self) -> Result<LiveConfig<T>, ConfigError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| ConfigError::NoRuntime)?;
        let span = tracing::info_span!("consul.config_watch", source = %self.source);
        let kv = self.client.kv();
        let mut pairs = match &self.source {
            Source::Key(key) => Pairs::Key(kv.get(key).options(&self.opts).watch()),
            Source::Prefix(prefix) => Pairs::Prefix(kv.list(prefix).options(&self.opts).watch()),
        };
        let first = match pairs.next().instrument(span.clone()).await {
            Some(Ok(first)) => first,
            Some(Err(e)) => return Err(ConfigError::Read(e)),
            // A watch ends only after yielding a validation error, so this is not reached.
            None => {
                return Err(ConfigError::Read(Error::Config(
                    "the KV watch ended".into(),
                )))
            }
        };
        let value = Arc::new((self.decode)(&first)?);
        let (tx, rx) = watch::channel(Shared {
            value: Arc::clone(&value),
            latest: Ok(value),
        });
        let (events, events_rx) = broadcast::channel(CHANGES_CAPACITY);
        let (stop, stopped) = oneshot::channel();
        runtime.spawn(follow(pairs, self.decode, tx, events, stopped).instrument(span));
        Ok(LiveConfig {
            source: self.source,
            shared: rx,
            events: events_rx,
            _stop: stop,
        })
    }
}

/// The KV watch of a key or of a prefix.
enum Pairs {
    Key(Watch<Option<KvPair>>),
    Prefix(Watch<Vec<KvPair>>),
}

impl Pairs {
    /// The pairs of the next change: none, one or many.
    async fn next(&mut self) -> Option<Result<Vec<KvPair>, Error>> {
        let next = match self {
            Pairs::Key(watch) => watch
                .next()
                .await?
                .map(|answer| answer.value.into_iter().collect()),
            Pairs::Prefix(watch) => watch.next().await?.map(|answer| answer.value),
        };
        Some(next)
    }
}

/// Follows the watch, publishing decoded changes and errors, until `stopped`.
async fn follow<T: PartialEq + Send + Sync + 'static>(
    mut pairs: Pairs,
    decode: Decoder<T>,
    tx: watch::Sender<Shared<T>>,
    events: broadcast::Sender<Change<T>>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        let answer = tokio::select! {
            _ = &mut stopped => break,
            answer = pairs.next() => answer,
        };
        let outcome = match answer {
            None => break,
            Some(Ok(answer)) => decode(&answer),
            Some(Err(e)) => Err(ConfigError::Read(e)),
        };
        match outcome {
            Ok(value) => {
                let current = tx.borrow();
                let same = *current.value == value;
                let was_bad = current.latest.is_err();
                drop(current);
                if same && !was_bad {
                    tracing::trace!("written again with the same decoded value");
                    continue;
                }
                tracing::debug!(recovered = was_bad, "configuration changed");
                let value = Arc::new(value);
                tx.send_replace(Shared {
                    value: Arc::clone(&value),
                    latest: Ok(Arc::clone(&value)),
                });
                // No reader is fine: the value is current all the same.
                let _ = events.send(Ok(value));
            }
            Err(e) => {
                tracing::warn!(error = %e, "bad configuration; keeping the last good value");
                let e = Arc::new(e);
                tx.send_modify(|shared| shared.latest = Err(Arc::clone(&e)));
                let _ = events.send(Err(e));
            }
        }
    }
    tracing::debug!("configuration watch ended");
}

/// A typed configuration that follows its keys; made by [`LiveConfigBuilder::start`].
///
/// Dropping it ends its background task and the streams of changes made from it.
#[must_use = "dropping it stops following the configuration"]
pub struct LiveConfig<T> {
    source: Source,
    shared: watch::Receiver<Shared<T>>,
    /// Kept only to make new readers of the changes.
    events: broadcast::Receiver<Change<T>>,
    _stop: oneshot::Sender<()>,
}

impl<T> fmt::Debug for LiveConfig<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveConfig")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<T: Send + Sync + 'static> LiveConfig<T> {
    /// The last good value.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
    /// # use consul_api::codec::Json;
    /// let flags = client.config_key::<serde_json::Value, _>("app/flags", Json).start().await?;
    /// let now = flags.current(); // an Arc: cheap, and stays valid after later changes
    /// # Ok(()) }
    /// ```
    pub fn current(&self) -> Arc<T> {
        Arc::clone(&self.shared.borrow().value)
    }

    /// The error of the latest value while it is bad (the current value is then the last
    /// good one); `None` once a good value came again.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
    /// # use consul_api::codec::Json;
    /// let flags = client.config_key::<serde_json::Value, _>("app/flags", Json).start().await?;
    /// if let Some(e) = flags.last_error() {
    ///     eprintln!("app/flags is bad, running on the previous value: {e}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn last_error(&self) -> Option<Arc<ConfigError>> {
        self.shared.borrow().latest.as_ref().err().cloned()
    }

    /// The changes from now on, in order: each new decoded value, each bad one as an
    /// error. A reader more than [`CHANGES_CAPACITY`] changes behind skips the oldest
    /// (the latest is never skipped). It ends when the [`LiveConfig`] is dropped.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::config_watch::ConfigError> {
    /// # use consul_api::codec::Json;
    /// let flags = client.config_key::<serde_json::Value, _>("app/flags", Json).start().await?;
    /// let mut changes = flags.changes();
    /// tokio::spawn(async move {
    ///     while let Some(change) = changes.next().await {
    ///         println!("{change:?}");
    ///     }
    /// });
    /// # Ok(()) }
    /// ```
    pub fn changes(&self) -> Changes<T> {
        Changes {
            pending: Some(Box::pin(received(self.events.resubscribe()))),
        }
    }
}

type Received<T> =
    Pin<Box<dyn Future<Output = Option<(Change<T>, broadcast::Receiver<Change<T>>)>> + Send>>;

/// One item of [`Changes`]: the new value, or why the latest one is bad.
pub type Change<T> = Result<Arc<T>, Arc<ConfigError>>;

/// Waits for the next change; `None` once the task is gone.
async fn received<T: Send + Sync + 'static>(
    mut rx: broadcast::Receiver<Change<T>>,
) -> Option<(Change<T>, broadcast::Receiver<Change<T>>)> {
    loop {
        match rx.recv().await {
            Ok(change) => return Some((change, rx)),
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                tracing::debug!(
                    skipped,
                    "configuration reader fell behind; skipping the oldest changes"
                );
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

/// The changes of a [`LiveConfig`]; made by [`LiveConfig::changes`]. A
/// [`futures_core::Stream`]; [`Changes::next`] reads it without extra crates.
#[must_use = "a stream does nothing until it is polled"]
pub struct Changes<T> {
    pending: Option<Received<T>>,
}

impl<T> fmt::Debug for Changes<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changes")
            .field("ended", &self.pending.is_none())
            .finish()
    }
}

impl<T: Send + Sync + 'static> Changes<T> {
    /// The next change; `None` once the [`LiveConfig`] is dropped.
    pub async fn next(&mut self) -> Option<Change<T>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<T: Send + Sync + 'static> Stream for Changes<T> {
    type Item = Change<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(pending) = this.pending.as_mut() else {
            return Poll::Ready(None);
        };
        match pending.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.pending = None;
                Poll::Ready(None)
            }
            Poll::Ready(Some((change, rx))) => {
                this.pending = Some(Box::pin(received(rx)));
                Poll::Ready(Some(change))
            }
        }
    }
}

// Only boxed futures inside: nothing is pinned in place.
impl<T> Unpin for Changes<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn pair(key: &str, value: &str) -> KvPair {
        let mut p = KvPair::default();
        p.key = key.to_owned();
        p.value = Bytes::copy_from_slice(value.as_bytes());
        p
    }

    #[test]
    fn a_prefix_becomes_nested_maps_with_json_or_text_leaves() {
        let pairs = [
            pair("app/", ""),
            pair("app/db/", ""),
            pair("app/db/host", "db1.internal"),
            pair("app/db/port", "5432"),
            pair("app/debug", "true"),
            pair("app/limits", r#"{"rps": 10}"#),
        ];
        let nested = tree("app/", &pairs, &JsonOrText).unwrap();
        assert_eq!(
            nested,
            serde_json::json!({
                "db": {"host": "db1.internal", "port": 5432},
                "debug": true,
                "limits": {"rps": 10},
            })
        );
        let text = tree("app/", &pairs[2..4], &Text).unwrap();
        assert_eq!(
            text,
            serde_json::json!({"db": {"host": "db1.internal", "port": "5432"}})
        );
    }

    #[test]
    fn a_key_that_is_both_a_value_and_a_folder_is_a_conflict() {
        for pairs in [
            [pair("app/db", "1"), pair("app/db/host", "x")],
            [pair("app/db/host", "x"), pair("app/db", "1")],
        ] {
            let e = tree("app/", &pairs, &JsonOrText).unwrap_err();
            assert!(matches!(e, ConfigError::Conflict { .. }), "{e}");
        }
    }

    #[test]
    fn a_leaf_that_does_not_decode_names_its_key_and_the_cause() {
        let e = tree("app/", &[pair("app/port", "not json")], &Json).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("\"app/port\"") && text.contains("expected"),
            "{text}"
        );
    }
}
