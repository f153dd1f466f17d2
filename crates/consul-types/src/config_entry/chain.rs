//! The discovery chain's kinds: `service-router`, `service-splitter`, `service-resolver`
//! (Consul 1.6+). They need an L7 protocol (`http`, `http2`, `grpc`) set for the service
//! by `service-defaults` or `proxy-defaults`, except a resolver.

use super::{entry, go_duration, is_default};
use crate::serde_util::null_as_default;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

entry! {
    /// A `service-router` entry: L7 routes of a service, tried in order (Go's
    /// `ServiceRouterConfigEntry`). A request no route matches goes to the service itself.
    ///
    /// ```
    /// use consul_types::config_entry::{
    ///     ServiceRoute, ServiceRouteDestination, ServiceRouteHttpMatch, ServiceRouter,
    /// };
    /// use std::time::Duration;
    /// let router = ServiceRouter::new("web").route(
    ///     ServiceRoute::http(ServiceRouteHttpMatch::path_prefix("/admin").method("GET"))
    ///         .destination(
    ///             ServiceRouteDestination::service("admin")
    ///                 .prefix_rewrite("/")
    ///                 .request_timeout(Duration::from_secs(2)),
    ///         ),
    /// );
    /// assert_eq!(router.routes.len(), 1);
    /// ```
    ServiceRouter {
        /// The routes, first match wins.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        routes: Vec<ServiceRoute>,
    }
}

impl ServiceRouter {
    /// Adds one route (after those already there).
    #[must_use]
    pub fn route(mut self, route: ServiceRoute) -> Self {
        self.routes.push(route);
        self
    }
}

/// One route of a [`ServiceRouter`]: what it matches and where it sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceRoute {
    /// What the route matches; none matches everything.
    #[serde(rename = "Match", skip_serializing_if = "Option::is_none")]
    pub r#match: Option<ServiceRouteMatch>,
    /// Where matching requests go; none is the router's own service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<ServiceRouteDestination>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceRoute {
    /// A route matching these HTTP criteria.
    pub fn http(criteria: ServiceRouteHttpMatch) -> Self {
        ServiceRoute {
            r#match: Some(ServiceRouteMatch {
                http: Some(criteria),
                ..ServiceRouteMatch::default()
            }),
            ..ServiceRoute::default()
        }
    }

    /// Sends what it matches to `destination`.
    #[must_use]
    pub fn destination(mut self, destination: ServiceRouteDestination) -> Self {
        self.destination = Some(destination);
        self
    }
}

/// What a route matches (Go's `ServiceRouteMatch`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceRouteMatch {
    /// HTTP criteria.
    #[serde(rename = "HTTP", skip_serializing_if = "Option::is_none")]
    pub http: Option<ServiceRouteHttpMatch>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// HTTP criteria of a route, all of which must hold (Go's `ServiceRouteHTTPMatch`). At
/// most one of the path criteria may be set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceRouteHttpMatch {
    /// The path is exactly this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path_exact: String,
    /// The path starts with this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path_prefix: String,
    /// The path matches this regular expression (Envoy's syntax).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path_regex: String,
    /// Header criteria.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub header: Vec<ServiceRouteHttpMatchHeader>,
    /// Query parameter criteria.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub query_param: Vec<ServiceRouteHttpMatchQueryParam>,
    /// The methods matched (`GET`, …); none matches every method.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub methods: Vec<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceRouteHttpMatch {
    /// Requests whose path is exactly `path`.
    pub fn path_exact(path: impl Into<String>) -> Self {
        ServiceRouteHttpMatch {
            path_exact: path.into(),
            ..ServiceRouteHttpMatch::default()
        }
    }

    /// Requests whose path starts with `prefix`.
    pub fn path_prefix(prefix: impl Into<String>) -> Self {
        ServiceRouteHttpMatch {
            path_prefix: prefix.into(),
            ..ServiceRouteHttpMatch::default()
        }
    }

    /// Requests whose path matches `regex`.
    pub fn path_regex(regex: impl Into<String>) -> Self {
        ServiceRouteHttpMatch {
            path_regex: regex.into(),
            ..ServiceRouteHttpMatch::default()
        }
    }

    /// Also a header criterion.
    #[must_use]
    pub fn header(mut self, header: ServiceRouteHttpMatchHeader) -> Self {
        self.header.push(header);
        self
    }

    /// Also a query parameter criterion.
    #[must_use]
    pub fn query_param(mut self, param: ServiceRouteHttpMatchQueryParam) -> Self {
        self.query_param.push(param);
        self
    }

    /// Also this method (repeatable).
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.methods.push(method.into());
        self
    }
}

