use crate::{find_consul, Ports, TlsCerts};
use consul_api::{Client, Config};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const POLL: Duration = Duration::from_millis(50);
const READY_TIMEOUT_DEV: Duration = Duration::from_secs(20);
const READY_TIMEOUT_CLUSTER: Duration = Duration::from_secs(60);
const START_ATTEMPTS: usize = 3;
/// LAN gossip timing for loopback tests: failures are detected in about half a second.
const FAST_GOSSIP_HCL: &str =
    "gossip_lan { probe_interval = \"100ms\" probe_timeout = \"50ms\" suspicion_mult = 1 }";

/// Why an agent could not be started or stopped.
#[derive(Debug)]
pub struct HarnessError(pub String);

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HarnessError {}

/// What to wait for before an agent counts as started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Readiness {
    /// HTTP answers, a leader is known and the agent's own node is in the catalog.
    Leader,
    /// HTTP answers (servers waiting for peers, clients not joined yet).
    Http,
}

/// Settings for a [`TestAgent`].
#[derive(Debug, Clone)]
pub struct AgentBuilder {
    dev: bool,
    server: bool,
    bootstrap_expect: Option<u32>,
    datacenter: String,
    node_name: Option<String>,
    join: Vec<String>,
    join_wan: Vec<String>,
    hcl: Vec<String>,
    acl_master_token: Option<String>,
    unix_socket: bool,
    ports: Option<Ports>,
    data_dir: Option<PathBuf>,
    wait_for_leader: Option<bool>,
    https: Option<Https>,
}

/// How an agent serves HTTPS.
#[derive(Debug, Clone)]
struct Https {
    certs: TlsCerts,
    verify_incoming: bool,
    /// The port, once chosen (kept across restarts).
    port: Option<u16>,
}

impl Default for AgentBuilder {
    fn default() -> Self {
        AgentBuilder {
            dev: true,
            server: true,
            bootstrap_expect: None,
            datacenter: "dc1".into(),
            node_name: None,
            join: Vec::new(),
            join_wan: Vec::new(),
            hcl: Vec::new(),
            acl_master_token: None,
            unix_socket: false,
            ports: None,
            data_dir: None,
            wait_for_leader: None,
            https: None,
        }
    }
}

impl AgentBuilder {
    /// A non-dev server expecting `n` servers (`-server -bootstrap-expect=n`), with fast
    /// Raft timing (`raft_multiplier = 1`) and its own data folder.
    #[must_use]
    pub fn server(mut self, bootstrap_expect: u32) -> Self {
        self.dev = false;
        self.server = true;
        self.bootstrap_expect = Some(bootstrap_expect);
        self
    }

    /// A non-dev client agent (no server); it is ready once its HTTP API answers.
    #[must_use]
    pub fn client_agent(mut self) -> Self {
        self.dev = false;
        self.server = false;
        self.bootstrap_expect = None;
        self
    }

    /// The datacenter (default `dc1`).
    #[must_use]
    pub fn datacenter(mut self, dc: impl Into<String>) -> Self {
        self.datacenter = dc.into();
        self
    }

    /// The node name (default `consulate-<http port>`).
    #[must_use]
    pub fn node_name(mut self, name: impl Into<String>) -> Self {
        self.node_name = Some(name.into());
        self
    }

    /// Joins this LAN gossip address (`host:serf_lan_port`) at start, retrying.
    #[must_use]
    pub fn join(mut self, addr: impl Into<String>) -> Self {
        self.join.push(addr.into());
        self
    }

    /// Joins this WAN gossip address (`host:serf_wan_port`) at start, retrying.
    #[must_use]
    pub fn join_wan(mut self, addr: impl Into<String>) -> Self {
        self.join_wan.push(addr.into());
        self
    }

    /// Adds agent configuration in HCL (`-hcl`).
    #[must_use]
    pub fn hcl(mut self, hcl: impl Into<String>) -> Self {
        self.hcl.push(hcl.into());
        self
    }

    /// Enables ACLs with `default_policy = "deny"` and this master token (also the
    /// agent's own token, so anti-entropy works). The agent's client uses it.
    #[must_use]
    pub fn acl_master_token(mut self, token: impl Into<String>) -> Self {
        self.acl_master_token = Some(token.into());
        self
    }

