//! # consulate
//!
//! A typed, async client for [Consul](https://developer.hashicorp.com/consul)'s HTTP API.
//!
//! ```no_run
//! # async fn demo() -> consulate::Result<()> {
//! use consulate::Client;
//! use std::time::Duration;
//!
//! let client = Client::from_env()?; // honours CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, …
//! let kv = client.kv();
//! kv.put("app/replicas", "3").await?;
//! let got = kv.get("app/replicas").await?; // `None` when the key is missing
//! println!("index {} value {:?}", got.meta.last_index, got.value);
//!
//! // Every call names its target; everything optional is a chained setter.
//! let web = client.health().service("web").passing().tag("v1").dc("dc2").await?;
//! let next = kv.get("app/replicas").wait(got.meta.last_index, Duration::from_secs(30)).await?;
//! let mut changes = client.catalog().services().watch(); // a Stream of changes
//! # Ok(()) }
//! ```
//!
//! Each endpoint method returns a request ([`ReadRequest`] or [`WriteRequest`]) that runs
//! when awaited; [`call`] explains the shape, and how to call an endpoint this crate does not
//! model yet through the same path.
//!
//! This crate only re-exports the three layers it is made of:
//! - [`types`] (`consul-types`): models, options, response metadata, validation; no I/O.
//! - [`transport`] (`consul-transport`): the [`Transport`](transport::Transport) trait and
//!   the hyper implementation.
//! - `consul-api`: the [`Client`] and one module per endpoint family.
//!
//! # Features
//!
//! | feature | what it adds | default |
//! |---|---|---|
//! | `hyper` | the default transport (pooled HTTP/1.1 over TCP and Unix sockets) | yes |
//! | `tls` | HTTPS for the default transport (rustls), HTTP/2 when the agent offers it | no |
//! | `kv` | [`kv`]: the KV store | yes |
//! | `agent` | the local agent: members, checks, services, maintenance, host, metrics, tokens | yes |
//! | `catalog` | the catalog: datacenters, nodes, services, registration | yes |
//! | `health` | checks and healthy instances | yes |
//! | `session` | sessions, locks and semaphores (turns on `kv`) | yes |
//! | `event` | user events | yes |
//! | `acl` | ACL tokens, policies, roles, auth methods and binding rules, legacy tokens | no |
//! | `status` | Raft leader and peers | yes |
//! | `snapshot` | saving (streamed) and restoring snapshots | no |
//! | `txn` | atomic transactions over KV, nodes, services and checks | no |
//! | `query` | prepared queries, with failover to other datacenters | no |
//! | `coordinate` | network coordinates and round-trip estimates | no |
//! | `operator` | Raft peers, autopilot, the gossip keyring | no |
//! | `debug` | the agent's Go profiles (`/debug/pprof`) | no |
//! | `config` | central configuration entries and the discovery chain | no |
//! | `connect` | the Connect CA, intentions, service certificates | no |
//! | `peering` | cluster peering and the services peers exchange (Consul 1.13+) | no |
//! | `namespace` | namespaces (Consul Enterprise) | no |
//! | `partition` | admin partitions (Consul Enterprise) | no |
//! | `full` | every endpoint family | no |
//! | `register` | [`register`]: keeping a service registered while it is healthy | no |
//! | `discovery` | [`discovery`]: the healthy instances of a service, kept current | no |
//! | `tower` | `tower::discover::Discover` for the discovery resolver | no |
//! | `config-watch` | [`config_watch`]: typed configuration from KV that follows changes | no |
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(inline)]
pub use consul_api::{
    call, codec, env, Address, BasicAuth, Client, ClientBuilder, Config, Consistency, Error,
    QueryMeta, QueryOptions, QueryResponse, RawRequest, ReadRequest, Result, RetryPolicy,
    TlsConfig, Token, ValidationError, Watch, WriteMeta, WriteOptions, WriteRequest, WriteResponse,
};

