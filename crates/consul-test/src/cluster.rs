use crate::{AgentBuilder, HarnessError, TestAgent};

/// Several server agents in one datacenter that elect a leader.
#[derive(Debug)]
pub struct Cluster {
    /// The servers, in start order.
    pub agents: Vec<TestAgent>,
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
        let first = TestAgent::builder()
            .server(n)
            .datacenter(datacenter)
            .wait_for_leader(n == 1)
            .start()
            .await?;
        let join = first.serf_lan_addr();
        let mut agents = vec![first];
        for _ in 1..n {
            let agent = AgentBuilder::default()
                .server(n)
                .datacenter(datacenter)
                .join(join.clone())
                .wait_for_leader(false)
                .start()
                .await?;
            agents.push(agent);
        }
        for agent in &mut agents {
            agent.wait_for_leader().await?;
        }
        Ok(Cluster { agents })
    }

    /// The first server.
    pub fn first(&self) -> &TestAgent {
        &self.agents[0]
    }
}
