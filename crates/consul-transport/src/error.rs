use std::error::Error as StdError;
use std::fmt;

type BoxError = Box<dyn StdError + Send + Sync>;

/// What kind of network failure a [`TransportError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, bad address). The request was not sent.
    Connect,
    /// The request did not finish within its time limit. It may have been applied.
    Timeout,
    /// The connection failed after it was made (reset, closed mid-response). It may have been applied.
    Io,
    /// Anything else (a malformed response, a transport-specific failure).
    Other,
}

/// A request could not be exchanged with the agent.
///
/// Opaque on purpose: the kind says what happened and [`StdError::source`] keeps the
/// underlying error (hyper's, the operating system's) for reports.
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<BoxError>,
}

impl TransportError {
    fn new(kind: TransportErrorKind, source: Option<BoxError>) -> Self {
        TransportError { kind, source }
    }

    /// The connection could not be made.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Connect, Some(source.into()))
    }

    /// The time limit passed.
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Timeout, Some(source.into()))
    }

    /// The connection failed after it was made.
    pub fn io(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Io, Some(source.into()))
    }

    /// Any other failure.
    pub fn other(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Other, Some(source.into()))
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
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
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TransportError");
        d.field("kind", &self.kind);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TransportErrorKind::Connect => "could not connect to the consul agent",
            TransportErrorKind::Timeout => "request to the consul agent timed out",
            TransportErrorKind::Io => "connection to the consul agent failed",
            TransportErrorKind::Other => "request to the consul agent failed",
        })
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_kind_and_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = TransportError::connect(io);
        assert!(e.is_connect() && !e.is_timeout() && !e.is_io());
        assert_eq!(e.to_string(), "could not connect to the consul agent");
        assert_eq!(e.source().unwrap().to_string(), "refused");
        assert!(TransportError::timeout("slow").is_timeout());
        assert!(TransportError::io("reset").is_io());
        assert_eq!(TransportError::other("x").kind(), TransportErrorKind::Other);
    }
}
