//! Configuration entries (`/v1/config`, Consul 1.5+): Go's `api/config_entry*.go`.
//!
//! Entries are [`ConfigEntry`] values: one typed model per kind, tagged by `Kind` on the
//! wire, and [`ConfigEntry::Other`] for a kind this version does not model, kept whole.
//! Every model keeps the fields it does not know, so an entry read, changed and written
//! back loses nothing. A kind newer than the agent (Consul 1.8 knows seven) is refused as
//! [`Error::Unsupported`](crate::Error::Unsupported), naming the agent's version.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::config_entry::{ConfigEntry, ConfigKind, ServiceDefaults, ServiceResolver};
//! use std::time::Duration;
//! let config = client.config_entries();
//! config.set(ServiceDefaults::new("web").protocol("http")).await?;
//! config
//!     .set(ServiceResolver::new("web").connect_timeout(Duration::from_secs(3)))
//!     .await?;
//! if let Some(ConfigEntry::ServiceDefaults(web)) =
//!     config.get(ConfigKind::ServiceDefaults, "web").await?.value
//! {
//!     // Change it only if nobody else did meanwhile.
//!     let index = web.modify_index;
//!     let written = config.cas(web.protocol("grpc"), index).await?.value;
//! }
//! let mut resolvers = config.list(ConfigKind::ServiceResolver).watch(); // a Stream
//! config.delete(ConfigKind::ServiceResolver, "web").await?;
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
pub use consul_types::config_entry::*;
use consul_types::endpoint::{Blocking, Decode, Endpoint, Missing};
use consul_types::ValidationError;
use http::Method;

family! {
    /// The config entry endpoints; made by
    /// [`Client::config_entries`](crate::Client::config_entries).
    ///
    /// Entries are checked before sending ([`ConfigEntry::validate`]): no empty kind or
    /// name, and no `proxy-defaults` entry named other than `global` (which Consul 1.8
    /// would quietly rename, replacing the global one).
    ConfigEntries, config_entries, "config entry endpoints"
}

/// How Consul 1.8 answers a kind it does not know: `400` for a write, `500` for a read.
const UNKNOWN_KIND: &str = "invalid config entry kind";
const UNKNOWN_KIND_STATUSES: &[u16] = &[400, 500];

/// `config/:kind[/:name]`, answered as unsupported when the agent does not know the kind.
fn kind_endpoint(endpoint: Endpoint, kind: &ConfigKind) -> Result<Endpoint, ValidationError> {
    Ok(endpoint
        .segment("config entry kind", kind.as_str())?
        .unsupported_when(UNKNOWN_KIND_STATUSES, UNKNOWN_KIND))
}

/// The body and path of a write of `entry`.
fn write_endpoint(entry: &ConfigEntry) -> Result<Endpoint, ValidationError> {
    entry.validate()?;
    // The write names its kind only in the body: an agent that does not know it is said
    // not to serve `config/:kind`, as its reads of that kind answer.
    let kind_path = Endpoint::read(Method::GET, "config")
        .segment("config entry kind", entry.kind().as_str())?
        .path()
        .to_owned();
    Ok(Endpoint::write(Method::PUT, "config")
        .json(entry)?
        .unsupported_when(UNKNOWN_KIND_STATUSES, UNKNOWN_KIND)
        .unsupported_path(kind_path))
}

/// The call of [`ConfigEntries::get`]: one entry, `None` when it does not exist.
#[derive(Debug, Clone)]
pub struct ConfigEntriesGet {
    kind: ConfigKind,
    name: String,
}

impl Call for ConfigEntriesGet {
    type Output = Option<ConfigEntry>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(
            kind_endpoint(Endpoint::read(Method::GET, "config"), &self.kind)?
                .segment("config entry name", &self.name)?
                .blocking(Blocking::Index)
                .missing(Missing::Absent),
        )
    }

    fn output(&self, answer: Answer) -> Result<Option<ConfigEntry>> {
        answer.json_opt()
    }
}

/// The call of [`ConfigEntries::list`]: every entry of one kind.
#[derive(Debug, Clone)]
pub struct ConfigEntriesList {
    kind: ConfigKind,
}

impl Call for ConfigEntriesList {
    type Output = Vec<ConfigEntry>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(
            kind_endpoint(Endpoint::read(Method::GET, "config"), &self.kind)?
                .blocking(Blocking::Index),
        )
    }

    fn output(&self, answer: Answer) -> Result<Vec<ConfigEntry>> {
        answer.json_list()
    }
}

/// The call of [`ConfigEntries::set`]: `true` once written.
#[derive(Debug, Clone)]
pub struct ConfigEntriesSet {
    entry: ConfigEntry,
}

impl Call for ConfigEntriesSet {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        write_endpoint(&self.entry)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`ConfigEntries::cas`]: `true` when written, `false` when the entry changed
/// since the index given.
#[derive(Debug, Clone)]
pub struct ConfigEntriesCas {
    entry: ConfigEntry,
    index: u64,
}

impl Call for ConfigEntriesCas {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(write_endpoint(&self.entry)?.param("cas", self.index.to_string()))
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`ConfigEntries::delete`].
#[derive(Debug, Clone)]
pub struct ConfigEntriesDelete {
    kind: ConfigKind,
    name: String,
}

