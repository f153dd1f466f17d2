use consul_transport::TransportError;
use consul_types::codec::CodecError;
use consul_types::{MetaError, ValidationError};
use http::{HeaderMap, StatusCode};
use std::time::Duration;

/// `Result` with [`Error`] as its default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How much of a failure's body an error keeps: Consul's messages are one line, and an
/// error page of megabytes must not become a message of megabytes.
pub(crate) const MAX_ERROR_BODY: usize = 4096;

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
    #[error("invalid input: {0}")]
    Validation(#[from] ValidationError),
    /// The client's configuration is unusable (bad address, unreadable token file).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// The request could not be exchanged with the agent.
    #[error("transport failure: {0}")]
    Transport(#[from] TransportError),
    /// Consul answered 404 where "not found" is an error (an unknown check or service id,
    /// an unknown session to renew).
    #[error("not found: {message}")]
    NotFound {
        /// Consul's message (may be empty).
        message: String,
    },
    /// The agent does not serve this endpoint (a 404 with an empty body outside the KV
    /// store: the endpoint is newer than the agent, or Enterprise-only), or does not know
    /// what was asked for although it serves the route (a config entry kind newer than the
    /// agent, which Consul 1.8 refuses with `400`/`500 invalid config entry kind`).
    #[error("the consul agent (version {}) does not serve /v1/{path}", agent_version.as_deref().unwrap_or("unknown"))]
    Unsupported {
        /// The path after `/v1/`.
        path: String,
        /// The agent's version from `/v1/agent/self`, when it could be read.
        agent_version: Option<String>,
    },
    /// The agent serves the endpoint, but what it needs is switched off in the agent's
    /// configuration: Prometheus metrics without `telemetry.prometheus_retention_time`
    /// (Consul answers 415).
    #[error("not enabled on the consul agent: {message}")]
    #[non_exhaustive]
    NotEnabled {
        /// The HTTP status.
        code: StatusCode,
        /// Consul's message.
        message: String,
    },
    /// Consul answered 403: the token lacks the permission, or is unknown (`ACL not found`).
    #[error("permission denied: {message}")]
    PermissionDenied {
        /// Consul's message.
        message: String,
    },
    /// Consul answered with another failure status.
    #[error("consul answered {code}: {body}")]
    #[non_exhaustive]
    Status {
        /// The HTTP status.
        code: StatusCode,
        /// Consul's message (text/plain, trimmed); a body over 4 KiB is cut there and ends
        /// with `… (N bytes)`.
        body: String,
        /// How long the server asked to wait before trying again (`Retry-After` in seconds,
        /// sent with `429 Too Many Requests` and `503 Service Unavailable`).
        retry_after: Option<Duration>,
    },
    /// The response body could not be decoded.
    #[error("failed to decode response body: {0}")]
    Decode(#[source] BoxError),
    /// A response header could not be understood.
    #[error("failed to read response metadata: {0}")]
    Meta(#[from] MetaError),
    /// A value could not be encoded or decoded by a [`Codec`](consul_types::codec::Codec).
    #[error("failed to convert a value: {0}")]
    Codec(#[from] CodecError),
}

impl Error {
    pub(crate) fn decode(source: impl Into<BoxError>) -> Self {
        Error::Decode(source.into())
    }

    /// Maps a failure response to the matching variant.
    pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Self {
        let message = error_message(response.body());
        Error::from_parts(response.status(), response.headers(), message)
    }

    /// Maps a failure status, its headers and its message ([`error_message`]) to the
    /// matching variant.
    pub(crate) fn from_parts(code: StatusCode, headers: &HeaderMap, message: String) -> Self {
        match code {
            StatusCode::NOT_FOUND => Error::NotFound { message },
            StatusCode::FORBIDDEN => Error::PermissionDenied { message },
            code => Error::Status {
                code,
                body: message,
                retry_after: retry_after(headers),
            },
        }
    }

    /// A status error with no headers (tests and synthetic failures).
    #[cfg(test)]
    pub(crate) fn from_status(code: StatusCode, body: &[u8]) -> Self {
        Error::from_parts(code, &HeaderMap::new(), error_message(body))
    }

    /// The HTTP status Consul answered with, if it answered with a failure.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::NotFound { .. } | Error::Unsupported { .. } => Some(StatusCode::NOT_FOUND),
            Error::PermissionDenied { .. } => Some(StatusCode::FORBIDDEN),
            Error::Status { code, .. } | Error::NotEnabled { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A [`Error::NotEnabled`] for a failure answer of an endpoint whose status says a
    /// feature is off in the agent's configuration.
    pub(crate) fn not_enabled(code: StatusCode, body: &[u8]) -> Self {
        Error::NotEnabled {
            code,
            message: error_message(body),
        }
    }

    /// Whether the agent has what the call needs switched off in its configuration.
    pub fn is_not_enabled(&self) -> bool {
        matches!(self, Error::NotEnabled { .. })
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
            // An answer too big for the configured cap will be as big the next time.
            Error::Transport(t) => !t.is_body_too_large(),
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

    /// How long Consul asked to wait before retrying (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status { retry_after, .. } => *retry_after,
            _ => None,
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

/// Consul's message: the body as text, trimmed, cut after [`MAX_ERROR_BODY`] bytes.
pub(crate) fn error_message(body: &[u8]) -> String {
    error_message_of(body, Some(body.len()))
}

/// As [`error_message`], for a body of which only the first bytes may have been read:
/// `total` is its full size, or `None` when it was not read to the end.
pub(crate) fn error_message_of(body: &[u8], total: Option<usize>) -> String {
    if body.len() <= MAX_ERROR_BODY && total == Some(body.len()) {
        return String::from_utf8_lossy(body).trim().to_owned();
    }
    let kept = &body[..body.len().min(MAX_ERROR_BODY)];
    // Cut on a character boundary: a lossy decode of a split character would add U+FFFD.
    let text = match std::str::from_utf8(kept) {
        Ok(text) => text.into(),
        Err(e) if e.error_len().is_none() => String::from_utf8_lossy(&kept[..e.valid_up_to()]),
        Err(_) => String::from_utf8_lossy(kept),
    };
    let size = match total {
        Some(n) => format!("{n} bytes"),
        None => format!("more than {} bytes", body.len()),
    };
    format!("{}… ({size})", text.trim_start())
}

/// `Retry-After` as a number of seconds (the form Consul uses); an HTTP date is ignored.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
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

    #[test]
    fn big_bodies_are_cut_with_their_size() {
        let body = vec![b'x'; 10 * 1024 * 1024];
        let e = Error::from_status(StatusCode::BAD_GATEWAY, &body);
        let Error::Status { body: kept, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(kept.len() < MAX_ERROR_BODY + 64, "{}", kept.len());
        assert!(
            kept.ends_with("… (10485760 bytes)"),
            "{}",
            &kept[kept.len() - 40..]
        );
        assert!(e.to_string().len() < MAX_ERROR_BODY + 128);
        // A multi-byte character across the cut is dropped, not mangled.
        let mut body = vec![b'a'; MAX_ERROR_BODY - 1];
        body.extend_from_slice("é and more".as_bytes());
        let message = error_message(&body);
        assert!(!message.contains('\u{fffd}'), "{message}");
        assert!(message.ends_with(&format!("… ({} bytes)", body.len())));
        // Not-found and permission messages are cut too.
        let e = Error::from_status(StatusCode::FORBIDDEN, &vec![b'y'; 100_000]);
        assert!(e.to_string().len() < MAX_ERROR_BODY + 128);
        // A body not read to its end says so.
        let message = error_message_of(&[b'z'; MAX_ERROR_BODY + 1], None);
        assert!(message.ends_with("… (more than 4097 bytes)"), "{message}");
        // Small bodies are kept whole.
        assert_eq!(error_message(b"  No cluster leader\n"), "No cluster leader");
    }

    #[test]
    fn retry_after_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        let e = Error::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers, "slow down".into());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert!(e.is_retryable());
        headers.insert(
            http::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        let e = Error::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers, String::new());
        assert_eq!(e.retry_after(), None);
        let e = Error::from_status(StatusCode::TOO_MANY_REQUESTS, b"");
        assert_eq!(e.retry_after(), None);
    }

    #[test]
    fn display_carries_the_cause() {
        let e = Error::from(ValidationError::ValueTooLarge {
            size: 524_289,
            max: 524_288,
        });
        assert_eq!(
            e.to_string(),
            "invalid input: value of 524289 bytes exceeds the limit of 524288 bytes"
        );
        assert!(std::error::Error::source(&e).is_some());
        let e = Error::decode(serde_json::from_slice::<u8>(b"x").unwrap_err());
        assert!(
            e.to_string()
                .starts_with("failed to decode response body: expected value"),
            "{e}"
        );
        let e = Error::from(MetaError {
            name: "X-Consul-Index",
            value: "abc".into(),
        });
        assert_eq!(
            e.to_string(),
            "failed to read response metadata: malformed response header X-Consul-Index: \"abc\""
        );
        assert!(!Error::Transport(TransportError::body_too_large(10)).is_retryable());
        let e = Error::Transport(TransportError::other("the agent went away"));
        assert!(e.to_string().starts_with("transport failure: "), "{e}");
        assert!(e.to_string().contains("the agent went away"), "{e}");
    }
}
