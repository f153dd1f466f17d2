//! Models and rules of Connect, Consul's service mesh: the certificate authority
//! ([`CaRootList`], [`CaConfig`] with the built-in provider's [`ConsulCaProviderConfig`]),
//! the leaf certificates the agent issues ([`LeafCert`]), intentions ([`Intention`]) and
//! the agent's authorization of a connection ([`AgentAuthorize`]). Field names are those
//! of Go's `api` package of Consul 1.8.7 (`connect_ca.go`, `connect_intention.go`,
//! `agent.go`); the JSON is what a 1.8.7 agent sends (fixtures in
//! `tests/fixtures/connect/`).
//!
//! The Connect fields of services (kinds, proxies, gateways) are in
//! [`agent`](crate::agent).

use serde::{Deserialize, Serialize};
use std::fmt;

mod ca;
mod intention;

pub use ca::{
    CaConfig, CaKeyType, CaProvider, CaRoot, CaRootList, ConsulCaProviderConfig, LeafCert,
};
pub use intention::{
    validate_intention_id, Intention, IntentionAction, IntentionMatchBy, IntentionSourceType,
};

/// What the agent is asked to authorize (Go's `api.AgentAuthorizeParams`): may the client
/// presenting a certificate for `client_cert_uri` connect to `target`?
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AgentAuthorizeParams {
    /// The service being connected to (the destination).
    pub target: String,
    /// The SPIFFE URI of the client's certificate
    /// (`spiffe://<trust-domain>/ns/default/dc/<dc>/svc/<service>`).
    #[serde(rename = "ClientCertURI")]
    pub client_cert_uri: String,
    /// The serial number of the client's certificate (`xx:xx:…`); Consul 1.8 does not check
    /// it yet (no revocation list).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_cert_serial: String,
}

impl AgentAuthorizeParams {
    /// May the client with the certificate URI `client_cert_uri` connect to `target`?
    pub fn new(target: impl Into<String>, client_cert_uri: impl Into<String>) -> Self {
        AgentAuthorizeParams {
            target: target.into(),
            client_cert_uri: client_cert_uri.into(),
            client_cert_serial: String::new(),
        }
    }

    /// Checks what Consul would refuse with a `400`: an empty target or certificate URI.
    ///
    /// # Errors
    /// [`ValidationError::Empty`](crate::ValidationError::Empty).
    pub fn validate(&self) -> Result<(), crate::ValidationError> {
        if self.target.is_empty() {
            return Err(crate::ValidationError::Empty {
                field: "authorization target",
            });
        }
        if self.client_cert_uri.is_empty() {
            return Err(crate::ValidationError::Empty {
                field: "client certificate URI",
            });
        }
        Ok(())
    }
}

/// The agent's answer to an authorization (Go's `api.AgentAuthorize`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AgentAuthorize {
    /// Whether the connection is allowed.
    pub authorized: bool,
    /// Why: the intention that matched (`Matched intention: DENY default/web => default/db
    /// (ID: …, Precedence: 9)`), or the default behaviour (`ACLs disabled, access is allowed
    /// by default`).
    pub reason: String,
}

impl fmt::Display for AgentAuthorize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.authorized { "allowed" } else { "denied" };
        write!(f, "{verdict}: {}", self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_answers_decode() {
        let ok: AgentAuthorize =
            serde_json::from_str(include_str!("../../tests/fixtures/connect/authorize.json"))
                .unwrap();
        assert!(ok.authorized);
        assert_eq!(ok.reason, "ACLs disabled, access is allowed by default");
        let denied: AgentAuthorize = serde_json::from_str(include_str!(
            "../../tests/fixtures/connect/authorize_denied.json"
        ))
        .unwrap();
        assert!(!denied.authorized);
        assert!(denied
            .reason
            .starts_with("Matched intention: DENY default/web => default/db"));
        assert!(denied.to_string().starts_with("denied: Matched intention"));
    }

    #[test]
    fn authorize_params_encode_as_go_does() {
        let mut params =
            AgentAuthorizeParams::new("db", "spiffe://t.consul/ns/default/dc/dc1/svc/web");
        assert_eq!(
            serde_json::to_value(&params).unwrap(),
            serde_json::json!({"Target": "db", "ClientCertURI": "spiffe://t.consul/ns/default/dc/dc1/svc/web"})
        );
        params.client_cert_serial = "08".into();
        assert_eq!(
            serde_json::to_value(&params).unwrap()["ClientCertSerial"],
            "08"
        );
        assert!(params.validate().is_ok());
        assert!(AgentAuthorizeParams::new("", "x").validate().is_err());
        assert!(AgentAuthorizeParams::new("db", "").validate().is_err());
    }
}