impl Call for ConfigEntriesDelete {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(
            kind_endpoint(Endpoint::write(Method::DELETE, "config"), &self.kind)?
                .segment("config entry name", &self.name)?
                .decode(Decode::Unit),
        )
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

call_traits!(ConfigEntriesGet: Cluster, Watchable, IndexBlocking);
call_traits!(ConfigEntriesList: Cluster, Watchable, IndexBlocking);
call_traits!(ConfigEntriesSet: Cluster);
call_traits!(ConfigEntriesCas: Cluster);
call_traits!(ConfigEntriesDelete: Cluster);

impl ConfigEntries {
    /// Reads one entry; `None` when there is none of that kind and name (Go's `Get`).
    ///
    /// `.wait(index, time)` blocks until the entry changes (its creation and deletion
    /// included); `.watch()` yields each change.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/config#get-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::config_entry::{ConfigKind, ServiceDefaults};
    /// let read = client.config_entries().get(ConfigKind::ServiceDefaults, "web").await?;
    /// if let Some(entry) = read.value {
    ///     let web = ServiceDefaults::try_from(entry).expect("a service-defaults entry");
    ///     println!("web speaks {}", web.protocol);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty kind or name;
    /// [`Error::Unsupported`](crate::Error::Unsupported) for a kind the agent does not
    /// know; transport and status errors otherwise.
    pub fn get(
        &self,
        kind: impl Into<ConfigKind>,
        name: impl Into<String>,
    ) -> ReadRequest<ConfigEntriesGet> {
        self.read(ConfigEntriesGet {
            kind: kind.into(),
            name: name.into(),
        })
    }

    /// Every entry of one kind (Go's `List`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/config#list-configurations)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::config_entry::ConfigKind;
    /// for entry in client.config_entries().list(ConfigKind::ServiceRouter).await?.value {
    ///     println!("{} (modified at {})", entry.name(), entry.modify_index());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`get`](ConfigEntries::get).
    pub fn list(&self, kind: impl Into<ConfigKind>) -> ReadRequest<ConfigEntriesList> {
        self.read(ConfigEntriesList { kind: kind.into() })
    }

    /// Creates or replaces an entry (Go's `Set`). Consul replaces the whole entry: to
    /// change one field, read it first and write back the changed entry (nothing it holds
    /// is lost, fields this version does not model included).
    ///
    /// Consul checks the entry against the others: a router or splitter needs an L7
    /// protocol, a subset must be defined by the resolver, protocols along the chain must
    /// agree. What it refuses is an [`Error::Status`](crate::Error::Status) carrying its
    /// reason (`500 discovery chain "web" uses a protocol "tcp" that does not permit
    /// advanced routing or splitting behavior`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/config#apply-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::config_entry::{ServiceSplit, ServiceSplitter};
    /// let canary = ServiceSplitter::new("web")
    ///     .split(ServiceSplit::new(90.0).service_subset("v1"))
    ///     .split(ServiceSplit::new(10.0).service_subset("v2"));
    /// client.config_entries().set(canary).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an entry Consul would refuse or
    /// rename ([`ConfigEntry::validate`]); [`Error::Unsupported`](crate::Error::Unsupported)
    /// for a kind the agent does not know; status errors for what Consul refuses.
    pub fn set(&self, entry: impl Into<ConfigEntry>) -> WriteRequest<ConfigEntriesSet> {
        self.write(ConfigEntriesSet {
            entry: entry.into(),
        })
    }

    /// Writes an entry only if it has not changed since `index` (`?cas=`; Go's `CAS`):
    /// `true` when written, `false` when someone changed it meanwhile (read it again and
    /// retry). Index `0` writes only an entry that does not exist yet.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/config#apply-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::config_entry::{ConfigKind, ServiceDefaults};
    /// let config = client.config_entries();
    /// // Create it, unless it exists.
    /// let created = config.cas(ServiceDefaults::new("web").protocol("http"), 0).await?.value;
    /// // Change it, unless someone else did first.
    /// loop {
    ///     let Some(entry) = config.get(ConfigKind::ServiceDefaults, "web").await?.value else {
    ///         break;
    ///     };
    ///     let index = entry.modify_index();
    ///     let web = ServiceDefaults::try_from(entry).expect("a service-defaults entry");
    ///     if config.cas(web.protocol("http2"), index).await?.value {
    ///         break;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`set`](ConfigEntries::set).
    pub fn cas(&self, entry: impl Into<ConfigEntry>, index: u64) -> WriteRequest<ConfigEntriesCas> {
        self.write(ConfigEntriesCas {
            entry: entry.into(),
            index,
        })
    }

    /// Deletes an entry (Go's `Delete`). Deleting one that does not exist succeeds; an
    /// entry others depend on (the resolver defining a splitter's subsets) is refused.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/config#delete-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::config_entry::ConfigKind;
    /// client.config_entries().delete(ConfigKind::ServiceRouter, "web").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`get`](ConfigEntries::get), and status errors for what Consul refuses.
    pub fn delete(
        &self,
        kind: impl Into<ConfigKind>,
        name: impl Into<String>,
    ) -> WriteRequest<ConfigEntriesDelete> {
        self.write(ConfigEntriesDelete {
            kind: kind.into(),
            name: name.into(),
        })
    }
}