    /// Also serves HTTP on a Unix socket in the data folder ([`TestAgent::unix_socket`]).
    #[must_use]
    pub fn unix_socket(mut self) -> Self {
        self.unix_socket = true;
        self
    }

    /// Tunes LAN gossip for loopback tests (probe every 100 ms, minimal suspicion), so a
    /// killed member is reported `failed` within about a second instead of several.
    #[must_use]
    pub fn fast_gossip(self) -> Self {
        self.hcl(FAST_GOSSIP_HCL)
    }

    /// Encrypts gossip with this key (`encrypt`, base64 as `consul keygen` prints it; see
    /// [`gossip_key`](crate::gossip_key)). Agents that gossip together need the same key.
    #[must_use]
    pub fn encrypt(self, key: &str) -> Self {
        self.hcl(format!("encrypt = \"{key}\""))
    }

    /// Allows script checks registered over HTTP (`enable_script_checks = true`).
    #[must_use]
    pub fn script_checks(self) -> Self {
        self.hcl("enable_script_checks = true")
    }

    /// Uses these ports instead of free ones (restarting a stopped agent in place).
    #[must_use]
    pub fn ports(mut self, ports: Ports) -> Self {
        self.ports = Some(ports);
        self
    }

    /// Uses this data folder (kept after drop) instead of a temporary one.
    #[must_use]
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Also serves HTTPS (with HTTP/2, which Consul offers over TLS only) on a free port,
    /// presenting the server certificate of `certs`; plain HTTP stays on (the harness
    /// polls it). See [`TestAgent::https_addr`] and [`TestAgent::https_config`].
    #[must_use]
    pub fn https(mut self, certs: &TlsCerts) -> Self {
        self.https = Some(Https {
            certs: certs.clone(),
            verify_incoming: false,
            port: None,
        });
        self
    }

    /// Requires HTTPS clients to present a certificate signed by the CA
    /// (`verify_incoming_https`; needs [`AgentBuilder::https`] first).
    #[must_use]
    pub fn verify_incoming_https(mut self, verify: bool) -> Self {
        if let Some(https) = &mut self.https {
            https.verify_incoming = verify;
        }
        self
    }

    /// Whether start waits for a leader and the node's catalog entry (default: yes for
    /// dev agents and single-server bootstraps, no otherwise).
    #[must_use]
    pub fn wait_for_leader(mut self, wait: bool) -> Self {
        self.wait_for_leader = Some(wait);
        self
    }

    /// The datacenter it will start in.
    pub(crate) fn datacenter_name(&self) -> &str {
        &self.datacenter
    }

    fn readiness(&self) -> Readiness {
        let default = self.dev || self.bootstrap_expect == Some(1);
        if self.wait_for_leader.unwrap_or(default) {
            Readiness::Leader
        } else {
            Readiness::Http
        }
    }

