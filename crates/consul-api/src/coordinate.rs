//! Network coordinates (`/v1/coordinate`): Go's `api/coordinate.go`.
//!
//! Consul estimates the round-trip time between nodes from Vivaldi network coordinates
//! that its agents keep up to date while gossiping; `?near=` sorts by them. These calls
//! read them, per node of a datacenter (LAN) or per server of each datacenter (WAN), and
//! [`rtt`] computes the estimate between two nodes exactly as Consul does. The model is
//! [`consul_types::coordinate::Coordinate`](crate::types::coordinate::Coordinate).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::coordinate::rtt;
//! let coordinates = client.coordinate();
//! let a = coordinates.node("web-1").await?.value;
//! let b = coordinates.node("db-1").await?.value;
//! if let Some(estimate) = rtt(&a, &b) {
//!     println!("web-1 ↔ db-1: about {estimate:?}");
//! }
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
pub use consul_types::coordinate::{rtt, CoordinateDatacenterMap, CoordinateEntry};
use consul_types::endpoint::{Blocking, Decode, Endpoint, Missing};
use consul_types::health::validate_node_name;
use consul_types::ValidationError;
use http::Method;

family! {
    /// The network coordinate endpoints; made by
    /// [`Client::coordinate`](crate::Client::coordinate).
    Coordinate, coordinate, "network coordinate endpoints"
}

/// The call of [`Coordinate::datacenters`]: the WAN coordinates of every datacenter's
/// servers.
#[derive(Debug, Clone)]
pub struct CoordinateDatacenters;

impl Call for CoordinateDatacenters {
    type Output = Vec<CoordinateDatacenterMap>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        // Answered from what the agent's servers know of the WAN pool, with neither `?dc=`
        // nor a consistency mode: a local read.
        Ok(Endpoint::read(Method::GET, "coordinate/datacenters").agent())
    }

    fn output(&self, answer: Answer) -> Result<Vec<CoordinateDatacenterMap>> {
        answer.json_list()
    }
}

/// The call of [`Coordinate::nodes`]: the LAN coordinates of a datacenter's nodes.
#[derive(Debug, Clone)]
pub struct CoordinateNodes {
    segment: Option<String>,
}

impl Call for CoordinateNodes {
    type Output = Vec<CoordinateEntry>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "coordinate/nodes")
            .param_opt("segment", self.segment.clone())
            .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<CoordinateEntry>> {
        answer.json_list()
    }
}

/// The call of [`Coordinate::node`]: one node's coordinates, one per network segment.
#[derive(Debug, Clone)]
pub struct CoordinateNode {
    node: String,
    segment: Option<String>,
}

impl Call for CoordinateNode {
    type Output = Vec<CoordinateEntry>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_node_name(&self.node)?;
        // A node without a coordinate (unknown, or not measured yet) is a 404 with an
        // empty body.
        Ok(Endpoint::read(Method::GET, "coordinate/node")
            .segment("node name", &self.node)?
            .param_opt("segment", self.segment.clone())
            .blocking(Blocking::Index)
            .missing(Missing::AbsentEvenEmpty))
    }

    fn output(&self, answer: Answer) -> Result<Vec<CoordinateEntry>> {
        answer.json_list()
    }
}

/// The call of [`Coordinate::update`].
#[derive(Debug, Clone)]
pub struct CoordinateUpdate {
    entry: CoordinateEntry,
}

impl Call for CoordinateUpdate {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        self.entry.validate()?;
        Ok(Endpoint::write(Method::PUT, "coordinate/update")
            .json(&self.entry)?
            .decode(Decode::Unit))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

call_traits!(CoordinateNodes: Cluster, Watchable, IndexBlocking);
call_traits!(CoordinateNode: Cluster, Watchable, IndexBlocking);
call_traits!(CoordinateUpdate: Cluster);

impl ReadRequest<CoordinateNodes> {
    /// Only coordinates of this network segment (`?segment=`; `""` is the default segment;
    /// segments are Consul Enterprise).
    pub fn segment(mut self, segment: impl Into<String>) -> Self {
        self.call_mut().segment = Some(segment.into());
        self
    }
}

impl ReadRequest<CoordinateNode> {
    /// Only the coordinate of this network segment (`?segment=`; `""` is the default
    /// segment; segments are Consul Enterprise).
    pub fn segment(mut self, segment: impl Into<String>) -> Self {
        self.call_mut().segment = Some(segment.into());
        self
    }
}

impl Coordinate {
    /// The WAN coordinates of the servers of every known datacenter (Go's
    /// `Datacenters`). Right after a WAN join a datacenter may be listed with no
    /// coordinates: they appear after some gossip.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/coordinate#read-wan-coordinates)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for dc in client.coordinate().datacenters().await?.value {
    ///     println!("{} ({}): {} servers", dc.datacenter, dc.area_id, dc.coordinates.len());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn datacenters(&self) -> ReadRequest<CoordinateDatacenters> {
        self.read(CoordinateDatacenters)
    }

    /// The LAN coordinates of the datacenter's nodes (Go's `Nodes`); a node without one
    /// yet is not listed. `.wait()` and `.watch()` block until a coordinate changes
    /// (Consul writes them in batches, every few seconds).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/coordinate#read-lan-coordinates-for-all-nodes)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for entry in client.coordinate().nodes().dc("dc2").await?.value {
    ///     println!("{} {:?}", entry.node, entry.coord.vec);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub fn nodes(&self) -> ReadRequest<CoordinateNodes> {
        self.read(CoordinateNodes { segment: None })
    }

    /// The LAN coordinates of one node, one per network segment it is in (Go's `Node`):
    /// one entry on Consul OSS, none when Consul has no coordinate for the node (unknown,
    /// or not measured yet). `.wait()` and `.watch()` block until a coordinate changes.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/coordinate#read-lan-coordinates-for-a-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let entries = client.coordinate().node("web-1").await?.value;
    /// match entries.first() {
    ///     Some(entry) => println!("web-1 is at {:?}", entry.coord.vec),
    ///     None => println!("no coordinate for web-1 yet"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node name; transport
    /// and status errors otherwise.
    pub fn node(&self, node: impl Into<String>) -> ReadRequest<CoordinateNode> {
        self.read(CoordinateNode {
            node: node.into(),
            segment: None,
        })
    }

    /// Sets the LAN coordinate of a node (Go's `Update`), for coordinates measured by
    /// other means. Consul applies updates in batches, every few seconds, and silently
    /// drops one for a node that is not in the catalog; a blocking read of
    /// [`node`](Self::node) sees it land.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/coordinate#update-lan-coordinates-for-a-node)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::coordinate::CoordinateEntry;
    /// use consul_api::types::coordinate::Coordinate;
    /// let mut coord = Coordinate::origin();
    /// coord.vec[0] = 0.002; // 2 ms from the origin
    /// client
    ///     .coordinate()
    ///     .update(CoordinateEntry::new("external-db", coord))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty node name or a
    /// coordinate with a non-finite value; a 500 [`Error::Status`](crate::Error::Status)
    /// for a dimensionality other than the servers' (`incompatible coordinate`).
    pub fn update(&self, entry: CoordinateEntry) -> WriteRequest<CoordinateUpdate> {
        self.write(CoordinateUpdate { entry })
    }
}
