//! Usage counts (`/v1/operator/usage`, Consul 1.10+): Go's `api/operator_usage.go`.

use super::{Operator, Usage};
use crate::call::{Answer, Call, ReadRequest};
use crate::Result;
use consul_types::endpoint::{Blocking, Endpoint};
use consul_types::ValidationError;
use http::Method;

/// The call of [`Operator::usage`].
#[derive(Debug, Clone, Default)]
pub struct OperatorUsage {
    global: bool,
}

impl Call for OperatorUsage {
    type Output = Usage;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "operator/usage")
            .flag("global", self.global)
            .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Usage> {
        answer.json()
    }
}

call_traits!(OperatorUsage: Cluster, Watchable, IndexBlocking);

impl ReadRequest<OperatorUsage> {
    /// Counts in every known datacenter, not only the one asked (`?global`).
    pub fn global(mut self) -> Self {
        self.call_mut().global = true;
        self
    }
}

impl Operator {
    /// How many services, service instances and Connect instances the datacenter has (Go's
    /// `Usage`, Consul 1.10+); `.global()` counts in every datacenter. It blocks:
    /// `.wait()` and `.watch()` apply. Needs `operator:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/usage)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let usage = client.operator().usage().global().await?.value;
    /// for (dc, counts) in &usage.usage {
    ///     println!("{dc}: {} services, {} instances", counts.services, counts.service_instances);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.10 (a
    /// 1.8.7 agent answers an empty `404`); transport and status errors.
    pub fn usage(&self) -> ReadRequest<OperatorUsage> {
        self.read(OperatorUsage::default())
    }
}
