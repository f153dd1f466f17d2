//! The Connect certificate authority: its roots, its configuration, and the leaf
//! certificates the agent has it sign.

use crate::serde_util::{null_as_default, null_as_empty_vec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// The name of Consul's built-in CA provider.
const CONSUL_PROVIDER: &str = "consul";

text_enum! {
    /// The type of a CA key (Go's `PrivateKeyType`).
    ///
    /// ```
    /// use consul_types::connect::CaKeyType;
    /// assert_eq!(CaKeyType::from("rsa"), CaKeyType::Rsa);
    /// assert_eq!(CaKeyType::default().as_str(), "ec");
    /// ```
    CaKeyType {
        /// `ec`: elliptic curve (NIST P-256 unless the bits say otherwise), Consul's default.
        default Ec = "ec",
        /// `rsa`.
        Rsa = "rsa",
    }
}

/// The CA roots every Connect service trusts (Go's `api.CARootList`), from
/// `/v1/connect/ca/roots` or the agent's `/v1/agent/connect/ca/roots`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CaRootList {
    /// The id of the root that signs new certificates.
    #[serde(rename = "ActiveRootID")]
    pub active_root_id: String,
    /// The trust domain of the cluster's SPIFFE ids (`<cluster id>.consul`).
    pub trust_domain: String,
    /// Every root still trusted: the active one, and those rotated out whose certificates
    /// may still be in use.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub roots: Vec<CaRoot>,
}

impl CaRootList {
    /// The active root, the one that signs new certificates.
    pub fn active_root(&self) -> Option<&CaRoot> {
        self.roots
            .iter()
            .find(|r| r.active && r.id == self.active_root_id)
            .or_else(|| self.roots.iter().find(|r| r.active))
    }
}

/// One trusted CA root (Go's `api.CARoot`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CaRoot {
    /// Its id: the SHA-1 of its public key, `xx:xx:…`.
    #[serde(rename = "ID")]
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The serial number of its certificate.
    pub serial_number: u64,
    /// The id of the key that signs with it (`xx:xx:…`).
    #[serde(rename = "SigningKeyID")]
    pub signing_key_id: String,
    /// The trust domain of the certificates it signed, without `.consul`.
    pub external_trust_domain: String,
    /// Start of its validity (RFC 3339).
    pub not_before: String,
    /// End of its validity (RFC 3339).
    pub not_after: String,
    /// Its certificate, PEM-encoded.
    #[serde(rename = "RootCert")]
    pub root_cert_pem: String,
    /// Intermediate certificates to present with the leaves it signs (PEM): after a
    /// rotation, the new root cross-signed by the old one.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub intermediate_certs: Vec<String>,
    /// Whether it is the one signing new certificates.
    pub active: bool,
    /// The type of its key.
    pub private_key_type: CaKeyType,
    /// The size of its key, in bits.
    pub private_key_bits: u32,
    /// The Raft index that created it.
    pub create_index: u64,
    /// The Raft index that last changed it.
    pub modify_index: u64,
}

/// A leaf certificate issued for a service (Go's `api.LeafCert`), from
/// `/v1/agent/connect/ca/leaf/:service`, with its private key.
///
/// Its `Debug` output leaves the private key out.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct LeafCert {
    /// The certificate's serial number, hex bytes separated by `:`.
    pub serial_number: String,
    /// The certificate, PEM-encoded.
    #[serde(rename = "CertPEM")]
    pub cert_pem: String,
    /// Its private key, PEM-encoded.
    #[serde(rename = "PrivateKeyPEM")]
    pub private_key_pem: String,
    /// The service it was issued for.
    pub service: String,
    /// The service's SPIFFE id, the certificate's URI SAN
    /// (`spiffe://<trust-domain>/ns/default/dc/<dc>/svc/<service>`).
    #[serde(rename = "ServiceURI")]
    pub service_uri: String,
    /// Start of its validity (RFC 3339).
    pub valid_after: String,
    /// End of its validity (RFC 3339).
    pub valid_before: String,
    /// The Raft index that created it.
    pub create_index: u64,
    /// The index of the answer: it changes when a new certificate is issued.
    pub modify_index: u64,
}

impl fmt::Debug for LeafCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeafCert")
            .field("serial_number", &self.serial_number)
            .field("service", &self.service)
            .field("service_uri", &self.service_uri)
            .field("valid_after", &self.valid_after)
            .field("valid_before", &self.valid_before)
            .field("cert_pem", &self.cert_pem)
            .field("private_key_pem", &redacted(&self.private_key_pem))
            .field("modify_index", &self.modify_index)
            .finish_non_exhaustive()
    }
}

fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() {
        ""
    } else {
        "<redacted>"
    }
}

/// The configuration of Consul's built-in CA provider, `consul` (Go's
/// `api.ConsulCAProviderConfig`, with the common options of every provider).
///
/// Unset fields take Consul's defaults (leaf certificates for 72 h, intermediates for a
/// year, a P-256 key). Keys this version does not model are kept in
/// [`extra`](Self::extra), so a configuration read, changed and written back loses
/// nothing. Its `Debug` output leaves the private key out.
///
/// ```
/// use consul_types::connect::{CaConfig, ConsulCaProviderConfig};
/// use std::time::Duration;
/// let config = CaConfig::consul(
///     ConsulCaProviderConfig::default()
///         .leaf_cert_ttl(Duration::from_secs(24 * 3600))
///         .private_key("-----BEGIN EC PRIVATE KEY-----\n…"),
/// );
/// let json = serde_json::to_value(&config).unwrap();
/// assert_eq!(json["Provider"], "consul");
/// assert_eq!(json["Config"]["LeafCertTTL"], "24h0m0s");
/// assert!(!format!("{config:?}").contains("BEGIN"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ConsulCaProviderConfig {
    /// The CA's private key (PEM: `EC PRIVATE KEY`, `RSA PRIVATE KEY` or PKCS #8 `PRIVATE
    /// KEY`). A new key is a new root: setting one rotates the CA. Unset, Consul makes its
    /// own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// The root certificate for [`private_key`](Self::private_key) (PEM); unset, Consul
    /// makes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cert: Option<String>,
    /// How long leaf certificates are valid (1 h to 1 year; default 72 h).
    #[serde(
        rename = "LeafCertTTL",
        with = "lenient_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub leaf_cert_ttl: Option<Duration>,
    /// How long intermediate certificates are valid (at least 3 h and three leaf TTLs;
    /// default 1 year).
    #[serde(
        rename = "IntermediateCertTTL",
        with = "lenient_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub intermediate_cert_ttl: Option<Duration>,
    /// Accepted and kept by Consul 1.8, not acted on.
    #[serde(with = "lenient_duration", skip_serializing_if = "Option::is_none")]
    pub rotation_period: Option<Duration>,
    /// The type of key Consul makes when it makes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key_type: Option<CaKeyType>,
    /// The size of the key Consul makes (EC: 224, 256, 384, 521; RSA: 2048, 4096).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key_bits: Option<u32>,
    /// Skips Consul's checks of these settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_validate: Option<bool>,
    /// Certificate signing requests the servers sign per second (default 50; 0 for no
    /// limit).
    #[serde(rename = "CSRMaxPerSecond", skip_serializing_if = "Option::is_none")]
    pub csr_max_per_second: Option<f32>,
    /// Signing requests the servers sign at once when the rate is 0.
    #[serde(rename = "CSRMaxConcurrent", skip_serializing_if = "Option::is_none")]
    pub csr_max_concurrent: Option<u32>,
    /// Other keys, kept as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

setters!(ConsulCaProviderConfig {
    /// Sets [`ConsulCaProviderConfig::private_key`].
    private_key: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`ConsulCaProviderConfig::root_cert`].
    root_cert: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`ConsulCaProviderConfig::leaf_cert_ttl`].
    leaf_cert_ttl: Duration => Some;
    /// Sets [`ConsulCaProviderConfig::intermediate_cert_ttl`].
    intermediate_cert_ttl: Duration => Some;
    /// Sets [`ConsulCaProviderConfig::rotation_period`].
    rotation_period: Duration => Some;
    /// Sets [`ConsulCaProviderConfig::private_key_type`].
    private_key_type: CaKeyType => Some;
    /// Sets [`ConsulCaProviderConfig::private_key_bits`].
    private_key_bits: u32 => Some;
    /// Sets [`ConsulCaProviderConfig::skip_validate`].
    skip_validate: bool => Some;
    /// Sets [`ConsulCaProviderConfig::csr_max_per_second`].
    csr_max_per_second: f32 => Some;
    /// Sets [`ConsulCaProviderConfig::csr_max_concurrent`].
    csr_max_concurrent: u32 => Some;
});

