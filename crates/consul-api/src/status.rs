//! Cluster status (`/v1/status`): the Raft leader and peers (Go's `api/status.go`).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! let leader = client.status().leader().await?.value;          // None while there is none
//! let peers = client.status().peers().dc("dc2").await?.value;
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest};
use crate::Result;
use consul_types::endpoint::Endpoint;
use consul_types::ValidationError;
use http::Method;

family! {
    /// Raft status; made by [`Client::status`](crate::Client::status).
    Status, status, "Raft status of the cluster"
}

/// The call of [`Status::leader`].
#[derive(Debug, Clone)]
pub struct StatusLeader;

impl Call for StatusLeader {
    type Output = Option<String>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "status/leader"))
    }

    fn output(&self, answer: Answer) -> Result<Option<String>> {
        // Consul answers `""` while there is no leader.
        Ok(Some(answer.json::<String>()?).filter(|leader| !leader.is_empty()))
    }
}

/// The call of [`Status::peers`].
#[derive(Debug, Clone)]
pub struct StatusPeers;

impl Call for StatusPeers {
    type Output = Vec<String>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "status/peers"))
    }

    fn output(&self, answer: Answer) -> Result<Vec<String>> {
        answer.json_list()
    }
}

call_traits!(StatusLeader: Cluster);
call_traits!(StatusPeers: Cluster);

impl Status {
    /// The Raft leader's address (`ip:port`); `None` while there is no leader.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/status#get-raft-leader)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// match client.status().leader().await?.value {
    ///     Some(leader) => println!("leader at {leader}"),
    ///     None => println!("no leader: the cluster cannot take writes"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (an unknown datacenter is a 500).
    pub fn leader(&self) -> ReadRequest<StatusLeader> {
        self.read(StatusLeader)
    }

    /// The addresses (`ip:port`) of the Raft voters.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/status#list-raft-peers)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let peers = client.status().peers().await?.value;
    /// println!("{} servers", peers.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (an unknown datacenter is a 500).
    pub fn peers(&self) -> ReadRequest<StatusPeers> {
        self.read(StatusPeers)
    }
}
