//! Cluster peering (`/v1/peering`, Consul 1.13+) and the services peers exchange: Go's
//! `api/peering.go`, `exported_services.go` and `imported_services.go`.
//!
//! Two clusters peer when one generates a token for the other
//! ([`Peerings::generate_token`]) and the other establishes the peering with it
//! ([`Peerings::establish`]). Services exported to a peer (an `exported-services` config
//! entry) are then read in the importing cluster with the `.peer(name)` setter of the
//! catalog's and health's service reads.
//!
//! ```no_run
//! # async fn demo(east: consul_api::Client, west: consul_api::Client) -> consul_api::Result<()> {
//! let token = east.peerings().generate_token("west").await?.value;
//! west.peerings().establish("east", token).await?;
//! let peering = west.peerings().read("east").await?.value;      // Some(…) while it lives
//! let imported = west.health().service("web").peer("east").passing().await?.value;
//! # Ok(()) }
//! ```
//!
//! No Consul before 1.13 serves these endpoints: an older agent answers an empty `404`,
//! which every call here returns as [`Error::Unsupported`](crate::Error::Unsupported),
//! naming the agent's version. The peering endpoints read no datacenter (`?dc=`, which
//! Consul parses and drops) and no consistency mode: the servers of the agent's own
//! datacenter answer, so the calls take the agent's scope (no `dc()`, `stale()`).

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::endpoint::{Blocking, Decode, Endpoint, Missing};
pub use consul_types::peering::{
    ImportedService, ImportedServices, Locality, Peering, PeeringEstablishRequest,
    PeeringGenerateTokenRequest, PeeringRemoteInfo, PeeringState, PeeringStreamStatus,
    PeeringToken, ResolvedConsumers, ResolvedExportedService,
};
use consul_types::ValidationError;
use http::Method;
use serde::Deserialize;

family! {
    /// The cluster peering endpoints, and the services peers exchange; made by
    /// [`Client::peerings`](crate::Client::peerings) (Go's `c.Peerings()`).
    Peerings, peerings, "cluster peering endpoints" as read_call, write_call
}

/// `peering/{name}`, the name checked as one path segment.
fn named(endpoint: Endpoint, name: &str) -> std::result::Result<Endpoint, ValidationError> {
    endpoint.segment("peer name", name)
}

fn check_peer_name(name: &str) -> std::result::Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::Empty { field: "peer name" });
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TokenAnswer {
    peering_token: PeeringToken,
}

/// The call of [`Peerings::generate_token`]: the new token.
#[derive(Debug, Clone)]
pub struct PeeringsGenerateToken {
    request: PeeringGenerateTokenRequest,
}

impl Call for PeeringsGenerateToken {
    type Output = PeeringToken;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        check_peer_name(&self.request.peer_name)?;
        Endpoint::write(Method::POST, "peering/token")
            .agent()
            .json(&self.request)
    }

    fn output(&self, answer: Answer) -> Result<PeeringToken> {
        Ok(answer.json::<TokenAnswer>()?.peering_token)
    }
}

impl WriteRequest<PeeringsGenerateToken> {
    /// Adds a metadata pair to the peering.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.call_mut()
            .request
            .meta
            .insert(key.into(), value.into());
        self
    }

    /// Puts this address (`host:port`) in the token for the peer to dial, instead of the
    /// server addresses Consul knows (a load balancer or an external IP in front of the
    /// servers); repeatable.
    pub fn server_external_address(mut self, address: impl Into<String>) -> Self {
        self.call_mut()
            .request
            .server_external_addresses
            .push(address.into());
        self
    }
}

/// The call of [`Peerings::establish`].
#[derive(Debug, Clone)]
pub struct PeeringsEstablish {
    request: PeeringEstablishRequest,
}

impl Call for PeeringsEstablish {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        check_peer_name(&self.request.peer_name)?;
        if self.request.peering_token.is_empty() {
            return Err(ValidationError::Empty {
                field: "peering token",
            });
        }
        Ok(Endpoint::write(Method::POST, "peering/establish")
            .agent()
            .json(&self.request)?
            .decode(Decode::Unit))
    }

    fn output(&self, _answer: Answer) -> Result<()> {
        Ok(())
    }
}

impl WriteRequest<PeeringsEstablish> {
    /// Adds a metadata pair to the peering.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.call_mut()
            .request
            .meta
            .insert(key.into(), value.into());
        self
    }
}

/// The call of [`Peerings::read`]: the peering, `None` when there is none by that name.
#[derive(Debug, Clone)]
pub struct PeeringsRead {
    name: String,
}

impl Call for PeeringsRead {
    type Output = Option<Peering>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        // Consul answers `404 Peering not found for "name"`.
        Ok(named(Endpoint::read(Method::GET, "peering"), &self.name)?
            .agent()
            .blocking(Blocking::Index)
            .missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<Peering>> {
        answer.json_opt()
    }
}

/// The call of [`Peerings::delete`].
#[derive(Debug, Clone)]
pub struct PeeringsDelete {
    name: String,
}

impl Call for PeeringsDelete {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(
            named(Endpoint::write(Method::DELETE, "peering"), &self.name)?
                .agent()
                .decode(Decode::Unit),
        )
    }

