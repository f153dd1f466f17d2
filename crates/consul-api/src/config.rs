use crate::{Error, Result, RetryPolicy};
use consul_transport::TlsConfig;
use consul_types::{Consistency, Token};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Where the agent listens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Address {
    /// An HTTP or HTTPS listener; `base` is `scheme://host:port` plus an optional path
    /// prefix (for agents behind a reverse proxy), without a trailing `/`.
    Http {
        /// `http://127.0.0.1:8500`, `https://consul.internal:8501` or `http://proxy/consul`.
        base: String,
    },
    /// A Unix socket (`addresses { http = "unix:///path" }` in the agent's configuration).
    Unix(PathBuf),
}

/// How long a client stays on a fallback address before trying the preferred one again.
const DEFAULT_FAILBACK_AFTER: Duration = Duration::from_secs(30);

/// Consul's default HTTP port, for an address given without scheme and port.
const DEFAULT_HTTP_PORT: u16 = 8500;

/// Consul's default HTTPS port, for an address given without scheme and port when
/// [`env::HTTP_SSL`] asks for TLS.
const DEFAULT_HTTPS_PORT: u16 = 8501;

impl Address {
    /// Parses an address the way Consul's own tools read `CONSUL_HTTP_ADDR`: `host`,
    /// `host:port`, `http(s)://host[:port][/prefix]` or `unix:///path/to.sock`.
    ///
    /// Two rules decide the port when none is given:
    /// - an address **without a scheme** means Consul's own HTTP port: `my.node.ip` is
    ///   `http://my.node.ip:8500` (with [`env::HTTP_SSL`] set, [`Config::from_env`] makes
    ///   it `https://my.node.ip:8501`), and `host:port` keeps its port;
    /// - a **full URL with a scheme** keeps the URL's own default port:
    ///   `http://my.node.ip` is port 80 and `https://my.node.ip` port 443 (as behind a
    ///   reverse proxy).
    ///
    /// IPv6 addresses go in brackets: `[::1]` is `http://[::1]:8500`, `[::1]:9000` keeps
    /// its port.
    ///
    /// ```
    /// use consul_api::Address;
    /// let http = |base: &str| Address::Http { base: base.into() };
    /// assert_eq!(Address::parse("my.node.ip").unwrap(), http("http://my.node.ip:8500"));
    /// assert_eq!(Address::parse("127.0.0.1:8500").unwrap(), http("http://127.0.0.1:8500"));
    /// assert_eq!(Address::parse("[::1]").unwrap(), http("http://[::1]:8500"));
    /// assert_eq!(Address::parse("http://my.node.ip").unwrap(), http("http://my.node.ip"));
    /// assert_eq!(
    ///     Address::parse("unix:///run/consul.sock").unwrap(),
    ///     Address::Unix("/run/consul.sock".into())
    /// );
    /// assert!(Address::parse("ftp://x").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] for an empty address, an unknown scheme, an address without a
    /// host, an empty, zero or non-numeric port, or one with a query.
    pub fn parse(text: &str) -> Result<Self> {
        Address::parse_with_tls(text, false)
    }

    /// [`Address::parse`], where an address without a scheme means `https://` (and port
    /// 8501 without a port) when `tls` is set ([`env::HTTP_SSL`]).
    pub(crate) fn parse_with_tls(text: &str, tls: bool) -> Result<Self> {
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
        let (scheme, rest, bare) = match text.split_once("://") {
            None if tls => ("https", text, true),
            None => ("http", text, true),
            Some((scheme @ ("http" | "https"), rest)) if !rest.trim_matches('/').is_empty() => {
                (scheme, rest, false)
            }
            Some(("http" | "https", _)) => {
                return Err(Error::Config(format!("agent address {text:?} has no host")))
            }
            Some((scheme, _)) => {
                return Err(Error::Config(format!("unknown protocol scheme {scheme:?}")))
            }
        };
        let rest = rest.trim_end_matches('/');
        let base = format!("{scheme}://{rest}");
        let uri: http::Uri = base
            .parse()
            .map_err(|e| Error::Config(format!("invalid agent address {text:?}: {e}")))?;
        let Some(authority) = uri.authority().filter(|a| !a.host().is_empty()) else {
            return Err(Error::Config(format!("agent address {text:?} has no host")));
        };
        // The text after the host (past an IPv6 literal's `]`) and its last `:`.
        let after_host = authority
            .as_str()
            .rsplit_once(']')
            .map_or(authority.as_str(), |(_, rest)| rest);
        let has_port = match after_host.rsplit_once(':') {
            None => false,
            Some((_, port)) if port.parse::<u16>().is_ok_and(|p| p > 0) => true,
            Some((_, port)) => {
                return Err(Error::Config(format!(
                    "agent address {text:?} has an invalid port {port:?}"
                )))
            }
        };
        if uri.query().is_some() {
            return Err(Error::Config(format!(
                "agent address {text:?} must not have a query"
            )));
        }
        if bare && !has_port {
            // `rest` starts with the authority; what follows is the path prefix.
            let prefix = &rest[authority.as_str().len()..];
            let port = if tls {
                DEFAULT_HTTPS_PORT
            } else {
                DEFAULT_HTTP_PORT
            };
            return Ok(Address::Http {
                base: format!("{scheme}://{authority}:{port}{prefix}"),
            });
        }
        Ok(Address::Http { base })
    }
}

