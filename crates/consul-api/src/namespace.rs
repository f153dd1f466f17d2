//! Namespaces (`/v1/namespace`, Consul Enterprise 1.7+): Go's `api/namespace.go`.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::namespace::AclLink;
//! use consul_api::namespace::Namespace;
//! let ns = Namespace::new("team-1")
//!     .description("Namespace for Team 1")
//!     .policy_default(AclLink::name("service-read"));
//! let created = client.namespaces().create(ns).await?.value;
//! let read = client.namespaces().read("team-1").await?.value;   // Some(…)
//! client.namespaces().delete("team-1").await?;
//! # Ok(()) }
//! ```
//!
//! An open-source agent serves none of these endpoints: it answers an empty `404`, which
//! every call here returns as [`Error::Unsupported`](crate::Error::Unsupported), naming the
//! agent's version. Reads of one namespace return `None` when Consul answers a `404` with a
//! message; if an Enterprise server answered a missing namespace with an *empty* `404`, the
//! client could not tell it from an agent without the endpoint and would report
//! `Unsupported` (Consul's documentation does not say which it sends).

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
pub use consul_types::acl::AclLink;
use consul_types::endpoint::{Blocking, Decode, Endpoint, Missing};
pub use consul_types::namespace::{Namespace, NamespaceAclConfig};
use consul_types::ValidationError;
use http::Method;

family! {
    /// The namespace endpoints (Consul Enterprise); made by
    /// [`Client::namespaces`](crate::Client::namespaces) (Go's `c.Namespaces()`).
    Namespaces, namespaces, "namespace endpoints" as read_call, write_call
}

/// `namespace/{name}`, the name checked as one path segment.
fn named(endpoint: Endpoint, name: &str) -> std::result::Result<Endpoint, ValidationError> {
    endpoint.segment("namespace name", name)
}

/// The call of [`Namespaces::create`]: the namespace as created.
#[derive(Debug, Clone)]
pub struct NamespacesCreate {
    namespace: Namespace,
}

impl Call for NamespacesCreate {
    type Output = Namespace;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.namespace.validate()?;
        Endpoint::write(Method::PUT, "namespace").json(&self.namespace)
    }

    fn output(&self, answer: Answer) -> Result<Namespace> {
        answer.json()
    }
}

/// The call of [`Namespaces::update`]: the namespace as updated.
#[derive(Debug, Clone)]
pub struct NamespacesUpdate {
    namespace: Namespace,
}

impl Call for NamespacesUpdate {
    type Output = Namespace;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.namespace.validate()?;
        named(
            Endpoint::write(Method::PUT, "namespace"),
            &self.namespace.name,
        )?
        .json(&self.namespace)
    }

    fn output(&self, answer: Answer) -> Result<Namespace> {
        answer.json()
    }
}

/// The call of [`Namespaces::read`]: the namespace, `None` when there is none by that name.
#[derive(Debug, Clone)]
pub struct NamespacesRead {
    name: String,
}

impl Call for NamespacesRead {
    type Output = Option<Namespace>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(named(Endpoint::read(Method::GET, "namespace"), &self.name)?
            .blocking(Blocking::Index)
            .missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<Namespace>> {
        answer.json_opt()
    }
}

/// The call of [`Namespaces::delete`].
#[derive(Debug, Clone)]
pub struct NamespacesDelete {
    name: String,
}

impl Call for NamespacesDelete {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(named(Endpoint::write(Method::DELETE, "namespace"), &self.name)?.decode(Decode::Unit))
    }

    fn output(&self, _answer: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Namespaces::list`]: every namespace the token may see.
#[derive(Debug, Clone)]
pub struct NamespacesList;

impl Call for NamespacesList {
    type Output = Vec<Namespace>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "namespaces").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<Namespace>> {
        answer.json_list()
    }
}

call_traits!(NamespacesCreate: Cluster);
call_traits!(NamespacesUpdate: Cluster);
call_traits!(NamespacesRead: Cluster, Watchable, IndexBlocking);
call_traits!(NamespacesDelete: Cluster);
call_traits!(NamespacesList: Cluster, Watchable, IndexBlocking);

impl Namespaces {
    /// Creates a namespace and returns it as Consul stored it (policy and role links by
    /// name come back with their IDs) (Go's `Create`). `.partition(name)` creates it in
    /// that admin partition. Needs `operator:write`, and `acl:write` on linked policies and
    /// roles.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/namespaces#create-a-namespace)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::namespace::AclLink;
    /// use consul_api::namespace::Namespace;
    /// let ns = client
    ///     .namespaces()
    ///     .create(
    ///         Namespace::new("team-1")
    ///             .description("Namespace for Team 1")
    ///             .role_default(AclLink::name("ns-team-2-read"))
    ///             .meta("owner", "team-1"),
    ///     )
    ///     .await?
    ///     .value;
    /// println!("created at index {}", ns.create_index);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent; a status
    /// error when Consul refuses (a name that is not a DNS label, one that exists).
    pub fn create(&self, namespace: Namespace) -> WriteRequest<NamespacesCreate> {
        self.write_call(NamespacesCreate { namespace })
    }

    /// Updates the namespace named `namespace.name` and returns it as stored (Go's
    /// `Update`). Needs `operator:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/namespaces#update-a-namespace)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(ns) = client.namespaces().read("team-1").await?.value {
    ///     let ns = ns.description("Namespace for Team One");
    ///     client.namespaces().update(ns).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent; status
    /// errors otherwise.
    pub fn update(&self, namespace: Namespace) -> WriteRequest<NamespacesUpdate> {
        self.write_call(NamespacesUpdate { namespace })
    }

    /// The namespace named `name`; `None` when there is none (Go's `Read`). A namespace
    /// being deleted is still read, with `deleted_at` set. It blocks: `.wait()` and
    /// `.watch()` apply. Needs `operator:read`, or any access within the namespace.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/namespaces#read-a-namespace)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(ns) = client.namespaces().read("team-1").await?.value {
    ///     println!("{}: {}", ns.name, ns.description);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent (see the
    /// [module docs](self) on empty `404`s).
    pub fn read(&self, name: impl Into<String>) -> ReadRequest<NamespacesRead> {
        self.read_call(NamespacesRead { name: name.into() })
    }

    /// Marks the namespace named `name` for deletion (Go's `Delete`): Consul removes its
    /// data in the background, then the namespace. Needs `operator:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/namespaces#delete-a-namespace)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.namespaces().delete("team-1").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent.
    pub fn delete(&self, name: impl Into<String>) -> WriteRequest<NamespacesDelete> {
        self.write_call(NamespacesDelete { name: name.into() })
    }

    /// Every namespace the token may see (Go's `List`). It blocks: `.wait()` and
    /// `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/namespaces#list-all-namespaces)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for ns in client.namespaces().list().await?.value {
    ///     println!("{}", ns.name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an open-source agent.
    pub fn list(&self) -> ReadRequest<NamespacesList> {
        self.read_call(NamespacesList)
    }
}