/// A header criterion of a route (Go's `ServiceRouteHTTPMatchHeader`): at most one of
/// `present`, `exact`, `prefix`, `suffix`, `regex`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceRouteHttpMatchHeader {
    /// The header's name.
    pub name: String,
    /// The header is present, whatever its value.
    #[serde(skip_serializing_if = "is_default")]
    pub present: bool,
    /// Its value is exactly this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exact: String,
    /// Its value starts with this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// Its value ends with this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub suffix: String,
    /// Its value matches this regular expression.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub regex: String,
    /// Inverts the criterion.
    #[serde(skip_serializing_if = "is_default")]
    pub invert: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceRouteHttpMatchHeader {
    /// Header `name` is present.
    pub fn present(name: impl Into<String>) -> Self {
        ServiceRouteHttpMatchHeader {
            name: name.into(),
            present: true,
            ..ServiceRouteHttpMatchHeader::default()
        }
    }

    /// Header `name` is exactly `value`.
    pub fn exact(name: impl Into<String>, value: impl Into<String>) -> Self {
        ServiceRouteHttpMatchHeader {
            name: name.into(),
            exact: value.into(),
            ..ServiceRouteHttpMatchHeader::default()
        }
    }

    /// Inverts the criterion.
    #[must_use]
    pub fn invert(mut self) -> Self {
        self.invert = true;
        self
    }
}

/// A query parameter criterion of a route (Go's `ServiceRouteHTTPMatchQueryParam`): at
/// most one of `present`, `exact`, `regex`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceRouteHttpMatchQueryParam {
    /// The parameter's name.
    pub name: String,
    /// The parameter is present.
    #[serde(skip_serializing_if = "is_default")]
    pub present: bool,
    /// Its value is exactly this.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exact: String,
    /// Its value matches this regular expression.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub regex: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceRouteHttpMatchQueryParam {
    /// Parameter `name` is present.
    pub fn present(name: impl Into<String>) -> Self {
        ServiceRouteHttpMatchQueryParam {
            name: name.into(),
            present: true,
            ..ServiceRouteHttpMatchQueryParam::default()
        }
    }

    /// Parameter `name` is exactly `value`.
    pub fn exact(name: impl Into<String>, value: impl Into<String>) -> Self {
        ServiceRouteHttpMatchQueryParam {
            name: name.into(),
            exact: value.into(),
            ..ServiceRouteHttpMatchQueryParam::default()
        }
    }
}

/// Where a route sends requests, and how (Go's `ServiceRouteDestination`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceRouteDestination {
    /// The service; empty is the router's own.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// A subset of it, defined by its resolver.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// Its namespace (Consul Enterprise; Consul 1.8 fills in `default` when the route
    /// matches methods).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Replaces the matched path prefix.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prefix_rewrite: String,
    /// The time allowed for the whole request, retries included; zero is none.
    #[serde(with = "go_duration", skip_serializing_if = "is_default")]
    pub request_timeout: Duration,
    /// How many times to retry.
    #[serde(skip_serializing_if = "is_default")]
    pub num_retries: u32,
    /// Retry when the connection fails.
    #[serde(skip_serializing_if = "is_default")]
    pub retry_on_connect_failure: bool,
    /// Retry on these HTTP statuses.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub retry_on_status_codes: Vec<u32>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceRouteDestination {
    /// Sends to service `name`.
    pub fn service(name: impl Into<String>) -> Self {
        ServiceRouteDestination {
            service: name.into(),
            ..ServiceRouteDestination::default()
        }
    }
}

