//! Templated policies (Consul 1.17+): the calls of [`Acl`] named `templated_policy_*`.
//!
//! The templates are built into Consul, so the agent answers these calls itself: they take
//! no datacenter and no consistency mode (Consul reads neither here).

use super::{item, Acl, AclPolicy};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::acl::{
    templated_policy_segments, AclTemplatedPolicyResponse, AclTemplatedPolicyVariables,
};
use consul_types::endpoint::{Endpoint, Missing};
use consul_types::ValidationError;
use http::Method;
use std::collections::BTreeMap;

/// `{prefix}/{name}`, the `/`s of the name kept between its percent-encoded parts.
fn templated_endpoint(mut endpoint: Endpoint, name: &str) -> Result<Endpoint, ValidationError> {
    for part in templated_policy_segments(name)? {
        endpoint = endpoint.segment("templated policy name", part)?;
    }
    Ok(endpoint.agent())
}

/// The call of [`Acl::templated_policy_list`].
#[derive(Debug, Clone)]
pub struct AclTemplatedPolicyList;

impl Call for AclTemplatedPolicyList {
    type Output = BTreeMap<String, AclTemplatedPolicyResponse>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/templated-policies").agent())
    }

    fn output(&self, answer: Answer) -> Result<Self::Output> {
        Ok(answer
            .json_opt::<Option<_>>()?
            .flatten()
            .unwrap_or_default())
    }
}

/// The call of [`Acl::templated_policy_read_by_name`].
#[derive(Debug, Clone)]
pub struct AclTemplatedPolicyReadByName {
    name: String,
}

impl Call for AclTemplatedPolicyReadByName {
    type Output = Option<AclTemplatedPolicyResponse>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        let endpoint = Endpoint::read(Method::GET, "acl/templated-policy/name");
        Ok(templated_endpoint(endpoint, &self.name)?.missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Self::Output> {
        item(&answer)
    }
}

/// The call of [`Acl::templated_policy_preview`].
#[derive(Debug, Clone)]
pub struct AclTemplatedPolicyPreview {
    name: String,
    variables: AclTemplatedPolicyVariables,
}

impl Call for AclTemplatedPolicyPreview {
    type Output = AclPolicy;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        let endpoint = Endpoint::write(Method::POST, "acl/templated-policy/preview");
        templated_endpoint(endpoint, &self.name)?.json(&self.variables)
    }

    fn output(&self, answer: Answer) -> Result<AclPolicy> {
        answer.json()
    }
}

impl WriteRequest<AclTemplatedPolicyPreview> {
    /// Renders the template for this name (its `Name` variable: a service's for
    /// `builtin/service`, a node's for `builtin/node`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.call_mut().variables.name = name.into();
        self
    }
}

impl Acl {
    /// Every templated policy, by name (Go's `TemplatedPolicyList`, Consul 1.17+). Needs
    /// `acl:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/templated-policies#list-templated-policies)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for (name, template) in client.acl().templated_policy_list().await?.value {
    ///     println!("{name}: {}", template.description);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) from an agent older than 1.17 (a
    /// 1.8.7 agent answers an empty `404`); transport and status errors.
    pub fn templated_policy_list(&self) -> ReadRequest<AclTemplatedPolicyList> {
        self.read(AclTemplatedPolicyList)
    }

    /// The templated policy named `name` (`builtin/service`); `None` when Consul answers
    /// that there is none with a `404` (Go's `TemplatedPolicyReadByName`, Consul 1.17+).
    /// Needs `acl:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/templated-policies#read-a-templated-policy-by-name)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(t) = client.acl().templated_policy_read_by_name("builtin/service").await?.value {
    ///     println!("{}\n{}", t.schema, t.template);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name or one with an
    /// empty, `.` or `..` part; [`Error::Unsupported`](crate::Error::Unsupported) from an
    /// agent older than 1.17; a status error for a name Consul refuses.
    pub fn templated_policy_read_by_name(
        &self,
        name: impl Into<String>,
    ) -> ReadRequest<AclTemplatedPolicyReadByName> {
        self.read(AclTemplatedPolicyReadByName { name: name.into() })
    }

    /// The policy templated policy `name` renders (Go's `TemplatedPolicyPreview`, Consul
    /// 1.17+): a synthetic policy, not stored. `.name(..)` sets the template's `Name`
    /// variable, which templates with a schema require. Needs `acl:read`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/templated-policies#preview-a-templated-policy)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let policy = client
    ///     .acl()
    ///     .templated_policy_preview("builtin/service")
    ///     .name("web")
    ///     .await?
    ///     .value;
    /// println!("{}", policy.rules);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Acl::templated_policy_read_by_name`]; a status error for missing or invalid
    /// variables.
    pub fn templated_policy_preview(
        &self,
        name: impl Into<String>,
    ) -> WriteRequest<AclTemplatedPolicyPreview> {
        self.write(AclTemplatedPolicyPreview {
            name: name.into(),
            variables: AclTemplatedPolicyVariables::default(),
        })
    }
}
