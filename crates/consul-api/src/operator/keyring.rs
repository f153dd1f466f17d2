//! The gossip keyring (`/v1/operator/keyring`): Go's `api/operator_keyring.go`.
//!
//! Keyring calls act on every gossip pool Consul knows, the WAN pool and the LAN pool of
//! each datacenter, so they take no datacenter (and no consistency mode): there is no
//! `dc()` on their requests, and a handle's datacenter is not sent. A pool with an
//! unreachable member makes them fail (`500 … 2/3 nodes reported success`).
//!
//! The keys are secrets: the requests' `Debug` output and errors never show them.

use super::{KeyringResponse, Operator};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::operator::{validate_gossip_key, validate_relay_factor};
use consul_types::ValidationError;
use http::Method;
use serde::Serialize;
use std::fmt;

const KEYRING: &str = "operator/keyring";

#[derive(Serialize)]
struct KeyBody<'a> {
    #[serde(rename = "Key")]
    key: &'a str,
}

/// The `?relay-factor=` of a keyring call, checked.
fn relay(endpoint: Endpoint, factor: Option<u8>) -> Result<Endpoint, ValidationError> {
    if let Some(factor) = factor {
        validate_relay_factor(factor)?;
    }
    Ok(endpoint.param_opt("relay-factor", factor.map(|f| f.to_string())))
}

/// Declares a keyring write: a key in the body, a relay factor, a redacted `Debug`.
macro_rules! keyring_write {
    ($(#[$doc:meta])* $name:ident, $method:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            key: String,
            relay_factor: Option<u8>,
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("key", &"<redacted>")
                    .field("relay_factor", &self.relay_factor)
                    .finish()
            }
        }

        impl Call for $name {
            type Output = ();

            fn endpoint(&self) -> Result<Endpoint, ValidationError> {
                validate_gossip_key(&self.key)?;
                let endpoint = Endpoint::write($method, KEYRING)
                    .agent()
                    .json(&KeyBody { key: &self.key })?
                    .decode(Decode::Unit);
                relay(endpoint, self.relay_factor)
            }

            fn output(&self, _: Answer) -> Result<()> {
                Ok(())
            }
        }

        impl WriteRequest<$name> {
            /// Has each node relay its answer through this many other, random nodes
            /// (`?relay-factor=`, at most [`MAX_RELAY_FACTOR`](super::MAX_RELAY_FACTOR)):
            /// answers get through a partly broken network.
            pub fn relay_factor(mut self, factor: u8) -> Self {
                self.call_mut().relay_factor = Some(factor);
                self
            }
        }
    };
}

keyring_write! {
    /// The call of [`Operator::keyring_install`].
    OperatorKeyringInstall, Method::POST
}

keyring_write! {
    /// The call of [`Operator::keyring_use`].
    OperatorKeyringUse, Method::PUT
}

keyring_write! {
    /// The call of [`Operator::keyring_remove`].
    OperatorKeyringRemove, Method::DELETE
}

/// The call of [`Operator::keyring_list`].
#[derive(Debug, Clone, Default)]
pub struct OperatorKeyringList {
    relay_factor: Option<u8>,
    local_only: bool,
}

impl Call for OperatorKeyringList {
    type Output = Vec<KeyringResponse>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        let endpoint = Endpoint::read(Method::GET, KEYRING)
            .agent()
            .param_opt("local-only", self.local_only.then_some("true"));
        relay(endpoint, self.relay_factor)
    }

    fn output(&self, answer: Answer) -> Result<Vec<KeyringResponse>> {
        answer.json_list()
    }
}

impl ReadRequest<OperatorKeyringList> {
    /// Has each node relay its answer through this many other, random nodes
    /// (`?relay-factor=`, at most [`MAX_RELAY_FACTOR`](super::MAX_RELAY_FACTOR)).
    pub fn relay_factor(mut self, factor: u8) -> Self {
        self.call_mut().relay_factor = Some(factor);
        self
    }

    /// Lists only the local datacenter's LAN pool: no WAN traffic (`?local-only=true`,
    /// Consul 1.6+).
    pub fn local_only(mut self) -> Self {
        self.call_mut().local_only = true;
        self
    }
}

impl Operator {
    /// The gossip keys of every pool: for the WAN pool and each datacenter's LAN pool,
    /// each key and how many nodes have it, and which key each node encrypts with.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/keyring#list-gossip-encryption-keys)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for pool in client.operator().keyring_list().local_only().await?.value {
    ///     println!("{} wan={}: {} keys on {} nodes", pool.datacenter, pool.wan, pool.keys.len(), pool.num_nodes);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a relay factor over 5; an agent
    /// without gossip encryption answers 500 (`Keyring is empty (encryption not
    /// enabled)`), and so does a pool with an unreachable member.
    pub fn keyring_list(&self) -> ReadRequest<OperatorKeyringList> {
        self.read(OperatorKeyringList::default())
    }

    /// Installs a new gossip key on every node (the first step of a rotation; nodes keep
    /// encrypting with their primary key).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/keyring#add-new-gossip-encryption-key)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, old: &str) -> consul_api::Result<()> {
    /// // A rotation: install, use, then remove the old key.
    /// let new = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="; // `consul keygen`
    /// let operator = client.operator();
    /// operator.keyring_install(new).await?;
    /// operator.keyring_use(new).await?;
    /// operator.keyring_remove(old).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a key that is not base64 of 16,
    /// 24 or 32 bytes, or a relay factor over 5 (nothing is sent); a 500 when a node
    /// fails.
    pub fn keyring_install(&self, key: impl Into<String>) -> WriteRequest<OperatorKeyringInstall> {
        self.write(OperatorKeyringInstall {
            key: key.into(),
            relay_factor: None,
        })
    }

    /// Makes an installed key the primary one: every node encrypts with it from now on.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/keyring#change-primary-gossip-encryption-key)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, new: &str) -> consul_api::Result<()> {
    /// client.operator().keyring_use(new).relay_factor(2).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::keyring_install`]; a key that is not installed is a 500 (`Requested
    /// key is not in the keyring`).
    pub fn keyring_use(&self, key: impl Into<String>) -> WriteRequest<OperatorKeyringUse> {
        self.write(OperatorKeyringUse {
            key: key.into(),
            relay_factor: None,
        })
    }

    /// Removes a key from every node (the last step of a rotation).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/operator/keyring#delete-gossip-encryption-key)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, old: &str) -> consul_api::Result<()> {
    /// client.operator().keyring_remove(old).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Operator::keyring_install`]; removing the primary key is a 500 (`Removing the
    /// primary key is not allowed`).
    pub fn keyring_remove(&self, key: impl Into<String>) -> WriteRequest<OperatorKeyringRemove> {
        self.write(OperatorKeyringRemove {
            key: key.into(),
            relay_factor: None,
        })
    }
}
