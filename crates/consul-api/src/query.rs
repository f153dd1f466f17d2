//! Prepared queries (`/v1/query`): Go's `api/prepared_query.go`.
//!
//! A prepared query is a service lookup stored in Consul and run by id or name — over
//! HTTP ([`PreparedQuery::execute`]) or DNS (`<name>.query.consul`). It can fail over to
//! other datacenters when the local one has no healthy instance, and a template answers
//! every name that starts with its own.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::query::PreparedQueryDefinition;
//! let queries = client.prepared_query();
//! let definition = PreparedQueryDefinition::service("web")
//!     .name("web")
//!     .only_passing()
//!     .failover_nearest(2);
//! let id = queries.create(definition).await?.value;
//! let found = queries.execute("web").near("_agent").limit(3).await?.value;
//! println!("{} instances in {}", found.nodes.len(), found.datacenter);
//! queries.delete(&id).await?;
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::endpoint::{Accepts, Blocking, Decode, Endpoint, Missing};
use consul_types::query as rules;
pub use consul_types::query::{
    PreparedQueryDefinition, PreparedQueryExecuteResponse, PreparedQueryExplainResponse,
    QueryDatacenterOptions, QueryDnsOptions, QueryTemplate, QueryTemplateType, ServiceQuery,
    REDACTED_TOKEN,
};
use consul_types::ValidationError;
use http::Method;
use serde::Deserialize;

family! {
    /// The prepared query endpoints; made by
    /// [`Client::prepared_query`](crate::Client::prepared_query).
    ///
    /// Definitions are checked before sending as Consul checks them: a service to look
    /// up, a name, template or session, and never the redacted token readers are shown.
    PreparedQuery, prepared_query, "prepared query endpoints"
}

/// `query/:id`, the id checked first (Consul answers 500 for a non-UUID).
fn by_id(endpoint: Endpoint, id: &str) -> Result<Endpoint, ValidationError> {
    rules::validate_id(id)?;
    endpoint.segment("prepared query id", id)
}

/// `query/:id-or-name/{action}`.
fn by_id_or_name(id_or_name: &str, action: &'static str) -> Result<Endpoint, ValidationError> {
    rules::validate_id_or_name(id_or_name)?;
    Ok(Endpoint::read(Method::GET, "query")
        .segment("prepared query id or name", id_or_name)?
        .fixed(action))
}

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "ID")]
    id: String,
}

/// The call of [`PreparedQuery::create`]: the new query's id.
#[derive(Debug, Clone)]
pub struct PreparedQueryCreate {
    definition: PreparedQueryDefinition,
}

impl Call for PreparedQueryCreate {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.definition.validate_new()?;
        Endpoint::write(Method::POST, "query").json(&self.definition)
    }

    fn output(&self, answer: Answer) -> Result<String> {
        Ok(answer.json::<Created>()?.id)
    }
}

/// The call of [`PreparedQuery::update`].
#[derive(Debug, Clone)]
pub struct PreparedQueryUpdate {
    id: String,
    definition: PreparedQueryDefinition,
}

impl Call for PreparedQueryUpdate {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.definition.validate()?;
        // Consul takes the id from the path; the one in the body, if any, is ignored.
        Ok(by_id(Endpoint::write(Method::PUT, "query"), &self.id)?
            .json(&self.definition)?
            .decode(Decode::Unit))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`PreparedQuery::list`]: every prepared query of the datacenter.
#[derive(Debug, Clone)]
pub struct PreparedQueryList;

impl Call for PreparedQueryList {
    type Output = Vec<PreparedQueryDefinition>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "query").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<PreparedQueryDefinition>> {
        answer.json_list()
    }
}

/// The call of [`PreparedQuery::get`]: one query, `None` when it does not exist.
#[derive(Debug, Clone)]
pub struct PreparedQueryGet {
    id: String,
}

