//! Cluster operations (`/v1/operator`): Go's `api/operator_*.go`.
//!
//! One handle, [`Operator`], with Go's method names in snake case:
//! - Raft ([`raft_get_configuration`](Operator::raft_get_configuration),
//!   [`raft_remove_peer_by_id`](Operator::raft_remove_peer_by_id),
//!   [`raft_remove_peer_by_address`](Operator::raft_remove_peer_by_address)): the servers'
//!   peer set, and removing a server that is gone for good.
//! - Autopilot ([`autopilot_get_configuration`](Operator::autopilot_get_configuration),
//!   [`autopilot_set_configuration`](Operator::autopilot_set_configuration),
//!   [`autopilot_cas_configuration`](Operator::autopilot_cas_configuration),
//!   [`autopilot_server_health`](Operator::autopilot_server_health)).
//! - The gossip keyring ([`keyring_list`](Operator::keyring_list),
//!   [`keyring_install`](Operator::keyring_install), [`keyring_use`](Operator::keyring_use),
//!   [`keyring_remove`](Operator::keyring_remove)), for agents started with `encrypt`.
//!   They act on every gossip pool (the WAN pool and each datacenter's LAN pool), so they
//!   take no datacenter: there is no `dc()` on their requests and a handle's is not sent.
//!   The keys are secrets: the requests' `Debug` output and errors never show them.
//! - Consul Enterprise only: the license (`license_*`), network areas (`area_*`) and
//!   network segments ([`segment_list`](Operator::segment_list)). An open-source agent
//!   answers them with [`Error::Unsupported`](crate::Error::Unsupported).
//! - Newer than Consul 1.8, answered by a 1.8 agent with
//!   [`Error::Unsupported`](crate::Error::Unsupported): autopilot's state
//!   ([`autopilot_state`](Operator::autopilot_state), 1.9+), the usage counts
//!   ([`usage`](Operator::usage), 1.10+) and the Raft leader transfer
//!   ([`raft_leader_transfer`](Operator::raft_leader_transfer), 1.15+).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! let operator = client.operator();
//! let raft = operator.raft_get_configuration().await?.value;
//! println!("{} voters, leader {:?}", raft.voters().count(), raft.leader().map(|s| &s.node));
//! let health = operator.autopilot_server_health().await?.value;   // 429 is an answer too
//! if !health.healthy {
//!     println!("can lose {} servers", health.failure_tolerance);
//! }
//! let config = operator.autopilot_get_configuration().await?.value;
//! let swapped = operator
//!     .autopilot_cas_configuration(config.cleanup_dead_servers(false))
//!     .await?
//!     .value;                                                      // false: changed meanwhile
//! # Ok(()) }
//! ```

mod autopilot;
mod enterprise;
mod keyring;
mod raft;
mod usage;

pub use autopilot::{
    OperatorAutopilotCasConfiguration, OperatorAutopilotGetConfiguration,
    OperatorAutopilotServerHealth, OperatorAutopilotSetConfiguration, OperatorAutopilotState,
};
pub use enterprise::{
    OperatorAreaCreate, OperatorAreaDelete, OperatorAreaGet, OperatorAreaJoin, OperatorAreaList,
    OperatorAreaMembers, OperatorAreaUpdate, OperatorLicenseGet, OperatorLicenseGetSigned,
    OperatorLicensePut, OperatorLicenseReset, OperatorSegmentList,
};
pub use keyring::{
    OperatorKeyringInstall, OperatorKeyringList, OperatorKeyringRemove, OperatorKeyringUse,
};
pub use raft::{
    OperatorRaftGetConfiguration, OperatorRaftLeaderTransfer, OperatorRaftRemovePeerByAddress,
    OperatorRaftRemovePeerById,
};
pub use usage::OperatorUsage;

pub use consul_types::operator::{
    Area, AreaJoinResponse, AutopilotConfiguration, AutopilotServer, AutopilotServerStatus,
    AutopilotServerType, AutopilotState, AutopilotUpgrade, AutopilotUpgradeStatus, AutopilotZone,
    AutopilotZoneUpgradeVersions, KeyringResponse, License, LicenseReply, OperatorHealthReply,
    RaftConfiguration, RaftServer, SerfMember, SerfStatus, ServerHealth, ServiceUsage,
    TransferLeaderResponse, Usage, MAX_RELAY_FACTOR,
};

family! {
    /// Cluster operations; made by [`Client::operator`](crate::Client::operator). Most
    /// calls need a token with `operator` rights (the keyring ones, `keyring` rights).
    Operator, operator, "operator endpoints"
}