setters!(ServiceRouteDestination {
    /// Sets [`ServiceRouteDestination::service_subset`].
    service_subset: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ServiceRouteDestination::prefix_rewrite`].
    prefix_rewrite: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ServiceRouteDestination::request_timeout`].
    request_timeout: Duration => |v| v;
    /// Sets [`ServiceRouteDestination::num_retries`].
    num_retries: u32 => |v| v;
    /// Sets [`ServiceRouteDestination::retry_on_connect_failure`].
    retry_on_connect_failure: bool => |v| v;
    /// Sets [`ServiceRouteDestination::retry_on_status_codes`].
    retry_on_status_codes: Vec<u32> => |v| v;
});

entry! {
    /// A `service-splitter` entry: how a service's traffic is split, by weight, between
    /// services or subsets (Go's `ServiceSplitterConfigEntry`). Weights add up to 100;
    /// every subset named must be defined by a resolver.
    ///
    /// ```
    /// use consul_types::config_entry::{ServiceSplit, ServiceSplitter};
    /// let canary = ServiceSplitter::new("web")
    ///     .split(ServiceSplit::new(90.0).service_subset("v1"))
    ///     .split(ServiceSplit::new(10.0).service_subset("v2"));
    /// assert_eq!(canary.splits.len(), 2);
    /// ```
    ServiceSplitter {
        /// The splits.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "Vec::is_empty"
        )]
        splits: Vec<ServiceSplit>,
    }
}

impl ServiceSplitter {
    /// Adds one split.
    #[must_use]
    pub fn split(mut self, split: ServiceSplit) -> Self {
        self.splits.push(split);
        self
    }
}

/// One split of a [`ServiceSplitter`] (Go's `ServiceSplit`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceSplit {
    /// Its share of the traffic, in percent (0.01 to 100, two decimals).
    pub weight: f32,
    /// The service; empty is the splitter's own.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// A subset of it, defined by its resolver.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceSplit {
    /// A split of `weight` percent, to the splitter's own service.
    pub fn new(weight: f32) -> Self {
        ServiceSplit {
            weight,
            ..ServiceSplit::default()
        }
    }
}

setters!(ServiceSplit {
    /// Sets [`ServiceSplit::service`].
    service: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ServiceSplit::service_subset`].
    service_subset: impl Into<String> => |v: _| Into::into(v);
});

entry! {
    /// A `service-resolver` entry: a service's subsets, and where its traffic goes
    /// instead or on failure (Go's `ServiceResolverConfigEntry`).
    ///
    /// ```
    /// use consul_types::config_entry::{ServiceResolver, ServiceResolverFailover, ServiceResolverSubset};
    /// use std::time::Duration;
    /// let resolver = ServiceResolver::new("web")
    ///     .default_subset("v1")
    ///     .subset("v1", ServiceResolverSubset::filter("Service.Meta.version == v1"))
    ///     .subset("v2", ServiceResolverSubset::filter("Service.Meta.version == v2"))
    ///     .failover("*", ServiceResolverFailover::datacenters(["dc2", "dc3"]))
    ///     .connect_timeout(Duration::from_secs(15));
    /// assert_eq!(resolver.subsets.len(), 2);
    /// ```
    ServiceResolver {
        /// The subset used when none is asked for; empty is every instance.
        #[serde(skip_serializing_if = "String::is_empty")]
        default_subset: String,
        /// Named subsets (names are DNS labels: lower case, digits, `-`).
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "BTreeMap::is_empty"
        )]
        subsets: BTreeMap<String, ServiceResolverSubset>,
        /// Resolve another service, subset or datacenter instead (every other field is
        /// then ignored).
        #[serde(skip_serializing_if = "Option::is_none")]
        redirect: Option<ServiceResolverRedirect>,
        /// Where traffic of a subset (`*`: of any) goes when it has no healthy instance.
        #[serde(
            deserialize_with = "null_as_default",
            skip_serializing_if = "BTreeMap::is_empty"
        )]
        failover: BTreeMap<String, ServiceResolverFailover>,
        /// The time allowed to connect to an instance; zero is Consul's 5 s.
        #[serde(with = "go_duration", skip_serializing_if = "is_default")]
        connect_timeout: Duration,
    }
}

