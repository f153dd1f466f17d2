use crate::config::{Address, BasicAuth, Config};
use crate::failover::Agents;
use crate::{Error, Result, RetryPolicy};
use base64::Engine as _;
use consul_transport::{SharedTransport, Transport};
use consul_types::{Consistency, Token};
use http::HeaderValue;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Extra time a blocking read may take beyond Consul's own budget before the client gives up.
const DEFAULT_BLOCKING_MARGIN: Duration = Duration::from_secs(10);

/// How long a streamed body may go without a byte when no request timeout is configured
/// (the default transport's request timeout).
const DEFAULT_IDLE_LIMIT: Duration = Duration::from_secs(60);

/// A Consul client: configuration plus a shared transport.
///
/// Cloning is cheap (one `Arc`), and every endpoint family is reached through a handle
/// made from it: [`Client::kv`], …
///
/// ```no_run
/// # async fn demo() -> consul_api::Result<()> {
/// use consul_api::Client;
/// use consul_types::Consistency;
///
/// let client = Client::builder()
///     .address("127.0.0.1:8500")
///     .token("my-token")
///     .consistency(Consistency::Stale)
///     .build()?;
/// let value = client.kv().get("config/replicas").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// The datacenter of this handle, set by [`Client::dc`].
    pub(crate) datacenter: Option<Arc<str>>,
}

pub(crate) struct Inner {
    pub(crate) transport: SharedTransport,
    /// The agents' addresses and which one requests go to.
    pub(crate) agents: Agents,
    /// The policy of requests that set none.
    pub(crate) retry: RetryPolicy,
    pub(crate) token: Option<HeaderValue>,
    pub(crate) authorization: Option<HeaderValue>,
    pub(crate) consistency: Consistency,
    pub(crate) namespace: Option<String>,
    pub(crate) partition: Option<String>,
    pub(crate) blocking_margin: Duration,
    /// The longest a streamed body (a snapshot) may go without a byte: the request timeout.
    pub(crate) idle_limit: Duration,
    /// The wait of blocking reads that set none.
    pub(crate) wait_time: Option<Duration>,
    /// Whether identical blocking reads in flight are sent once.
    pub(crate) coalesce: bool,
    /// The blocking reads in flight, for sharing.
    pub(crate) flights: crate::exec::Flights,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("addresses", &self.inner.agents.addresses())
            .field("datacenter", &self.datacenter)
            .field("consistency", &self.inner.consistency)
            .field("token", &self.inner.token.as_ref().map(|_| "<redacted>"))
            .field("transport", &self.inner.transport)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client over the default transport ([`consul_transport::HyperTransport`]).
    ///
    /// # Errors
    /// [`Error::Config`] for a token that cannot be sent as a header, a zero
    /// `connect_timeout` or `request_timeout`, an `https://` address without the `tls`
    /// feature, or TLS files that cannot be read.
    #[cfg(feature = "hyper")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
    pub fn new(config: Config) -> Result<Self> {
        check_timeouts(&config)?;
        let transport = default_transport(&config)?;
        Client::with_transport(config, transport)
    }

    /// A client configured from the environment ([`Config::from_env`]) over the default
    /// transport.
    ///
    /// # Errors
    /// As [`Config::from_env`] and [`Client::new`].
    #[cfg(feature = "hyper")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
    pub fn from_env() -> Result<Self> {
        Client::new(Config::from_env()?)
    }

    /// A client over any transport.
    ///
    /// TLS settings ([`Config::tls`]) given for an `http://` or `unix://` address are
    /// not used; the client logs a warning (`tracing`) naming them, never their values.
    ///
    /// # Errors
    /// [`Error::Config`] for a token that cannot be sent as a header, or a zero
    /// `connect_timeout` or `request_timeout`.
    pub fn with_transport(config: Config, transport: impl Transport + 'static) -> Result<Self> {
        check_timeouts(&config)?;
        check_fallbacks(&config)?;
        warn_unused_tls(&config);
        let token = config
            .token
            .as_ref()
            .filter(|t| !t.is_empty())
            .map(token_header)
            .transpose()?;
        let authorization = config
            .basic_auth
            .as_ref()
            .map(basic_auth_header)
            .transpose()?;
        let mut addresses = vec![config.address];
        addresses.extend(config.fallback_addresses);
        Ok(Client {
            inner: Arc::new(Inner {
                transport: SharedTransport::new(transport),
                agents: Agents::new(addresses, config.failback_after),
                retry: config.retry,
                token,
                authorization,
                consistency: config.consistency,
                namespace: config.namespace,
                partition: config.partition,
                blocking_margin: config
                    .request_timeout
                    .map_or(DEFAULT_BLOCKING_MARGIN, |t| t.min(DEFAULT_BLOCKING_MARGIN)),
                idle_limit: config.request_timeout.unwrap_or(DEFAULT_IDLE_LIMIT),
                wait_time: config.wait_time,
                coalesce: config.coalesce_blocking_reads,
                flights: crate::exec::Flights::default(),
            }),
            datacenter: config.datacenter.map(Arc::from),
        })
    }