    fn output(&self, _answer: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Peerings::list`]: every peering of the partition.
#[derive(Debug, Clone)]
pub struct PeeringsList;

impl Call for PeeringsList {
    type Output = Vec<Peering>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "peerings")
            .agent()
            .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<Peering>> {
        answer.json_list()
    }
}

/// The call of [`Peerings::exported_services`].
#[derive(Debug, Clone)]
pub struct PeeringsExportedServices;

impl Call for PeeringsExportedServices {
    type Output = Vec<ResolvedExportedService>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "exported-services")
            .agent()
            .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<ResolvedExportedService>> {
        answer.json_list()
    }
}

/// The call of [`Peerings::imported_services`].
#[derive(Debug, Clone)]
pub struct PeeringsImportedServices;

impl Call for PeeringsImportedServices {
    type Output = Vec<ImportedService>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "imported-services")
            .agent()
            .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<ImportedService>> {
        Ok(answer.json::<ImportedServices>()?.imported_services)
    }
}

call_traits!(PeeringsRead: Watchable, IndexBlocking);
call_traits!(PeeringsList: Watchable, IndexBlocking);
call_traits!(PeeringsExportedServices: Watchable, IndexBlocking);
call_traits!(PeeringsImportedServices: Watchable, IndexBlocking);

impl Peerings {
    /// Generates a token for the cluster this one will call `peer_name` (Go's
    /// `GenerateToken`): hand it to that cluster, which establishes the peering with it.
    /// The peering exists from now on, `PENDING` until the peer dials. `.meta(k, v)` adds
    /// metadata, `.server_external_address(addr)` addresses for the peer to dial, and
    /// `.partition(name)` the partition to peer (Consul Enterprise). Needs
    /// `peering:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/peering#generate-a-peering-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let token = client
    ///     .peerings()
    ///     .generate_token("cluster-02")
    ///     .meta("env", "production")
    ///     .server_external_address("203.0.113.10:8502")
    ///     .await?
    ///     .value;
    /// println!("give the peer {} bytes of token", token.secret().len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty peer name;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.13;
    /// a status error when Consul refuses (peering disabled, a name that is not a DNS
    /// label).
    pub fn generate_token(
        &self,
        peer_name: impl Into<String>,
    ) -> WriteRequest<PeeringsGenerateToken> {
        self.write_call(PeeringsGenerateToken {
            request: PeeringGenerateTokenRequest::new(peer_name),
        })
    }

    /// Establishes a peering with the cluster this one will call `peer_name`, using the
    /// token that cluster generated (Go's `Establish`). Consul answers once the peering is
    /// written; the stream comes up in the background (watch [`read`](Peerings::read) for
    /// `ACTIVE`). `.meta(k, v)` adds metadata. Needs `peering:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/peering#establish-a-peering)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, token: String) -> consul_api::Result<()> {
    /// client
    ///     .peerings()
    ///     .establish("cluster-01", token)
    ///     .meta("env", "production")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name or token;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.13;
    /// a status error when Consul refuses the token or cannot reach the peer.
    pub fn establish(
        &self,
        peer_name: impl Into<String>,
        token: impl Into<PeeringToken>,
    ) -> WriteRequest<PeeringsEstablish> {
        self.write_call(PeeringsEstablish {
            request: PeeringEstablishRequest::new(peer_name, token),
        })
    }

    /// The peering named `name`; `None` when there is none (Go's `Read`). A peering being
    /// deleted is still read, with `deleted_at` set, until its imported data is gone.
    ///
    /// It blocks on Consul versions that support it: `.wait()` and `.watch()` apply (an
    /// older server answers at once, and the watch paces its reads). The stream status is
    /// computed when read and does not move the index. Needs `peering:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/peering#read-a-peering)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::peering::PeeringState;
    /// if let Some(p) = client.peerings().read("cluster-02").await?.value {
    ///     if p.state == PeeringState::Active {
    ///         println!("{} imports {:?}", p.name, p.stream_status.imported_services);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.13.
    pub fn read(&self, name: impl Into<String>) -> ReadRequest<PeeringsRead> {
        self.read_call(PeeringsRead { name: name.into() })
    }

    /// Marks the peering named `name` for deletion (Go's `Delete`): Consul removes what
    /// was imported from the peer in the background, then the peering itself. Deleting an
    /// unknown peering succeeds. Needs `peering:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/peering#delete-a-peering)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.peerings().delete("cluster-02").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name, `.` or `..`;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.13.
    pub fn delete(&self, name: impl Into<String>) -> WriteRequest<PeeringsDelete> {
        self.write_call(PeeringsDelete { name: name.into() })
    }

    /// Every peering (of the partition, on Consul Enterprise), filtered by the token's
    /// ACLs (Go's `List`). It blocks on versions that support it: `.wait()` and `.watch()`
    /// apply. Needs `peering:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/peering#list-all-peerings)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for p in client.peerings().list().await?.value {
    ///     println!("{}: {} (peer {})", p.name, p.state, p.remote.datacenter);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.13.
    pub fn list(&self) -> ReadRequest<PeeringsList> {
        self.read_call(PeeringsList)
    }

    /// Every service exported by the `exported-services` config entries, with wildcards
    /// and sameness groups expanded, and who consumes each (Go's `ExportedServices`,
    /// Consul 1.17.3+). It blocks: `.wait()` and `.watch()` apply. Needs `mesh:read` or
    /// `operator:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/exported-services)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for s in client.peerings().exported_services().await?.value {
    ///     println!("{} → peers {:?}", s.service, s.consumers.peers);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.17.3.
    pub fn exported_services(&self) -> ReadRequest<PeeringsExportedServices> {
        self.read_call(PeeringsExportedServices)
    }

    /// Every service imported from cluster peers, with the peer it comes from (Go's
    /// `ImportedServices`, newer than `exported_services`). Consul CE answers a list,
    /// Consul Enterprise an object naming the partition: both are read. It blocks:
    /// `.wait()` and `.watch()` apply.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for s in client.peerings().imported_services().await?.value {
    ///     println!("{} from {}", s.service, s.source_peer);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent that does not serve
    /// it.
    pub fn imported_services(&self) -> ReadRequest<PeeringsImportedServices> {
        self.read_call(PeeringsImportedServices)
    }
}
