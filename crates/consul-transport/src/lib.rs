//! The transport seam of consulate.
//!
//! Every request the client makes goes through one trait, [`Transport`]: it takes an
//! [`http::Request`] with a [`Bytes`] body and returns the [`http::Response`], without
//! interpreting status codes (a 404 or a 500 is a response, not an error). Only network
//! failures are [`TransportError`]s.
//!
//! [`HyperTransport`] (feature `hyper`, on by default) is the production implementation:
//! pooled keep-alive HTTP/1.1 over TCP or a Unix socket, built on hyper 1.x and hyper-util.
//! Anything else — a recording wrapper, a transport on another runtime, a test double —
//! implements the trait in a few lines; see `examples/recording_transport.rs`.
//!
//! ```
//! use bytes::Bytes;
//! use consul_transport::{Transport, TransportFuture};
//!
//! /// Answers every request with `200 []`, for tests.
//! #[derive(Debug)]
//! struct Empty;
//!
//! impl Transport for Empty {
//!     fn send(&self, _request: http::Request<Bytes>) -> TransportFuture<'_> {
//!         Box::pin(async { Ok(http::Response::new(Bytes::from_static(b"[]"))) })
//!     }
//! }
//! ```
//!
//! Features: `hyper` (default) adds [`HyperTransport`]; `tls` adds HTTPS to it (rustls,
//! HTTP/2 by ALPN); `test-util` adds the [`mock`] module.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod error;
#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
mod hyper;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod mock;
mod tls;
mod transport;

pub use body::BodyStream;
pub use error::{TransportError, TransportErrorKind};
#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub use hyper::{HyperTransport, HyperTransportBuilder};
pub use tls::TlsConfig;
pub use transport::{RequestTimeout, SharedTransport, StreamingFuture, Transport, TransportFuture};

pub use bytes::Bytes;
pub use http;
