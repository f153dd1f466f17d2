use crate::{Error, Result};
use consul_types::{Consistency, Token};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Where the agent listens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Address {
    /// An HTTP listener; `base` is `scheme://host:port` plus an optional path prefix (for
    /// agents behind a reverse proxy), without a trailing `/`.
    Http {
        /// `http://127.0.0.1:8500` or `http://proxy/consul`.
        base: String,
    },
    /// A Unix socket (`addresses { http = "unix:///path" }` in the agent's configuration).
    Unix(PathBuf),
}

impl Address {
    /// Parses an address the way Consul's own tools read `CONSUL_HTTP_ADDR`: `host:port`,
    /// `http://host:port[/prefix]` or `unix:///path/to.sock`.
    ///
    /// ```
    /// use consul_api::Address;
    /// assert_eq!(
    ///     Address::parse("127.0.0.1:8500").unwrap(),
    ///     Address::Http { base: "http://127.0.0.1:8500".into() }
    /// );
    /// assert_eq!(
    ///     Address::parse("unix:///run/consul.sock").unwrap(),
    ///     Address::Unix("/run/consul.sock".into())
    /// );
    /// assert!(Address::parse("ftp://x").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] for an empty address, an unknown scheme, or `https://` (TLS is not
    /// available in this version of the transport).
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::Config("empty agent address".into()));
        }
        if let Some(path) = text.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(Error::Config(
                    "unix:// address without a socket path".into(),
                ));
            }
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        let base = match text.split_once("://") {
            None => format!("http://{text}"),
            Some(("http", _)) => text.to_owned(),
            Some(("https", _)) => {
                return Err(Error::Config(
                    "https:// addresses need TLS, which this transport does not offer yet".into(),
                ))
            }
            Some((scheme, _)) => {
                return Err(Error::Config(format!("unknown protocol scheme {scheme:?}")))
            }
        };
        let base = base.trim_end_matches('/').to_owned();
        let uri: http::Uri = base
            .parse()
            .map_err(|e| Error::Config(format!("invalid agent address {text:?}: {e}")))?;
        if uri.host().map_or(true, str::is_empty) {
            return Err(Error::Config(format!("agent address {text:?} has no host")));
        }
        if uri.query().is_some() {
            return Err(Error::Config(format!(
                "agent address {text:?} must not have a query"
            )));
        }
        Ok(Address::Http { base })
    }
}

impl Default for Address {
    fn default() -> Self {
        Address::Http {
            base: "http://127.0.0.1:8500".into(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Http { base } => f.write_str(base),
            Address::Unix(path) => write!(f, "unix://{}", path.display()),
        }
    }
}

/// HTTP basic authentication (`CONSUL_HTTP_AUTH=user:password`), for agents behind a proxy.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// The password, if any.
    pub password: Option<Token>,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl BasicAuth {
    /// Parses `user[:password]`.
    pub fn parse(text: &str) -> Self {
        match text.split_once(':') {
            Some((user, pass)) => BasicAuth {
                username: user.to_owned(),
                password: Some(Token::new(pass)),
            },
            None => BasicAuth {
                username: text.to_owned(),
                password: None,
            },
        }
    }
}

/// Everything a [`Client`](crate::Client) needs to know, read from code or from the
/// environment with [`Config::from_env`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Config {
    /// The agent's address (default `http://127.0.0.1:8500`).
    pub address: Address,
    /// The ACL token sent with every request unless an option overrides it.
    pub token: Option<Token>,
    /// HTTP basic authentication.
    pub basic_auth: Option<BasicAuth>,
    /// Consistency mode of reads that do not choose one (aioconsul's `consistency=`).
    pub consistency: Consistency,
    /// Datacenter of every request that does not choose one (default: the agent's).
    pub datacenter: Option<String>,
    /// Namespace of every request that does not choose one (Consul Enterprise).
    pub namespace: Option<String>,
    /// Admin partition of every request that does not choose one (Consul Enterprise).
    pub partition: Option<String>,
    /// Limit for connecting (default transport only; default 5 s).
    pub connect_timeout: Option<Duration>,
    /// Limit for a non-blocking request (default transport only; default 60 s).
    /// Blocking reads get `wait` plus Consul's jitter plus this margin.
    pub request_timeout: Option<Duration>,
}

/// The environment variables [`Config::from_env`] reads, as Consul's own tools name them.
pub mod env {
    /// `host:port`, `http://host:port[/prefix]` or `unix:///path`.
    pub const HTTP_ADDR: &str = "CONSUL_HTTP_ADDR";
    /// The ACL token.
    pub const HTTP_TOKEN: &str = "CONSUL_HTTP_TOKEN";
    /// A file holding the ACL token; wins over [`HTTP_TOKEN`].
    pub const HTTP_TOKEN_FILE: &str = "CONSUL_HTTP_TOKEN_FILE";
    /// Basic authentication, `user[:password]`.
    pub const HTTP_AUTH: &str = "CONSUL_HTTP_AUTH";
    /// `true` to use `https` for a `host:port` address.
    pub const HTTP_SSL: &str = "CONSUL_HTTP_SSL";
    /// The default namespace (Consul Enterprise).
    pub const NAMESPACE: &str = "CONSUL_NAMESPACE";
    /// The default admin partition (Consul Enterprise).
    pub const PARTITION: &str = "CONSUL_PARTITION";
}

