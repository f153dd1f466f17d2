//! The Connect CA: its roots and its configuration (`/v1/connect/ca/*`).

use super::Connect;
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::connect::{CaConfig, CaRootList};
use consul_types::endpoint::{Blocking, Decode, Endpoint};
use consul_types::ValidationError;
use http::Method;

/// The call of [`Connect::ca_roots`]: the trusted CA roots.
#[derive(Debug, Clone)]
pub struct ConnectCaRoots;

impl Call for ConnectCaRoots {
    type Output = CaRootList;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "connect/ca/roots").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<CaRootList> {
        answer.json()
    }
}

/// The call of [`Connect::ca_get_config`]: the CA's configuration.
#[derive(Debug, Clone)]
pub struct ConnectCaGetConfig;

impl Call for ConnectCaGetConfig {
    type Output = CaConfig;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // Consul 1.8.7 neither blocks on it nor sends an index.
        Ok(Endpoint::read(Method::GET, "connect/ca/configuration"))
    }

    fn output(&self, answer: Answer) -> Result<CaConfig> {
        answer.json()
    }
}

/// The call of [`Connect::ca_set_config`].
#[derive(Debug, Clone)]
pub struct ConnectCaSetConfig {
    config: CaConfig,
}

impl Call for ConnectCaSetConfig {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.config.provider.name().is_empty() {
            return Err(ValidationError::Empty {
                field: "CA provider",
            });
        }
        Endpoint::write(Method::PUT, "connect/ca/configuration")
            .decode(Decode::Unit)
            .json(&self.config)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

call_traits!(ConnectCaRoots: Cluster, Watchable, IndexBlocking);
call_traits!(ConnectCaGetConfig: Cluster);
call_traits!(ConnectCaSetConfig: Cluster);

impl Connect {
    /// The CA roots every Connect service of the datacenter trusts (Go's `CARoots`): the
    /// active root, which signs new certificates, and those rotated out. `.wait()` and
    /// `.watch()` block until they change (a rotation).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/ca#list-ca-root-certificates)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let roots = client.connect().ca_roots().await?.value;
    /// if let Some(active) = roots.active_root() {
    ///     println!("{} signs for {}", active.name, roots.trust_domain);
    ///     std::fs::write("connect-ca.pem", &active.root_cert_pem).ok();
    /// }
    /// let mut rotations = client.connect().ca_roots().watch();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (a 500 when Connect is not enabled).
    pub fn ca_roots(&self) -> ReadRequest<ConnectCaRoots> {
        self.read(ConnectCaRoots)
    }

    /// The CA's configuration (Go's `CAGetConfig`): the provider and its settings, typed
    /// for the built-in provider. Needs `operator:read`.
    ///
    /// Consul 1.8 answers with the settings as they were given, a private key set by
    /// [`ca_set_config`](Self::ca_set_config) included (it is left out of `Debug`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/ca#get-ca-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let config = client.connect().ca_get_config().await?.value;
    /// match config.provider.as_consul() {
    ///     Some(consul) => println!("built-in CA, leaves valid {:?}", consul.leaf_cert_ttl),
    ///     None => println!("provider {}", config.provider.name()),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`](crate::Error::PermissionDenied) without
    /// `operator:read`; transport and status errors.
    pub fn ca_get_config(&self) -> ReadRequest<ConnectCaGetConfig> {
        self.read(ConnectCaGetConfig)
    }

    /// Sets the CA's configuration (Go's `CASetConfig`). Needs `operator:write`.
    ///
    /// A configuration that changes the root — another provider, or for the built-in one
    /// a new private key — starts a rotation: the new root becomes active, cross-signed by
    /// the old one, which stays trusted; agents renew their leaf certificates within about
    /// 30 s. Other changes only update the settings. The provider's state cannot be set (it
    /// is never sent).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/ca#update-ca-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, new_key_pem: String) -> consul_api::Result<()> {
    /// use consul_api::connect::{CaConfig, ConsulCaProviderConfig};
    /// use std::time::Duration;
    /// // Rotate the built-in CA to a new key.
    /// let config = ConsulCaProviderConfig::default()
    ///     .private_key(new_key_pem)
    ///     .leaf_cert_ttl(Duration::from_secs(24 * 3600));
    /// client.connect().ca_set_config(CaConfig::consul(config)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty provider name; a status
    /// error when Consul refuses the settings (a 500 naming the rule, such as `leaf cert
    /// TTL must be greater or equal than 1h0m0s`); transport errors.
    pub fn ca_set_config(&self, config: CaConfig) -> WriteRequest<ConnectCaSetConfig> {
        self.write(ConnectCaSetConfig { config })
    }
}
