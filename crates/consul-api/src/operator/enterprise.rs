//! Consul Enterprise only: the license (`/v1/operator/license`, Go's
//! `api/operator_license.go`), network areas (`/v1/operator/area`, `operator_area.go`) and
//! network segments (`/v1/operator/segment`, `operator_segment.go`).
//!
//! Built from Consul's documented JSON. An open-source agent does not serve these paths:
//! it answers `404` with an empty body, which every call here returns as
//! [`Error::Unsupported`](crate::Error::Unsupported).

use super::{Area, AreaJoinResponse, LicenseReply, Operator, SerfMember};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::{Error, Result};
use bytes::Bytes;
use consul_types::endpoint::{Blocking, Decode, Endpoint, Missing};
use consul_types::ValidationError;
use http::Method;
use serde::Deserialize;
use std::fmt;

const LICENSE: &str = "operator/license";
const AREA: &str = "operator/area";

#[derive(Deserialize)]
struct IdAnswer {
    #[serde(rename = "ID")]
    id: String,
}

// ---------------------------------------------------------------------------------------
// License

/// The call of [`Operator::license_get`].
#[derive(Debug, Clone)]
pub struct OperatorLicenseGet;

impl Call for OperatorLicenseGet {
    type Output = LicenseReply;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, LICENSE))
    }

    fn output(&self, answer: Answer) -> Result<LicenseReply> {
        answer.json()
    }
}

/// The call of [`Operator::license_get_signed`].
#[derive(Debug, Clone)]
pub struct OperatorLicenseGetSigned;

impl Call for OperatorLicenseGetSigned {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, LICENSE)
            .param("signed", "1")
            .decode(Decode::Bytes))
    }

    fn output(&self, answer: Answer) -> Result<String> {
        String::from_utf8(answer.bytes().to_vec()).map_err(Error::decode)
    }
}

/// The call of [`Operator::license_put`].
#[derive(Clone)]
pub struct OperatorLicensePut {
    license: String,
}

impl fmt::Debug for OperatorLicensePut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperatorLicensePut")
            .field("license", &format_args!("<{} bytes>", self.license.len()))
            .finish()
    }
}

impl Call for OperatorLicensePut {
    type Output = LicenseReply;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.license.trim().is_empty() {
            return Err(ValidationError::Empty { field: "license" });
        }
        Ok(Endpoint::write(Method::PUT, LICENSE).body(Bytes::from(self.license.clone())))
    }

    fn output(&self, answer: Answer) -> Result<LicenseReply> {
        answer.json()
    }
}

/// The call of [`Operator::license_reset`].
#[derive(Debug, Clone)]
pub struct OperatorLicenseReset;

impl Call for OperatorLicenseReset {
    type Output = LicenseReply;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::write(Method::DELETE, LICENSE))
    }

    fn output(&self, answer: Answer) -> Result<LicenseReply> {
        answer.json()
    }
}

// ---------------------------------------------------------------------------------------
// Network areas

/// `operator/area/{id}`, the id checked as one path segment.
fn area_endpoint(endpoint: Endpoint, id: &str) -> Result<Endpoint, ValidationError> {
    endpoint.segment("area id", id)
}

/// The call of [`Operator::area_create`]: the new area's id.
#[derive(Debug, Clone)]
pub struct OperatorAreaCreate {
    area: Area,
}

impl Call for OperatorAreaCreate {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.area.validate_new()?;
        Endpoint::write(Method::POST, AREA).json(&self.area)
    }

    fn output(&self, answer: Answer) -> Result<String> {
        Ok(answer.json::<IdAnswer>()?.id)
    }
}

/// The call of [`Operator::area_update`]: the area's id.
#[derive(Debug, Clone)]
pub struct OperatorAreaUpdate {
    id: String,
    area: Area,
}

impl Call for OperatorAreaUpdate {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        area_endpoint(Endpoint::write(Method::PUT, AREA), &self.id)?.json(&self.area)
    }

    fn output(&self, answer: Answer) -> Result<String> {
        Ok(answer.json::<IdAnswer>()?.id)
    }
}

/// The call of [`Operator::area_get`]: one area, `None` when it does not exist.
#[derive(Debug, Clone)]
pub struct OperatorAreaGet {
    id: String,
}

