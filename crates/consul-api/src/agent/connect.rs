//! The agent's Connect endpoints (`/v1/agent/connect/*`, feature `connect`): the CA roots
//! and leaf certificates it serves from its cache, and its authorization of a connection
//! to a Connect-native service. Both reads block on an index, so they have `.watch()`:
//! Go's `connect_roots` and `connect_leaf` watch plans.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! let agent = client.agent();
//! let leaf = agent.connect_ca_leaf("web").await?.value;
//! println!("{} until {}", leaf.service_uri, leaf.valid_before);
//! let mut renewals = agent.connect_ca_leaf("web").watch();   // a new certificate each time
//! let verdict = agent
//!     .connect_authorize("db", &leaf.service_uri)
//!     .client_cert_serial(&leaf.serial_number)
//!     .await?
//!     .value;
//! println!("{verdict}");
//! # Ok(()) }
//! ```

use super::{agent_read, Agent};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
pub use consul_types::connect::{AgentAuthorize, AgentAuthorizeParams, CaRootList, LeafCert};
use consul_types::endpoint::{Blocking, Endpoint};
use consul_types::ValidationError;
use http::Method;

/// The call of [`Agent::connect_authorize`]: whether the connection is allowed, and why.
#[derive(Debug, Clone)]
pub struct AgentConnectAuthorize {
    params: AgentAuthorizeParams,
}

impl Call for AgentConnectAuthorize {
    type Output = AgentAuthorize;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.params.validate()?;
        Endpoint::write(Method::POST, "agent/connect/authorize")
            .agent()
            .json(&self.params)
    }

    fn output(&self, answer: Answer) -> Result<AgentAuthorize> {
        answer.json()
    }
}

impl WriteRequest<AgentConnectAuthorize> {
    /// The serial number of the client's certificate (`xx:xx:…`). Consul 1.8 does not
    /// check it yet.
    pub fn client_cert_serial(mut self, serial: impl Into<String>) -> Self {
        self.call_mut().params.client_cert_serial = serial.into();
        self
    }
}

/// The call of [`Agent::connect_ca_roots`]: the CA roots, from the agent's cache.
#[derive(Debug, Clone)]
pub struct AgentConnectCaRoots;

impl Call for AgentConnectCaRoots {
    type Output = CaRootList;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/connect/ca/roots").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<CaRootList> {
        answer.json()
    }
}

/// The call of [`Agent::connect_ca_leaf`]: a leaf certificate for a service.
#[derive(Debug, Clone)]
pub struct AgentConnectCaLeaf {
    service: String,
}

impl Call for AgentConnectCaLeaf {
    type Output = LeafCert;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(agent_read("agent/connect/ca/leaf")
            .segment("service name", &self.service)?
            .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<LeafCert> {
        answer.json()
    }
}

call_traits!(AgentConnectCaRoots: Watchable, IndexBlocking);
call_traits!(AgentConnectCaLeaf: Watchable, IndexBlocking);

impl Agent {
    /// Asks the agent whether the client presenting a certificate for `client_cert_uri`
    /// (its SPIFFE id) may connect to the service `target` (Go's `ConnectAuthorize`): what
    /// a Connect-native service calls on each new connection. The agent matches the
    /// intentions for `target` (from its cache) and falls back to the default policy.
    /// Needs `service:write` on `target`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/connect#authorize)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let verdict = client
    ///     .agent()
    ///     .connect_authorize("db", "spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web")
    ///     .client_cert_serial("04:f2:9a")
    ///     .await?
    ///     .value;
    /// if !verdict.authorized {
    ///     eprintln!("refused: {}", verdict.reason);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty target or URI; a
    /// status error (400 `ClientCertURI not a valid Connect identifier`) for a URI that is
    /// not a service's SPIFFE id; transport errors.
    pub fn connect_authorize(
        &self,
        target: impl Into<String>,
        client_cert_uri: impl Into<String>,
    ) -> WriteRequest<AgentConnectAuthorize> {
        self.write(AgentConnectAuthorize {
            params: AgentAuthorizeParams::new(target, client_cert_uri),
        })
    }

    /// The CA roots, as the agent caches them (Go's `ConnectCARoots`): what a proxy or a
    /// Connect-native service trusts. `.watch()` follows rotations (Go's `connect_roots`
    /// watch plan).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/connect#certificate-authority-ca-roots)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let mut roots = client.agent().connect_ca_roots().watch();
    /// while let Some(list) = roots.next().await {
    ///     let list = list?.value;
    ///     println!("{} roots, active {}", list.roots.len(), list.active_root_id);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn connect_ca_roots(&self) -> ReadRequest<AgentConnectCaRoots> {
        self.read(AgentConnectCaRoots)
    }

    /// A leaf certificate, with its private key, for the service named `service` (Go's
    /// `ConnectCALeaf`; the name of the service, not an instance id). The agent issues it
    /// on the first read and renews it before it expires and after a CA rotation;
    /// `.wait()` and `.watch()` block until it does (Go's `connect_leaf` watch plan).
    /// Needs `service:write` on the service.
    ///
    /// The certificate's URI SAN is the service's SPIFFE id,
    /// `spiffe://<trust-domain>/ns/default/dc/<dc>/svc/<service>`, and it chains to the
    /// active root of [`connect_ca_roots`](Self::connect_ca_roots).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/agent/connect#service-leaf-certificate)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let leaf = client.agent().connect_ca_leaf("web").await?.value;
    /// std::fs::write("web.pem", &leaf.cert_pem).ok();
    /// std::fs::write("web-key.pem", &leaf.private_key_pem).ok();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty service name;
    /// [`Error::PermissionDenied`](crate::Error::PermissionDenied) without `service:write`;
    /// transport and status errors.
    pub fn connect_ca_leaf(&self, service: impl Into<String>) -> ReadRequest<AgentConnectCaLeaf> {
        self.read(AgentConnectCaLeaf {
            service: service.into(),
        })
    }
}