impl Call for PreparedQueryGet {
    type Output = Option<PreparedQueryDefinition>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // An unknown id is a 404 `Query not found`.
        Ok(by_id(Endpoint::read(Method::GET, "query"), &self.id)?
            .blocking(Blocking::Index)
            .missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<PreparedQueryDefinition>> {
        answer.json_first()
    }
}

/// The call of [`PreparedQuery::delete`].
#[derive(Debug, Clone)]
pub struct PreparedQueryDelete {
    id: String,
}

impl Call for PreparedQueryDelete {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(by_id(Endpoint::write(Method::DELETE, "query"), &self.id)?.decode(Decode::Unit))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`PreparedQuery::execute`]: the healthy instances the query finds.
#[derive(Debug, Clone)]
pub struct PreparedQueryExecute {
    id_or_name: String,
    limit: Option<u32>,
}

impl Call for PreparedQueryExecute {
    type Output = PreparedQueryExecuteResponse;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // An unknown query is a 404 `Query not found`: an error (running acts on a query
        // that must exist).
        Ok(by_id_or_name(&self.id_or_name, "execute")?
            .param_opt("limit", self.limit.map(|n| n.to_string()))
            .accepts(Accepts::NONE.with_near().with_cache().with_connect()))
    }

    fn output(&self, answer: Answer) -> Result<PreparedQueryExecuteResponse> {
        answer.json()
    }
}

/// The call of [`PreparedQuery::explain`]: the query a name resolves to, rendered.
#[derive(Debug, Clone)]
pub struct PreparedQueryExplain {
    id_or_name: String,
}

impl Call for PreparedQueryExplain {
    type Output = PreparedQueryExplainResponse;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        by_id_or_name(&self.id_or_name, "explain")
    }

    fn output(&self, answer: Answer) -> Result<PreparedQueryExplainResponse> {
        answer.json()
    }
}

call_traits!(PreparedQueryCreate: Cluster);
call_traits!(PreparedQueryUpdate: Cluster);
call_traits!(PreparedQueryList: Cluster, Watchable, IndexBlocking);
call_traits!(PreparedQueryGet: Cluster, Watchable, IndexBlocking);
call_traits!(PreparedQueryDelete: Cluster);
call_traits!(PreparedQueryExecute: Cluster);
call_traits!(PreparedQueryExplain: Cluster);

read_setters!(PreparedQueryExecute: near, cached, connect);

impl ReadRequest<PreparedQueryExecute> {
    /// Returns at most `n` instances (`?limit=`; 0 for all), after sorting by distance.
    pub fn limit(mut self, n: u32) -> Self {
        self.call_mut().limit = Some(n);
        self
    }
}

impl PreparedQuery {
    /// Creates a prepared query and returns its id (Go's `Create`). Consul refuses a
    /// name already taken by another query.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/query#create-prepared-query)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::query::{PreparedQueryDefinition, QueryTemplate};
    /// use std::time::Duration;
    /// let web = PreparedQueryDefinition::service("web")
    ///     .name("web")
    ///     .tags(["v1"])
    ///     .only_passing()
    ///     .failover_datacenters(["dc2"])
    ///     .dns_ttl(Duration::from_secs(10));
    /// let id = client.prepared_query().create(web).await?.value;
    ///
    /// // A template: `geo-db-eu` looks up the service `geo-db-eu`, and so on.
    /// let geo = PreparedQueryDefinition::service("geo-db-${match(1)}")
    ///     .name("geo-db-")
    ///     .template(QueryTemplate::name_prefix_match().regexp("^geo-db-([a-z]+)$"));
    /// client.prepared_query().create(geo).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a definition Consul would refuse
    /// ([`PreparedQueryDefinition::validate_new`]); transport and status errors otherwise
    /// (a name in use is a 500).
    pub fn create(&self, definition: PreparedQueryDefinition) -> WriteRequest<PreparedQueryCreate> {
        self.write(PreparedQueryCreate { definition })
    }

