//! Models and rules of prepared queries (Go's `api/prepared_query.go`).
//!
//! A prepared query is a service lookup stored in Consul and run by id or name
//! (`GET /v1/query/:id-or-name/execute`, or DNS `<name>.query.consul`): the service, the
//! tags it must (or must not) have, whether only passing instances count, which node to
//! sort by distance from, and where to look when the local datacenter has no healthy
//! instance ([`QueryDatacenterOptions`]). A *template* ([`QueryTemplate`]) answers every
//! name that starts with its own, and can build the lookup from the name it was run with.
//!
//! ```
//! use consul_types::query::{PreparedQueryDefinition, QueryTemplate};
//! use std::time::Duration;
//!
//! let web = PreparedQueryDefinition::service("web")
//!     .name("web")
//!     .only_passing()
//!     .tags(["v1", "!canary"])
//!     .near("_agent")
//!     .failover_nearest(2)
//!     .failover_datacenters(["dc2", "dc3"])
//!     .dns_ttl(Duration::from_secs(10));
//! assert!(web.validate_new().is_ok());
//! let json = serde_json::to_value(&web).unwrap();
//! assert_eq!(json["Service"]["Failover"]["NearestN"], 2);
//! assert_eq!(json["DNS"]["TTL"], "10s");
//!
//! // `geo-db-eu`, `geo-db-us`, … each find the service named after their suffix.
//! let geo = PreparedQueryDefinition::service("geo-db-${match(1)}")
//!     .name("geo-db-")
//!     .template(QueryTemplate::name_prefix_match().regexp("^geo-db-([a-z]+)$"));
//! assert_eq!(serde_json::to_value(&geo).unwrap()["Template"]["Type"], "name_prefix_match");
//! ```

use crate::health::ServiceEntry;
use crate::serde_util::{null_as_default, null_as_empty_vec};
use crate::{Token, ValidationError};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The token Consul shows in place of a query's token to a reader without management
/// rights; sending it back is refused (by Consul, and here before sending).
pub const REDACTED_TOKEN: &str = "<hidden>";

/// Where to look when the local datacenter has no healthy instance (Go's
/// `api.QueryDatacenterOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct QueryDatacenterOptions {
    /// How many other datacenters to try, nearest first by network round-trip time.
    #[serde(rename = "NearestN")]
    pub nearest_n: u32,
    /// Datacenters to try after the nearest ones, in this order (one already tried is
    /// skipped; an unknown one is ignored).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub datacenters: Vec<String>,
}

impl QueryDatacenterOptions {
    fn is_empty(&self) -> bool {
        self.nearest_n == 0 && self.datacenters.is_empty()
    }
}

/// How DNS serves the query's results (Go's `api.QueryDNSOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct QueryDnsOptions {
    /// The TTL of the DNS answers (Go-format text on the wire, `"10s"`); `None` for the
    /// agent's `dns_config` default.
    #[serde(
        rename = "TTL",
        with = "crate::duration::text::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub ttl: Option<Duration>,
}

text_enum! {
    /// The kind of a query template.
    ///
    /// ```
    /// use consul_types::query::QueryTemplateType;
    /// assert_eq!(QueryTemplateType::from("name_prefix_match"), QueryTemplateType::NamePrefixMatch);
    /// assert_eq!(QueryTemplateType::NamePrefixMatch.as_str(), "name_prefix_match");
    /// ```
    QueryTemplateType {
        /// `name_prefix_match`: the template answers every name starting with the query's
        /// name, the longest such prefix winning (the only kind Consul 1.8 knows).
        default NamePrefixMatch = "name_prefix_match",
    }
}

/// What makes a prepared query a template (Go's `api.QueryTemplate`; Consul's
/// `QueryTemplateOptions`).
///
/// In a template's other fields, `${name.full}`, `${name.prefix}`, `${name.suffix}` and
/// `${match(N)}` (the regular expression's groups) are replaced when it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct QueryTemplate {
    /// The kind of template.
    #[serde(rename = "Type")]
    pub template_type: QueryTemplateType,
    /// A regular expression run on the full name the query was run with, whose groups
    /// `${match(N)}` stands for.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub regexp: String,
    /// Whether tags that render empty (a `${match(N)}` that matched nothing) are dropped
    /// instead of being required.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remove_empty_tags: bool,
}

