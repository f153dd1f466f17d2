use std::fmt;

/// An ACL token's secret.
///
/// Its `Debug` output is redacted so that a token never ends up in logs or panic messages;
/// the secret is only reachable through [`Token::secret`]. Consul expects it in the
/// `X-Consul-Token` header, which is the only place the client sends it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Token(String);

impl Token {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Token(secret.into())
    }

    /// The secret itself, for putting into a request header.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (an empty token means "anonymous").
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Token::new(s)
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Token(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let t = Token::new("s3cr3t-value");
        let shown = format!("{t:?} {:?}", Some(&t));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(t.secret(), "s3cr3t-value");
    }
}
