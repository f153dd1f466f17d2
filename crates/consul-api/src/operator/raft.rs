//! The Raft peer set (`/v1/operator/raft`): Go's `api/operator_raft.go`.

use super::{Operator, RaftConfiguration, TransferLeaderResponse};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::ValidationError;
use http::Method;

/// The call of [`Operator::raft_get_configuration`].
#[derive(Debug, Clone)]
pub struct OperatorRaftGetConfiguration;

impl Call for OperatorRaftGetConfiguration {
    type Output = RaftConfiguration;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "operator/raft/configuration"))
    }

    fn output(&self, answer: Answer) -> Result<RaftConfiguration> {
        answer.json()
    }
}

/// `DELETE /v1/operator/raft/peer?{by}={value}`, answered with an empty body.
fn remove_peer(by: &'static str, value: &str) -> Result<Endpoint, ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::Empty {
            field: if by == "id" {
                "raft peer id"
            } else {
                "raft peer address"
            },
        });
    }
    Ok(Endpoint::write(Method::DELETE, "operator/raft/peer")
        .param(by, value)
        .decode(Decode::Unit))
}

/// The call of [`Operator::raft_remove_peer_by_address`].
#[derive(Debug, Clone)]
pub struct OperatorRaftRemovePeerByAddress {
    address: String,
}

impl Call for OperatorRaftRemovePeerByAddress {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        remove_peer("address", &self.address)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Operator::raft_remove_peer_by_id`].
#[derive(Debug, Clone)]
pub struct OperatorRaftRemovePeerById {
    id: String,
}

impl Call for OperatorRaftRemovePeerById {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        remove_peer("id", &self.id)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Operator::raft_leader_transfer`].
#[derive(Debug, Clone, Default)]
pub struct OperatorRaftLeaderTransfer {
    id: Option<String>,
}

impl Call for OperatorRaftLeaderTransfer {
    type Output = TransferLeaderResponse;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.id.as_deref() == Some("") {
            return Err(ValidationError::Empty {
                field: "raft server id",
            });
        }
        // Consul reads no datacenter here: the leader of the agent's own datacenter acts.
        Ok(
            Endpoint::write(Method::POST, "operator/raft/transfer-leader")
                .agent()
                .param_opt("id", self.id.clone()),
        )
    }

    fn output(&self, answer: Answer) -> Result<TransferLeaderResponse> {
        answer.json()
    }
}

impl WriteRequest<OperatorRaftLeaderTransfer> {
    /// Hands leadership to the server with this Raft id
    /// ([`RaftServer::id`](super::RaftServer::id)) instead of one Consul picks.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.call_mut().id = Some(id.into());
        self
    }
}

call_traits!(OperatorRaftGetConfiguration: Cluster);
call_traits!(OperatorRaftRemovePeerByAddress: Cluster);
call_traits!(OperatorRaftRemovePeerById: Cluster);

impl Operator {
    /// The Raft peer set of the datacenter: every server, whether it votes, which one
    /// leads. `.stale()` lets any server answer (also without a leader, which is when
    /// this is most useful).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/raft#read-configuration)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let raft = client.operator().raft_get_configuration().stale().await?.value;
    /// for server in &raft.servers {
    ///     println!("{} {} voter={} leader={}", server.node, server.address, server.voter, server.leader);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (`500 No cluster leader` without `.stale()` while there
    /// is no leader; an unknown datacenter is a 500).
    pub fn raft_get_configuration(&self) -> ReadRequest<OperatorRaftGetConfiguration> {
        self.read(OperatorRaftGetConfiguration)
    }

    /// Removes the server with Raft address `address` (`ip:port`, the server RPC port)
    /// from the peer set: for a server that is gone and will not come back, which
    /// Consul would otherwise keep counting towards the quorum.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/raft#delete-raft-peer)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.operator().raft_remove_peer_by_address("10.0.0.3:8300").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty address; an address
    /// not in the peer set is a 500 (`address "…" was not found in the Raft
    /// configuration`).
    pub fn raft_remove_peer_by_address(
        &self,
        address: impl Into<String>,
    ) -> WriteRequest<OperatorRaftRemovePeerByAddress> {
        self.write(OperatorRaftRemovePeerByAddress {
            address: address.into(),
        })
    }

    /// Removes the server with Raft id `id` ([`RaftServer::id`](super::RaftServer::id))
    /// from the peer set; see [`Operator::raft_remove_peer_by_address`].
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/raft#delete-raft-peer)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let operator = client.operator();
    /// let raft = operator.raft_get_configuration().await?.value;
    /// if let Some(gone) = raft.server_on("old-server-3") {
    ///     operator.raft_remove_peer_by_id(&gone.id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id; an id not in the
    /// peer set is a 500 (`id "…" was not found in the Raft configuration`).
    pub fn raft_remove_peer_by_id(
        &self,
        id: impl Into<String>,
    ) -> WriteRequest<OperatorRaftRemovePeerById> {
        self.write(OperatorRaftRemovePeerById { id: id.into() })
    }

    /// Makes the current leader hand leadership to another server (Go's
    /// `RaftLeaderTransfer`, Consul 1.15+): one Consul picks, or the one `.id(..)` names.
    /// The leader of the agent's own datacenter acts: Consul reads no datacenter here, so
    /// the request has no `dc()`. Needs `operator:write`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/raft#transfer-raft-leadership)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let operator = client.operator();
    /// operator.raft_leader_transfer().await?;
    /// let raft = operator.raft_get_configuration().await?.value;
    /// if let Some(next) = raft.servers.iter().find(|s| !s.leader && s.voter) {
    ///     operator.raft_leader_transfer().id(&next.id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty id;
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.15 (a
    /// 1.8.7 agent answers an empty `404`); a failed transfer is a status error (Consul
    /// answers `404 Failed to transfer Leader: …`).
    pub fn raft_leader_transfer(&self) -> WriteRequest<OperatorRaftLeaderTransfer> {
        self.write(OperatorRaftLeaderTransfer::default())
    }
}
