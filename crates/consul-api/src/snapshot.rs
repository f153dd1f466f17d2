//! Snapshots (`/v1/snapshot`): save the servers' state as a stream, restore it (Go's
//! `api/snapshot.go`).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! let saved = client.snapshot().save().stale().await?;
//! let archive = saved.value.collect().await?;
//! client.snapshot().restore(archive).await?;
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use bytes::Bytes;
use consul_transport::BodyStream;
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::ValidationError;
use http::Method;
use std::fmt;

family! {
    /// Snapshots of the servers' state; made by [`Client::snapshot`](crate::Client::snapshot).
    /// Needs a management token when ACLs are on.
    Snapshot, snapshot, "snapshots of the servers' state"
}

/// The call of [`Snapshot::save`].
#[derive(Debug, Clone)]
pub struct SnapshotSave;

impl Call for SnapshotSave {
    type Output = BodyStream;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "snapshot").decode(Decode::Stream))
    }

    fn output(&self, answer: Answer) -> Result<BodyStream> {
        Ok(answer.into_stream())
    }
}

/// The call of [`Snapshot::restore`]. Its `Debug` output shows the archive's size only.
#[derive(Clone)]
pub struct SnapshotRestore {
    archive: Bytes,
}

impl fmt::Debug for SnapshotRestore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapshotRestore")
            .field("archive_len", &self.archive.len())
            .finish()
    }
}

impl Call for SnapshotRestore {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.archive.is_empty() {
            return Err(ValidationError::Empty { field: "snapshot" });
        }
        Ok(Endpoint::write(Method::PUT, "snapshot")
            .body(self.archive.clone())
            .decode(Decode::Unit))
    }

    fn output(&self, _answer: Answer) -> Result<()> {
        Ok(())
    }
}

call_traits!(SnapshotSave: Cluster);
call_traits!(SnapshotRestore: Cluster);

impl Snapshot {
    /// Saves a snapshot: the gzipped archive is streamed, not held in memory, and the
    /// metadata tells the index it was taken at. `.stale()` lets any server take it. The
    /// stream ends with a timeout error when no data comes for the client's request timeout.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/snapshot#generate-snapshot)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let saved = client.snapshot().save().await?;
    /// println!("snapshot at index {}", saved.meta.last_index);
    /// let bytes = saved.value.collect().await?; // or write the chunks to a file as they come
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors; a stream error while reading the body.
    pub fn save(&self) -> ReadRequest<SnapshotSave> {
        self.read(SnapshotSave)
    }

    /// Restores a snapshot made by [`Snapshot::save`]. Indexes may go backwards afterwards;
    /// watches reset themselves.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/snapshot#restore-snapshot)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, archive: bytes::Bytes) -> consul_api::Result<()> {
    /// client.snapshot().restore(archive).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty archive; status errors from Consul.
    pub fn restore(&self, archive: impl Into<Bytes>) -> WriteRequest<SnapshotRestore> {
        self.write(SnapshotRestore {
            archive: archive.into(),
        })
    }
}
