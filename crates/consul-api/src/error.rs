use consul_transport::TransportError;
use consul_types::codec::CodecError;
use consul_types::{MetaError, ValidationError};
use http::StatusCode;

/// `Result` with [`Error`] as its default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong with a call.
///
/// The variants say how far the request got: [`Error::Validation`] and
/// [`Error::Config`] were never sent; [`Error::Transport`] may or may not have reached
/// Consul; [`Error::NotFound`], [`Error::PermissionDenied`] and [`Error::Status`] are
/// Consul's own refusals; [`Error::Decode`] and [`Error::Meta`] mean Consul answered
/// but the answer could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input rejected before sending.
    #[error("invalid input")]
    Validation(#[from] ValidationError),
    /// The client's configuration is unusable (bad address, unreadable token file).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// The request could not be exchanged with the agent.
    #[error("transport failure")]
    Transport(#[from] TransportError),
    /// Consul answered 404 where "not found" is an error (an unknown check or service id,
    /// an unknown session to renew).
    #[error("not found: {message}")]
    NotFound {
        /// Consul's message (may be empty).
        message: String,
    },
    /// The agent does not serve this endpoint (a 404 with an empty body outside the KV
    /// store: the endpoint is newer than the agent, or Enterprise-only).
    #[error("the consul agent (version {}) does not serve /v1/{path}", agent_version.as_deref().unwrap_or("unknown"))]
    Unsupported {
        /// The path after `/v1/`.
        path: String,
        /// The agent's version from `/v1/agent/self`, when it could be read.
        agent_version: Option<String>,
    },
    /// Consul answered 403: the token lacks the permission, or is unknown (`ACL not found`).
    #[error("permission denied: {message}")]
    PermissionDenied {
        /// Consul's message.
        message: String,
    },
    /// Consul answered with another failure status.
    #[error("consul answered {code}: {body}")]
    Status {
        /// The HTTP status.
        code: StatusCode,
        /// Consul's message (text/plain, trimmed).
        body: String,
    },
    /// The response body could not be decoded.
    #[error("failed to decode response body")]
    Decode(#[source] BoxError),
    /// A response header could not be understood.
    #[error("failed to read response metadata")]
    Meta(#[from] MetaError),
    /// A value could not be encoded or decoded by a [`Codec`](consul_types::codec::Codec).
    #[error("failed to convert a value")]
    Codec(#[from] CodecError),
}

impl Error {
    pub(crate) fn decode(source: impl Into<BoxError>) -> Self {
        Error::Decode(source.into())
    }

    /// Maps a failure status and its body to the matching variant.
    pub(crate) fn from_status(code: StatusCode, body: &[u8]) -> Self {
        let message = String::from_utf8_lossy(body).trim().to_owned();
        match code {
            StatusCode::NOT_FOUND => Error::NotFound { message },
            StatusCode::FORBIDDEN => Error::PermissionDenied { message },
            code => Error::Status {
                code,
                body: message,
            },
        }
    }

    /// The HTTP status Consul answered with, if it answered with a failure.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::NotFound { .. } | Error::Unsupported { .. } => Some(StatusCode::NOT_FOUND),
            Error::PermissionDenied { .. } => Some(StatusCode::FORBIDDEN),
            Error::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether Consul said the thing does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether the agent does not serve the endpoint at all.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Error::Unsupported { .. })
    }

    /// Whether Consul refused for lack of permission.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self, Error::PermissionDenied { .. })
    }

    /// Whether the request was rejected before it was sent.
    pub fn is_validation(&self) -> bool {
        matches!(self, Error::Validation(_) | Error::Config(_))
    }

    /// Whether retrying the same request may succeed: a network failure, or a server-side
    /// failure such as `No cluster leader` (500), rate limiting (429) or unavailability (503).
    /// This replaces Go's `IsRetryableError`, which matches on error text.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Status { code, .. } => matches!(
                *code,
                StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            _ => false,
        }
    }

    /// The validation error, if the request was rejected before sending.
    pub fn as_validation(&self) -> Option<&ValidationError> {
        match self {
            Error::Validation(v) => Some(v),
            _ => None,
        }
    }

    /// The transport error, if the request could not be exchanged.
    pub fn as_transport(&self) -> Option<&TransportError> {
        match self {
            Error::Transport(t) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_variants() {
        assert!(Error::from_status(StatusCode::NOT_FOUND, b"").is_not_found());
        let e = Error::from_status(StatusCode::FORBIDDEN, b"Permission denied\n");
        assert!(e.is_permission_denied());
        assert_eq!(e.to_string(), "permission denied: Permission denied");
        let e = Error::from_status(StatusCode::INTERNAL_SERVER_ERROR, b"No path to datacenter");
        assert_eq!(e.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(e.is_retryable());
        assert_eq!(
            e.to_string(),
            "consul answered 500 Internal Server Error: No path to datacenter"
        );
        assert!(!Error::from_status(StatusCode::BAD_REQUEST, b"Invalid wait time").is_retryable());
    }
}
