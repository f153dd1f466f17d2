use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

type BoxError = Box<dyn StdError + Send + Sync>;
/// The source, shared: a clone of an error is the same failure, with the same chain.
type SharedError = Arc<dyn StdError + Send + Sync>;

/// What kind of network failure a [`TransportError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, bad address, TLS session refused).
    /// The request was not sent.
    Connect,
    /// The request did not finish within its time limit. It may have been applied.
    Timeout,
    /// The connection failed after it was made (reset, closed mid-response). It may have been applied.
    Io,
    /// The response body was larger than the transport accepts (the hyper transport's
    /// `HyperTransportBuilder::max_response_body`). The request was applied; only its
    /// answer was refused.
    BodyTooLarge,
    /// Anything else (a malformed response, a transport-specific failure).
    Other,
}

/// A request could not be exchanged with the agent.
///
/// Opaque on purpose: the kind says what happened, the one-line `Display` says it with the
/// cause (`connect to 127.0.0.1:8500: connection refused`), and [`StdError::source`] keeps
/// the underlying error (hyper's, rustls', the operating system's) for reports.
///
/// Cloning is cheap and keeps everything, the source chain included (it is shared): one
/// failed exchange can be reported to every caller that was waiting for it, as the client
/// does for identical blocking reads it sent once.
#[derive(Clone)]
pub struct TransportError {
    kind: TransportErrorKind,
    target: Option<String>,
    time_limit: Option<Duration>,
    body_limit: Option<u64>,
    source: Option<SharedError>,
}

impl TransportError {
    fn new(kind: TransportErrorKind, source: Option<BoxError>) -> Self {
        TransportError {
            kind,
            target: None,
            time_limit: None,
            body_limit: None,
            source: source.map(SharedError::from),
        }
    }

