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
use consul_types::endpoint::{Accepts, Decode, Endpoint};
use consul_types::operator::validate_gossip_key;
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

/// Declares a keyring write: a key in the body, a relay factor, a redacted `Debug`.
macro_rules! keyring_write {
    ($(#[$doc:meta])* $name:ident, $method:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            key: String,
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("key", &"<redacted>")
                    .finish()
            }
        }

        impl Call for $name {
            type Output = ();

            fn endpoint(&self) -> Result<Endpoint, ValidationError> {
                validate_gossip_key(&self.key)?;
                Ok(Endpoint::write($method, KEYRING)
                    .agent()
                    .accepts(Accepts::NONE.with_relay_factor())
                    .json(&KeyBody { key: &self.key })?
                    .decode(Decode::Unit))
            }

            fn output(&self, _: Answer) -> Result<()> {
                Ok(())
            }
        }

        write_setters!($name: relay_factor);
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
pub struct OperatorKeyringList;

impl Call for OperatorKeyringList {
    type Output = Vec<KeyringResponse>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, KEYRING)
            .agent()
            .accepts(Accepts::NONE.with_relay_factor().with_local_only()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<KeyringResponse>> {
        answer.json_list()
    }
}

read_setters!(OperatorKeyringList: relay_factor, local_only);

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
        self.read(OperatorKeyringList)
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
        self.write(OperatorKeyringInstall { key: key.into() })
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
        self.write(OperatorKeyringUse { key: key.into() })
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
        self.write(OperatorKeyringRemove { key: key.into() })
    }
}