impl QueryTemplate {
    /// A `name_prefix_match` template.
    pub fn name_prefix_match() -> Self {
        QueryTemplate::default()
    }

    /// Parses the full name with this regular expression (Go's RE2 syntax), for
    /// `${match(N)}`.
    #[must_use]
    pub fn regexp(mut self, regexp: impl Into<String>) -> Self {
        self.regexp = regexp.into();
        self
    }

    /// Drops tags that render empty.
    #[must_use]
    pub fn remove_empty_tags(mut self) -> Self {
        self.remove_empty_tags = true;
        self
    }
}

/// The service lookup of a prepared query (Go's `api.ServiceQuery`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceQuery {
    /// The service to look up.
    pub service: String,
    /// Namespace of the service (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Sort the instances by round-trip time from this node (`_agent`: the agent that runs
    /// the query); a request's own `near` wins.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub near: String,
    /// Where to look when the local datacenter has no healthy instance.
    #[serde(skip_serializing_if = "QueryDatacenterOptions::is_empty")]
    pub failover: QueryDatacenterOptions,
    /// Health checks not to count (a check giving false alarms, for a while).
    #[serde(
        rename = "IgnoreCheckIDs",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ignore_check_ids: Vec<String>,
    /// Only instances whose checks all pass; otherwise warning counts as healthy (only
    /// critical excludes).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub only_passing: bool,
    /// Tags an instance must have; a tag written `!tag` must be absent.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Node metadata an instance's node must have.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub node_meta: BTreeMap<String, String>,
    /// Service metadata an instance must have.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub service_meta: BTreeMap<String, String>,
    /// Only Connect-capable instances: native ones and proxies of the service.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub connect: bool,
}

/// A prepared query: as created, updated, listed and read (Go's
/// `api.PreparedQueryDefinition`).
///
/// Build one with [`PreparedQueryDefinition::service`] and the setters; every unset field
/// takes Consul's default. Consul needs a name, a template or a session to bind an
/// anonymous query to ([`validate_new`](Self::validate_new)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PreparedQueryDefinition {
    /// The query's id (a UUID chosen by Consul); empty in a definition to create.
    #[serde(rename = "ID", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The name it runs by (also over DNS: `<name>.query.consul`); for a template, the
    /// prefix it answers.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// A session the query lives as long as (it is deleted when the session ends).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub session: String,
    /// The token the query runs with (instead of the caller's). Readers without
    /// management rights see [`REDACTED_TOKEN`].
    #[serde(
        deserialize_with = "empty_token_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub token: Option<Token>,
    /// The service lookup.
    pub service: ServiceQuery,
    /// How DNS serves the results.
    #[serde(rename = "DNS", skip_serializing_if = "QueryDnsOptions::is_default")]
    pub dns: QueryDnsOptions,
    /// What makes the query a template; `None` for a plain query.
    #[serde(
        deserialize_with = "template_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub template: Option<QueryTemplate>,
    /// Raft index at which the query was created (0 in a definition to create).
    #[serde(skip_serializing_if = "is_zero")]
    pub create_index: u64,
    /// Raft index of the last change.
    #[serde(skip_serializing_if = "is_zero")]
    pub modify_index: u64,
}

impl QueryDnsOptions {
    fn is_default(&self) -> bool {
        self.ttl.is_none()
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `""` (Consul's "no token") read as `None`.
fn empty_token_as_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Token>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .filter(|s| !s.is_empty())
        .map(Token::from))
}

/// Consul always sends `Template`; an empty `Type` means "not a template".
fn template_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<QueryTemplate>, D::Error> {
    #[derive(Default, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    struct Raw {
        #[serde(rename = "Type")]
        template_type: String,
        regexp: String,
        remove_empty_tags: bool,
    }
    let raw = Option::<Raw>::deserialize(d)?.unwrap_or_default();
    if raw.template_type.is_empty() {
        return Ok(None);
    }
    Ok(Some(QueryTemplate {
        template_type: raw.template_type.into(),
        regexp: raw.regexp,
        remove_empty_tags: raw.remove_empty_tags,
    }))
}