impl Address {
    /// Whether requests to this address use TLS.
    pub fn is_https(&self) -> bool {
        matches!(self, Address::Http { base } if base.starts_with("https://"))
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
#[derive(Debug, Clone)]
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
    /// TLS settings for `https://` addresses (used by the default transport with the `tls`
    /// feature).
    pub tls: TlsConfig,
    /// Limit for connecting (default transport only; default 5 s). Zero is refused when
    /// the client is made.
    pub connect_timeout: Option<Duration>,
    /// Limit for a non-blocking request (default transport only; default 60 s).
    /// Blocking reads get `wait` plus Consul's jitter plus this margin. Zero is refused
    /// when the client is made.
    pub request_timeout: Option<Duration>,
    /// How long a blocking read waits when it does not say (Go's `Config.WaitTime`; at
    /// most 10 minutes). Unset: the agent's default of 5 minutes.
    pub wait_time: Option<Duration>,
    /// The most connections the default transport opens to the agent (default 128, below
    /// Consul's `limits.http_max_conns_per_client` of 200, above which the agent refuses
    /// connections).
    ///
    /// Over plain HTTP (HTTP/1.1) a connection carries one request at a time, so this is
    /// also how many requests are in flight; the others wait their turn, first come first
    /// served, with their time limit running. A blocking read (each read of a watch)
    /// holds its connection for its whole wait: **with more watches than this over plain
    /// HTTP, the extra ones wait until another watch's read returns, and see changes
    /// late.** Use HTTPS, where one HTTP/2 connection carries
    /// [`max_streams_per_connection`](Self::max_streams_per_connection) requests at once;
    /// or shorten the watches' wait ([`wait_time`](Self::wait_time)) so that they take
    /// turns on the connections; or raise both this and the agent's limit. No connection is
    /// opened beyond the cap, so the agent never refuses one. See
    /// [`HyperTransportBuilder::max_connections`](consul_transport::HyperTransportBuilder::max_connections).
    pub max_connections: Option<usize>,
    /// The most requests the default transport sends at once on one HTTP/2 connection
    /// (HTTPS with the `tls` feature; default 250, the limit Consul's HTTP/2 server
    /// announces). A request that finds every connection full opens another one (within
    /// [`max_connections`](Self::max_connections)) instead of queueing behind the limit,
    /// so 10,000 watches need 40 connections. A lower limit announced by the agent wins.
    /// Unused over plain HTTP and without the `tls` feature.
    ///
    /// Like `max_connections`, a setting of the default transport: a transport given to
    /// [`Client::with_transport`](crate::Client::with_transport) keeps its own.
    pub max_streams_per_connection: Option<usize>,
    /// Whether identical blocking reads in flight at the same time are sent once, every
    /// caller getting the answer (default `true`).
    ///
    /// Two reads are identical when everything Consul reads from them is: method, path,
    /// query (index or hash, wait, datacenter, consistency, filters…), headers (the token
    /// among them) and body. Many watches of the same key, service or node then cost the
    /// agent one request per change instead of one each. The shared request runs on its
    /// own: a caller that gives up does not cancel it for the others, and it is cancelled
    /// when no caller waits for it any more. A failure to exchange it reaches every caller
    /// (the same [`TransportError`](consul_transport::TransportError)); statuses and
    /// decoding stay each caller's own. Writes and reads that do not block are never
    /// shared.
    pub coalesce_blocking_reads: bool,
    /// Other agents to send requests to when [`address`](Self::address) (the preferred
    /// one, usually the local agent) cannot be reached, tried in order (default none).
    ///
    /// The rule: requests go to the current address; when no connection can be made to it
    /// (the request never left, so moving is safe for writes too), the next address becomes
    /// current and the request goes there at once. Away from the preferred address, one
    /// request per [`failback_after`](Self::failback_after) tries the preferred one first,
    /// and the client goes back to it as soon as it answers. Every address uses the same
    /// token, TLS settings and time limits, so all must have the scheme of `address`
    /// (all `http://` or all `https://`); a Unix socket cannot have fallbacks.
    ///
    /// What the local agent answers (its services and checks, its members) is that of
    /// whichever agent is current: a service registered while a fallback is current lives
    /// on the fallback's node.
    pub fallback_addresses: Vec<Address>,
    /// How long the client stays on a fallback address before trying the preferred one
    /// again (default 30 s). Zero is refused when the client is made.
    pub failback_after: Duration,
    /// When and how often a failed request is sent again (default
    /// [`RetryPolicy::default`]; [`RetryPolicy::none`] to never retry). A request's own
    /// `.retry(policy)` replaces it. See [`RetryPolicy`] for which failures are retried.
    pub retry: RetryPolicy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            address: Address::default(),
            token: None,
            basic_auth: None,
            consistency: Consistency::default(),
            datacenter: None,
            namespace: None,
            partition: None,
            tls: TlsConfig::default(),
            connect_timeout: None,
            request_timeout: None,
            wait_time: None,
            max_connections: None,
            max_streams_per_connection: None,
            coalesce_blocking_reads: true,
            fallback_addresses: Vec::new(),
            failback_after: DEFAULT_FAILBACK_AFTER,
            retry: RetryPolicy::default(),
        }
    }
}