#[cfg(feature = "acl")]
#[cfg_attr(docsrs, doc(cfg(feature = "acl")))]
#[doc(inline)]
pub use consul_api::acl;
#[cfg(feature = "agent")]
#[cfg_attr(docsrs, doc(cfg(feature = "agent")))]
#[doc(inline)]
pub use consul_api::agent;
#[cfg(feature = "catalog")]
#[cfg_attr(docsrs, doc(cfg(feature = "catalog")))]
#[doc(inline)]
pub use consul_api::catalog;
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
#[doc(inline)]
pub use consul_api::config_entry;
#[cfg(feature = "connect")]
#[cfg_attr(docsrs, doc(cfg(feature = "connect")))]
#[doc(inline)]
pub use consul_api::connect;
#[cfg(feature = "coordinate")]
#[cfg_attr(docsrs, doc(cfg(feature = "coordinate")))]
#[doc(inline)]
pub use consul_api::coordinate;
#[cfg(feature = "debug")]
#[cfg_attr(docsrs, doc(cfg(feature = "debug")))]
#[doc(inline)]
pub use consul_api::debug;
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
#[doc(inline)]
pub use consul_api::discovery_chain;
#[cfg(feature = "event")]
#[cfg_attr(docsrs, doc(cfg(feature = "event")))]
#[doc(inline)]
pub use consul_api::event;
#[cfg(feature = "health")]
#[cfg_attr(docsrs, doc(cfg(feature = "health")))]
#[doc(inline)]
pub use consul_api::health;
#[cfg(feature = "kv")]
#[cfg_attr(docsrs, doc(cfg(feature = "kv")))]
#[doc(inline)]
pub use consul_api::kv;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
#[doc(inline)]
pub use consul_api::lock;
#[cfg(feature = "namespace")]
#[cfg_attr(docsrs, doc(cfg(feature = "namespace")))]
#[doc(inline)]
pub use consul_api::namespace;
#[cfg(feature = "operator")]
#[cfg_attr(docsrs, doc(cfg(feature = "operator")))]
#[doc(inline)]
pub use consul_api::operator;
#[cfg(feature = "partition")]
#[cfg_attr(docsrs, doc(cfg(feature = "partition")))]
#[doc(inline)]
pub use consul_api::partition;
#[cfg(feature = "peering")]
#[cfg_attr(docsrs, doc(cfg(feature = "peering")))]
#[doc(inline)]
pub use consul_api::peering;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
#[doc(inline)]
pub use consul_api::query;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
#[doc(inline)]
pub use consul_api::semaphore;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
#[doc(inline)]
pub use consul_api::session;
#[cfg(feature = "snapshot")]
#[cfg_attr(docsrs, doc(cfg(feature = "snapshot")))]
#[doc(inline)]
pub use consul_api::snapshot;
#[cfg(feature = "status")]
#[cfg_attr(docsrs, doc(cfg(feature = "status")))]
#[doc(inline)]
pub use consul_api::status;
#[cfg(feature = "txn")]
#[cfg_attr(docsrs, doc(cfg(feature = "txn")))]
#[doc(inline)]
pub use consul_api::txn;

/// Models, options, metadata and validation rules (the `consul-types` crate).
pub mod types {
    #[doc(inline)]
    pub use consul_types::*;
}

/// The transport seam and its implementations (the `consul-transport` crate).
pub mod transport {
    #[doc(inline)]
    pub use consul_transport::*;
}

/// The README's example, compiled with the doctests so it stays true to the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The porting guide's examples, compiled with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/porting-from-aioconsul.md")]
struct PortingGuideDoctests;

/// The registration guide's examples, compiled with the doctests.
#[cfg(all(doctest, feature = "register"))]
#[doc = include_str!("../../../docs/guides/register.md")]
struct RegisterGuideDoctests;

/// The live configuration guide's examples, compiled with the doctests.
#[cfg(all(doctest, feature = "config-watch"))]
#[doc = include_str!("../../../docs/guides/config-watch.md")]
struct ConfigWatchGuideDoctests;

/// The discovery guide's examples, compiled with the doctests.
#[cfg(all(doctest, feature = "discovery", feature = "tower"))]
#[doc = include_str!("../../../docs/guides/discovery.md")]
struct DiscoveryGuideDoctests;

#[cfg(feature = "config-watch")]
#[cfg_attr(docsrs, doc(cfg(feature = "config-watch")))]
#[doc(inline)]
pub use consul_api::config_watch;
#[cfg(feature = "discovery")]
#[cfg_attr(docsrs, doc(cfg(feature = "discovery")))]
#[doc(inline)]
pub use consul_api::discovery;
#[cfg(feature = "register")]
#[cfg_attr(docsrs, doc(cfg(feature = "register")))]
#[doc(inline)]
pub use consul_api::register;
