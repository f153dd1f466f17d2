//! ACL templated policies (Consul 1.17+): policies built into Consul, rendered from a
//! template and its variables (`builtin/service` with a service `Name`, `builtin/dns`, …).

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// A templated policy as Consul describes it (`/v1/acl/templated-policies`,
/// `/v1/acl/templated-policy/name/:name`; Go's `api.ACLTemplatedPolicyResponse`).
///
/// ```
/// use consul_types::acl::AclTemplatedPolicyResponse;
/// let t: AclTemplatedPolicyResponse = serde_json::from_str(
///     r#"{"TemplateName":"builtin/dns","Schema":"","Template":"node_prefix \"\" {}","Description":"DNS"}"#,
/// ).unwrap();
/// assert_eq!(t.template_name, "builtin/dns");
/// assert!(!t.requires_variables());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclTemplatedPolicyResponse {
    /// Its name (`builtin/service`).
    pub template_name: String,
    /// The JSON schema of its variables (empty when it takes none).
    pub schema: String,
    /// The policy rules it renders, with `{{.Name}}` where a variable goes.
    pub template: String,
    /// What it grants.
    pub description: String,
}

impl AclTemplatedPolicyResponse {
    /// Whether it takes variables (its schema is not empty).
    pub fn requires_variables(&self) -> bool {
        !self.schema.is_empty()
    }
}

/// The variables a templated policy is rendered with (Go's
/// `api.ACLTemplatedPolicyVariables`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AclTemplatedPolicyVariables {
    /// The name the template is about (a service's for `builtin/service`, a node's for
    /// `builtin/node`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// Checks a templated policy's name and splits it into its path segments (`builtin/service`
/// is two), each sent percent-encoded, the `/` between them as it is.
///
/// ```
/// use consul_types::acl::templated_policy_segments;
/// assert_eq!(templated_policy_segments("builtin/service").unwrap(), ["builtin", "service"]);
/// assert!(templated_policy_segments("").is_err());
/// assert!(templated_policy_segments("builtin//service").is_err());
/// assert!(templated_policy_segments("builtin/../acl").is_err());
/// ```
///
/// # Errors
/// [`ValidationError::Empty`] for an empty name; [`ValidationError::InvalidValue`] for an
/// empty, `.` or `..` part, which Consul would resolve as a relative path.
pub fn templated_policy_segments(name: &str) -> Result<Vec<&str>, ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::Empty {
            field: "templated policy name",
        });
    }
    let parts: Vec<&str> = name.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(ValidationError::InvalidValue {
            field: "templated policy name",
            reason: format!("{name:?} has an empty, `.` or `..` part").into(),
        });
    }
    Ok(parts)
}
