//! Snapshots (`/v1/snapshot`): save the servers' state as a stream, restore it.

use crate::{Client, Result};
use bytes::Bytes;
use consul_transport::BodyStream;
use consul_types::{QueryOptions, QueryResponse, WriteOptions, WriteResponse};
use http::Method;

/// Snapshots of the servers' state; made by [`Client::snapshot`]. Needs a management token
/// when ACLs are on.
#[derive(Debug, Clone)]
pub struct Snapshot {
    client: Client,
}

impl Client {
    /// Snapshots of the servers' state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            client: self.clone(),
        }
    }
}

impl Snapshot {
    /// Saves a snapshot: the gzipped archive is streamed, not held in memory, and the
    /// metadata tells the index it was taken at. Use [`Consistency::Stale`] to take it from
    /// any server.
    ///
    /// [`Consistency::Stale`]: consul_types::Consistency::Stale
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let saved = client.snapshot().save(&QueryOptions::default()).await?;
    /// println!("snapshot at index {}", saved.meta.last_index);
    /// let bytes = saved.value.collect().await?; // or write the chunks to a file as they come
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors; a stream error while reading the body.
    pub async fn save(&self, opts: &QueryOptions) -> Result<QueryResponse<BodyStream>> {
        self.client
            .call(Method::GET, "snapshot")
            .query_options(opts)?
            .query_streaming()
            .await
    }

    /// Restores a snapshot made by [`Snapshot::save`]. Indexes may go backwards afterwards;
    /// watches reset themselves.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, archive: bytes::Bytes) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.snapshot().restore(archive, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty archive; status errors from Consul.
    pub async fn restore(
        &self,
        archive: impl Into<Bytes>,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        let archive = archive.into();
        if archive.is_empty() {
            return Err(consul_types::ValidationError::Empty { field: "snapshot" }.into());
        }
        self.client
            .call(Method::PUT, "snapshot")
            .write_options(opts)?
            .body(archive)
            .write_unit()
            .await
    }
}
