use crate::{find_consul, HarnessError};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use tempfile::TempDir;

/// Certificates made with Consul's own `consul tls` commands (the recipe Consul
/// documents), in a temporary folder removed when the last clone is dropped: a CA, a
/// server certificate for the datacenter (names `server.<dc>.consul`, `localhost` and
/// `127.0.0.1`) and a client certificate, for mutual TLS.
///
/// Give them to [`AgentBuilder::https`](crate::AgentBuilder::https) to start an agent that
/// serves HTTPS (and HTTP/2) beside plain HTTP.
///
/// ```no_run
/// # async fn demo() -> Result<(), consul_test::HarnessError> {
/// let certs = consul_test::TlsCerts::make()?;
/// let agent = consul_test::TestAgent::builder().https(&certs).start().await?;
/// let client = consul_api::Client::new(agent.https_config().expect("serves HTTPS"))
///     .expect("valid configuration");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TlsCerts {
    dir: Arc<TempDir>,
    datacenter: String,
}

impl fmt::Debug for TlsCerts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsCerts")
            .field("dir", &self.dir.path())
            .field("datacenter", &self.datacenter)
            .finish()
    }
}

impl TlsCerts {
    /// A new CA with server and client certificates for `dc1`.
    ///
    /// # Errors
    /// [`HarnessError`] when there is no Consul binary or `consul tls` fails.
    pub fn make() -> Result<TlsCerts, HarnessError> {
        TlsCerts::for_datacenter("dc1")
    }

    /// A new CA with server and client certificates for `datacenter`.
    ///
    /// # Errors
    /// [`HarnessError`] when there is no Consul binary or `consul tls` fails.
    pub fn for_datacenter(datacenter: &str) -> Result<TlsCerts, HarnessError> {
        let consul = find_consul().map_err(HarnessError)?;
        let dir = tempfile::Builder::new()
            .prefix("consul-tls-")
            .tempdir()
            .map_err(|e| HarnessError(format!("temp dir: {e}")))?;
        for args in [
            &["tls", "ca", "create"][..],
            &["tls", "cert", "create", "-server", "-dc", datacenter][..],
            &["tls", "cert", "create", "-client", "-dc", datacenter][..],
        ] {
            let out = Command::new(&consul)
                .args(args)
                .current_dir(dir.path())
                .output()
                .map_err(|e| HarnessError(format!("cannot run {}: {e}", consul.display())))?;
            if !out.status.success() {
                return Err(HarnessError(format!(
                    "consul {}: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
        }
        Ok(TlsCerts {
            dir: Arc::new(dir),
            datacenter: datacenter.to_owned(),
        })
    }

    /// The folder the files are in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A file of the folder, by name (`consul-agent-ca.pem`, `dc1-server-consul-0.pem`, …).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The CA certificate (PEM), what clients trust.
    pub fn ca(&self) -> PathBuf {
        self.path("consul-agent-ca.pem")
    }

    /// The server certificate (PEM) the agent presents.
    pub fn server_cert(&self) -> PathBuf {
        self.path(&format!("{}-server-consul-0.pem", self.datacenter))
    }

    /// The server certificate's private key (PEM).
    pub fn server_key(&self) -> PathBuf {
        self.path(&format!("{}-server-consul-0-key.pem", self.datacenter))
    }

    /// A client certificate (PEM) signed by the CA, for mutual TLS.
    pub fn client_cert(&self) -> PathBuf {
        self.path(&format!("{}-client-consul-0.pem", self.datacenter))
    }

    /// The client certificate's private key (PEM).
    pub fn client_key(&self) -> PathBuf {
        self.path(&format!("{}-client-consul-0-key.pem", self.datacenter))
    }
}