    /// Starts the agent and waits until it is ready.
    ///
    /// # Errors
    /// [`HarnessError`] when there is no Consul binary (with install instructions), or the
    /// agent exits or is not ready in time (with its log).
    pub async fn start(self) -> Result<TestAgent, HarnessError> {
        let binary = find_consul().map_err(HarnessError)?;
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            match self.start_once(&binary).await {
                Ok(agent) => return Ok(agent),
                // Free ports are released before Consul binds them; another process may win.
                Err((e, true)) if self.ports.is_none() => last = Some(e),
                Err((e, _)) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| HarnessError("agent did not start".into())))
    }

    async fn start_once(&self, binary: &Path) -> Result<TestAgent, (HarnessError, bool)> {
        let fail = |msg: String| (HarnessError(msg), false);
        let ports = match self.ports {
            Some(p) => p,
            None => Ports::free().map_err(|e| fail(format!("no free ports: {e}")))?,
        };
        let (temp, dir) = match &self.data_dir {
            Some(d) => {
                std::fs::create_dir_all(d).map_err(|e| fail(format!("data dir: {e}")))?;
                (None, d.clone())
            }
            None => {
                let t = tempfile::Builder::new()
                    .prefix("consul-test-")
                    .tempdir()
                    .map_err(|e| fail(format!("temp dir: {e}")))?;
                let p = t.path().to_owned();
                (Some(t), p)
            }
        };
        let node_name = self
            .node_name
            .clone()
            .unwrap_or_else(|| format!("consulate-{}", ports.http));
        let mut cmd = Command::new(binary);
        cmd.arg("agent");
        if self.dev {
            cmd.arg("-dev");
        } else {
            cmd.arg(format!("-data-dir={}", dir.join("data").display()));
            if self.server {
                cmd.arg("-server");
            }
            if let Some(n) = self.bootstrap_expect {
                cmd.arg(format!("-bootstrap-expect={n}"));
            }
            cmd.args(["-hcl", "performance { raft_multiplier = 1 }"]);
        }
        cmd.args(["-bind", "127.0.0.1", "-client", "127.0.0.1"])
            .arg(format!("-node={node_name}"))
            .arg(format!("-datacenter={}", self.datacenter))
            .arg(format!("-http-port={}", ports.http))
            .arg(format!("-dns-port={}", ports.dns))
            .arg(format!("-serf-lan-port={}", ports.serf_lan))
            .arg(format!("-serf-wan-port={}", ports.serf_wan))
            .arg(format!("-server-port={}", ports.server))
            .args(["-grpc-port=-1", "-log-level=debug", "-retry-interval=1s"]);
        for j in &self.join {
            cmd.arg(format!("-retry-join={j}"));
        }
        for j in &self.join_wan {
            cmd.arg(format!("-retry-join-wan={j}"));
        }
        let unix_socket = self.unix_socket.then(|| dir.join("http.sock"));
        if let Some(sock) = &unix_socket {
            cmd.args([
                "-hcl",
                &format!(
                    "addresses {{ http = \"127.0.0.1 unix://{}\" }}",
                    sock.display()
                ),
            ]);
        }
        if let Some(token) = &self.acl_master_token {
            cmd.args([
                "-hcl",
                &format!(
                    "primary_datacenter = \"{}\"\nacl {{\n enabled = true\n default_policy = \"deny\"\n down_policy = \"extend-cache\"\n tokens {{\n  master = \"{token}\"\n  agent = \"{token}\"\n }}\n}}",
                    self.datacenter
                ),
            ]);
        }
        let https = match &self.https {
            Some(https) => {
                let port = match https.port {
                    Some(port) => port,
                    None => free_port().map_err(|e| fail(format!("no free port: {e}")))?,
                };
                cmd.args([
                    "-hcl",
                    &format!(
                        "ca_file = \"{}\"\ncert_file = \"{}\"\nkey_file = \"{}\"\nverify_incoming_https = {}\nports {{ https = {port} }}",
                        https.certs.ca().display(),
                        https.certs.server_cert().display(),
                        https.certs.server_key().display(),
                        https.verify_incoming,
                    ),
                ]);
                Some(Https {
                    port: Some(port),
                    ..https.clone()
                })
            }
            None => None,
        };
        for hcl in &self.hcl {
            cmd.args(["-hcl", hcl]);
        }
        let log_path = dir.join("agent.log");
        let log = std::fs::File::create(&log_path).map_err(|e| fail(format!("log file: {e}")))?;
        let log_err = log
            .try_clone()
            .map_err(|e| fail(format!("log file: {e}")))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        let child = cmd
            .spawn()
            .map_err(|e| fail(format!("cannot run {}: {e}", binary.display())))?;
        let mut agent = TestAgent {
            child: Some(child),
            ports,
            node_name,
            datacenter: self.datacenter.clone(),
            token: self.acl_master_token.clone(),
            log_path,
            unix_socket,
            _temp: temp,
            builder: AgentBuilder {
                https: https.clone(),
                ..self.clone()
            },
            https,
        };
        let timeout = if self.dev {
            READY_TIMEOUT_DEV
        } else {
            READY_TIMEOUT_CLUSTER
        };
        match agent.wait_ready(self.readiness(), timeout).await {
            Ok(()) => Ok(agent),
            Err(msg) => {
                let log = agent.log();
                let port_race = log.contains("address already in use");
                Err((
                    HarnessError(format!("{msg}\n--- agent log ---\n{log}")),
                    port_race,
                ))
            }
        }
    }
}

