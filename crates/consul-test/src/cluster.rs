use crate::{AgentBuilder, HarnessError, TestAgent};

/// Several agents in one datacenter: servers that elect a leader, and optionally client
/// agents joined to them. Every agent uses fast LAN gossip
/// ([`AgentBuilder::fast_gossip`]), so a stopped or killed agent shows up as `left` or
/// `failed` within about a second.
#[derive(Debug)]
pub struct Cluster {
    /// The agents: the servers in start order, then clients added with
    /// [`Cluster::add_client`].
    pub agents: Vec<TestAgent>,
    datacenter: String,
}

impl Cluster {
    /// Starts `n` servers in `dc1` (`-bootstrap-expect=n`, joined to each other) and waits
    /// until each knows the leader.
    ///
    /// # Errors
    /// [`HarnessError`] when a server cannot start or no leader is elected in time.
    pub async fn start(n: u32) -> Result<Cluster, HarnessError> {
        Cluster::start_in("dc1", n).await
    }

    /// As [`Cluster::start`] in another datacenter.
    ///
    /// # Errors
    /// As [`Cluster::start`].
    pub async fn start_in(datacenter: &str, n: u32) -> Result<Cluster, HarnessError> {
        Cluster::start_with(n, TestAgent::builder().datacenter(datacenter)).await
    }

    /// As [`Cluster::start`], each server started from a copy of `builder` (its
    /// datacenter, extra HCL, a gossip key given by [`AgentBuilder::encrypt`] …), made a
    /// server expecting `n` servers.
    ///
    /// # Errors
    /// As [`Cluster::start`].
    pub async fn start_with(n: u32, builder: AgentBuilder) -> Result<Cluster, HarnessError> {
        let datacenter = builder.datacenter_name().to_owned();
        let first = builder
            .clone()
            .server(n)
            .fast_gossip()
            .wait_for_leader(n == 1)
            .start()
            .await?;
        let join = first.serf_lan_addr();
        let mut agents = vec![first];
        for _ in 1..n {
            let agent = builder
                .clone()
                .server(n)
                .fast_gossip()
                .join(join.clone())
                .wait_for_leader(false)
                .start()
                .await?;
            agents.push(agent);
        }
        for agent in &mut agents {
            agent.wait_for_leader().await?;
        }
        Ok(Cluster { agents, datacenter })
    }

    /// The first server.
    pub fn first(&self) -> &TestAgent {
        &self.agents[0]
    }

    /// The cluster's datacenter.
    pub fn datacenter(&self) -> &str {
        &self.datacenter
    }

    /// Starts a client agent (no server) joined to the cluster, and waits until it knows
    /// the leader and its node is in the catalog. Returns its index in [`Cluster::agents`].
    ///
    /// # Errors
    /// [`HarnessError`] when the agent cannot start or join in time.
    pub async fn add_client(&mut self) -> Result<usize, HarnessError> {
        self.add_client_with(TestAgent::builder()).await
    }

    /// As [`Cluster::add_client`], from a builder with more settings (node name, HCL…);
    /// the builder is made a client agent of this cluster's datacenter.
    ///
    /// # Errors
    /// As [`Cluster::add_client`].
    pub async fn add_client_with(&mut self, builder: AgentBuilder) -> Result<usize, HarnessError> {
        let mut agent = builder
            .client_agent()
            .datacenter(self.datacenter.clone())
            .fast_gossip()
            .join(self.first().serf_lan_addr())
            .wait_for_leader(false)
            .start()
            .await?;
        agent.wait_for_leader().await?;
        self.agents.push(agent);
        Ok(self.agents.len() - 1)
    }
}