impl fmt::Debug for ConsulCaProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsulCaProviderConfig")
            .field("private_key", &self.private_key.as_deref().map(redacted))
            .field("root_cert", &self.root_cert)
            .field("leaf_cert_ttl", &self.leaf_cert_ttl)
            .field("intermediate_cert_ttl", &self.intermediate_cert_ttl)
            .field("rotation_period", &self.rotation_period)
            .field("private_key_type", &self.private_key_type)
            .field("private_key_bits", &self.private_key_bits)
            .field("skip_validate", &self.skip_validate)
            .field("csr_max_per_second", &self.csr_max_per_second)
            .field("csr_max_concurrent", &self.csr_max_concurrent)
            .field("extra", &self.extra)
            .finish()
    }
}

/// Which CA provider signs, with its configuration.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CaProvider {
    /// Consul's built-in CA (`consul`).
    Consul(ConsulCaProviderConfig),
    /// Another provider (`vault`, `aws-pca`), with its configuration as Consul holds it.
    Other {
        /// The provider's name.
        name: String,
        /// Its configuration.
        config: Map<String, Value>,
    },
}

impl Default for CaProvider {
    fn default() -> Self {
        CaProvider::Consul(ConsulCaProviderConfig::default())
    }
}

impl CaProvider {
    /// The provider's name as Consul spells it (`consul`, `vault`, …).
    pub fn name(&self) -> &str {
        match self {
            CaProvider::Consul(_) => CONSUL_PROVIDER,
            CaProvider::Other { name, .. } => name,
        }
    }

    /// The built-in provider's configuration, if it is the one.
    pub fn as_consul(&self) -> Option<&ConsulCaProviderConfig> {
        match self {
            CaProvider::Consul(config) => Some(config),
            CaProvider::Other { .. } => None,
        }
    }
}

/// The configuration of the Connect CA (Go's `api.CAConfig`): the provider and its
/// settings, read from and written to `/v1/connect/ca/configuration`.
///
/// The built-in provider's settings are typed ([`CaProvider::Consul`]); another
/// provider's are a map ([`CaProvider::Other`]). What Consul sets (the provider's state,
/// the indexes) is read-only and never sent.
///
/// ```
/// use consul_types::connect::{CaConfig, CaProvider};
/// let config: CaConfig = serde_json::from_str(
///     r#"{"Provider":"vault","Config":{"Address":"https://vault:8200","RootPKIPath":"connect-root"},
///         "State":null,"CreateIndex":5,"ModifyIndex":5}"#,
/// ).unwrap();
/// assert_eq!(config.provider.name(), "vault");
/// let CaProvider::Other { config: settings, .. } = &config.provider else { unreachable!() };
/// assert_eq!(settings["RootPKIPath"], "connect-root");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCaConfig", into = "RawCaConfig")]
#[non_exhaustive]
pub struct CaConfig {
    /// The provider and its settings.
    pub provider: CaProvider,
    /// What the provider keeps between restarts (read-only).
    pub state: BTreeMap<String, String>,
    /// Goes ahead with a rotation even when the current provider cannot cross-sign the new
    /// root (connections may fail until every proxy has the new root).
    pub force_without_cross_signing: bool,
    /// The Raft index that created it.
    pub create_index: u64,
    /// The Raft index that last changed it.
    pub modify_index: u64,
}

impl CaConfig {
    /// A configuration of the built-in provider.
    pub fn consul(config: ConsulCaProviderConfig) -> Self {
        CaConfig {
            provider: CaProvider::Consul(config),
            ..CaConfig::default()
        }
    }

    /// A configuration of another provider (`vault`, `aws-pca`), given as Consul takes
    /// it. Naming `consul` here gives the built-in provider, its settings read as
    /// [`ConsulCaProviderConfig`].
    ///
    /// # Errors
    /// [`ValidationError::InvalidValue`](crate::ValidationError::InvalidValue) when the
    /// provider is `consul` and a setting has the wrong type.
    pub fn other(
        provider: impl Into<String>,
        config: Map<String, Value>,
    ) -> Result<Self, crate::ValidationError> {
        let provider = provider_of(provider.into(), config).map_err(|reason| {
            crate::ValidationError::InvalidValue {
                field: "CA configuration",
                reason: reason.into(),
            }
        })?;
        Ok(CaConfig {
            provider,
            ..CaConfig::default()
        })
    }

    /// Sets [`CaConfig::force_without_cross_signing`].
    #[must_use]
    pub fn force_without_cross_signing(mut self, force: bool) -> Self {
        self.force_without_cross_signing = force;
        self
    }
}