/// The environment variables [`Config::from_env`] reads, as Consul's own tools name them.
pub mod env {
    /// `host[:port]`, `http(s)://host[:port][/prefix]` or `unix:///path`. Without a
    /// scheme the port defaults to Consul's 8500 (8501 with [`HTTP_SSL`]); a URL with a
    /// scheme keeps the scheme's default port (80 or 443). See
    /// [`Address::parse`](crate::Address::parse).
    pub const HTTP_ADDR: &str = "CONSUL_HTTP_ADDR";
    /// The ACL token.
    pub const HTTP_TOKEN: &str = "CONSUL_HTTP_TOKEN";
    /// A file holding the ACL token; wins over [`HTTP_TOKEN`].
    pub const HTTP_TOKEN_FILE: &str = "CONSUL_HTTP_TOKEN_FILE";
    /// Basic authentication, `user[:password]`.
    pub const HTTP_AUTH: &str = "CONSUL_HTTP_AUTH";
    /// `true` to use `https` for an address without a scheme (and port 8501 when it has
    /// no port). A boolean: one of `1 t T TRUE true True 0 f F FALSE false False`, as Go's
    /// `strconv.ParseBool` reads it; anything else fails [`Config::from_env`](crate::Config::from_env).
    pub const HTTP_SSL: &str = "CONSUL_HTTP_SSL";
    /// The default namespace (Consul Enterprise).
    pub const NAMESPACE: &str = "CONSUL_NAMESPACE";
    /// The default admin partition (Consul Enterprise).
    pub const PARTITION: &str = "CONSUL_PARTITION";
    /// A PEM file of CA certificates to trust.
    pub const CACERT: &str = "CONSUL_CACERT";
    /// A folder of PEM CA certificates to trust.
    pub const CAPATH: &str = "CONSUL_CAPATH";
    /// Our certificate, for mutual TLS.
    pub const CLIENT_CERT: &str = "CONSUL_CLIENT_CERT";
    /// Our private key, for mutual TLS.
    pub const CLIENT_KEY: &str = "CONSUL_CLIENT_KEY";
    /// The name to verify the agent's certificate against.
    pub const TLS_SERVER_NAME: &str = "CONSUL_TLS_SERVER_NAME";
    /// `false` to accept any certificate (tests only). A boolean, read as strictly as
    /// [`HTTP_SSL`]: a value such as `yes`, `on` or `"TRUE "` fails
    /// [`Config::from_env`](crate::Config::from_env) instead of turning verification off.
    pub const HTTP_SSL_VERIFY: &str = "CONSUL_HTTP_SSL_VERIFY";
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
    /// [`Error::Config`] for an unusable address, an unreadable token file, or a boolean
    /// variable ([`env::HTTP_SSL`], [`env::HTTP_SSL_VERIFY`]) that is not one of Go's
    /// `strconv.ParseBool` spellings (`1 t T TRUE true True 0 f F FALSE false False`; an
    /// empty value counts as unset).
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
        let get_bool = |name: &str| get(name).map(|v| parse_bool(name, &v)).transpose();
        let mut config = Config::default();
        // Read every boolean first, so a misspelt one fails whatever else is set.
        let ssl = get_bool(env::HTTP_SSL)?.unwrap_or(false);
        let verify = get_bool(env::HTTP_SSL_VERIFY)?.unwrap_or(true);
        if let Some(addr) = get(env::HTTP_ADDR) {
            config.address = Address::parse_with_tls(&addr, ssl)?;
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
        config.tls.ca_file = get(env::CACERT).map(Into::into);
        config.tls.ca_path = get(env::CAPATH).map(Into::into);
        config.tls.client_cert = get(env::CLIENT_CERT).map(Into::into);
        config.tls.client_key = get(env::CLIENT_KEY).map(Into::into);
        // Go strips a port from the server name (`host:8501` -> `host`).
        config.tls.server_name = get(env::TLS_SERVER_NAME).map(|n| {
            n.rsplit_once(':')
                .map_or(n.clone(), |(host, _)| host.to_owned())
        });
        config.tls.insecure_skip_verify = !verify;
        Ok(config)
    }
}

