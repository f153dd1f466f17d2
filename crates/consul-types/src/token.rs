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

// Tokens travel in JSON bodies (a token's `SecretID`, a legacy ACL's `ID`): plain strings
// on the wire, redacted everywhere else.
impl serde::Serialize for Token {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Token)
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

    #[test]
    fn serde_is_a_plain_string() {
        let t: Token = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(t.secret(), "abc");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"abc\"");
    }
}