fn provider_of(name: String, config: Map<String, Value>) -> Result<CaProvider, String> {
    if name == CONSUL_PROVIDER {
        serde_json::from_value(Value::Object(config))
            .map(CaProvider::Consul)
            .map_err(|e| format!("the consul provider's configuration: {e}"))
    } else {
        Ok(CaProvider::Other { name, config })
    }
}

/// `CaConfig` as it is on the wire.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawCaConfig {
    provider: String,
    #[serde(deserialize_with = "null_as_default")]
    config: Map<String, Value>,
    #[serde(deserialize_with = "null_as_default", skip_serializing)]
    state: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    force_without_cross_signing: bool,
    #[serde(skip_serializing)]
    create_index: u64,
    #[serde(skip_serializing)]
    modify_index: u64,
}

impl TryFrom<RawCaConfig> for CaConfig {
    type Error = String;

    fn try_from(raw: RawCaConfig) -> Result<Self, String> {
        Ok(CaConfig {
            provider: provider_of(raw.provider, raw.config)?,
            state: raw.state,
            force_without_cross_signing: raw.force_without_cross_signing,
            create_index: raw.create_index,
            modify_index: raw.modify_index,
        })
    }
}

impl From<CaConfig> for RawCaConfig {
    fn from(config: CaConfig) -> Self {
        let (provider, config_map) = match config.provider {
            CaProvider::Consul(c) => {
                let map = match serde_json::to_value(c) {
                    Ok(Value::Object(map)) => map,
                    // A struct of strings, numbers and a map always serializes to an object.
                    _ => Map::new(),
                };
                (CONSUL_PROVIDER.to_owned(), map)
            }
            CaProvider::Other { name, config } => (name, config),
        };
        RawCaConfig {
            provider,
            config: config_map,
            state: config.state,
            force_without_cross_signing: config.force_without_cross_signing,
            create_index: config.create_index,
            modify_index: config.modify_index,
        }
    }
}

