use std::net::TcpListener;

/// The loopback ports of one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// HTTP API.
    pub http: u16,
    /// DNS interface.
    pub dns: u16,
    /// Serf LAN gossip (TCP and UDP); what `-join` / `-retry-join` name.
    pub serf_lan: u16,
    /// Serf WAN gossip (TCP and UDP); what `-join-wan` names.
    pub serf_wan: u16,
    /// Server RPC.
    pub server: u16,
}

impl Ports {
    /// Five ports the OS reported free. They are released before Consul binds them, so a
    /// rare race is possible; the harness retries a start that hit one.
    pub fn free() -> std::io::Result<Ports> {
        let listeners = (0..5)
            .map(|_| TcpListener::bind("127.0.0.1:0"))
            .collect::<std::io::Result<Vec<_>>>()?;
        let p = listeners
            .iter()
            .map(|l| l.local_addr().map(|a| a.port()))
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Ports {
            http: p[0],
            dns: p[1],
            serf_lan: p[2],
            serf_wan: p[3],
            server: p[4],
        })
    }
}