impl Call for OperatorAreaGet {
    type Output = Option<Area>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(area_endpoint(Endpoint::read(Method::GET, AREA), &self.id)?
            .blocking(Blocking::Index)
            .missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<Area>> {
        // A list of zero or one area, as Go's `AreaGet` reads it.
        answer.json_first()
    }
}

/// The call of [`Operator::area_list`].
#[derive(Debug, Clone)]
pub struct OperatorAreaList;

impl Call for OperatorAreaList {
    type Output = Vec<Area>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, AREA).blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<Area>> {
        answer.json_list()
    }
}

/// The call of [`Operator::area_delete`].
#[derive(Debug, Clone)]
pub struct OperatorAreaDelete {
    id: String,
}

impl Call for OperatorAreaDelete {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(area_endpoint(Endpoint::write(Method::DELETE, AREA), &self.id)?.decode(Decode::Unit))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Operator::area_join`]: one result per address.
#[derive(Debug, Clone)]
pub struct OperatorAreaJoin {
    id: String,
    addresses: Vec<String>,
}

impl Call for OperatorAreaJoin {
    type Output = Vec<AreaJoinResponse>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.addresses.is_empty() || self.addresses.iter().any(String::is_empty) {
            return Err(ValidationError::Empty {
                field: "area join address",
            });
        }
        area_endpoint(Endpoint::write(Method::PUT, AREA), &self.id)?
            .fixed("join")
            .json(&self.addresses)
    }

    fn output(&self, answer: Answer) -> Result<Vec<AreaJoinResponse>> {
        answer.json_list()
    }
}

/// The call of [`Operator::area_members`].
#[derive(Debug, Clone)]
pub struct OperatorAreaMembers {
    id: String,
}

impl Call for OperatorAreaMembers {
    type Output = Vec<SerfMember>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(area_endpoint(Endpoint::read(Method::GET, AREA), &self.id)?.fixed("members"))
    }

    fn output(&self, answer: Answer) -> Result<Vec<SerfMember>> {
        answer.json_list()
    }
}

// ---------------------------------------------------------------------------------------
// Network segments

/// The call of [`Operator::segment_list`].
#[derive(Debug, Clone)]
pub struct OperatorSegmentList;

impl Call for OperatorSegmentList {
    type Output = Vec<String>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "operator/segment"))
    }

    fn output(&self, answer: Answer) -> Result<Vec<String>> {
        answer.json_list()
    }
}

call_traits!(OperatorLicenseGet: Cluster);
call_traits!(OperatorLicenseGetSigned: Cluster);
call_traits!(OperatorLicensePut: Cluster);
call_traits!(OperatorLicenseReset: Cluster);
call_traits!(OperatorAreaCreate: Cluster);
call_traits!(OperatorAreaUpdate: Cluster);
call_traits!(OperatorAreaGet: Cluster, Watchable, IndexBlocking);
call_traits!(OperatorAreaList: Cluster, Watchable, IndexBlocking);
call_traits!(OperatorAreaDelete: Cluster);
call_traits!(OperatorAreaJoin: Cluster);
call_traits!(OperatorAreaMembers: Cluster);
call_traits!(OperatorSegmentList: Cluster);

impl Operator {
    /// The datacenter's Enterprise license (Consul Enterprise 1.1+).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/license#getting-the-consul-license)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// match client.operator().license_get().await {
    ///     Ok(reply) => println!("valid: {}", reply.value.valid),
    ///     Err(e) if e.is_unsupported() => println!("not Consul Enterprise"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`] from an open-source agent; transport and status errors.
    pub fn license_get(&self) -> ReadRequest<OperatorLicenseGet> {
        self.read(OperatorLicenseGet)
    }

    /// The datacenter's license as its signed blob (`?signed=1`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let blob = client.operator().license_get_signed().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::license_get`]; [`Error::Decode`] when the blob is not UTF-8.
    pub fn license_get_signed(&self) -> ReadRequest<OperatorLicenseGetSigned> {
        self.read(OperatorLicenseGetSigned)
    }

    /// Installs a license (its signed blob) and returns it as Consul read it (removed in
    /// Consul 1.10, which reads licenses only from its configuration).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/license#updating-the-consul-license)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, blob: String) -> consul_api::Result<()> {
    /// let reply = client.operator().license_put(blob).await?.value;
    /// for warning in &reply.warnings {
    ///     println!("{warning}");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty license; as
    /// [`Operator::license_get`] otherwise.
    pub fn license_put(&self, license: impl Into<String>) -> WriteRequest<OperatorLicensePut> {
        self.write(OperatorLicensePut {
            license: license.into(),
        })
    }

    /// Goes back to the license built into the binary, if it is still valid (removed in
    /// Consul 1.10).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/license#resetting-the-consul-license)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let reply = client.operator().license_reset().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::license_get`].
    pub fn license_reset(&self) -> WriteRequest<OperatorLicenseReset> {
        self.write(OperatorLicenseReset)
    }

    /// Creates a network area with a peer datacenter and returns its id (Consul
    /// Enterprise 0.8+).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/area#create-network-area)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::operator::Area;
    /// let id = client
    ///     .operator()
    ///     .area_create(Area::new("dc2").retry_join(["10.1.2.3"]))
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] without a peer datacenter or with
    /// an id; as [`Operator::license_get`] otherwise.
    pub fn area_create(&self, area: Area) -> WriteRequest<OperatorAreaCreate> {
        self.write(OperatorAreaCreate { area })
    }

    /// Changes the network area `id` (its `UseTLS`) and returns its id.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/area#update-network-area)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use consul_api::operator::Area;
    /// client.operator().area_update(id, Area::new("dc2").use_tls(true)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id; as
    /// [`Operator::license_get`] otherwise.
    pub fn area_update(
        &self,
        id: impl Into<String>,
        area: Area,
    ) -> WriteRequest<OperatorAreaUpdate> {
        self.write(OperatorAreaUpdate {
            id: id.into(),
            area,
        })
    }

    /// Reads one network area; `None` when it does not exist. Blocking (`.wait()`,
    /// `.watch()`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/area#list-specific-network-area)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// if let Some(area) = client.operator().area_get(id).await?.value {
    ///     println!("area with {}", area.peer_datacenter);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::area_update`].
    pub fn area_get(&self, id: impl Into<String>) -> ReadRequest<OperatorAreaGet> {
        self.read(OperatorAreaGet { id: id.into() })
    }

    /// Lists the network areas. Blocking (`.wait()`, `.watch()`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/area#list-network-areas)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for area in client.operator().area_list().await?.value {
    ///     println!("{} -> {}", area.id, area.peer_datacenter);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::license_get`].
    pub fn area_list(&self) -> ReadRequest<OperatorAreaList> {
        self.read(OperatorAreaList)
    }

    /// Deletes the network area `id`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/area#delete-network-area)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// client.operator().area_delete(id).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::area_update`].
    pub fn area_delete(&self, id: impl Into<String>) -> WriteRequest<OperatorAreaDelete> {
        self.write(OperatorAreaDelete { id: id.into() })
    }

    /// Joins servers of the peer datacenter (`IP`, `IP:port`, `host`, `host:port`) into the
    /// network area `id`; one result per address.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/area#join-network-area)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// let results = client.operator().area_join(id, ["10.1.2.3", "10.1.2.4"]).await?.value;
    /// for r in results.iter().filter(|r| !r.joined) {
    ///     println!("{}: {}", r.address, r.error);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty id, no address or an
    /// empty one; as [`Operator::license_get`] otherwise.
    pub fn area_join(
        &self,
        id: impl Into<String>,
        addresses: impl IntoIterator<Item = impl Into<String>>,
    ) -> WriteRequest<OperatorAreaJoin> {
        self.write(OperatorAreaJoin {
            id: id.into(),
            addresses: addresses.into_iter().map(Into::into).collect(),
        })
    }

    /// The servers in the network area `id`, with their status and estimated round trip.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/area#list-network-area-members)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// for m in client.operator().area_members(id).await?.value {
    ///     println!("{} {} rtt {:?}", m.name, m.status, m.rtt);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::area_update`].
    pub fn area_members(&self, id: impl Into<String>) -> ReadRequest<OperatorAreaMembers> {
        self.read(OperatorAreaMembers { id: id.into() })
    }

    /// The network segments of the datacenter (Consul Enterprise 0.9.3+); `""` is the
    /// default segment.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/segment#list-network-segments)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let segments = client.operator().segment_list().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::license_get`].
    pub fn segment_list(&self) -> ReadRequest<OperatorSegmentList> {
        self.read(OperatorSegmentList)
    }
}