    /// Replaces the definition of query `id` (Go's `Update`): fields left unset take
    /// Consul's defaults, as on creation.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/query#update-prepared-query)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use consul_api::query::PreparedQueryDefinition;
    /// let queries = client.prepared_query();
    /// if let Some(current) = queries.get(id).await?.value {
    ///     queries.update(id, current.failover_nearest(3)).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an id that is not a UUID or a
    /// definition Consul would refuse; a 500 [`Error::Status`](crate::Error::Status) for a
    /// query that does not exist (`Cannot modify non-existent prepared query`).
    pub fn update(
        &self,
        id: impl Into<String>,
        definition: PreparedQueryDefinition,
    ) -> WriteRequest<PreparedQueryUpdate> {
        self.write(PreparedQueryUpdate {
            id: id.into(),
            definition,
        })
    }

    /// Lists every prepared query of the datacenter (Go's `List`); with ACLs, only the ones
    /// the token may read, and their tokens shown as [`REDACTED_TOKEN`] without management
    /// rights. `.wait()` and `.watch()` block on the query table.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/query#read-prepared-query)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for q in client.prepared_query().list().await?.value {
    ///     println!("{} {} → {}", q.id, q.name, q.service.service);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn list(&self) -> ReadRequest<PreparedQueryList> {
        self.read(PreparedQueryList)
    }

    /// Reads one prepared query by id; `None` when there is none (Go's `Get`, which
    /// returns a list). `.wait()` and `.watch()` block until it changes.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/query#read-prepared-query-1)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// match client.prepared_query().get(id).await?.value {
    ///     Some(q) => println!("{} looks up {}", q.name, q.service.service),
    ///     None => println!("no such query"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an id that is not a UUID (look
    /// a query up by name with [`explain`](Self::explain)); transport and status errors
    /// otherwise.
    pub fn get(&self, id: impl Into<String>) -> ReadRequest<PreparedQueryGet> {
        self.read(PreparedQueryGet { id: id.into() })
    }

    /// Deletes prepared query `id` (Go's `Delete`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/query#delete-prepared-query)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// client.prepared_query().delete(id).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an id that is not a UUID; a 500
    /// [`Error::Status`](crate::Error::Status) for a query that does not exist.
    pub fn delete(&self, id: impl Into<String>) -> WriteRequest<PreparedQueryDelete> {
        self.write(PreparedQueryDelete { id: id.into() })
    }

    /// Runs a prepared query, by id or name (a template's by any name it answers), and
    /// returns the healthy instances it finds (Go's `Execute`): in this datacenter, or
    /// after a failover in the first other one that has some (`datacenter`,
    /// `failovers`). `.near(node)` sorts them by distance from a node (`_agent`: the
    /// agent answering), `.limit(n)` keeps the first `n`, `.connect()` keeps
    /// Connect-capable ones, `.cached(..)` uses the agent's cache.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/query#execute-prepared-query)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let found = client
    ///     .prepared_query()
    ///     .execute("web")
    ///     .near("_agent")
    ///     .limit(3)
    ///     .await?
    ///     .value;
    /// for entry in &found.nodes {
    ///     println!("{}:{}", entry.node.address, entry.service.port);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when no query has this id or name (and
    /// no template answers it); [`Error::Validation`](crate::Error::Validation) for an
    /// empty one; transport and status errors otherwise.
    pub fn execute(&self, id_or_name: impl Into<String>) -> ReadRequest<PreparedQueryExecute> {
        self.read(PreparedQueryExecute {
            id_or_name: id_or_name.into(),
            limit: None,
        })
    }

    /// Shows the query an id or name resolves to, without running it: for a template, the
    /// definition rendered for that name.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/query#explain-prepared-query)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let rendered = client.prepared_query().explain("geo-db-eu").await?.value.query;
    /// println!("looks up {} with tags {:?}", rendered.service.service, rendered.service.tags);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when no query answers this id or name;
    /// [`Error::Validation`](crate::Error::Validation) for an empty one; transport and
    /// status errors otherwise.
    pub fn explain(&self, id_or_name: impl Into<String>) -> ReadRequest<PreparedQueryExplain> {
        self.read(PreparedQueryExplain {
            id_or_name: id_or_name.into(),
        })
    }
}