    /// Settings for a client, one call each.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A handle whose requests go to datacenter `name` unless an option names another
    /// (aioconsul's `client.catalog.dc("dc2")`). Cheap: shares the transport.
    #[must_use]
    pub fn dc(&self, name: &str) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            datacenter: Some(Arc::from(name)),
        }
    }

    /// The datacenter this handle is scoped to, if any.
    pub fn datacenter(&self) -> Option<&str> {
        self.datacenter.as_deref()
    }

    /// The agent's address (the preferred one, when the client has fallbacks).
    pub fn address(&self) -> &Address {
        self.inner.agents.preferred()
    }

    /// Every address the client sends to: the preferred one, then the fallbacks
    /// ([`Config::fallback_addresses`]).
    pub fn addresses(&self) -> &[Address] {
        self.inner.agents.addresses()
    }

    /// The address requests go to now: the preferred one, or the fallback the client moved
    /// to when it could not be reached.
    ///
    /// ```no_run
    /// # fn demo() -> consul_api::Result<()> {
    /// let client = consul_api::Client::builder()
    ///     .address("127.0.0.1:8500")
    ///     .fallback_address("10.0.0.7:8500")
    ///     .build()?;
    /// println!("talking to {}", client.active_address());
    /// # Ok(()) }
    /// ```
    pub fn active_address(&self) -> &Address {
        let agents = &self.inner.agents;
        agents.address(agents.current())
    }

    /// The retry policy of requests that set none.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The consistency mode of reads that do not choose one.
    pub fn consistency(&self) -> Consistency {
        self.inner.consistency
    }

    /// The transport requests go through.
    pub fn transport(&self) -> &SharedTransport {
        &self.inner.transport
    }
}

/// Refuses time limits of zero: every request would fail at once (or, for a transport
/// that reads zero as "no limit", never).
fn check_timeouts(config: &Config) -> Result<()> {
    for (name, value) in [
        ("connect_timeout", config.connect_timeout),
        ("request_timeout", config.request_timeout),
    ] {
        if value == Some(Duration::ZERO) {
            return Err(Error::Config(format!("{name} must be greater than zero")));
        }
    }
    if let Some(wait) = config
        .wait_time
        .filter(|w| *w > consul_types::MAX_WAIT_TIME)
    {
        return Err(Error::Config(format!(
            "wait_time {wait:?} is longer than Consul's limit of 10 minutes"
        )));
    }
    Ok(())
}

/// Refuses fallback addresses that cannot share the client's transport and settings: a
/// Unix socket (the transport is bound to it), or a scheme other than the preferred
/// address's (the TLS settings are the transport's).
fn check_fallbacks(config: &Config) -> Result<()> {
    if config.failback_after.is_zero() {
        return Err(Error::Config(
            "failback_after must be greater than zero".into(),
        ));
    }
    if config.fallback_addresses.is_empty() {
        return Ok(());
    }
    if matches!(config.address, Address::Unix(_)) {
        return Err(Error::Config(
            "a unix:// agent address cannot have fallback addresses".into(),
        ));
    }
    let https = config.address.is_https();
    for fallback in &config.fallback_addresses {
        if matches!(fallback, Address::Unix(_)) || fallback.is_https() != https {
            return Err(Error::Config(format!(
                "fallback address {fallback} must use the scheme of {} (one transport and \
                 one TLS configuration serve every address)",
                config.address
            )));
        }
    }
    Ok(())
}

