//! Cluster status (`/v1/status`): the Raft leader and peers.

use crate::{Client, Result};
use consul_types::{QueryOptions, QueryResponse};
use http::Method;

/// Raft status; made by [`Client::status`].
#[derive(Debug, Clone)]
pub struct Status {
    client: Client,
}

impl Client {
    /// Raft status of the cluster.
    pub fn status(&self) -> Status {
        Status {
            client: self.clone(),
        }
    }
}

impl Status {
    /// The same endpoint in datacenter `name`.
    #[must_use]
    pub fn dc(&self, name: &str) -> Status {
        Status {
            client: self.client.dc(name),
        }
    }

    /// The Raft leader's address (`ip:port`); `None` while there is no leader.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// match client.status().leader(&QueryOptions::default()).await?.value {
    ///     Some(leader) => println!("leader at {leader}"),
    ///     None => println!("no leader: the cluster cannot take writes"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn leader(&self, opts: &QueryOptions) -> Result<QueryResponse<Option<String>>> {
        let response: QueryResponse<String> = self
            .client
            .call(Method::GET, "status/leader")
            .query_options(opts)?
            .query()
            .await?;
        Ok(response.map(|leader| Some(leader).filter(|l| !l.is_empty())))
    }

    /// The addresses (`ip:port`) of the Raft voters.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let peers = client.status().peers(&QueryOptions::default()).await?.value;
    /// println!("{} servers", peers.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors.
    pub async fn peers(&self, opts: &QueryOptions) -> Result<QueryResponse<Vec<String>>> {
        self.client
            .call(Method::GET, "status/peers")
            .query_options(opts)?
            .query()
            .await
    }
}