impl Config {
    /// A configuration for the agent at `address` (see [`Address::parse`]).
    ///
    /// # Errors
    /// [`Error::Config`] for an address that cannot be used.
    pub fn new(address: &str) -> Result<Self> {
        Ok(Config {
            address: Address::parse(address)?,
            ..Config::default()
        })
    }

    /// Reads the configuration from the environment the way Consul's CLI and Go client do
    /// (see [`env`](mod@env)); anything unset keeps its default.
    ///
    /// # Errors
    /// [`Error::Config`] for an unusable address or an unreadable token file.
    pub fn from_env() -> Result<Self> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Config::from_env`] over any lookup function, for tests and for programs that keep
    /// their settings elsewhere.
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let mut config = Config::default();
        if let Some(addr) = get(env::HTTP_ADDR) {
            let ssl = get(env::HTTP_SSL).is_some_and(|v| parse_bool(&v));
            let addr = if ssl && !addr.contains("://") {
                format!("https://{addr}")
            } else {
                addr
            };
            config.address = Address::parse(&addr)?;
        }
        if let Some(path) = get(env::HTTP_TOKEN_FILE) {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::Config(format!(
                    "cannot read {} {path:?}: {e}",
                    env::HTTP_TOKEN_FILE
                ))
            })?;
            config.token = Some(Token::new(text.trim()));
        } else if let Some(token) = get(env::HTTP_TOKEN) {
            config.token = Some(Token::new(token));
        }
        config.basic_auth = get(env::HTTP_AUTH).map(|v| BasicAuth::parse(&v));
        config.namespace = get(env::NAMESPACE);
        config.partition = get(env::PARTITION);
        Ok(config)
    }
}

fn parse_bool(v: &str) -> bool {
    matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn addresses() {
        let http = |b: &str| Address::Http { base: b.into() };
        assert_eq!(
            Address::parse("10.0.0.1:8500").unwrap(),
            http("http://10.0.0.1:8500")
        );
        assert_eq!(Address::parse("http://h:1/").unwrap(), http("http://h:1"));
        assert_eq!(
            Address::parse("http://proxy/consul").unwrap(),
            http("http://proxy/consul")
        );
        assert_eq!(
            Address::parse("unix:///tmp/c.sock").unwrap(),
            Address::Unix("/tmp/c.sock".into())
        );
        for bad in [
            "",
            "unix://",
            "ftp://h:1",
            "https://h:1",
            "http://",
            "http://h:1/?q=1",
        ] {
            assert!(
                matches!(Address::parse(bad), Err(Error::Config(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn env_defaults() {
        let c = Config::from_lookup(lookup(&[])).unwrap();
        assert_eq!(c.address, Address::default());
        assert!(c.token.is_none());
    }

    #[test]
    fn env_token_file_wins_and_is_trimmed() {
        let dir = std::env::temp_dir().join(format!("consul-api-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "from-file\n").unwrap();
        let c = Config::from_lookup(lookup(&[
            ("CONSUL_HTTP_TOKEN", "from-env"),
            ("CONSUL_HTTP_TOKEN_FILE", file.to_str().unwrap()),
            ("CONSUL_HTTP_ADDR", "unix:///tmp/x.sock"),
            ("CONSUL_HTTP_AUTH", "alice:pw"),
        ]))
        .unwrap();
        assert_eq!(c.token.unwrap().secret(), "from-file");
        assert_eq!(c.address, Address::Unix("/tmp/x.sock".into()));
        let auth = c.basic_auth.unwrap();
        assert_eq!(auth.username, "alice");
        assert!(!format!("{auth:?}").contains("pw"));
        std::fs::remove_dir_all(dir).unwrap();

        let c = Config::from_lookup(lookup(&[("CONSUL_HTTP_TOKEN", "from-env")])).unwrap();
        assert_eq!(c.token.unwrap().secret(), "from-env");
        let missing = Config::from_lookup(lookup(&[("CONSUL_HTTP_TOKEN_FILE", "/nonexistent/t")]));
        assert!(matches!(missing, Err(Error::Config(_))));
    }

    #[test]
    fn env_ssl_flag_requests_https() {
        let r = Config::from_lookup(lookup(&[
            ("CONSUL_HTTP_ADDR", "127.0.0.1:8501"),
            ("CONSUL_HTTP_SSL", "true"),
        ]));
        assert!(matches!(r, Err(Error::Config(m)) if m.contains("TLS")));
    }
}