/// A duration of a CA setting: Go-format text (`"72h"`) as Consul stores what it was
/// given through the configuration file, or integer nanoseconds (what Go's JSON encoder
/// makes of a `time.Duration`); written as text.
mod lenient_duration {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        crate::duration::text::option::serialize(d, s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Nanos(u64),
        }
        match Option::<Either>::deserialize(d)? {
            None => Ok(None),
            Some(Either::Text(s)) if s.is_empty() => Ok(None),
            Some(Either::Text(s)) => crate::duration::parse(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
            Some(Either::Nanos(n)) => Ok(Some(Duration::from_nanos(n))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_from_1_8_7_decode() {
        let list: CaRootList =
            serde_json::from_str(include_str!("../../tests/fixtures/connect/ca_roots.json"))
                .unwrap();
        assert!(list.trust_domain.ends_with(".consul"));
        assert_eq!(list.roots.len(), 1);
        let root = list.active_root().unwrap();
        assert_eq!(root.id, list.active_root_id);
        assert!(root
            .root_cert_pem
            .starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(root.intermediate_certs.is_empty(), "null on the wire");
        assert_eq!(root.private_key_type, CaKeyType::Ec);
        assert_eq!(root.private_key_bits, 256);
        assert!(root.serial_number > 0);
        assert_eq!(root.signing_key_id.split(':').count(), 32);

        let rotated: CaRootList = serde_json::from_str(include_str!(
            "../../tests/fixtures/connect/ca_roots_rotated.json"
        ))
        .unwrap();
        assert_eq!(rotated.roots.len(), 2);
        let active = rotated.active_root().unwrap();
        assert_ne!(active.id, root.id, "a new root after the rotation");
        assert_eq!(
            active.intermediate_certs.len(),
            1,
            "the new root cross-signed by the old one"
        );
        let old = rotated.roots.iter().find(|r| r.id == root.id).unwrap();
        assert!(!old.active);
    }

    #[test]
    fn the_built_in_provider_s_configuration_is_typed() {
        let config: CaConfig =
            serde_json::from_str(include_str!("../../tests/fixtures/connect/ca_config.json"))
                .unwrap();
        assert_eq!(config.provider.name(), "consul");
        let consul = config.provider.as_consul().unwrap();
        assert_eq!(consul.leaf_cert_ttl, Some(Duration::from_secs(72 * 3600)));
        assert_eq!(
            consul.intermediate_cert_ttl,
            Some(Duration::from_secs(8760 * 3600))
        );
        assert_eq!(
            consul.rotation_period,
            Some(Duration::from_secs(2160 * 3600))
        );
        assert_eq!(consul.private_key, None);
        assert!(consul.extra.is_empty());
        assert!(config.state.is_empty());
        assert!(config.create_index > 0);

        // Written back: the provider and its settings, nothing Consul sets.
        assert_eq!(
            serde_json::to_value(&config).unwrap(),
            serde_json::json!({
                "Provider": "consul",
                "Config": {"LeafCertTTL": "72h0m0s", "IntermediateCertTTL": "8760h0m0s", "RotationPeriod": "2160h0m0s"}
            })
        );

        let rotated: CaConfig = serde_json::from_str(include_str!(
            "../../tests/fixtures/connect/ca_config_rotated.json"
        ))
        .unwrap();
        let consul = rotated.provider.as_consul().unwrap();
        assert!(consul
            .private_key
            .as_deref()
            .unwrap()
            .contains("PRIVATE KEY"));
        assert_eq!(consul.leaf_cert_ttl, None);
        let debug = format!("{rotated:?}");
        assert!(
            !debug.contains("PRIVATE KEY") && debug.contains("<redacted>"),
            "{debug}"
        );
    }

    #[test]
    fn unknown_settings_and_providers_are_kept() {
        let json = serde_json::json!({
            "Provider": "consul",
            "Config": {"LeafCertTTL": 3_600_000_000_000u64, "PrivateKeyType": "rsa",
                       "PrivateKeyBits": 2048, "CSRMaxPerSecond": 12.5, "DisableCrossSigning": true},
            "State": {"k": "v"}, "ForceWithoutCrossSigning": true, "CreateIndex": 5, "ModifyIndex": 9
        });
        let config: CaConfig = serde_json::from_value(json).unwrap();
        let consul = config.provider.as_consul().unwrap();
        assert_eq!(
            consul.leaf_cert_ttl,
            Some(Duration::from_secs(3600)),
            "nanoseconds"
        );
        assert_eq!(consul.private_key_type, Some(CaKeyType::Rsa));
        assert_eq!(consul.private_key_bits, Some(2048));
        assert_eq!(consul.csr_max_per_second, Some(12.5));
        assert_eq!(consul.extra["DisableCrossSigning"], true);
        assert_eq!(config.state["k"], "v");
        assert!(config.force_without_cross_signing);
        assert_eq!(
            serde_json::to_value(&config).unwrap(),
            serde_json::json!({
                "Provider": "consul",
                "Config": {"LeafCertTTL": "1h0m0s", "PrivateKeyType": "rsa", "PrivateKeyBits": 2048,
                           "CSRMaxPerSecond": 12.5, "DisableCrossSigning": true},
                "ForceWithoutCrossSigning": true
            })
        );

        let mut settings = Map::new();
        settings.insert("Address".into(), "https://vault:8200".into());
        let vault = CaConfig::other("vault", settings.clone()).unwrap();
        assert_eq!(
            serde_json::to_value(&vault).unwrap(),
            serde_json::json!({"Provider": "vault", "Config": {"Address": "https://vault:8200"}})
        );
        let consul = CaConfig::other("consul", Map::new()).unwrap();
        assert!(consul.provider.as_consul().is_some());
        let mut bad = Map::new();
        bad.insert("LeafCertTTL".into(), "soon".into());
        assert!(CaConfig::other("consul", bad.clone()).is_err());
        let mut wire = Map::new();
        wire.insert("Provider".into(), "consul".into());
        wire.insert("Config".into(), Value::Object(bad));
        assert!(serde_json::from_value::<CaConfig>(Value::Object(wire)).is_err());
    }

    #[test]
    fn a_leaf_from_1_8_7_decodes_and_hides_its_key() {
        let leaf: LeafCert =
            serde_json::from_str(include_str!("../../tests/fixtures/connect/leaf.json")).unwrap();
        assert_eq!(leaf.service, "web");
        assert!(leaf.service_uri.starts_with("spiffe://"));
        assert!(leaf.service_uri.ends_with("/ns/default/dc/dc1/svc/web"));
        assert!(leaf.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(leaf.private_key_pem.contains("PRIVATE KEY"));
        assert!(!leaf.serial_number.is_empty());
        assert!(leaf.valid_before > leaf.valid_after);
        assert!(leaf.modify_index > 0);
        let debug = format!("{leaf:?}");
        assert!(!debug.contains("PRIVATE KEY") && debug.contains("<redacted>"));
    }
}