impl PreparedQueryDefinition {
    /// A query of `service`, with Consul's defaults for everything else.
    pub fn service(service: impl Into<String>) -> Self {
        let mut query = PreparedQueryDefinition::default();
        query.service.service = service.into();
        query
    }

    /// The name it runs by (for a template, the prefix it answers).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Ties the query to a session: it is deleted when the session ends.
    #[must_use]
    pub fn session(mut self, session: impl Into<String>) -> Self {
        self.session = session.into();
        self
    }

    /// Runs the query with this token instead of the caller's.
    #[must_use]
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Counts only instances whose checks all pass (by default, warning counts as healthy).
    #[must_use]
    pub fn only_passing(mut self) -> Self {
        self.service.only_passing = true;
        self
    }

    /// Requires these tags; `!tag` excludes instances that have `tag`. Adds to any set
    /// before.
    #[must_use]
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.service.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Sorts the instances by round-trip time from this node (`_agent`: the agent running
    /// the query).
    #[must_use]
    pub fn near(mut self, node: impl Into<String>) -> Self {
        self.service.near = node.into();
        self
    }

    /// Requires this node metadata; repeatable.
    #[must_use]
    pub fn node_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.service.node_meta.insert(key.into(), value.into());
        self
    }

    /// Requires this service metadata; repeatable.
    #[must_use]
    pub fn service_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.service.service_meta.insert(key.into(), value.into());
        self
    }

    /// Does not count these checks. Adds to any set before.
    #[must_use]
    pub fn ignore_check_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.service
            .ignore_check_ids
            .extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only Connect-capable instances (native ones, and proxies of the service).
    #[must_use]
    pub fn connect(mut self) -> Self {
        self.service.connect = true;
        self
    }

    /// With no healthy instance here, tries the `n` nearest other datacenters (by network
    /// round-trip time) first.
    #[must_use]
    pub fn failover_nearest(mut self, n: u32) -> Self {
        self.service.failover.nearest_n = n;
        self
    }

    /// With no healthy instance here, tries these datacenters in order (after the nearest
    /// ones). Adds to any set before.
    #[must_use]
    pub fn failover_datacenters<I, S>(mut self, datacenters: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.service
            .failover
            .datacenters
            .extend(datacenters.into_iter().map(Into::into));
        self
    }

    /// The TTL of the DNS answers.
    #[must_use]
    pub fn dns_ttl(mut self, ttl: Duration) -> Self {
        self.dns.ttl = Some(ttl);
        self
    }

    /// Makes the query a template.
    #[must_use]
    pub fn template(mut self, template: QueryTemplate) -> Self {
        self.template = Some(template);
        self
    }

    /// Whether it is a template.
    pub fn is_template(&self) -> bool {
        self.template.is_some()
    }

    /// Checks a definition to update a query with (`PUT /v1/query/:id`) as Consul would,
    /// before sending: a service to look up; a name, a template or a session (an
    /// anonymous query must be bound to a session); not the redacted token a reader is
    /// shown; a known template kind.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.service.service.is_empty() {
            return Err(ValidationError::Empty {
                field: "prepared query service",
            });
        }
        if self.name.is_empty() && self.template.is_none() && self.session.is_empty() {
            return Err(ValidationError::InvalidValue {
                field: "prepared query",
                reason: "needs a name, a template or a session to be bound to".into(),
            });
        }
        if self.token.as_ref().map(Token::secret) == Some(REDACTED_TOKEN) {
            return Err(ValidationError::InvalidValue {
                field: "prepared query token",
                reason: format!(
                    "{REDACTED_TOKEN:?} is the redacted token shown to readers, not a token"
                )
                .into(),
            });
        }
        if let Some(QueryTemplate {
            template_type: QueryTemplateType::Other(kind),
            ..
        }) = &self.template
        {
            return Err(ValidationError::InvalidValue {
                field: "prepared query template type",
                reason: format!("{kind:?} is not a template kind (use name_prefix_match)").into(),
            });
        }
        Ok(())
    }

    /// As [`validate`](Self::validate), for a definition to create a query with
    /// (`POST /v1/query`): its id must be empty as well, since Consul chooses it.
    ///
    /// # Errors
    /// As [`validate`](Self::validate); [`ValidationError::InvalidValue`] for an id.
    pub fn validate_new(&self) -> Result<(), ValidationError> {
        if !self.id.is_empty() {
            return Err(ValidationError::InvalidValue {
                field: "prepared query id",
                reason: "is chosen by Consul: create without one, or update the query".into(),
            });
        }
        self.validate()
    }
}

