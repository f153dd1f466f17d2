use crate::{HarnessError, TestAgent};

/// Two datacenters joined over WAN, one dev server each: `primary` (dc1) and
/// `secondary` (dc2). Both list both datacenters when [`Federation::start`] returns, so
/// requests with `?dc=` are forwarded at once.
#[derive(Debug)]
pub struct Federation {
    /// The server of the first datacenter.
    pub primary: TestAgent,
    /// The server of the second datacenter, WAN-joined to the first.
    pub secondary: TestAgent,
}

impl Federation {
    /// Starts `dc1` and `dc2`.
    ///
    /// # Errors
    /// [`HarnessError`] when an agent cannot start or the WAN join does not complete.
    pub async fn start() -> Result<Federation, HarnessError> {
        Federation::start_named("dc1", "dc2").await
    }

    /// Starts two datacenters with these names.
    ///
    /// # Errors
    /// As [`Federation::start`].
    pub async fn start_named(primary: &str, secondary: &str) -> Result<Federation, HarnessError> {
        let first = TestAgent::builder().datacenter(primary).start().await?;
        let second = TestAgent::builder()
            .datacenter(secondary)
            .join_wan(first.serf_wan_addr())
            .start()
            .await?;
        first.wait_for_datacenters(&[primary, secondary]).await?;
        second.wait_for_datacenters(&[primary, secondary]).await?;
        Ok(Federation {
            primary: first,
            secondary: second,
        })
    }
}