/// A running Consul agent, killed (and its data folder removed) on drop.
pub struct TestAgent {
    child: Option<Child>,
    ports: Ports,
    node_name: String,
    datacenter: String,
    token: Option<String>,
    log_path: PathBuf,
    unix_socket: Option<PathBuf>,
    _temp: Option<TempDir>,
    builder: AgentBuilder,
    https: Option<Https>,
}

impl fmt::Debug for TestAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestAgent")
            .field("pid", &self.pid())
            .field("node_name", &self.node_name)
            .field("datacenter", &self.datacenter)
            .field("ports", &self.ports)
            .finish_non_exhaustive()
    }
}

impl TestAgent {
    /// Starts a dev agent (`consul agent -dev`) on free ports and waits for it.
    ///
    /// # Panics
    /// When the agent cannot be started, with the reason (and install instructions when
    /// there is no Consul binary): a test without its agent must fail, never pass.
    pub async fn dev() -> TestAgent {
        match TestAgent::builder().start().await {
            Ok(agent) => agent,
            Err(e) => panic!("could not start a Consul dev agent: {e}"),
        }
    }

    /// Settings for an agent (default: a dev agent in `dc1`).
    pub fn builder() -> AgentBuilder {
        AgentBuilder::default()
    }

    /// The agent's ports.
    pub fn ports(&self) -> Ports {
        self.ports
    }

    /// The agent's node name.
    pub fn node_name(&self) -> &str {
        &self.node_name
    }

    /// The agent's datacenter.
    pub fn datacenter(&self) -> &str {
        &self.datacenter
    }

