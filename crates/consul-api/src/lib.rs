//! The endpoints of Consul's HTTP API, over the [`Transport`](consul_transport::Transport) seam.
//!
//! A [`Client`] holds the configuration and a shared transport; each endpoint family is a
//! cheap handle made from it ([`Client::kv`], …), with Go's method names in snake case.
//! A method takes only what names its target and returns a request ([`ReadRequest`],
//! [`WriteRequest`]) with chained setters for everything optional; it runs when awaited.
//! Reads return [`QueryResponse`] (value plus [`QueryMeta`]: index, leader, cache),
//! writes return [`WriteResponse`]; a read of one item is `None` when it does not exist,
//! and every blocking read has `.watch()`, a stream of its changes ([`Watch`]). Every
//! request goes through one executor that validates input before sending, sends the token
//! only as the `X-Consul-Token` header, runs inside a `tracing` span (method, path, status,
//! duration — never the token) and maps failure statuses to a typed [`Error`]; [`call`]
//! describes the shape.
//!
//! ```no_run
//! # async fn demo() -> consul_api::Result<()> {
//! use consul_api::Client;
//!
//! let client = Client::from_env()?; // CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, …
//! let kv = client.kv();
//! kv.put("greeting", "hello").await?;
//! let pair = kv.get("greeting").await?.value;
//! assert_eq!(pair.unwrap().value_str(), Some("hello"));
//! # Ok(()) }
//! ```
//!
//! # Features
//! - `hyper` (default): [`Client::new`] and [`Client::from_env`] over
//!   [`consul_transport::HyperTransport`].
//! - `tls`: `https://` addresses (rustls), with HTTP/2 when the agent offers it.
//! - One per endpoint family: `kv`, `agent`, `catalog`, `health`, `session`, `event`, `acl`,
//!   `status`, `snapshot`, `txn`, `query`, `coordinate`, `operator`, `debug`, `config`,
//!   `connect`, `peering`, `namespace`, `partition`;
//!   `full` turns them all on.
//!
//! Models live in [`consul_types`], the transport in [`consul_transport`]; most users
//! depend on the `consulate` facade, which re-exports all three.
#![cfg_attr(docsrs, feature(doc_cfg))]
// With only some endpoint families enabled, parts of the shared request path have no caller.
#![cfg_attr(not(feature = "full"), allow(dead_code))]

#[macro_use]
pub mod call;
mod client;
mod config;
#[cfg(feature = "session")]
mod contender;
mod error;
mod exec;
mod failover;
#[macro_use]
mod family;
mod raw;
mod retry;
mod watch;

#[cfg(feature = "acl")]
#[cfg_attr(docsrs, doc(cfg(feature = "acl")))]
pub mod acl;
#[cfg(feature = "agent")]
#[cfg_attr(docsrs, doc(cfg(feature = "agent")))]
pub mod agent;
#[cfg(feature = "catalog")]
#[cfg_attr(docsrs, doc(cfg(feature = "catalog")))]
pub mod catalog;
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
pub mod config_entry;
#[cfg(feature = "config-watch")]
#[cfg_attr(docsrs, doc(cfg(feature = "config-watch")))]
pub mod config_watch;
#[cfg(feature = "connect")]
#[cfg_attr(docsrs, doc(cfg(feature = "connect")))]
pub mod connect;
#[cfg(feature = "coordinate")]
#[cfg_attr(docsrs, doc(cfg(feature = "coordinate")))]
pub mod coordinate;
#[cfg(feature = "debug")]
#[cfg_attr(docsrs, doc(cfg(feature = "debug")))]
pub mod debug;
#[cfg(feature = "discovery")]
#[cfg_attr(docsrs, doc(cfg(feature = "discovery")))]
pub mod discovery;
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
pub mod discovery_chain;
#[cfg(feature = "event")]
#[cfg_attr(docsrs, doc(cfg(feature = "event")))]
pub mod event;
#[cfg(feature = "health")]
#[cfg_attr(docsrs, doc(cfg(feature = "health")))]
pub mod health;
#[cfg(feature = "kv")]
#[cfg_attr(docsrs, doc(cfg(feature = "kv")))]
pub mod kv;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
pub mod lock;
#[cfg(feature = "namespace")]
#[cfg_attr(docsrs, doc(cfg(feature = "namespace")))]
pub mod namespace;
#[cfg(feature = "operator")]
#[cfg_attr(docsrs, doc(cfg(feature = "operator")))]
pub mod operator;
#[cfg(feature = "partition")]
#[cfg_attr(docsrs, doc(cfg(feature = "partition")))]
pub mod partition;
#[cfg(feature = "peering")]
#[cfg_attr(docsrs, doc(cfg(feature = "peering")))]
pub mod peering;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod query;
#[cfg(feature = "register")]
#[cfg_attr(docsrs, doc(cfg(feature = "register")))]
pub mod register;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
pub mod semaphore;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
pub mod session;
#[cfg(feature = "snapshot")]
#[cfg_attr(docsrs, doc(cfg(feature = "snapshot")))]
pub mod snapshot;
#[cfg(feature = "status")]
#[cfg_attr(docsrs, doc(cfg(feature = "status")))]
pub mod status;
#[cfg(feature = "txn")]
#[cfg_attr(docsrs, doc(cfg(feature = "txn")))]
pub mod txn;

pub use call::{ReadRequest, WriteRequest};
pub use client::{Client, ClientBuilder};
pub use config::{env, Address, BasicAuth, Config};
pub use error::{Error, Result};
pub use raw::RawRequest;
pub use retry::RetryPolicy;
pub use watch::Watch;

pub use consul_transport::TlsConfig;
/// Models, options, metadata, endpoint descriptions and validation rules (the
/// `consul-types` crate).
pub use consul_types as types;
pub use consul_types::codec;
pub use consul_types::{
    Consistency, QueryMeta, QueryOptions, QueryResponse, Token, ValidationError, WriteMeta,
    WriteOptions, WriteResponse,
};
