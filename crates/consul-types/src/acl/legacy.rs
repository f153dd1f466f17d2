use crate::Token;
use serde::{Deserialize, Serialize};

text_enum! {
    /// The type of a legacy token.
    LegacyAclType {
        /// Restricted by its rules; cannot change ACLs.
        default Client = "client",
        /// Allowed everything.
        Management = "management",
    }
}

/// A legacy token (`/v1/acl/info`, `/v1/acl/list`; Consul before 1.11), aioconsul's `Token`.
/// Its `id` is the secret, so it is a redacted [`Token`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct LegacyAcl {
    /// The token's secret.
    #[serde(rename = "ID")]
    pub id: Option<Token>,
    /// Human-readable name.
    pub name: String,
    /// Client or management.
    #[serde(rename = "Type")]
    pub kind: LegacyAclType,
    /// The rules, in HCL.
    pub rules: String,
    /// Raft index of creation.
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

/// What to create or update through the legacy API (`/v1/acl/create`, `/v1/acl/update`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct LegacyAclRequest {
    /// The token to update, or the secret to create with (Consul picks one when absent).
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    pub id: Option<Token>,
    /// Human-readable name.
    pub name: String,
    /// Client or management.
    #[serde(rename = "Type")]
    pub kind: LegacyAclType,
    /// The rules, in HCL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rules: String,
}

impl LegacyAclRequest {
    /// A client token with these rules (aioconsul's `acl.create(name, rules=…)`).
    pub fn client(name: impl Into<String>, rules: &super::Rules) -> Self {
        LegacyAclRequest {
            id: None,
            name: name.into(),
            kind: LegacyAclType::Client,
            rules: rules.to_hcl(),
        }
    }

    /// A management token.
    pub fn management(name: impl Into<String>) -> Self {
        LegacyAclRequest {
            id: None,
            name: name.into(),
            kind: LegacyAclType::Management,
            rules: String::new(),
        }
    }

    /// Targets an existing token (for update) or chooses the secret (for create).
    #[must_use]
    pub fn id(mut self, id: impl Into<Token>) -> Self {
        self.id = Some(id.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_recorded_legacy_tokens() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/acl/");
        let info: Vec<LegacyAcl> = serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}legacy_info.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(info[0].name, "legacy1");
        assert_eq!(info[0].kind, LegacyAclType::Client);
        assert!(!format!("{:?}", info[0]).contains(info[0].id.as_ref().unwrap().secret()));
        let list: Vec<LegacyAcl> = serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}legacy_list.json")).unwrap(),
        )
        .unwrap();
        assert!(list.iter().any(|t| t.kind == LegacyAclType::Management));
        let odd: LegacyAclType = serde_json::from_str("\"superuser\"").unwrap();
        assert_eq!(odd, LegacyAclType::Other("superuser".into()));
    }
}
