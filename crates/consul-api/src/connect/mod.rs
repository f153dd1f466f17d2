//! Connect, Consul's service mesh (`/v1/connect`): Go's `api/connect_ca.go` and
//! `api/connect_intention.go`. The certificate authority ([`Connect::ca_roots`],
//! [`Connect::ca_get_config`], [`Connect::ca_set_config`]) and intentions, the rules of
//! which service may connect to which ([`Connect::intention_create`] and the rest).
//!
//! The agent's own Connect endpoints — the roots and leaf certificates it serves from its
//! cache, and its authorization of a connection — are on the [`Agent`](crate::agent::Agent)
//! handle ([`Agent::connect_ca_leaf`](crate::agent::Agent::connect_ca_leaf) & co, in
//! [`agent::connect`](crate::agent::connect)).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::connect::Intention;
//! let connect = client.connect();
//! let roots = connect.ca_roots().await?.value;
//! println!("trust domain {}, {} roots", roots.trust_domain, roots.roots.len());
//!
//! let id = connect.intention_create(Intention::deny("web", "db")).await?.value;
//! assert!(!connect.intention_check("web", "db").await?.value);
//! connect.intention_delete(&id).await?;
//! let mut changes = connect.intentions().watch();      // a Stream of every intention
//! # Ok(()) }
//! ```
//!
//! Intentions are the ID-based API of Consul 1.8 (deprecated by 1.9, which keeps
//! intentions in `service-intentions` configuration entries but still serves it). The
//! exact-match calls of 1.9+ ([`Connect::intention_get_exact`],
//! [`Connect::intention_upsert`], [`Connect::intention_delete_exact`]) are here too; a 1.8
//! agent takes their path for an intention id and refuses them with a status error.

mod ca;
mod intentions;

pub use ca::{ConnectCaGetConfig, ConnectCaRoots, ConnectCaSetConfig};
pub use consul_types::connect::{
    validate_intention_id, CaConfig, CaKeyType, CaProvider, CaRoot, CaRootList,
    ConsulCaProviderConfig, Intention, IntentionAction, IntentionMatchBy, IntentionSourceType,
    LeafCert,
};
pub use intentions::{
    ConnectIntentionCheck, ConnectIntentionCreate, ConnectIntentionDelete,
    ConnectIntentionDeleteExact, ConnectIntentionGet, ConnectIntentionGetExact,
    ConnectIntentionMatch, ConnectIntentionUpdate, ConnectIntentionUpsert, ConnectIntentions,
};

family! {
    /// The Connect endpoints (CA and intentions); made by
    /// [`Client::connect`](crate::Client::connect). Answered by the servers: `dc()` picks
    /// another datacenter. Intentions are validated before sending (names, wildcards,
    /// action, limits), so one Consul would refuse never leaves the client.
    Connect, connect, "Connect endpoints (CA and intentions)"
}
