//! Models and rules for Consul's HTTP API.
//!
//! This crate is the bottom layer of [consulate](https://docs.rs/consulate): serde models of
//! what Consul sends and accepts, the request options every endpoint shares
//! ([`QueryOptions`], [`WriteOptions`]), the response metadata Consul returns in headers
//! ([`QueryMeta`], [`WriteMeta`]) and the validation rules that reject bad input before
//! anything is sent ([`ValidationError`]).
//!
//! It does no I/O and has no async code: requests are sent by `consul-api` over the
//! transport seam of `consul-transport`.
//!
//! ```
//! use consul_types::{Consistency, QueryOptions, duration};
//! use std::time::Duration;
//!
//! let opts = QueryOptions::default()
//!     .datacenter("dc2")
//!     .consistency(Consistency::Stale)
//!     .wait_index(42)
//!     .wait_time(Duration::from_secs(10));
//! assert!(opts.validate().is_ok());
//! assert_eq!(duration::parse("1m30s").unwrap(), Duration::from_secs(90));
//! assert_eq!(duration::format(Duration::from_secs(90)), "1m30s");
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod macros;

pub mod acl;
pub mod agent;
pub mod catalog;
pub mod codec;
pub mod config_entry;
pub mod connect;
pub mod coordinate;
pub mod duration;
pub mod endpoint;
mod error;
pub mod event;
pub mod health;
pub mod kv;
pub mod lock;
mod meta;
pub mod namespace;
pub mod operator;
mod options;
pub mod partition;
pub mod peering;
pub mod query;
mod response;
mod serde_util;
pub mod session;
mod token;
pub mod txn;

pub use error::{MetaError, ValidationError};
pub use meta::{DefaultAclPolicy, QueryMeta, WriteMeta};
pub use options::{
    Consistency, QueryOptions, WriteOptions, DEFAULT_WAIT_TIME, MAX_RELAY_FACTOR, MAX_WAIT_TIME,
};
pub use response::{QueryResponse, WriteResponse};
pub use token::Token;
