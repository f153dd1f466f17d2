//! The KV store (`/v1/kv`): Go's `api/kv.go`, aioconsul's `client.kv`.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use std::time::Duration;
//! let kv = client.kv();
//! kv.put("app/replicas", "3").await?;
//! let pair = kv.get("app/replicas").await?;              // QueryResponse<Option<KvPair>>
//! let next = kv.get("app/replicas").wait(pair.meta.last_index, Duration::from_secs(30)).await?;
//! let ok = kv.put("app/replicas", "4").cas(next.meta.last_index).flags(7).await?.value;
//! let mut changes = kv.list("app/").watch();               // a Stream of the prefix
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use bytes::Bytes;
use consul_types::codec::Codec;
use consul_types::endpoint::{Blocking, Decode, Endpoint, Idempotence, Missing};
use consul_types::kv::{self as rules};
pub use consul_types::kv::{KvPair, KvPutParams, MAX_VALUE_SIZE};
use consul_types::ValidationError;
use http::Method;
use std::fmt;
use std::marker::PhantomData;

family! {
    /// The KV store; made by [`Client::kv`](crate::Client::kv).
    ///
    /// Keys are validated before sending (no empty key, no leading `/`, no `//`, no `.` or
    /// `..` segment) and values larger than Consul's 512 KiB limit are refused locally, so an
    /// invalid write never reaches the agent.
    Kv, kv, "KV store"
}

fn key_endpoint(method: Method, key: &str, reads: bool) -> Result<Endpoint, ValidationError> {
    let endpoint = if reads {
        Endpoint::read(method, "kv")
    } else {
        Endpoint::write(method, "kv")
    };
    endpoint.key(key)
}

/// A key (unlike a prefix) must not be empty; the rest of its rules are checked as it
/// becomes the path ([`Endpoint::key`]).
fn non_empty(key: &str) -> Result<(), ValidationError> {
    if key.is_empty() {
        return Err(ValidationError::Empty { field: "key" });
    }
    Ok(())
}

fn read_endpoint(key: &str) -> Result<Endpoint, ValidationError> {
    Ok(key_endpoint(Method::GET, key, true)?
        .blocking(Blocking::Index)
        .missing(Missing::Absent))
}

/// The call of [`Kv::get`]: one key, `None` when missing.
#[derive(Debug, Clone)]
pub struct KvGet {
    key: String,
}

impl Call for KvGet {
    type Output = Option<KvPair>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        non_empty(&self.key)?;
        read_endpoint(&self.key)
    }

    fn output(&self, answer: Answer) -> Result<Option<KvPair>> {
        answer.json_first()
    }
}

/// The call of [`Kv::get_raw`]: one key's value as raw bytes, `None` when missing.
#[derive(Debug, Clone)]
pub struct KvGetRaw {
    key: String,
}

impl Call for KvGetRaw {
    type Output = Option<Bytes>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        non_empty(&self.key)?;
        Ok(read_endpoint(&self.key)?
            .flag("raw", true)
            .decode(Decode::Bytes))
    }

    fn output(&self, answer: Answer) -> Result<Option<Bytes>> {
        Ok((!answer.is_absent()).then(|| answer.bytes().clone()))
    }
}

/// The call of [`Kv::get_decoded`]: one key's value decoded by a [`Codec`].
pub struct KvGetDecoded<T, C> {
    key: String,
    codec: C,
    value: PhantomData<fn() -> T>,
}

impl<T, C: Clone> Clone for KvGetDecoded<T, C> {
    fn clone(&self) -> Self {
        KvGetDecoded {
            key: self.key.clone(),
            codec: self.codec.clone(),
            value: PhantomData,
        }
    }
}