/// Warns when TLS settings are given for an address that does not use TLS: they are
/// ignored, which is rarely what was meant (`CONSUL_CACERT` with an `http://` address).
/// Logs the names of the settings only, never their values.
fn warn_unused_tls(config: &Config) {
    if config.address.is_https() {
        return;
    }
    let tls = &config.tls;
    let given: Vec<&str> = [
        ("ca_file", tls.ca_file.is_some()),
        ("ca_path", tls.ca_path.is_some()),
        ("client_cert", tls.client_cert.is_some()),
        ("client_key", tls.client_key.is_some()),
        ("server_name", tls.server_name.is_some()),
        ("insecure_skip_verify", tls.insecure_skip_verify),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    if given.is_empty() {
        return;
    }
    let scheme = match config.address {
        Address::Unix(_) => "unix",
        _ => "http",
    };
    tracing::warn!(
        settings = %given.join(", "),
        scheme,
        "TLS settings are ignored: the agent address does not use https://"
    );
}

#[cfg(feature = "hyper")]
fn default_transport(config: &Config) -> Result<consul_transport::HyperTransport> {
    let mut builder = consul_transport::HyperTransport::builder();
    if config.address.is_https() {
        #[cfg(feature = "tls")]
        {
            builder = builder
                .tls(&config.tls)
                .map_err(|e| Error::Config(format!("TLS settings: {}", source_text(&e))))?;
        }
        #[cfg(not(feature = "tls"))]
        return Err(Error::Config(
            "https:// addresses need the `tls` feature".into(),
        ));
    }
    if let Some(t) = config.connect_timeout {
        builder = builder.connect_timeout(t);
    }
    if let Some(t) = config.request_timeout {
        builder = builder.request_timeout(t);
    }
    if let Some(max) = config.max_connections {
        builder = builder.max_connections(max);
    }
    #[cfg(feature = "tls")]
    if let Some(max) = config.max_streams_per_connection {
        builder = builder.max_streams_per_connection(max);
    }
    if let Address::Unix(path) = &config.address {
        builder = builder.unix_socket(path);
    }
    Ok(builder.build())
}

/// A transport error with its cause, for a configuration message.
#[cfg(feature = "tls")]
fn source_text(e: &consul_transport::TransportError) -> String {
    match std::error::Error::source(e) {
        Some(source) => source.to_string(),
        None => e.to_string(),
    }
}

pub(crate) fn token_header(token: &Token) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(token.secret()).map_err(|_| {
        Error::Config("the ACL token contains characters not allowed in a header".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

fn basic_auth_header(auth: &BasicAuth) -> Result<HeaderValue> {
    let pair = format!(
        "{}:{}",
        auth.username,
        auth.password.as_ref().map_or("", |p| p.secret())
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
        .map_err(|_| Error::Config("basic auth cannot be sent as a header".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Settings for a [`Client`]; see [`Client::builder`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    config: Config,
    address_error: Option<Error>,
    transport: Option<SharedTransport>,
}

impl ClientBuilder {
    /// Starts from a full configuration (for example [`Config::from_env`]).
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The agent's address (see [`Address::parse`]); an invalid one fails [`Self::build`].
    #[must_use]
    pub fn address(mut self, address: &str) -> Self {
        match Address::parse(address) {
            Ok(a) => self.config.address = a,
            Err(e) => self.address_error = Some(e),
        }
        self
    }

    /// The ACL token sent with every request.
    #[must_use]
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.config.token = Some(token.into());
        self
    }

    /// HTTP basic authentication, for agents behind a proxy.
    #[must_use]
    pub fn basic_auth(mut self, username: impl Into<String>, password: Option<Token>) -> Self {
        self.config.basic_auth = Some(BasicAuth {
            username: username.into(),
            password,
        });
        self
    }

    /// The consistency mode of reads that do not choose one.
    #[must_use]
    pub fn consistency(mut self, consistency: Consistency) -> Self {
        self.config.consistency = consistency;
        self
    }

    /// The datacenter of requests that do not choose one.
    #[must_use]
    pub fn datacenter(mut self, datacenter: impl Into<String>) -> Self {
        self.config.datacenter = Some(datacenter.into());
        self
    }

    /// The namespace of requests that do not choose one (Consul Enterprise).
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.config.namespace = Some(namespace.into());
        self
    }

    /// The admin partition of requests that do not choose one (Consul Enterprise).
    #[must_use]
    pub fn partition(mut self, partition: impl Into<String>) -> Self {
        self.config.partition = Some(partition.into());
        self
    }

    /// Limit for connecting (default transport only); zero fails [`Self::build`].
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = Some(timeout);
        self
    }

    /// Limit for a non-blocking request (default transport only); zero fails
    /// [`Self::build`].
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = Some(timeout);
        self
    }

    /// How long a blocking read waits when it does not say (Go's `Config.WaitTime`; at most
    /// 10 minutes, checked when a read is made).
    #[must_use]
    pub fn wait_time(mut self, wait: Duration) -> Self {
        self.config.wait_time = Some(wait);
        self
    }

    /// The most connections the default transport opens to the agent (default 128, below
    /// Consul's `limits.http_max_conns_per_client` of 200). Over plain HTTP (HTTP/1.1) it
    /// is also the number of requests in flight: the others wait their turn, in order, and
    /// a watch holds a connection for its whole wait, so more watches than this over HTTP
    /// delay the extra ones. Prefer HTTPS for many watches: one HTTP/2 connection carries
    /// 250 of them. See [`HyperTransportBuilder::max_connections`].
    ///
    /// [`HyperTransportBuilder::max_connections`]: consul_transport::HyperTransportBuilder::max_connections
    #[must_use]
    pub fn max_connections(mut self, max: usize) -> Self {
        self.config.max_connections = Some(max);
        self
    }

    /// The most requests the default transport sends at once on one HTTP/2 connection
    /// (HTTPS; default 250, what Consul's HTTP/2 server allows); beyond it, another
    /// connection is opened. See [`Config::max_streams_per_connection`].
    #[must_use]
    pub fn max_streams_per_connection(mut self, max: usize) -> Self {
        self.config.max_streams_per_connection = Some(max);
        self
    }

    /// Whether identical blocking reads in flight at the same time (many watches of the
    /// same thing) are sent once and share the answer (default `true`). See
    /// [`Config::coalesce_blocking_reads`].
    #[must_use]
    pub fn coalesce_blocking_reads(mut self, coalesce: bool) -> Self {
        self.config.coalesce_blocking_reads = coalesce;
        self
    }

    /// Another agent to send requests to when the preferred one cannot be reached, after
    /// those given before (see [`Config::fallback_addresses`] for the rule); an invalid
    /// address fails [`Self::build`].
    #[must_use]
    pub fn fallback_address(mut self, address: &str) -> Self {
        match Address::parse(address) {
            Ok(a) => self.config.fallback_addresses.push(a),
            Err(e) => self.address_error = Some(e),
        }
        self
    }

    /// The preferred agent's address then its fallbacks, in order: the first becomes
    /// [`address`](Self::address), the others replace the fallback addresses. An empty
    /// list or an invalid address fails [`Self::build`].
    ///
    /// ```no_run
    /// # fn demo() -> consul_api::Result<()> {
    /// let client = consul_api::Client::builder()
    ///     .addresses(["127.0.0.1:8500", "10.0.0.7:8500", "10.0.0.8:8500"])
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn addresses<'a>(mut self, addresses: impl IntoIterator<Item = &'a str>) -> Self {
        let mut parsed = Vec::new();
        for address in addresses {
            match Address::parse(address) {
                Ok(a) => parsed.push(a),
                Err(e) => {
                    self.address_error = Some(e);
                    return self;
                }
            }
        }
        if parsed.is_empty() {
            self.address_error = Some(Error::Config("no agent address given".into()));
            return self;
        }
        self.config.address = parsed.remove(0);
        self.config.fallback_addresses = parsed;
        self
    }

    /// How long the client stays on a fallback address before trying the preferred one
    /// again (default 30 s; zero fails [`Self::build`]).
    #[must_use]
    pub fn failback_after(mut self, cool_down: Duration) -> Self {
        self.config.failback_after = cool_down;
        self
    }

    /// When and how often a failed request is sent again (default
    /// [`RetryPolicy::default`]); see [`RetryPolicy`].
    ///
    /// ```no_run
    /// # fn demo() -> consul_api::Result<()> {
    /// use consul_api::RetryPolicy;
    /// let client = consul_api::Client::builder().retry(RetryPolicy::none()).build()?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// Sends requests through this transport instead of the default one.
    #[must_use]
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(SharedTransport::new(transport));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid address or token, a zero time limit, or when no
    /// transport was given and the `hyper` feature is off.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.address_error {
            return Err(e);
        }
        match self.transport {
            Some(t) => Client::with_transport(self.config, t),
            #[cfg(feature = "hyper")]
            None => Client::new(self.config),
            #[cfg(not(feature = "hyper"))]
            None => Err(Error::Config(
                "no transport: enable the `hyper` feature or pass one with `transport()`".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_transport::mock::MockTransport;
    use std::io::Write;
    use std::sync::Mutex;

    fn config_error(result: Result<Client>) -> String {
        match result {
            Err(Error::Config(msg)) => msg,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn zero_time_limits_are_refused_naming_the_setting() {
        for name in ["connect_timeout", "request_timeout"] {
            let zero = |b: ClientBuilder| match name {
                "connect_timeout" => b.connect_timeout(Duration::ZERO),
                _ => b.request_timeout(Duration::ZERO),
            };
            let mut config = Config::default();
            match name {
                "connect_timeout" => config.connect_timeout = Some(Duration::ZERO),
                _ => config.request_timeout = Some(Duration::ZERO),
            }

            let mock = MockTransport::new();
            let msg = config_error(zero(Client::builder()).transport(mock.clone()).build());
            assert!(msg.contains(name), "{msg}");
            let msg = config_error(Client::with_transport(config.clone(), mock.clone()));
            assert!(msg.contains(name), "{msg}");
            assert_eq!(mock.count(), 0);
            #[cfg(feature = "hyper")]
            {
                let msg = config_error(zero(Client::builder()).build());
                assert!(msg.contains(name), "{msg}");
                let msg = config_error(Client::new(config));
                assert!(msg.contains(name), "{msg}");
            }
        }
        // The smallest non-zero limits are accepted.
        let tiny = Duration::from_nanos(1);
        Client::builder()
            .connect_timeout(tiny)
            .request_timeout(tiny)
            .transport(MockTransport::new())
            .build()
            .unwrap();
        #[cfg(feature = "hyper")]
        Client::builder()
            .connect_timeout(tiny)
            .request_timeout(tiny)
            .build()
            .unwrap();
    }

    #[test]
    fn a_bare_host_means_consuls_port() {
        let client = Client::builder()
            .address("my.node.ip")
            .transport(MockTransport::new())
            .build()
            .unwrap();
        assert_eq!(client.address().to_string(), "http://my.node.ip:8500");
        let client = Client::builder()
            .address("http://my.node.ip")
            .transport(MockTransport::new())
            .build()
            .unwrap();
        assert_eq!(client.address().to_string(), "http://my.node.ip");
    }

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What constructing a client with `config` logs.
    fn logged_by(config: Config) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            Client::with_transport(config, MockTransport::new()).unwrap();
        });
        let logged = buffer.0.lock().unwrap().clone();
        String::from_utf8(logged).unwrap()
    }

    #[test]
    fn tls_settings_for_a_plain_address_are_warned_about_without_their_values() {
        let mut config = Config::new("http://127.0.0.1:8500").unwrap();
        config.tls = consul_transport::TlsConfig::default()
            .ca_file("/secret/dir/ca.pem")
            .client_cert("/secret/dir/cert.pem", "/secret/dir/key.pem")
            .server_name("hidden.server.name")
            .insecure_skip_verify(true);
        let logged = logged_by(config);
        assert!(logged.contains("WARN"), "{logged}");
        assert!(logged.contains("TLS settings are ignored"), "{logged}");
        for name in [
            "ca_file",
            "client_cert",
            "client_key",
            "server_name",
            "insecure_skip_verify",
        ] {
            assert!(logged.contains(name), "{name}: {logged}");
        }
        assert!(!logged.contains("ca_path"), "{logged}");
        assert!(
            !logged.contains("/secret/") && !logged.contains("hidden.server.name"),
            "{logged}"
        );

        // A unix socket does not use TLS either.
        let mut config = Config::new("unix:///tmp/consul.sock").unwrap();
        config.tls.ca_path = Some("/secret/cas".into());
        let logged = logged_by(config);
        assert!(
            logged.contains("TLS settings are ignored") && logged.contains("ca_path"),
            "{logged}"
        );
        assert!(logged.contains("unix"), "{logged}");

        // The environment path: CONSUL_CACERT with a plain CONSUL_HTTP_ADDR.
        let vars = [
            ("CONSUL_HTTP_ADDR", "127.0.0.1:8500"),
            ("CONSUL_CACERT", "/secret/env-ca.pem"),
        ];
        let config = Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap();
        let logged = logged_by(config);
        assert!(logged.contains("ca_file"), "{logged}");
        assert!(!logged.contains("env-ca.pem"), "{logged}");
    }

    #[test]
    fn no_warning_for_https_or_without_tls_settings() {
        let mut https = Config::new("https://127.0.0.1:8501").unwrap();
        https.tls.ca_file = Some("/tls/ca.pem".into());
        https.tls.insecure_skip_verify = true;
        assert_eq!(logged_by(https), "");
        assert_eq!(logged_by(Config::new("127.0.0.1:8500").unwrap()), "");
    }
}