impl ServiceResolver {
    /// Defines one subset.
    #[must_use]
    pub fn subset(mut self, name: impl Into<String>, subset: ServiceResolverSubset) -> Self {
        self.subsets.insert(name.into(), subset);
        self
    }

    /// Sets the failover of one subset (`*`: of every subset without its own).
    #[must_use]
    pub fn failover(
        mut self,
        subset: impl Into<String>,
        failover: ServiceResolverFailover,
    ) -> Self {
        self.failover.insert(subset.into(), failover);
        self
    }
}

setters!(ServiceResolver {
    /// Sets [`ServiceResolver::default_subset`].
    default_subset: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ServiceResolver::redirect`].
    redirect: ServiceResolverRedirect => Some;
    /// Sets [`ServiceResolver::connect_timeout`].
    connect_timeout: Duration => |v| v;
});

/// A subset of a service's instances (Go's `ServiceResolverSubset`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceResolverSubset {
    /// The instances matching this filter expression (`Service.Meta.version == v1`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub filter: String,
    /// Only instances whose checks all pass (warning counts as failing).
    #[serde(skip_serializing_if = "is_default")]
    pub only_passing: bool,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceResolverSubset {
    /// The instances matching `expression`.
    pub fn filter(expression: impl Into<String>) -> Self {
        ServiceResolverSubset {
            filter: expression.into(),
            ..ServiceResolverSubset::default()
        }
    }

    /// Only instances whose checks all pass.
    #[must_use]
    pub fn only_passing(mut self) -> Self {
        self.only_passing = true;
        self
    }
}

/// Where a resolver sends its service's traffic instead (Go's `ServiceResolverRedirect`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceResolverRedirect {
    /// The service.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// A subset of it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Its datacenter.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub datacenter: String,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceResolverRedirect {
    /// Redirects to service `name`.
    pub fn service(name: impl Into<String>) -> Self {
        ServiceResolverRedirect {
            service: name.into(),
            ..ServiceResolverRedirect::default()
        }
    }
}

setters!(ServiceResolverRedirect {
    /// Sets [`ServiceResolverRedirect::service_subset`].
    service_subset: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`ServiceResolverRedirect::datacenter`].
    datacenter: impl Into<String> => |v: _| Into::into(v);
});

/// Where a resolver's traffic goes when the subset has no healthy instance (Go's
/// `ServiceResolverFailover`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceResolverFailover {
    /// Another service.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// A subset of it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// Its namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Datacenters to try, in order.
    #[serde(
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub datacenters: Vec<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl ServiceResolverFailover {
    /// Fails over to these datacenters, in order.
    pub fn datacenters(datacenters: impl IntoIterator<Item = impl Into<String>>) -> Self {
        ServiceResolverFailover {
            datacenters: datacenters.into_iter().map(Into::into).collect(),
            ..ServiceResolverFailover::default()
        }
    }

    /// Fails over to service `name`.
    pub fn service(name: impl Into<String>) -> Self {
        ServiceResolverFailover {
            service: name.into(),
            ..ServiceResolverFailover::default()
        }
    }
}

setters!(ServiceResolverFailover {
    /// Sets [`ServiceResolverFailover::service_subset`].
    service_subset: impl Into<String> => |v: _| Into::into(v);
});