impl<T, C> fmt::Debug for KvGetDecoded<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvGetDecoded")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl<T, C> Call for KvGetDecoded<T, C>
where
    T: Send + 'static,
    C: Codec<T> + Clone + Send + Sync + 'static,
{
    type Output = Option<T>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        KvGet {
            key: self.key.clone(),
        }
        .endpoint()
    }

    fn output(&self, answer: Answer) -> Result<Option<T>> {
        let pair: Option<KvPair> = answer.json_first()?;
        match pair {
            Some(pair) => Ok(Some(self.codec.decode(&pair.value)?)),
            None => Ok(None),
        }
    }
}

/// The call of [`Kv::list`]: every pair under a prefix.
#[derive(Debug, Clone)]
pub struct KvList {
    prefix: String,
}

impl Call for KvList {
    type Output = Vec<KvPair>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(read_endpoint(&self.prefix)?.flag("recurse", true))
    }

    fn output(&self, answer: Answer) -> Result<Vec<KvPair>> {
        answer.json_list()
    }
}

/// The call of [`Kv::keys`]: the key names under a prefix.
#[derive(Debug, Clone)]
pub struct KvKeys {
    prefix: String,
    separator: Option<String>,
}

impl Call for KvKeys {
    type Output = Vec<String>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if let Some(sep) = &self.separator {
            rules::validate_separator(sep)?;
        }
        Ok(read_endpoint(&self.prefix)?
            .flag("keys", true)
            .param_opt("separator", self.separator.clone()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<String>> {
        answer.json_list()
    }
}

/// The call of [`Kv::put`] (and [`Kv::cas`], [`Kv::acquire`], [`Kv::release`]): a write
/// that is `true` once Consul applied it, `false` when Consul refused (a CAS index that did
/// not match, a lock held by another session).
#[derive(Clone)]
pub struct KvPut {
    key: String,
    value: Bytes,
    params: KvPutParams,
}

impl fmt::Debug for KvPut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvPut")
            .field("key", &self.key)
            .field("value_len", &self.value.len())
            .field("params", &self.params)
            .finish()
    }
}