/// A boolean environment variable, read exactly as Go's `strconv.ParseBool` reads it.
fn parse_bool(name: &str, value: &str) -> Result<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(Error::Config(format!(
            "{name}={value:?} is not a boolean: expected one of \
             1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False"
        ))),
    }
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
        assert!(Address::parse("https://h:8501").unwrap().is_https());
        assert!(!Address::parse("h:8500").unwrap().is_https());
        for bad in ["", "unix://", "ftp://h:1", "http://", "http://h:1/?q=1"] {
            assert!(
                matches!(Address::parse(bad), Err(Error::Config(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn addresses_without_a_scheme_mean_consuls_port() {
        let http = |b: &str| Address::Http { base: b.into() };
        let cases = [
            ("my.node.ip", "http://my.node.ip:8500"),
            ("localhost", "http://localhost:8500"),
            ("10.0.0.1", "http://10.0.0.1:8500"),
            ("10.0.0.1/", "http://10.0.0.1:8500"),
            ("node/consul", "http://node:8500/consul"),
            ("[::1]", "http://[::1]:8500"),
            ("[fe80::1]", "http://[fe80::1]:8500"),
            // host:port keeps its port
            ("my.node.ip:9000", "http://my.node.ip:9000"),
            ("[::1]:9000", "http://[::1]:9000"),
            ("node:9000/consul", "http://node:9000/consul"),
            // a URL with a scheme keeps the scheme's own default port
            ("http://my.node.ip", "http://my.node.ip"),
            ("https://my.node.ip", "https://my.node.ip"),
            ("http://[::1]", "http://[::1]"),
            ("https://[::1]:8501", "https://[::1]:8501"),
            ("http://proxy/consul", "http://proxy/consul"),
        ];
        for (text, want) in cases {
            assert_eq!(Address::parse(text).unwrap(), http(want), "{text:?}");
        }
        assert_eq!(
            Config::new("my.node.ip").unwrap().address,
            http("http://my.node.ip:8500")
        );
        // With TLS on (CONSUL_HTTP_SSL), a bare host means Consul's HTTPS port.
        let tls = [
            ("my.node.ip", "https://my.node.ip:8501"),
            ("[::1]", "https://[::1]:8501"),
            ("my.node.ip:9000", "https://my.node.ip:9000"),
            ("http://my.node.ip", "http://my.node.ip"),
            ("https://my.node.ip", "https://my.node.ip"),
        ];
        for (text, want) in tls {
            assert_eq!(
                Address::parse_with_tls(text, true).unwrap(),
                http(want),
                "{text:?}"
            );
        }
        for bad in [
            "h:",
            "[::1]:",
            "h:port",
            "h:65536",
            "h:0",
            "::1",
            "http://h:/",
            "https://h:x",
        ] {
            match Address::parse(bad) {
                Err(Error::Config(msg)) => assert!(msg.contains("agent address"), "{bad:?}: {msg}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn env_bare_host_gets_consuls_port_and_8501_with_ssl() {
        let c = Config::from_lookup(lookup(&[("CONSUL_HTTP_ADDR", "my.node.ip")])).unwrap();
        assert_eq!(
            c.address,
            Address::Http {
                base: "http://my.node.ip:8500".into()
            }
        );
        let c = Config::from_lookup(lookup(&[
            ("CONSUL_HTTP_ADDR", "my.node.ip"),
            ("CONSUL_HTTP_SSL", "true"),
        ]))
        .unwrap();
        assert_eq!(
            c.address,
            Address::Http {
                base: "https://my.node.ip:8501".into()
            }
        );
        let c = Config::from_lookup(lookup(&[
            ("CONSUL_HTTP_ADDR", "[::1]:9000"),
            ("CONSUL_HTTP_SSL", "1"),
        ]))
        .unwrap();
        assert_eq!(
            c.address,
            Address::Http {
                base: "https://[::1]:9000".into()
            }
        );
    }

    const TRUE: [&str; 6] = ["1", "t", "T", "TRUE", "true", "True"];
    const FALSE: [&str; 6] = ["0", "f", "F", "FALSE", "false", "False"];
    const NOT_BOOLEAN: [&str; 16] = [
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "TRUE ",
        " true",
        "true\n",
        "tRUE",
        "tRue",
        "2",
        "-1",
        "01",
        "enabled",
        "\u{2009}1",
    ];

    #[test]
    fn booleans_accept_exactly_gos_parse_bool_spellings() {
        for v in TRUE {
            let c = Config::from_lookup(lookup(&[
                ("CONSUL_HTTP_ADDR", "h"),
                ("CONSUL_HTTP_SSL", v),
                ("CONSUL_HTTP_SSL_VERIFY", v),
            ]))
            .unwrap();
            assert!(c.address.is_https(), "{v:?}");
            assert!(!c.tls.insecure_skip_verify, "{v:?}");
        }
        for v in FALSE {
            let c = Config::from_lookup(lookup(&[
                ("CONSUL_HTTP_ADDR", "h"),
                ("CONSUL_HTTP_SSL", v),
                ("CONSUL_HTTP_SSL_VERIFY", v),
            ]))
            .unwrap();
            assert!(!c.address.is_https(), "{v:?}");
            assert!(c.tls.insecure_skip_verify, "{v:?}");
        }
        // An empty value counts as unset: TLS off, verification on.
        let c = Config::from_lookup(lookup(&[
            ("CONSUL_HTTP_ADDR", "h"),
            ("CONSUL_HTTP_SSL", ""),
            ("CONSUL_HTTP_SSL_VERIFY", ""),
        ]))
        .unwrap();
        assert!(!c.address.is_https());
        assert!(!c.tls.insecure_skip_verify);
    }

    #[test]
    fn booleans_refuse_every_other_spelling_naming_variable_and_value() {
        for var in ["CONSUL_HTTP_SSL", "CONSUL_HTTP_SSL_VERIFY"] {
            for v in NOT_BOOLEAN {
                // Without an address too: a misspelt boolean never passes silently.
                for vars in [
                    vec![(var, v)],
                    vec![("CONSUL_HTTP_ADDR", "h:8501"), (var, v)],
                ] {
                    match Config::from_lookup(lookup(&vars)) {
                        Err(Error::Config(msg)) => {
                            assert!(msg.contains(var), "{var}={v:?}: {msg}");
                            assert!(msg.contains(&format!("{v:?}")), "{var}={v:?}: {msg}");
                        }
                        other => panic!("{var}={v:?} was accepted: {other:?}"),
                    }
                }
            }
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
    fn env_tls_settings() {
        let c = Config::from_lookup(lookup(&[
            ("CONSUL_HTTP_ADDR", "127.0.0.1:8501"),
            ("CONSUL_HTTP_SSL", "true"),
            ("CONSUL_CACERT", "/tls/ca.pem"),
            ("CONSUL_CAPATH", "/tls/cas"),
            ("CONSUL_CLIENT_CERT", "/tls/c.pem"),
            ("CONSUL_CLIENT_KEY", "/tls/c-key.pem"),
            ("CONSUL_TLS_SERVER_NAME", "server.dc1.consul:8501"),
            ("CONSUL_HTTP_SSL_VERIFY", "false"),
        ]))
        .unwrap();
        assert!(c.address.is_https());
        assert_eq!(
            c.tls.ca_file.as_deref(),
            Some(std::path::Path::new("/tls/ca.pem"))
        );
        assert_eq!(
            c.tls.ca_path.as_deref(),
            Some(std::path::Path::new("/tls/cas"))
        );
        assert_eq!(
            c.tls.client_cert.as_deref(),
            Some(std::path::Path::new("/tls/c.pem"))
        );
        assert_eq!(
            c.tls.client_key.as_deref(),
            Some(std::path::Path::new("/tls/c-key.pem"))
        );
        assert_eq!(c.tls.server_name.as_deref(), Some("server.dc1.consul"));
        assert!(c.tls.insecure_skip_verify);
        let plain = Config::from_lookup(lookup(&[("CONSUL_HTTP_SSL_VERIFY", "true")])).unwrap();
        assert!(!plain.tls.insecure_skip_verify);
    }
}
