//! Models and rules of the ACL system: tokens, policies and roles (Consul 1.4+), auth
//! methods and binding rules (Consul 1.5+), the legacy token API that aioconsul used
//! (removed in Consul 1.11), typed ACL [`Rules`], and the templated policies of Consul
//! 1.17+.

mod auth;
mod legacy;
mod rules;
mod templated;
mod token;

pub use auth::{
    AclAuthMethod, AclAuthMethodListEntry, AclBindingRule, AuthMethodType, BindingRuleBindType,
    KubernetesAuthMethodConfig, OidcAuthMethodConfig, TokenLocality,
};
pub use legacy::{LegacyAcl, LegacyAclRequest, LegacyAclType};
pub use rules::{Policy, Resource, Rule, Rules};
pub use templated::{
    templated_policy_segments, AclTemplatedPolicyResponse, AclTemplatedPolicyVariables,
};
pub use token::{
    AclLink, AclPolicy, AclPolicyListEntry, AclReplication, AclRole, AclToken, AclTokenListEntry,
    NodeIdentity, ServiceIdentity,
};

use crate::ValidationError;

/// Checks a name Consul requires (policy, role and auth method names): not empty, and made of the
/// characters Consul accepts (`[A-Za-z0-9_-]`, at most 128 of them).
///
/// ```
/// use consul_types::acl::validate_name;
/// assert!(validate_name("policy", "kv-read").is_ok());
/// assert!(validate_name("policy", "").is_err());
/// assert!(validate_name("policy", "has space").is_err());
/// ```
///
/// # Errors
/// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
pub fn validate_name(field: &'static str, name: &str) -> Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if name.len() > 128
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ValidationError::InvalidValue {
            field,
            reason: format!("{name:?} may only use letters, digits, '-' and '_' (at most 128)")
                .into(),
        });
    }
    Ok(())
}

/// Checks an ID that Consul expects as a UUID (accessor IDs, policy and role IDs): a
/// non-UUID makes Consul answer 500 `UUID must be 36 characters`.
///
/// # Errors
/// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
pub fn validate_uuid(field: &'static str, id: &str) -> Result<(), ValidationError> {
    if id.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let shape_ok = id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if !shape_ok {
        return Err(ValidationError::InvalidValue {
            field,
            reason: format!("{id:?} is not a UUID").into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids() {
        assert!(validate_uuid("id", "32f01394-2e15-7e9d-4e75-6f5abe979629").is_ok());
        for bad in [
            "",
            "abc",
            "32f01394x2e15-7e9d-4e75-6f5abe979629",
            "32f01394-2e15-7e9d-4e75-6f5abe97962z",
        ] {
            assert!(validate_uuid("id", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(validate_name("role", "a_b-C9").is_ok());
        assert!(validate_name("role", &"x".repeat(129)).is_err());
        assert!(validate_name("role", "ünï").is_err());
    }
}