impl Call for KvPut {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        non_empty(&self.key)?;
        rules::validate_value(&self.value)?;
        self.params.validate()?;
        let mut endpoint = key_endpoint(Method::PUT, &self.key, false)?.body(self.value.clone());
        for (k, v) in self.params.query_pairs() {
            endpoint = endpoint.param(k, v);
        }
        if self.params.cas.is_some() {
            // Applies only at that index: a retry cannot apply it twice.
            endpoint = endpoint.idempotent(Idempotence::CompareAndSet);
        }
        Ok(endpoint)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Kv::delete`], [`Kv::delete_cas`] and [`Kv::delete_tree`].
#[derive(Debug, Clone)]
pub struct KvDelete {
    key: String,
    cas: Option<u64>,
    recurse: bool,
}

impl Call for KvDelete {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if !self.recurse {
            non_empty(&self.key)?;
        }
        let endpoint = key_endpoint(Method::DELETE, &self.key, false)?
            .flag("recurse", self.recurse)
            .param_opt("cas", self.cas.map(|i| i.to_string()));
        Ok(match self.cas {
            Some(_) => endpoint.idempotent(Idempotence::CompareAndSet),
            None => endpoint,
        })
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

call_traits!(KvGet: Cluster, Watchable, IndexBlocking);
call_traits!(KvGetRaw: Cluster, Watchable, IndexBlocking);
call_traits!(KvList: Cluster, Watchable, IndexBlocking);
call_traits!(KvKeys: Cluster, Watchable, IndexBlocking);
call_traits!(KvPut: Cluster);
call_traits!(KvDelete: Cluster);

impl<T, C> crate::call::Cluster for KvGetDecoded<T, C>
where
    T: Send + 'static,
    C: Codec<T> + Clone + Send + Sync + 'static,
{
}
impl<T, C> crate::call::Watchable for KvGetDecoded<T, C>
where
    T: Send + 'static,
    C: Codec<T> + Clone + Send + Sync + 'static,
{
}
impl<T, C> crate::call::IndexBlocking for KvGetDecoded<T, C>
where
    T: Send + 'static,
    C: Codec<T> + Clone + Send + Sync + 'static,
{
}

impl Kv {
    /// Reads one key. A missing key is `None` (with the index to block on).
    ///
    /// `.wait(index, time)` blocks until the key changes past `index` or `time` passes;
    /// `meta.last_index` is the index to pass next time. `.watch()` does that in a loop.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/kv#read-key)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let kv = client.kv();
    /// let first = kv.get("config/replicas").await?;
    /// // Wait up to 30 s for a change.
    /// let changed = kv
    ///     .get("config/replicas")
    ///     .wait(first.meta.last_index, Duration::from_secs(30))
    ///     .await?;
    /// if let Some(pair) = changed.value {
    ///     println!("{} = {:?}", pair.key, pair.value);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid key; transport and
    /// status errors otherwise (an unknown datacenter is a 500 `No path to datacenter`).
    pub fn get(&self, key: impl Into<String>) -> ReadRequest<KvGet> {
        self.read(KvGet { key: key.into() })
    }

    /// Reads one key's value as raw bytes (`?raw`), without the JSON envelope.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let bytes = client.kv().get_raw("blobs/logo").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`].
    pub fn get_raw(&self, key: impl Into<String>) -> ReadRequest<KvGetRaw> {
        self.read(KvGetRaw { key: key.into() })
    }

    /// Reads one key and decodes its value with a [`Codec`] (aioconsul's codecs).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::codec::Json;
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Settings { replicas: u32 }
    /// let settings: Option<Settings> = client.kv().get_decoded("config/settings", Json).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`], and [`Error::Codec`](crate::Error::Codec) when the value does not decode.
    pub fn get_decoded<T, C>(
        &self,
        key: impl Into<String>,
        codec: C,
    ) -> ReadRequest<KvGetDecoded<T, C>>
    where
        T: Send + 'static,
        C: Codec<T> + Clone + Send + Sync + 'static,
    {
        self.read(KvGetDecoded {
            key: key.into(),
            codec,
            value: PhantomData,
        })
    }

    /// Reads every pair under a prefix (`?recurse`); an empty prefix reads the whole store.
    /// Nothing there is an empty list.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for pair in client.kv().list("config/").await?.value {
    ///     println!("{}", pair.key);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`].
    pub fn list(&self, prefix: impl Into<String>) -> ReadRequest<KvList> {
        self.read(KvList {
            prefix: prefix.into(),
        })
    }

    /// Lists the key names under a prefix (`?keys`). With `.separator("/")`, keys are rolled
    /// up to the next separator, like folders: `["config/", "readme"]`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let folders = client.kv().keys("").separator("/").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`]; an empty separator is a validation error.
    pub fn keys(&self, prefix: impl Into<String>) -> ReadRequest<KvKeys> {
        self.read(KvKeys {
            prefix: prefix.into(),
            separator: None,
        })
    }

    /// Writes a value; `true` once Consul applied it. `.flags()`, `.cas()`, `.acquire()`
    /// and `.release()` turn it into Go's other writes.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/kv#create-update-key)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let written = client.kv().put("config/replicas", "3").await?;
    /// assert!(written.value);
    /// let created = client.kv().put("jobs/1", "pending").flags(42).cas(0).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid key, a value over
    /// 512 KiB or conflicting parameters; transport and status errors otherwise.
    pub fn put(&self, key: impl Into<String>, value: impl Into<Bytes>) -> WriteRequest<KvPut> {
        self.write(KvPut {
            key: key.into(),
            value: value.into(),
            params: KvPutParams::default(),
        })
    }

    /// Encodes a value with a [`Codec`] and writes it (the encoding happens now, so a value
    /// that cannot be encoded fails before anything is sent).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::codec::Json;
    /// client.kv().put_encoded("config/ports", &vec![80, 443], &Json)?.await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Codec`](crate::Error::Codec) when the value cannot be encoded.
    pub fn put_encoded<T, C: Codec<T>>(
        &self,
        key: impl Into<String>,
        value: &T,
        codec: &C,
    ) -> Result<WriteRequest<KvPut>> {
        Ok(self.put(key, codec.encode(value)?))
    }

    /// Writes only if the key's `ModifyIndex` is still `index` (`0`: only if the key does
    /// not exist); `false` when it changed meanwhile (Go's `KV.CAS`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let kv = client.kv();
    /// let pair = kv.get("counter").await?.value.expect("exists");
    /// let swapped = kv.cas("counter", "2", pair.modify_index).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub fn cas(
        &self,
        key: impl Into<String>,
        value: impl Into<Bytes>,
        index: u64,
    ) -> WriteRequest<KvPut> {
        self.put(key, value).cas(index)
    }

    /// Writes and takes the key's lock for `session`; `false` while another session holds
    /// it or a lock-delay is in effect (Go's `KV.Acquire`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, session: String) -> consul_api::Result<()> {
    /// let locked = client.kv().acquire("service/leader", "node-1", session).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub fn acquire(
        &self,
        key: impl Into<String>,
        value: impl Into<Bytes>,
        session: impl Into<String>,
    ) -> WriteRequest<KvPut> {
        self.put(key, value).acquire(session)
    }

    /// Writes and gives up the key's lock held by `session` (Go's `KV.Release`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, session: String) -> consul_api::Result<()> {
    /// client.kv().release("service/leader", "node-1", session).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub fn release(
        &self,
        key: impl Into<String>,
        value: impl Into<Bytes>,
        session: impl Into<String>,
    ) -> WriteRequest<KvPut> {
        self.put(key, value).release(session)
    }

    /// Deletes one key; `true` also when there was nothing to delete.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.kv().delete("config/replicas").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub fn delete(&self, key: impl Into<String>) -> WriteRequest<KvDelete> {
        self.write(KvDelete {
            key: key.into(),
            cas: None,
            recurse: false,
        })
    }

    /// Deletes one key only if its `ModifyIndex` is still `index`; `false` when it changed
    /// (Go's `KV.DeleteCAS`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let deleted = client.kv().delete_cas("jobs/1", 42).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub fn delete_cas(&self, key: impl Into<String>, index: u64) -> WriteRequest<KvDelete> {
        self.write(KvDelete {
            key: key.into(),
            cas: Some(index),
            recurse: false,
        })
    }

    /// Deletes every key under a prefix (`?recurse`; an empty prefix empties the store).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.kv().delete_tree("jobs/").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub fn delete_tree(&self, prefix: impl Into<String>) -> WriteRequest<KvDelete> {
        self.write(KvDelete {
            key: prefix.into(),
            cas: None,
            recurse: true,
        })
    }
}

impl ReadRequest<KvKeys> {
    /// Rolls keys up to the next `separator` after the prefix, like folders (`?separator=`).
    pub fn separator(mut self, separator: impl Into<String>) -> Self {
        self.call_mut().separator = Some(separator.into());
        self
    }
}

impl WriteRequest<KvPut> {
    /// Stores this opaque number with the key (`?flags=`).
    pub fn flags(mut self, flags: u64) -> Self {
        self.call_mut().params.flags = Some(flags);
        self
    }

    /// Writes only if the key's `ModifyIndex` is still `index` (`0`: only if absent).
    pub fn cas(mut self, index: u64) -> Self {
        self.call_mut().params.cas = Some(index);
        self
    }

    /// Takes the key's lock for `session` with the write.
    pub fn acquire(mut self, session: impl Into<String>) -> Self {
        self.call_mut().params.acquire = Some(session.into());
        self
    }

    /// Gives up the key's lock held by `session` with the write.
    pub fn release(mut self, session: impl Into<String>) -> Self {
        self.call_mut().params.release = Some(session.into());
        self
    }

    /// Uses these parameters (flags, CAS, lock), replacing any set before.
    pub fn params(mut self, params: KvPutParams) -> Self {
        self.call_mut().params = params;
        self
    }
}
