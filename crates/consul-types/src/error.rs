use std::borrow::Cow;

/// Input rejected before any request was sent.
///
/// Every variant names what was wrong in words a user can act on; none of them means that
/// Consul was contacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A required text field was empty.
    #[error("{field} must not be empty")]
    Empty {
        /// The field that was empty.
        field: &'static str,
    },
    /// A KV key Consul would reject or misroute.
    #[error("invalid key {key:?}: {reason}")]
    InvalidKey {
        /// The key as given.
        key: String,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// A KV value larger than Consul accepts.
    #[error("value of {size} bytes exceeds the limit of {max} bytes")]
    ValueTooLarge {
        /// Size of the value that was given.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A duration that is not in Consul's format (`10s`, `1m30s`, `250ms`).
    #[error("invalid duration {input:?}: {reason}")]
    InvalidDuration {
        /// The text as given.
        input: String,
        /// Why it could not be parsed.
        reason: &'static str,
    },
    /// A value outside the range Consul accepts.
    #[error("{field} is {value}, outside the allowed range {min} to {max}")]
    OutOfRange {
        /// The field concerned.
        field: &'static str,
        /// The value as given, printed.
        value: String,
        /// Lowest accepted value, printed.
        min: String,
        /// Highest accepted value, printed.
        max: String,
    },
    /// A value that is not one of the accepted ones, or breaks a rule of its field.
    #[error("invalid {field}: {reason}")]
    InvalidValue {
        /// The field concerned.
        field: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// Options that cannot be used together.
    #[error("conflicting options: {0}")]
    Conflict(&'static str),
}

/// A response header that was present but could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed response header {name}: {value:?}")]
pub struct MetaError {
    /// The header's name.
    pub name: &'static str,
    /// The header's value, lossily decoded.
    pub value: String,
}
