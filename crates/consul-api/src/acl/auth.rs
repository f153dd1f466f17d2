//! Auth methods and binding rules (Consul 1.5+): the calls of [`Acl`] named `auth_method_*`
//! and `binding_rule_*`.

use super::{item, Acl};
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::acl::{
    validate_name, validate_uuid, AclAuthMethod, AclAuthMethodListEntry, AclBindingRule,
};
use consul_types::endpoint::{Blocking, Endpoint, Missing};
use consul_types::ValidationError;
use http::Method;

fn validate_rule(rule: &AclBindingRule) -> Result<(), ValidationError> {
    validate_name("auth method name", &rule.auth_method)?;
    if rule.bind_name.is_empty() {
        return Err(ValidationError::Empty { field: "bind name" });
    }
    if rule.bind_type.as_str().is_empty() {
        return Err(ValidationError::Empty { field: "bind type" });
    }
    Ok(())
}

/// The call of [`Acl::auth_method_create`].
#[derive(Debug, Clone)]
pub struct AclAuthMethodCreate {
    method: AclAuthMethod,
}

impl Call for AclAuthMethodCreate {
    type Output = AclAuthMethod;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("auth method name", &self.method.name)?;
        Endpoint::write(Method::PUT, "acl/auth-method").json(&self.method)
    }

    fn output(&self, answer: Answer) -> Result<AclAuthMethod> {
        answer.json()
    }
}

/// The call of [`Acl::auth_method_update`].
#[derive(Debug, Clone)]
pub struct AclAuthMethodUpdate {
    method: AclAuthMethod,
}

impl Call for AclAuthMethodUpdate {
    type Output = AclAuthMethod;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("auth method name", &self.method.name)?;
        Endpoint::write(Method::PUT, "acl/auth-method")
            .segment("auth method name", &self.method.name)?
            .json(&self.method)
    }

    fn output(&self, answer: Answer) -> Result<AclAuthMethod> {
        answer.json()
    }
}

/// The call of [`Acl::auth_method_delete`].
#[derive(Debug, Clone)]
pub struct AclAuthMethodDelete {
    name: String,
}

impl Call for AclAuthMethodDelete {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("auth method name", &self.name)?;
        Endpoint::write(Method::DELETE, "acl/auth-method").segment("auth method name", &self.name)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Acl::auth_method_read`]: `None` when there is no such auth method.
#[derive(Debug, Clone)]
pub struct AclAuthMethodRead {
    name: String,
}

impl Call for AclAuthMethodRead {
    type Output = Option<AclAuthMethod>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("auth method name", &self.name)?;
        Ok(Endpoint::read(Method::GET, "acl/auth-method")
            .segment("auth method name", &self.name)?
            .blocking(Blocking::Index)
            .missing(Missing::AbsentEvenEmpty))
    }

    fn output(&self, answer: Answer) -> Result<Option<AclAuthMethod>> {
        item(&answer)
    }
}

/// The call of [`Acl::auth_method_list`].
#[derive(Debug, Clone)]
pub struct AclAuthMethodList;

impl Call for AclAuthMethodList {
    type Output = Vec<AclAuthMethodListEntry>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/auth-methods").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<AclAuthMethodListEntry>> {
        answer.json_list()
    }
}

/// The call of [`Acl::binding_rule_create`].
#[derive(Debug, Clone)]
pub struct AclBindingRuleCreate {
    rule: AclBindingRule,
}

impl Call for AclBindingRuleCreate {
    type Output = AclBindingRule;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if !self.rule.id.is_empty() {
            // Consul answers 400 ("ID in URL and payload do not match"), as Go's client
            // refuses it before sending.
            return Err(ValidationError::InvalidValue {
                field: "binding rule ID",
                reason: "is chosen by Consul on create (use binding_rule_update to change a rule)"
                    .into(),
            });
        }
        validate_rule(&self.rule)?;
        Endpoint::write(Method::PUT, "acl/binding-rule").json(&self.rule)
    }

    fn output(&self, answer: Answer) -> Result<AclBindingRule> {
        answer.json()
    }
}

/// The call of [`Acl::binding_rule_update`].
#[derive(Debug, Clone)]
pub struct AclBindingRuleUpdate {
    rule: AclBindingRule,
}

impl Call for AclBindingRuleUpdate {
    type Output = AclBindingRule;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("binding rule ID", &self.rule.id)?;
        validate_rule(&self.rule)?;
        Endpoint::write(Method::PUT, "acl/binding-rule")
            .segment("binding rule ID", &self.rule.id)?
            .json(&self.rule)
    }

    fn output(&self, answer: Answer) -> Result<AclBindingRule> {
        answer.json()
    }
}

/// The call of [`Acl::binding_rule_delete`].
#[derive(Debug, Clone)]
pub struct AclBindingRuleDelete {
    id: String,
}

impl Call for AclBindingRuleDelete {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("binding rule ID", &self.id)?;
        Endpoint::write(Method::DELETE, "acl/binding-rule").segment("binding rule ID", &self.id)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Acl::binding_rule_read`]: `None` when there is no such rule.
