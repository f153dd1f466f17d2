//! Admin partitions (`/v1/partition`, Consul Enterprise 1.11+): Go's `api/partition.go`.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::partition::AdminPartition;
//! let p = AdminPartition::new("na-west").description("Partition for North America West");
//! client.partitions().create(p).await?;
//! let read = client.partitions().read("na-west").await?.value;   // Some(…)
//! let all = client.partitions().list().await?.value;
//! # Ok(()) }
//! ```
//!
//! An open-source agent serves none of these endpoints: it answers an empty `404`, which
//! every call here returns as [`Error::Unsupported`](crate::Error::Unsupported), naming the
//! agent's version. A read of one partition returns `None` when Consul answers a `404` with
//! a message; an *empty* `404` from an Enterprise server could not be told from an agent
//! without the endpoint and would be reported as `Unsupported` (Consul's documentation does
//! not say which it sends). None of these reads block.

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::endpoint::{Decode, Endpoint, Missing};
pub use consul_types::partition::{AdminPartition, AdminPartitions};
use consul_types::ValidationError;
use http::Method;

family! {
    /// The admin partition endpoints (Consul Enterprise); made by
    /// [`Client::partitions`](crate::Client::partitions) (Go's `c.Partitions()`).
    Partitions, partitions, "admin partition endpoints" as read_call, write_call
}

/// `partition/{name}`, the name checked as one path segment.
fn named(endpoint: Endpoint, name: &str) -> std::result::Result<Endpoint, ValidationError> {
    endpoint.segment("partition name", name)
}

/// The call of [`Partitions::create`]: the partition as created.
#[derive(Debug, Clone)]
pub struct PartitionsCreate {
    partition: AdminPartition,
}

impl Call for PartitionsCreate {
    type Output = AdminPartition;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.partition.validate()?;
        Endpoint::write(Method::PUT, "partition").json(&self.partition)
    }

    fn output(&self, answer: Answer) -> Result<AdminPartition> {
        answer.json()
    }
}

/// The call of [`Partitions::update`]: the partition as updated.
#[derive(Debug, Clone)]
pub struct PartitionsUpdate {
    partition: AdminPartition,
}

impl Call for PartitionsUpdate {
    type Output = AdminPartition;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.partition.validate()?;
        named(
            Endpoint::write(Method::PUT, "partition"),
            &self.partition.name,
        )?
        .json(&self.partition)
    }

    fn output(&self, answer: Answer) -> Result<AdminPartition> {
        answer.json()
    }
}

/// The call of [`Partitions::read`]: the partition, `None` when there is none by that name.
#[derive(Debug, Clone)]
pub struct PartitionsRead {
    name: String,
}

impl Call for PartitionsRead {
    type Output = Option<AdminPartition>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(named(Endpoint::read(Method::GET, "partition"), &self.name)?.missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<AdminPartition>> {
        answer.json_opt()
    }
}

/// The call of [`Partitions::delete`].
#[derive(Debug, Clone)]
pub struct PartitionsDelete {
    name: String,
}

impl Call for PartitionsDelete {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(named(Endpoint::write(Method::DELETE, "partition"), &self.name)?.decode(Decode::Unit))
    }

    fn output(&self, _answer: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Partitions::list`]: every partition.
#[derive(Debug, Clone)]
pub struct PartitionsList;

impl Call for PartitionsList {
    type Output = Vec<AdminPartition>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "partitions"))
    }

    fn output(&self, answer: Answer) -> Result<Vec<AdminPartition>> {
        Ok(answer.json::<AdminPartitions>()?.partitions)
    }
}

call_traits!(PartitionsCreate: Cluster);
call_traits!(PartitionsUpdate: Cluster);
call_traits!(PartitionsRead: Cluster);
call_traits!(PartitionsDelete: Cluster);
call_traits!(PartitionsList: Cluster);

impl Partitions {
    /// Creates an admin partition and returns it as Consul stored it (Go's `Create`).
    /// Needs `operator:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/admin-partitions#create-a-partition)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::partition::AdminPartition;
    /// let p = client
    ///     .partitions()
    ///     .create(AdminPartition::new("na-west").description("Partition for North America West"))
    ///     .await?
    ///     .value;
    /// println!("created at index {}", p.create_index);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent; a status
    /// error when Consul refuses (a name that is not a DNS label, one that exists).
    pub fn create(&self, partition: AdminPartition) -> WriteRequest<PartitionsCreate> {
        self.write_call(PartitionsCreate { partition })
    }

    /// Updates the partition named `partition.name` (its description) and returns it as
    /// stored (Go's `Update`). Needs `operator:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/admin-partitions#update-a-partition)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::partition::AdminPartition;
    /// let p = AdminPartition::new("na-west").description("North America West Partition");
    /// client.partitions().update(p).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent; status
    /// errors otherwise.
    pub fn update(&self, partition: AdminPartition) -> WriteRequest<PartitionsUpdate> {
        self.write_call(PartitionsUpdate { partition })
    }

    /// The partition named `name`; `None` when there is none (Go's `Read`). A partition
    /// being deleted is still read, with `deleted_at` set. Needs `operator:read` (a token
    /// can always read its own partition).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/admin-partitions#read-a-partition)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(p) = client.partitions().read("na-west").consistent().await?.value {
    ///     println!("{}: {}", p.name, p.description);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent (see the
    /// [module docs](self) on empty `404`s).
    pub fn read(&self, name: impl Into<String>) -> ReadRequest<PartitionsRead> {
        self.read_call(PartitionsRead { name: name.into() })
    }

    /// Marks the partition named `name` for deletion (Go's `Delete`): Consul removes its
    /// data in the background, then the partition. Needs `operator:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/admin-partitions#delete-a-partition)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.partitions().delete("na-west").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent.
    pub fn delete(&self, name: impl Into<String>) -> WriteRequest<PartitionsDelete> {
        self.write_call(PartitionsDelete { name: name.into() })
    }

    /// Every admin partition (Go's `List`). Consul documents a bare list; the object
    /// `{"Partitions": […]}` Go's `AdminPartitions` reads is accepted too. Needs
    /// `operator:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/admin-partitions#list-all-partitions)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for p in client.partitions().list().await?.value {
    ///     println!("{}", p.name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent.
    pub fn list(&self) -> ReadRequest<PartitionsList> {
        self.read_call(PartitionsList)
    }
}
