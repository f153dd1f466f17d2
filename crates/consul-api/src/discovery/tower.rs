//! `tower::discover::Discover` over a resolver, for `tower::balance`.

use super::changes::{Change, Changes};
use super::instance::{Instance, InstanceKey};
use super::Resolver;
use futures_core::Stream;
use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::discover::Change as TowerChange;

/// A [`tower::discover::Discover`] of one service per passing instance, keyed by
/// [`InstanceKey`]; made by [`Resolver::discover`].
///
/// An added instance is inserted with the service `make` builds for it; a removed one is
/// removed; an updated one (other address, port, tags or metadata) is inserted again
/// under its key, which `tower::balance` treats as a replacement. Failed reads are not
/// passed on — a balancer treats a discovery error as fatal, while the resolver keeps the
/// last good set and retries — so the error type is [`Infallible`]; they are logged by the
/// resolver (and reported on its other streams). The stream ends only if the resolver's
/// task has ended.
#[must_use = "a stream does nothing unless polled"]
pub struct ServiceDiscover<F> {
    changes: Changes,
    make: F,
}

impl<F> fmt::Debug for ServiceDiscover<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceDiscover")
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

// `make` is only ever called through `&`, never pinned, so moving it is always fine.
impl<F> Unpin for ServiceDiscover<F> {}

impl Resolver {
    /// The passing instances as a [`tower::discover::Discover`] of services that `make`
    /// builds, one per instance (for example an HTTP client bound to
    /// [`Instance::authority`]), for `tower::balance::p2c::Balance` — which needs services
    /// that report their load: wrap them in `tower::load::PendingRequests`, or the like.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> Result<(), consul_api::discovery::DiscoveryError> {
    /// use consul_api::discovery::Instance;
    /// /// A stand-in for a client of one instance.
    /// #[derive(Debug)]
    /// struct Endpoint(String);
    /// let resolver = client.resolver("web").start()?;
    /// let discover = resolver.discover(|i: &Instance| Endpoint(i.authority()));
    /// // tower::balance::p2c::Balance::new(discover) spreads requests over them, once the
    /// // services implement `tower::Service` and `tower::load::Load`.
    /// # Ok(()) }
    /// ```
    pub fn discover<F, S>(&self, make: F) -> ServiceDiscover<F>
    where
        F: Fn(&Instance) -> S,
    {
        ServiceDiscover {
            changes: self.changes(),
            make,
        }
    }
}

impl<F, S> Stream for ServiceDiscover<F>
where
    F: Fn(&Instance) -> S,
{
    type Item = Result<TowerChange<InstanceKey, S>, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            let change = match Pin::new(&mut this.changes).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => {
                    tracing::trace!(error = %e, "discovery error not passed to the balancer");
                    continue;
                }
                Poll::Ready(Some(Ok(change))) => change,
            };
            let out = match change {
                Change::Removed(i) => TowerChange::Remove(i.key),
                Change::Added(i) | Change::Updated { new: i, .. } => {
                    let service = (this.make)(&i);
                    TowerChange::Insert(i.key, service)
                }
            };
            return Poll::Ready(Some(Ok(out)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_discover<D: tower::discover::Discover<Key = InstanceKey>>(_: &D) {}

    #[tokio::test]
    async fn it_is_a_discover() {
        let transport = consul_transport::mock::MockTransport::new();
        let client = crate::Client::with_transport(crate::Config::default(), transport).unwrap();
        let resolver = client.resolver("web").start().unwrap();
        is_discover(&resolver.discover(|i: &Instance| i.port));
    }
}
