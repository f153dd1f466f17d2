//! What a resolver reports.

use crate::Error;
use consul_types::ValidationError;
use std::sync::Arc;

/// A resolver's failure: settings refused before anything was sent, or a failed read of
/// the health watch (reported, never fatal: the last good set stays current).
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The settings would make Consul refuse every read (an empty service name or tag, a
    /// wait over 10 minutes, an empty datacenter name); nothing was sent.
    #[error("invalid resolver settings: {0}")]
    Invalid(#[from] ValidationError),
    /// [`ResolverBuilder::start`](super::ResolverBuilder::start) was called outside a
    /// Tokio runtime, where its background task cannot run.
    #[error("the resolver needs a Tokio runtime: start it from within one")]
    NoRuntime,
    /// A read of the health watch failed; the resolver retries with a backoff and keeps
    /// the last good set of that datacenter.
    #[error("reading the passing instances of `{service}` in {} failed: {source}", datacenter.as_deref().unwrap_or("the agent's datacenter"))]
    Watch {
        /// The service.
        service: String,
        /// The datacenter read (`None`: the agent's own).
        datacenter: Option<String>,
        /// Why it failed (shared: the same error reaches every stream).
        #[source]
        source: Arc<Error>,
    },
}

impl DiscoveryError {
    /// The failed request's error, for a [`DiscoveryError::Watch`].
    ///
    /// ```no_run
    /// # fn demo(resolver: &consul_api::discovery::Resolver) {
    /// if let Some(e) = resolver.last_error() {
    ///     let retrying = e.consul_error().is_some_and(|e| e.is_retryable());
    ///     eprintln!("{e} (transient: {retrying})");
    /// }
    /// # }
    /// ```
    pub fn consul_error(&self) -> Option<&Error> {
        match self {
            DiscoveryError::Watch { source, .. } => Some(source),
            _ => None,
        }
    }
}