#[derive(Debug, Clone)]
pub struct AclBindingRuleRead {
    id: String,
}

impl Call for AclBindingRuleRead {
    type Output = Option<AclBindingRule>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("binding rule ID", &self.id)?;
        Ok(Endpoint::read(Method::GET, "acl/binding-rule")
            .segment("binding rule ID", &self.id)?
            .blocking(Blocking::Index)
            .missing(Missing::AbsentEvenEmpty))
    }

    fn output(&self, answer: Answer) -> Result<Option<AclBindingRule>> {
        item(&answer)
    }
}

/// The call of [`Acl::binding_rule_list`].
#[derive(Debug, Clone, Default)]
pub struct AclBindingRuleList {
    auth_method: Option<String>,
}

impl Call for AclBindingRuleList {
    type Output = Vec<AclBindingRule>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if let Some(name) = &self.auth_method {
            validate_name("auth method name", name)?;
        }
        Ok(Endpoint::read(Method::GET, "acl/binding-rules")
            .blocking(Blocking::Index)
            .param_opt("authmethod", self.auth_method.clone()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<AclBindingRule>> {
        answer.json_list()
    }
}

call_traits!(AclAuthMethodCreate: Cluster);
call_traits!(AclAuthMethodUpdate: Cluster);
call_traits!(AclAuthMethodDelete: Cluster);
call_traits!(AclAuthMethodRead: Cluster, Watchable, IndexBlocking);
call_traits!(AclAuthMethodList: Cluster, Watchable, IndexBlocking);
call_traits!(AclBindingRuleCreate: Cluster);
call_traits!(AclBindingRuleUpdate: Cluster);
call_traits!(AclBindingRuleDelete: Cluster);
call_traits!(AclBindingRuleRead: Cluster, Watchable, IndexBlocking);
call_traits!(AclBindingRuleList: Cluster, Watchable, IndexBlocking);

impl Acl {
    /// Creates an auth method (Go's `AuthMethodCreate`). Consul 1.8 OSS knows the kinds
    /// `kubernetes` and `jwt`, and checks the settings (fetching a JWKS or discovery URL)
    /// before it accepts them.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#create-an-auth-method)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, public_key_pem: String) -> consul_api::Result<()> {
    /// use consul_api::acl::{AclAuthMethod, OidcAuthMethodConfig};
    /// use std::time::Duration;
    /// let config = OidcAuthMethodConfig::default()
    ///     .jwt_validation_pub_keys([public_key_pem])
    ///     .bound_audiences(["consul".to_owned()])
    ///     .list_claim_mapping("groups", "groups");
    /// let method = AclAuthMethod::jwt("ci-jwt", &config).max_token_ttl(Duration::from_secs(3600));
    /// let created = client.acl().auth_method_create(method).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name; a 500 status error for settings Consul
    /// refuses (`Invalid Auth Method: …`) or an unknown kind.
    pub fn auth_method_create(&self, method: AclAuthMethod) -> WriteRequest<AclAuthMethodCreate> {
        self.write(AclAuthMethodCreate { method })
    }

    /// Replaces an auth method's settings (its name says which; Go's `AuthMethodUpdate`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#update-an-auth-method)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(mut method) = client.acl().auth_method_read("ci-jwt").await?.value {
    ///     method.description = "CI jobs of the platform team".into();
    ///     client.acl().auth_method_update(method).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name; a 500 status error for an unknown method
    /// or settings Consul refuses.
    pub fn auth_method_update(&self, method: AclAuthMethod) -> WriteRequest<AclAuthMethodUpdate> {
        self.write(AclAuthMethodUpdate { method })
    }

    /// Deletes an auth method, with the tokens its logins made and its binding rules (Go's
    /// `AuthMethodDelete`). Deleting one that does not exist succeeds.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#delete-an-auth-method)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.acl().auth_method_delete("ci-jwt").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name.
    pub fn auth_method_delete(&self, name: impl Into<String>) -> WriteRequest<AclAuthMethodDelete> {
        self.write(AclAuthMethodDelete { name: name.into() })
    }

    /// Reads an auth method with its settings; `None` when there is none (Go's
    /// `AuthMethodRead`). It blocks: `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#read-an-auth-method)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(method) = client.acl().auth_method_read("ci-jwt").await?.value {
    ///     let audiences = method.oidc_config()?.bound_audiences;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name.
    pub fn auth_method_read(&self, name: impl Into<String>) -> ReadRequest<AclAuthMethodRead> {
        self.read(AclAuthMethodRead { name: name.into() })
    }

    /// Lists auth methods, without their settings (Go's `AuthMethodList`). It blocks:
    /// `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#list-auth-methods)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for method in client.acl().auth_method_list().await?.value {
    ///     println!("{} ({})", method.name, method.kind);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub fn auth_method_list(&self) -> ReadRequest<AclAuthMethodList> {
        self.read(AclAuthMethodList)
    }

    /// Creates a binding rule (Go's `BindingRuleCreate`): logins through its auth method
    /// that match its selector get what it binds.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#create-a-binding-rule)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::acl::{AclBindingRule, BindingRuleBindType};
    /// let rule = AclBindingRule::new("ci-jwt", BindingRuleBindType::Role, "deployer")
    ///     .selector(r#""deploy" in list.groups"#);
    /// let rule = client.acl().binding_rule_create(rule).await?.value;
    /// println!("created {}", rule.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a rule with an ID (Consul chooses it), or without an auth
    /// method, bind type or bind name; a 500 status error for what Consul refuses (an
    /// unknown auth method or bind type, an invalid selector).
    pub fn binding_rule_create(&self, rule: AclBindingRule) -> WriteRequest<AclBindingRuleCreate> {
        self.write(AclBindingRuleCreate { rule })
    }

    /// Replaces a binding rule (its ID says which; Go's `BindingRuleUpdate`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#update-a-binding-rule)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, mut rule: consul_api::acl::AclBindingRule) -> consul_api::Result<()> {
    /// rule.bind_name = "deployer-v2".into();
    /// client.acl().binding_rule_update(rule).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a missing or malformed ID; a 500 status error for an
    /// unknown rule (`cannot find binding rule …`).
    pub fn binding_rule_update(&self, rule: AclBindingRule) -> WriteRequest<AclBindingRuleUpdate> {
        self.write(AclBindingRuleUpdate { rule })
    }

    /// Deletes a binding rule (Go's `BindingRuleDelete`). Deleting one that does not exist
    /// succeeds.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#delete-a-binding-rule)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.acl().binding_rule_delete("000ed53c-e2d3-e7e6-31a5-c19bc8e8b3d0").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub fn binding_rule_delete(&self, id: impl Into<String>) -> WriteRequest<AclBindingRuleDelete> {
        self.write(AclBindingRuleDelete { id: id.into() })
    }

    /// Reads a binding rule; `None` when there is none (Go's `BindingRuleRead`). It
    /// blocks: `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#read-a-binding-rule)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let rule = client.acl().binding_rule_read("000ed53c-e2d3-e7e6-31a5-c19bc8e8b3d0").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub fn binding_rule_read(&self, id: impl Into<String>) -> ReadRequest<AclBindingRuleRead> {
        self.read(AclBindingRuleRead { id: id.into() })
    }

    /// Lists binding rules; `.auth_method(name)` keeps those of one auth method (Go's
    /// `BindingRuleList`). It blocks: `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#list-binding-rules)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let all = client.acl().binding_rule_list().await?.value;
    /// let ci = client.acl().binding_rule_list().auth_method("ci-jwt").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid auth method name.
    pub fn binding_rule_list(&self) -> ReadRequest<AclBindingRuleList> {
        self.read(AclBindingRuleList::default())
    }
}

impl ReadRequest<AclBindingRuleList> {
    /// Only the rules of this auth method (`?authmethod=`).
    pub fn auth_method(mut self, name: impl Into<String>) -> Self {
        self.call_mut().auth_method = Some(name.into());
        self
    }
}