/// The result of running a prepared query (Go's `api.PreparedQueryExecuteResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PreparedQueryExecuteResponse {
    /// The service looked up (rendered, for a template).
    pub service: String,
    /// Namespace of the service (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The healthy instances found, with their nodes and checks: sorted by distance with
    /// `near`, otherwise shuffled.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub nodes: Vec<ServiceEntry>,
    /// How DNS serves these results.
    #[serde(rename = "DNS")]
    pub dns: QueryDnsOptions,
    /// The datacenter the instances are in (another one after a failover).
    pub datacenter: String,
    /// How many other datacenters were asked before this answer.
    pub failovers: u32,
}

/// What a prepared query resolves to, without running it (`GET
/// /v1/query/:id-or-name/explain`): for a template, the query rendered for the name given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PreparedQueryExplainResponse {
    /// The query, fully rendered.
    pub query: PreparedQueryDefinition,
}

/// Checks a prepared query id used in a path (`GET`, `PUT`, `DELETE /v1/query/:id`): a
/// UUID (anything else makes Consul answer 500).
///
/// # Errors
/// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
pub fn validate_id(id: &str) -> Result<(), ValidationError> {
    crate::acl::validate_uuid("prepared query id", id)
}

/// Checks the id or name a query is run or explained by.
///
/// # Errors
/// [`ValidationError::Empty`].
pub fn validate_id_or_name(id_or_name: &str) -> Result<(), ValidationError> {
    if id_or_name.is_empty() {
        return Err(ValidationError::Empty {
            field: "prepared query id or name",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::CheckStatus;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/query/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_read_query_decodes_with_every_field() {
        let got: Vec<PreparedQueryDefinition> = serde_json::from_str(&fixture("get.json")).unwrap();
        assert_eq!(got.len(), 1);
        let q = &got[0];
        assert_eq!(q.id, "3f7e6526-b2b6-3acd-973b-5dcba9b1ac83");
        assert_eq!(q.name, "web-failover");
        assert_eq!(q.token, None, "Consul's \"\" is no token");
        assert_eq!(q.template, None, "an empty template type is no template");
        let s = &q.service;
        assert_eq!(s.service, "web");
        assert!(s.only_passing);
        assert_eq!(s.tags, ["v1", "!canary"]);
        assert_eq!(s.near, "_agent");
        assert_eq!(s.node_meta["rack"], "r1");
        assert_eq!(s.service_meta["version"], "1");
        assert_eq!(s.ignore_check_ids, ["maint"]);
        assert_eq!(s.failover.nearest_n, 2);
        assert_eq!(s.failover.datacenters, ["dc2", "dc3"]);
        assert_eq!(q.dns.ttl, Some(Duration::from_secs(10)));
        assert!(q.create_index > 0 && q.modify_index >= q.create_index);

        // The same definition, built, sends the same fields (ids and indexes aside).
        let built = PreparedQueryDefinition::service("web")
            .name("web-failover")
            .only_passing()
            .tags(["v1", "!canary"])
            .near("_agent")
            .node_meta("rack", "r1")
            .service_meta("version", "1")
            .ignore_check_ids(["maint"])
            .failover_nearest(2)
            .failover_datacenters(["dc2", "dc3"])
            .dns_ttl(Duration::from_secs(10));
        let mut read = q.clone();
        read.id.clear();
        read.create_index = 0;
        read.modify_index = 0;
        assert_eq!(built, read);
    }

    #[test]
    fn a_list_has_plain_queries_and_templates() {
        let list: Vec<PreparedQueryDefinition> =
            serde_json::from_str(&fixture("list.json")).unwrap();
        let names: Vec<_> = list.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["geo-db-", "web-query", "web-failover"]);
        let template = list[0].template.as_ref().expect("a template");
        assert_eq!(template.template_type, QueryTemplateType::NamePrefixMatch);
        assert_eq!(template.regexp, "^geo-db-([a-z]+)$");
        assert!(template.remove_empty_tags);
        assert_eq!(list[0].service.service, "geo-db-${match(1)}");
        assert_eq!(list[0].dns.ttl, Some(Duration::from_secs(90)));
        assert!(!list[1].is_template());
        // Consul's nulls are empty collections.
        assert!(list[1].service.failover.datacenters.is_empty());
    }

    #[test]
    fn execute_and_explain_answers_decode() {
        let exec: PreparedQueryExecuteResponse =
            serde_json::from_str(&fixture("execute.json")).unwrap();
        assert_eq!(exec.service, "web");
        assert_eq!(exec.datacenter, "dc1");
        assert_eq!(exec.failovers, 0);
        assert_eq!(exec.dns.ttl, Some(Duration::from_secs(10)));
        let no_ttl: QueryDnsOptions = serde_json::from_str(r#"{"TTL": ""}"#).unwrap();
        assert_eq!(no_ttl.ttl, None, "Consul's \"\" is no TTL");
        assert_eq!(exec.nodes.len(), 1, "only the passing instance");
        let entry = &exec.nodes[0];
        assert_eq!(entry.service.id, "web-1");
        assert_eq!(entry.node.node, "fixture-node");
        assert_eq!(entry.aggregated_status(), Some(CheckStatus::Passing));

        let explained: PreparedQueryExplainResponse =
            serde_json::from_str(&fixture("explain_template.json")).unwrap();
        let q = explained.query;
        assert_eq!(q.name, "geo-db-");
        assert_eq!(
            q.service.service, "geo-db-eu",
            "rendered for the name asked"
        );
        assert!(q.service.tags.is_empty(), "the empty tag was removed");
        assert!(q.is_template());

        let explained: PreparedQueryExplainResponse =
            serde_json::from_str(&fixture("explain.json")).unwrap();
        assert_eq!(explained.query.name, "web-failover");

        #[derive(Deserialize)]
        struct Created {
            #[serde(rename = "ID")]
            id: String,
        }
        let created: Created = serde_json::from_str(&fixture("create.json")).unwrap();
        assert!(validate_id(&created.id).is_ok());
    }

    #[test]
    fn only_what_is_set_is_sent() {
        let q = PreparedQueryDefinition::service("web").name("web");
        assert_eq!(
            serde_json::to_value(&q).unwrap(),
            serde_json::json!({"Name": "web", "Service": {"Service": "web"}})
        );
        let t = PreparedQueryDefinition::service("x")
            .template(QueryTemplate::name_prefix_match())
            .token("secret")
            .session("s")
            .connect();
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!({
                "Session": "s", "Token": "secret",
                "Service": {"Service": "x", "Connect": true},
                "Template": {"Type": "name_prefix_match"}
            })
        );
        assert!(
            !format!("{t:?}").contains("secret"),
            "the token is redacted"
        );
    }

    #[test]
    fn definitions_consul_would_refuse_are_refused() {
        let ok = PreparedQueryDefinition::service("web").name("web");
        assert!(ok.validate_new().is_ok());
        assert!(PreparedQueryDefinition::service("")
            .name("a")
            .validate()
            .is_err());
        let anonymous = PreparedQueryDefinition::service("web");
        assert!(anonymous.validate().is_err());
        assert!(anonymous.clone().session("s").validate().is_ok());
        assert!(anonymous
            .clone()
            .template(QueryTemplate::name_prefix_match())
            .validate()
            .is_ok());
        let e = ok.clone().token(REDACTED_TOKEN).validate().unwrap_err();
        assert!(e.to_string().contains("redacted"), "{e}");
        let mut with_id = ok.clone();
        with_id.id = "3f7e6526-b2b6-3acd-973b-5dcba9b1ac83".into();
        assert!(with_id.validate().is_ok());
        assert!(with_id.validate_new().is_err());
        let mut odd = QueryTemplate::name_prefix_match();
        odd.template_type = QueryTemplateType::from("exact");
        assert!(ok.template(odd).validate().is_err());
        assert!(validate_id("web").is_err());
        assert!(validate_id("").is_err());
        assert!(validate_id_or_name("").is_err());
        assert!(validate_id_or_name("web").is_ok());
    }
}