    /// The ACL master token, for agents started with one.
    pub fn master_token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn http_addr(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.http)
    }

    /// `127.0.0.1:<serf lan port>`, for joining this agent's LAN pool.
    pub fn serf_lan_addr(&self) -> String {
        format!("127.0.0.1:{}", self.ports.serf_lan)
    }

    /// `127.0.0.1:<serf wan port>`, for joining this agent's WAN pool.
    pub fn serf_wan_addr(&self) -> String {
        format!("127.0.0.1:{}", self.ports.serf_wan)
    }

    /// The HTTPS port, for agents started with [`AgentBuilder::https`].
    pub fn https_port(&self) -> Option<u16> {
        self.https.as_ref().and_then(|h| h.port)
    }

    /// `https://127.0.0.1:<port>`, for agents started with [`AgentBuilder::https`].
    pub fn https_addr(&self) -> Option<String> {
        self.https_port()
            .map(|port| format!("https://127.0.0.1:{port}"))
    }

    /// The certificates the agent serves HTTPS with.
    pub fn tls_certs(&self) -> Option<&TlsCerts> {
        self.https.as_ref().map(|h| &h.certs)
    }

    /// A client configuration for this agent's HTTPS port, trusting its CA (with the master
    /// token, if any; with the client certificate when the agent verifies clients).
    pub fn https_config(&self) -> Option<Config> {
        let https = self.https.as_ref()?;
        let addr = self.https_addr()?;
        let mut config = Config::new(&addr).expect("loopback address is valid");
        config.token = self.token.as_deref().map(Into::into);
        let mut tls = consul_api::TlsConfig::default().ca_file(https.certs.ca());
        if https.verify_incoming {
            tls = tls.client_cert(https.certs.client_cert(), https.certs.client_key());
        }
        config.tls = tls;
        Some(config)
    }

    /// The Unix socket the agent serves HTTP on, if started with one.
    pub fn unix_socket(&self) -> Option<&Path> {
        self.unix_socket.as_deref()
    }

    /// A client configuration for this agent (with the master token, if any).
    pub fn config(&self) -> Config {
        let mut config = Config::new(&self.http_addr()).expect("loopback address is valid");
        config.token = self.token.as_deref().map(Into::into);
        config
    }

    /// A client for this agent (with the master token, if any).
    pub fn client(&self) -> Client {
        Client::new(self.config()).expect("test client configuration is valid")
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Everything the agent logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    async fn wait_ready(&mut self, readiness: Readiness, timeout: Duration) -> Result<(), String> {
        let client = self.client();
        let deadline = Instant::now() + timeout;
        let self_node = format!("catalog/node/{}", self.node_name);
        loop {
            if !self.is_running() {
                return Err("the consul agent exited during start-up".into());
            }
            let ready = match readiness {
                Readiness::Http => client
                    .request(http::Method::GET, "agent/self")
                    .await
                    .is_ok(),
                Readiness::Leader => {
                    let leader = client.request(http::Method::GET, "status/leader").await;
                    let has_leader = matches!(&leader, Ok(r) if r.body().len() > 2);
                    has_leader
                        && matches!(
                            client.request(http::Method::GET, self_node.as_str()).await,
                            Ok(r) if r.body().starts_with(b"{") || r.body().trim_ascii_start().starts_with(b"{")
                        )
                }
            };
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the consul agent was not ready after {}s",
                    timeout.as_secs()
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until a leader is known and this agent's node is in the catalog
    /// (after the cluster it belongs to has formed).
    ///
    /// # Errors
    /// [`HarnessError`] when that does not happen within 60 s.
    pub async fn wait_for_leader(&mut self) -> Result<(), HarnessError> {
        self.wait_ready(Readiness::Leader, READY_TIMEOUT_CLUSTER)
            .await
            .map_err(|m| HarnessError(format!("{m}\n--- agent log ---\n{}", self.log())))
    }

    /// Polls until `/v1/catalog/datacenters` lists every datacenter in `datacenters` (after
    /// a WAN join).
    ///
    /// # Errors
    /// [`HarnessError`] when that does not happen within 60 s.
    pub async fn wait_for_datacenters(&self, datacenters: &[&str]) -> Result<(), HarnessError> {
        let client = self.client();
        let deadline = Instant::now() + READY_TIMEOUT_CLUSTER;
        loop {
            if let Ok(r) = client
                .request(http::Method::GET, "catalog/datacenters")
                .await
            {
                let known: Vec<String> = serde_json::from_slice(r.body()).unwrap_or_default();
                if datacenters.iter().all(|dc| known.iter().any(|k| k == dc)) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(HarnessError(format!(
                    "{} never listed the datacenters {datacenters:?}",
                    self.node_name
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Polls until the agent's LAN member list has `n` members with status alive.
    ///
    /// # Errors
    /// [`HarnessError`] when that does not happen within 60 s.
    pub async fn wait_for_alive_members(&self, n: usize) -> Result<(), HarnessError> {
        let client = self.client();
        let deadline = Instant::now() + READY_TIMEOUT_CLUSTER;
        loop {
            if let Ok(r) = client.request(http::Method::GET, "agent/members").await {
                let members: Vec<serde_json::Value> =
                    serde_json::from_slice(r.body()).unwrap_or_default();
                let alive = members.iter().filter(|m| m["Status"] == 1).count();
                if alive == n {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(HarnessError(format!(
                    "{} never saw {n} alive members",
                    self.node_name
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Stops the agent gracefully (SIGTERM), waiting for the process to exit; SIGKILL
    /// after 15 s.
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(15);
        while matches!(child.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                let _ = child.kill();
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        let _ = child.wait();
    }

    /// Kills the agent at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts a stopped agent again with the same ports, name and data folder.
    ///
    /// # Errors
    /// As [`AgentBuilder::start`].
    pub async fn restart(&mut self) -> Result<(), HarnessError> {
        self.kill();
        let binary = find_consul().map_err(HarnessError)?;
        let mut builder = self
            .builder
            .clone()
            .ports(self.ports)
            .node_name(self.node_name.clone());
        if !builder.dev {
            builder = builder.data_dir(
                self.log_path
                    .parent()
                    .map(Path::to_owned)
                    .unwrap_or_default(),
            );
        }
        let mut fresh = builder.start_once(&binary).await.map_err(|(e, _)| e)?;
        self.child = fresh.child.take();
        Ok(())
    }
}

/// A port the OS reported free (released before Consul binds it; see [`Ports::free`]).
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Drop for TestAgent {
    fn drop(&mut self) {
        self.kill();
    }
}
