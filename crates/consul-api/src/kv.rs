//! The KV store (`/v1/kv`): Go's `api/kv.go`, aioconsul's `client.kv`.

use crate::request::key_path;
use crate::{Client, Result};
use bytes::Bytes;
use consul_types::codec::Codec;
use consul_types::kv::{self as rules};
pub use consul_types::kv::{KvPair, KvPutParams, MAX_VALUE_SIZE};
use consul_types::{QueryOptions, QueryResponse, WriteOptions, WriteResponse};
use http::Method;

/// The KV store; made by [`Client::kv`].
///
/// Keys are validated before sending (no empty key, no leading `/`, no `//`) and values
/// larger than Consul's 512 KiB limit are refused locally, so an invalid write never
/// reaches the agent.
#[derive(Debug, Clone)]
pub struct Kv {
    client: Client,
}

impl Client {
    /// The KV store.
    pub fn kv(&self) -> Kv {
        Kv {
            client: self.clone(),
        }
    }
}

impl Kv {
    /// The same store in datacenter `name` (aioconsul's `kv.dc("dc2")`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let remote = client.kv().dc("dc2").get("config/x", &QueryOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn dc(&self, name: &str) -> Kv {
        Kv {
            client: self.client.dc(name),
        }
    }

    fn path(key: &str) -> String {
        format!("kv/{}", key_path(key))
    }

    /// Reads one key. A missing key is `Ok` with `None` (and the index to block on).
    ///
    /// With [`QueryOptions::wait_index`] the read blocks until the key changes past that
    /// index or the wait time passes; `meta.last_index` is the index to pass next time.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/kv#read-key)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// use std::time::Duration;
    /// let kv = client.kv();
    /// let first = kv.get("config/replicas", &QueryOptions::default()).await?;
    /// // Wait up to 30 s for a change.
    /// let opts = QueryOptions::default()
    ///     .wait_index(first.meta.last_index)
    ///     .wait_time(Duration::from_secs(30));
    /// let changed = kv.get("config/replicas", &opts).await?;
    /// if let Some(pair) = changed.value {
    ///     println!("{} = {:?}", pair.key, pair.value);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid key; transport and
    /// status errors otherwise (an unknown datacenter is a 500 `No path to datacenter`).
    pub async fn get(
        &self,
        key: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<KvPair>>> {
        rules::validate_key(key)?;
        let response = self
            .client
            .call(Method::GET, Self::path(key))
            .query_options(opts)?
            .query_opt::<Vec<KvPair>>()
            .await?;
        Ok(response.map(|pairs| pairs.and_then(|p| p.into_iter().next())))
    }

    /// Reads one key's value as raw bytes (`?raw`), without the JSON envelope.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let bytes = client.kv().get_raw("blobs/logo", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`].
    pub async fn get_raw(
        &self,
        key: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<Bytes>>> {
        rules::validate_key(key)?;
        self.client
            .call(Method::GET, Self::path(key))
            .flag("raw")
            .query_options(opts)?
            .query_bytes_opt()
            .await
    }

    /// Reads one key and decodes its value with a [`Codec`] (aioconsul's codecs).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{codec::Json, QueryOptions};
    /// #[derive(serde::Deserialize)]
    /// struct Settings { replicas: u32 }
    /// let settings: Option<Settings> = client
    ///     .kv()
    ///     .get_decoded("config/settings", &Json, &QueryOptions::default())
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`], and [`Error::Codec`](crate::Error::Codec) when the value does not decode.
    pub async fn get_decoded<T, C: Codec<T>>(
        &self,
        key: &str,
        codec: &C,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<T>>> {
        let QueryResponse { value, meta } = self.get(key, opts).await?;
        let value = value.map(|pair| codec.decode(&pair.value)).transpose()?;
        Ok(QueryResponse { value, meta })
    }

    /// Watches one key: yields its current state at once, then each change (including its
    /// deletion, as `None`), using blocking reads. See [`Watch`](crate::Watch).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// use std::time::Duration;
    /// let opts = QueryOptions::default().wait_time(Duration::from_secs(60));
    /// let mut changes = client.kv().watch("config/replicas", &opts);
    /// while let Some(change) = changes.next().await {
    ///     match change?.value {
    ///         Some(pair) => println!("now {:?}", pair.value_str()),
    ///         None => println!("deleted"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch(&self, key: &str, opts: &QueryOptions) -> crate::Watch<Option<KvPair>> {
        let kv = self.clone();
        let key = key.to_owned();
        crate::Watch::new(opts, move |o| {
            let kv = kv.clone();
            let key = key.clone();
            async move { kv.get(&key, &o).await }
        })
    }

    /// Watches every entry under a prefix: yields the whole listing at once, then after
    /// each change to any key under it.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let mut changes = client.kv().watch_prefix("config/", &QueryOptions::default());
    /// while let Some(change) = changes.next().await {
    ///     println!("{} keys", change?.value.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch_prefix(&self, prefix: &str, opts: &QueryOptions) -> crate::Watch<Vec<KvPair>> {
        let kv = self.clone();
        let prefix = prefix.to_owned();
        crate::Watch::new(opts, move |o| {
            let kv = kv.clone();
            let prefix = prefix.clone();
            async move { kv.list(&prefix, &o).await }
        })
    }

    /// Lists every entry under a prefix (`?recurse`; aioconsul's `items`). An empty prefix
    /// lists the whole store; no entries is an empty list.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// for pair in client.kv().list("config/", &QueryOptions::default()).await?.value {
    ///     println!("{}", pair.key);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`].
    pub async fn list(
        &self,
        prefix: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<KvPair>>> {
        rules::validate_prefix(prefix)?;
        let response = self
            .client
            .call(Method::GET, Self::path(prefix))
            .flag("recurse")
            .query_options(opts)?
            .query_opt::<Vec<KvPair>>()
            .await?;
        Ok(response.map(Option::unwrap_or_default))
    }

    /// Lists the key names under a prefix (`?keys`). With a separator, keys are rolled up
    /// to the next separator, like folders: `["config/", "readme"]`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let folders = client.kv().keys("", Some("/"), &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::get`]; an empty separator is a validation error.
    pub async fn keys(
        &self,
        prefix: &str,
        separator: Option<&str>,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<String>>> {
        rules::validate_prefix(prefix)?;
        if let Some(sep) = separator {
            rules::validate_separator(sep)?;
        }
        let response = self
            .client
            .call(Method::GET, Self::path(prefix))
            .flag("keys")
            .param_opt("separator", separator)
            .query_options(opts)?
            .query_opt::<Vec<String>>()
            .await?;
        Ok(response.map(Option::unwrap_or_default))
    }

    /// Writes a value. The result is `true` once Consul has applied the write.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/kv#create-update-key)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let written = client.kv().put("config/replicas", "3", &WriteOptions::default()).await?;
    /// assert!(written.value);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid key or a value over
    /// 512 KiB; transport and status errors otherwise.
    pub async fn put(
        &self,
        key: &str,
        value: impl Into<Bytes>,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        self.put_with_params(key, value, &KvPutParams::default(), opts)
            .await
    }

    /// Writes a value with flags, check-and-set or lock parameters. `false` means Consul
    /// refused: the CAS index did not match, or the lock is held by another session.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{kv::KvPutParams, WriteOptions};
    /// let params = KvPutParams::default().flags(42).cas(0); // create only, with flags
    /// let created = client
    ///     .kv()
    ///     .put_with_params("jobs/1", "pending", &params, &WriteOptions::default())
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`], and a validation error for conflicting parameters.
    pub async fn put_with_params(
        &self,
        key: &str,
        value: impl Into<Bytes>,
        params: &KvPutParams,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        let value = value.into();
        rules::validate_key(key)?;
        rules::validate_value(&value)?;
        params.validate()?;
        let mut call = self.client.call(Method::PUT, Self::path(key));
        for (k, v) in params.query_pairs() {
            call = call.param(k, v);
        }
        call.write_options(opts)?.body(value).write::<bool>().await
    }

    /// Encodes a value with a [`Codec`] and writes it.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{codec::Json, WriteOptions};
    /// #[derive(serde::Serialize)]
    /// struct Settings { replicas: u32 }
    /// client
    ///     .kv()
    ///     .put_encoded("config/settings", &Settings { replicas: 3 }, &Json, &WriteOptions::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`], and [`Error::Codec`](crate::Error::Codec) when the value does not encode.
    pub async fn put_encoded<T, C: Codec<T>>(
        &self,
        key: &str,
        value: &T,
        codec: &C,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        let bytes = codec.encode(value)?;
        self.put(key, bytes, opts).await
    }

    /// Check-and-set: writes only if the key's `ModifyIndex` is still `index` (`0`: only if
    /// the key does not exist). `false` means another write came first.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{QueryOptions, WriteOptions};
    /// let kv = client.kv();
    /// if let Some(pair) = kv.get("counter", &QueryOptions::default()).await?.value {
    ///     let next = pair.value_str().unwrap_or("0").parse::<u64>().unwrap_or(0) + 1;
    ///     let won = kv.cas("counter", next.to_string(), pair.modify_index, &WriteOptions::default()).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub async fn cas(
        &self,
        key: &str,
        value: impl Into<Bytes>,
        index: u64,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        let params = KvPutParams::default().cas(index);
        self.put_with_params(key, value, &params, opts).await
    }

    /// Writes a value and takes the key's lock for `session`. `false` means another
    /// session holds it (or the lock-delay of a previous holder has not passed).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, session_id: &str) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let leader = client.kv().acquire("service/web/leader", "node-1", session_id, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`]; an unknown session is a 500 from Consul.
    pub async fn acquire(
        &self,
        key: &str,
        value: impl Into<Bytes>,
        session: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        let params = KvPutParams::default().acquire(session);
        self.put_with_params(key, value, &params, opts).await
    }

    /// Writes a value and gives up the key's lock held by `session`.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, session_id: &str) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.kv().release("service/web/leader", "", session_id, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::put`].
    pub async fn release(
        &self,
        key: &str,
        value: impl Into<Bytes>,
        session: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        let params = KvPutParams::default().release(session);
        self.put_with_params(key, value, &params, opts).await
    }

    /// Deletes one key. Deleting a missing key succeeds.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.kv().delete("config/old", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an invalid key; transport and
    /// status errors otherwise.
    pub async fn delete(&self, key: &str, opts: &WriteOptions) -> Result<WriteResponse<bool>> {
        rules::validate_key(key)?;
        self.client
            .call(Method::DELETE, Self::path(key))
            .write_options(opts)?
            .write::<bool>()
            .await
    }

    /// Deletes one key only if its `ModifyIndex` is still `index`; `false` otherwise.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let deleted = client.kv().delete_cas("jobs/1", 17, &WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::delete`].
    pub async fn delete_cas(
        &self,
        key: &str,
        index: u64,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        rules::validate_key(key)?;
        self.client
            .call(Method::DELETE, Self::path(key))
            .param("cas", index.to_string())
            .write_options(opts)?
            .write::<bool>()
            .await
    }

    /// Deletes every key under a prefix (`?recurse`). An empty prefix empties the store.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.kv().delete_tree("tmp/", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Kv::delete`].
    pub async fn delete_tree(
        &self,
        prefix: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        rules::validate_prefix(prefix)?;
        self.client
            .call(Method::DELETE, Self::path(prefix))
            .flag("recurse")
            .write_options(opts)?
            .write::<bool>()
            .await
    }
}