    /// The connection could not be made.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Connect, Some(source.into()))
    }

    /// The time limit passed. Add the limit with [`TransportError::with_time_limit`] so the
    /// message can name it.
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Timeout, Some(source.into()))
    }

    /// The connection failed after it was made.
    pub fn io(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Io, Some(source.into()))
    }

    /// The response body exceeded `limit` bytes.
    ///
    /// ```
    /// use consul_transport::TransportError;
    /// let e = TransportError::body_too_large(1024);
    /// assert!(e.is_body_too_large());
    /// assert_eq!(e.to_string(), "response body exceeds the limit of 1024 bytes");
    /// ```
    pub fn body_too_large(limit: u64) -> Self {
        let mut e = Self::new(TransportErrorKind::BodyTooLarge, None);
        e.body_limit = Some(limit);
        e
    }

    /// Any other failure.
    pub fn other(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Other, Some(source.into()))
    }

    /// Names what the transport was talking to (`host:port`, or a Unix socket's path); the
    /// message then says it.
    ///
    /// ```
    /// use consul_transport::TransportError;
    /// let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
    /// let e = TransportError::connect(refused).with_target("127.0.0.1:8500");
    /// assert_eq!(e.to_string(), "connect to 127.0.0.1:8500: connection refused");
    /// assert_eq!(e.target(), Some("127.0.0.1:8500"));
    /// ```
    #[must_use]
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Records the time limit that passed (for a [`TransportErrorKind::Timeout`]); the
    /// message then names it.
    ///
    /// ```
    /// use consul_transport::TransportError;
    /// use std::time::Duration;
    /// let e = TransportError::timeout("deadline has elapsed")
    ///     .with_target("127.0.0.1:8500")
    ///     .with_time_limit(Duration::from_secs(10));
    /// assert_eq!(e.to_string(), "no response from 127.0.0.1:8500 within 10s");
    /// ```
    #[must_use]
    pub fn with_time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// What the transport was talking to (`host:port`, or a Unix socket's path), when known.
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// The time limit that passed, for a timeout whose limit is known.
    pub fn time_limit(&self) -> Option<Duration> {
        self.time_limit
    }

    /// The limit a too-large response body exceeded, in bytes.
    pub fn body_limit(&self) -> Option<u64> {
        self.body_limit
    }

    /// Whether no connection could be made (the request never left the process).
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// Whether the time limit passed.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// Whether the connection failed after it was made.
    pub fn is_io(&self) -> bool {
        self.kind == TransportErrorKind::Io
    }

    /// Whether the response body was larger than the transport accepts.
    pub fn is_body_too_large(&self) -> bool {
        self.kind == TransportErrorKind::BodyTooLarge
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TransportError");
        d.field("kind", &self.kind);
        if let Some(target) = &self.target {
            d.field("target", target);
        }
        if let Some(limit) = &self.time_limit {
            d.field("time_limit", limit);
        }
        if let Some(limit) = &self.body_limit {
            d.field("body_limit", limit);
        }
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cause = self
            .source
            .as_deref()
            .map(|s| cause_text(s as &(dyn StdError + 'static)))
            .filter(|c| !c.is_empty());
        let target = self.target.as_deref();
        match self.kind {
            TransportErrorKind::Connect => {
                match target {
                    Some(t) => write!(f, "connect to {t}")?,
                    None => f.write_str("could not connect")?,
                }
                match cause {
                    Some(c) => write!(f, ": {c}"),
                    None => f.write_str(" failed"),
                }
            }
            TransportErrorKind::Timeout => match (self.time_limit, cause) {
                (Some(limit), _) => {
                    f.write_str("no response")?;
                    if let Some(t) = target {
                        write!(f, " from {t}")?;
                    }
                    write!(f, " within {limit:?}")
                }
                (None, Some(c)) => f.write_str(&c),
                (None, None) => f.write_str("timed out"),
            },
            TransportErrorKind::Io => {
                f.write_str("connection")?;
                if let Some(t) = target {
                    write!(f, " to {t}")?;
                }
                f.write_str(" failed")?;
                match cause {
                    Some(c) => write!(f, ": {c}"),
                    None => Ok(()),
                }
            }
            TransportErrorKind::BodyTooLarge => match self.body_limit {
                Some(limit) => write!(f, "response body exceeds the limit of {limit} bytes"),
                None => f.write_str("response body exceeds the limit"),
            },
            TransportErrorKind::Other => match cause {
                Some(c) => f.write_str(&c),
                None => f.write_str("request to the consul agent failed"),
            },
        }
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// The distinct, informative messages of an error chain joined with `": "`.
///
/// hyper-util's pooled client prints only `client error (Connect)` and its connector
/// `tcp connect error`; the operating system's `Connection refused (os error 111)` further
/// down is what a reader needs, so wrapper texts are skipped and OS suffixes trimmed.
fn cause_text(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let message = message(e);
        let skip = message.is_empty()
            || is_wrapper_text(&message)
            || (!parts.is_empty() && message == "deadline has elapsed")
            || parts.iter().any(|p| p.contains(&message));
        if !skip {
            parts.push(message);
        }
        next = e.source();
    }
    if parts.is_empty() {
        // Only wrappers: better their text than nothing.
        return error.to_string();
    }
    parts.join(": ")
}

/// One error's own message, with an operating system's ` (os error N)` suffix dropped and
/// its capital lowered (`Connection refused (os error 111)` → `connection refused`).
fn message(e: &(dyn StdError + 'static)) -> String {
    let text = e.to_string();
    let text = text.trim();
    if let Some(at) = text.rfind(" (os error ") {
        if text.ends_with(')') {
            return lower_first(&text[..at]);
        }
    }
    text.to_owned()
}

/// Lowers the first letter unless the word is an acronym (`TLS`).
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => first
            .to_lowercase()
            .chain(s[first.len_utf8()..].chars())
            .collect(),
        _ => s.to_owned(),
    }
}

/// Texts of wrappers that say nothing their cause does not say better.
fn is_wrapper_text(message: &str) -> bool {
    // hyper-util legacy client: `client error (Connect)`, `client error (SendRequest)`, …
    (message.starts_with("client error (") && message.ends_with(')'))
        // hyper-util HttpConnector: the message names only the step.
        || message == "tcp connect error"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    /// An error with a fixed message and an optional source, like hyper-util's wrappers.
    #[derive(Debug)]
    struct Wrap(&'static str, Option<BoxError>);

    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn StdError + 'static))
        }
    }

    fn wrap(message: &'static str, source: impl Into<BoxError>) -> Wrap {
        Wrap(message, Some(source.into()))
    }

    #[test]
    fn keeps_kind_and_source() {
        let io = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        let e = TransportError::connect(io);
        assert!(e.is_connect() && !e.is_timeout() && !e.is_io() && !e.is_body_too_large());
        assert_eq!(e.to_string(), "could not connect: refused");
        assert_eq!(e.source().unwrap().to_string(), "refused");
        assert!(TransportError::timeout("slow").is_timeout());
        assert!(TransportError::io("reset").is_io());
        assert_eq!(TransportError::other("x").kind(), TransportErrorKind::Other);
        assert_eq!(
            TransportError::body_too_large(5).kind(),
            TransportErrorKind::BodyTooLarge
        );
    }

    #[test]
    fn a_connect_failure_names_the_target_and_the_root_cause() {
        // The chain hyper-util's pooled client gives for a refused TCP connection.
        let os = io::Error::from_raw_os_error(111); // ECONNREFUSED on Linux
        let chain = wrap("client error (Connect)", wrap("tcp connect error", os));
        let e = TransportError::connect(chain).with_target("127.0.0.1:8500");
        if cfg!(target_os = "linux") {
            assert_eq!(
                e.to_string(),
                "connect to 127.0.0.1:8500: connection refused"
            );
        }
        assert_eq!(e.target(), Some("127.0.0.1:8500"));
        // The chain stays whole for reports.
        assert_eq!(e.source().unwrap().to_string(), "client error (Connect)");
        assert_eq!(
            e.source().unwrap().source().unwrap().to_string(),
            "tcp connect error"
        );
    }

    #[test]
    fn a_unix_socket_failure_names_the_path() {
        let os = io::Error::from_raw_os_error(2); // ENOENT
        let e = TransportError::connect(wrap("client error (Connect)", os))
            .with_target("/run/consul/http.sock");
        if cfg!(target_os = "linux") {
            assert_eq!(
                e.to_string(),
                "connect to /run/consul/http.sock: no such file or directory"
            );
        }
    }

    #[test]
    fn timeouts_name_their_limit() {
        let e = TransportError::timeout("deadline has elapsed")
            .with_target("10.0.0.1:8500")
            .with_time_limit(Duration::from_secs(10));
        assert_eq!(e.to_string(), "no response from 10.0.0.1:8500 within 10s");
        assert_eq!(e.time_limit(), Some(Duration::from_secs(10)));
        let e = TransportError::timeout("x").with_time_limit(Duration::from_millis(250));
        assert_eq!(e.to_string(), "no response within 250ms");
        // Without a known limit the cause speaks.
        assert_eq!(
            TransportError::timeout("session renewal timed out").to_string(),
            "session renewal timed out"
        );
    }

    #[test]
    fn io_and_other_carry_their_cause() {
        let e = TransportError::io(wrap(
            "client error (SendRequest)",
            wrap("connection closed before message completed", ""),
        ))
        .with_target("127.0.0.1:8500");
        assert_eq!(
            e.to_string(),
            "connection to 127.0.0.1:8500 failed: connection closed before message completed"
        );
        assert_eq!(
            TransportError::io("connection reset").to_string(),
            "connection failed: connection reset"
        );
        assert_eq!(
            TransportError::other("invalid TLS server name").to_string(),
            "invalid TLS server name"
        );
    }

    #[test]
    fn a_too_large_body_names_the_limit() {
        let e = TransportError::body_too_large(64 << 20);
        assert!(e.is_body_too_large());
        assert_eq!(e.body_limit(), Some(64 << 20));
        assert_eq!(
            e.to_string(),
            "response body exceeds the limit of 67108864 bytes"
        );
    }

    #[test]
    fn the_chain_is_joined_without_repeats_or_wrappers() {
        // A wrapper that prints its cause, then the cause itself: said once.
        let inner = io::Error::other("received fatal alert: BadCertificate");
        let e = TransportError::io(wrap(
            "operation was canceled",
            wrap("received fatal alert: BadCertificate", inner),
        ));
        assert_eq!(
            e.to_string(),
            "connection failed: operation was canceled: received fatal alert: BadCertificate"
        );
        // Nothing but wrappers: their text is still better than nothing.
        let e = TransportError::connect(Wrap("client error (Connect)", None));
        assert_eq!(e.to_string(), "could not connect: client error (Connect)");
        // A timed-out connect names the limit; tokio's text after it adds nothing.
        let timed_out = io::Error::new(io::ErrorKind::TimedOut, "deadline has elapsed");
        let e = TransportError::connect(wrap("no connection within 5s", timed_out))
            .with_target("10.0.0.1:8500");
        assert_eq!(
            e.to_string(),
            "connect to 10.0.0.1:8500: no connection within 5s"
        );
    }

    #[test]
    fn os_suffixes_are_trimmed_but_acronyms_kept() {
        assert_eq!(lower_first("Connection refused"), "connection refused");
        assert_eq!(lower_first("TLS failed"), "TLS failed");
        assert_eq!(lower_first(""), "");
        let e = io::Error::from_raw_os_error(111);
        let m = message(&e);
        assert!(!m.contains("os error"), "{m}");
    }
}
