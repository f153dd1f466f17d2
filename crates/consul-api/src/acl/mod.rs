//! The ACL system (`/v1/acl`): Go's `api/acl.go`, aioconsul's `client.acl`. Tokens, policies
//! and roles (Consul 1.4+), auth methods, binding rules, login and logout (1.5+), rule
//! translation, the legacy token API that aioconsul used (gone in 1.11), and templated
//! policies (1.17+; a 1.8 agent answers them with
//! [`Error::Unsupported`]).
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use consul_api::acl::{AclPolicy, AclToken, Policy, Rules};
//! let acl = client.acl();
//! let rules = Rules::new().key_prefix("app/", Policy::Read);
//! let policy = acl.policy_create(AclPolicy::new("app-read", &rules)).await?.value;
//! let token = acl.token_create(AclToken::new("app").policy("app-read")).await?.value;
//! let read = acl.token_read(&token.accessor_id).await?.value;   // None once deleted
//! let mut changes = acl.policy_list().watch();                   // a Stream of the policies
//! # Ok(()) }
//! ```
//!
//! A login through an auth method gets its roles and identities from the method's binding
//! rules:
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client, public_key_pem: String, jwt: String) -> consul_api::Result<()> {
//! use consul_api::acl::{AclAuthMethod, AclBindingRule, BindingRuleBindType, OidcAuthMethodConfig};
//! let acl = client.acl();
//! let config = OidcAuthMethodConfig::default()
//!     .jwt_validation_pub_keys([public_key_pem])
//!     .bound_audiences(["consul".to_owned()])
//!     .list_claim_mapping("groups", "groups");
//! acl.auth_method_create(AclAuthMethod::jwt("ci-jwt", &config)).await?;
//! let rule = AclBindingRule::new("ci-jwt", BindingRuleBindType::Role, "deployer")
//!     .selector(r#""deploy" in list.groups"#);
//! acl.binding_rule_create(rule).await?;
//! let token = acl.login("ci-jwt", jwt).await?.value;   // has the role `deployer`
//! # Ok(()) }
//! ```
//!
//! Every read of one token, policy, role, auth method or binding rule returns `Option`:
//! `None` when Consul says it does not exist. Consul 1.8 answers a read of a missing token
//! or policy with `403 ACL not found`, taken as "absent" for these reads only, and one of a
//! missing role, auth method or binding rule with an empty `404`.
//!
//! Secrets stay secret: tokens are [`Token`]s with a redacted `Debug`, and the legacy calls
//! that must put a secret in the URL keep that path out of logs and errors.

mod auth;
mod templated;

pub use templated::{
    AclTemplatedPolicyList, AclTemplatedPolicyPreview, AclTemplatedPolicyReadByName,
};

pub use auth::{
    AclAuthMethodCreate, AclAuthMethodDelete, AclAuthMethodList, AclAuthMethodRead,
    AclAuthMethodUpdate, AclBindingRuleCreate, AclBindingRuleDelete, AclBindingRuleList,
    AclBindingRuleRead, AclBindingRuleUpdate,
};

use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::{Error, Result};
use consul_types::acl::{validate_name, validate_uuid};
pub use consul_types::acl::{
    AclAuthMethod, AclAuthMethodListEntry, AclBindingRule, AclLink, AclPolicy, AclPolicyListEntry,
    AclReplication, AclRole, AclTemplatedPolicyResponse, AclTemplatedPolicyVariables, AclToken,
    AclTokenListEntry, AuthMethodType, BindingRuleBindType, KubernetesAuthMethodConfig, LegacyAcl,
    LegacyAclRequest, LegacyAclType, NodeIdentity, OidcAuthMethodConfig, Policy, Resource, Rule,
    Rules, ServiceIdentity, TokenLocality,
};
use consul_types::endpoint::{Blocking, Decode, Endpoint, Missing};
use consul_types::{Token, ValidationError};
use http::Method;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

family! {
    /// The ACL system; made by [`Client::acl`](crate::Client::acl). Every call needs a
    /// token with `acl` rights (a management token) unless said otherwise.
    Acl, acl, "ACL system"
}

/// What logs show for `acl/token/:id`: an accessor id is not secret, but a secret passed
/// there by mistake would be, and the two look alike.
const TOKEN_PATH_SHOWN: &str = "acl/token/<redacted>";

/// A single item's answer: `None` when absent, or when Consul answered `null`.
fn item<T: DeserializeOwned>(answer: &Answer) -> Result<Option<T>> {
    Ok(answer.json_opt::<Option<T>>()?.flatten())
}

fn token_endpoint(endpoint: Endpoint, accessor_id: &str) -> Result<Endpoint, ValidationError> {
    validate_uuid("accessor ID", accessor_id)?;
    Ok(endpoint
        .segment("accessor ID", accessor_id)?
        .secret_path(TOKEN_PATH_SHOWN))
}

/// A legacy token's secret as a path segment; an empty one is refused without saying more.
fn legacy_endpoint(
    endpoint: Endpoint,
    secret: &Token,
    shown: &'static str,
) -> Result<Endpoint, ValidationError> {
    if secret.is_empty() {
        return Err(ValidationError::Empty { field: "token" });
    }
    endpoint
        .secret_path(shown)
        .segment("token", secret.secret())
}

#[derive(serde::Deserialize)]
struct IdAnswer {
    #[serde(rename = "ID")]
    id: Token,
}

// ---------------------------------------------------------------------------------------
// Bootstrap and replication

/// The call of [`Acl::bootstrap`].
#[derive(Debug, Clone)]
pub struct AclBootstrap;

impl Call for AclBootstrap {
    type Output = AclToken;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::write(Method::PUT, "acl/bootstrap"))
    }

    fn output(&self, answer: Answer) -> Result<AclToken> {
        answer.json()
    }
}

/// The call of [`Acl::replication`] (Go's `ACL.Replication`; the name `AclReplication` is
/// the model it returns).
#[derive(Debug, Clone)]
pub struct AclReplicationRead;

impl Call for AclReplicationRead {
    type Output = AclReplication;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/replication"))
    }

    fn output(&self, answer: Answer) -> Result<AclReplication> {
        answer.json()
    }
}

// ---------------------------------------------------------------------------------------
// Tokens

/// The call of [`Acl::token_create`].
#[derive(Debug, Clone)]
pub struct AclTokenCreate {
    token: AclToken,
}

impl Call for AclTokenCreate {
    type Output = AclToken;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if !self.token.accessor_id.is_empty() {
            validate_uuid("accessor ID", &self.token.accessor_id)?;
        }
        Endpoint::write(Method::PUT, "acl/token").json(&self.token)
    }

    fn output(&self, answer: Answer) -> Result<AclToken> {
        answer.json()
    }
}

/// The call of [`Acl::token_update`].
#[derive(Debug, Clone)]
pub struct AclTokenUpdate {
    token: AclToken,
}

impl Call for AclTokenUpdate {
    type Output = AclToken;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        token_endpoint(
            Endpoint::write(Method::PUT, "acl/token"),
            &self.token.accessor_id,
        )?
        .json(&self.token)
    }

    fn output(&self, answer: Answer) -> Result<AclToken> {
        answer.json()
    }
}

/// The call of [`Acl::token_clone`].
#[derive(Debug, Clone)]
pub struct AclTokenClone {
    accessor_id: String,
    description: Option<String>,
}

impl Call for AclTokenClone {
    type Output = AclToken;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        let mut body = serde_json::Map::new();
        if let Some(description) = &self.description {
            body.insert("Description".into(), description.clone().into());
        }
        token_endpoint(Endpoint::write(Method::PUT, "acl/token"), &self.accessor_id)?
            .fixed("clone")
            .secret_path("acl/token/<redacted>/clone")
            .json(&body)
    }

    fn output(&self, answer: Answer) -> Result<AclToken> {
        answer.json()
    }
}

/// The call of [`Acl::token_delete`].
#[derive(Debug, Clone)]
pub struct AclTokenDelete {
    accessor_id: String,
}

impl Call for AclTokenDelete {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        token_endpoint(
            Endpoint::write(Method::DELETE, "acl/token"),
            &self.accessor_id,
        )
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Acl::token_read`]: `None` when there is no such token.
#[derive(Debug, Clone)]
pub struct AclTokenRead {
    accessor_id: String,
}

impl Call for AclTokenRead {
    type Output = Option<AclToken>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(
            token_endpoint(Endpoint::read(Method::GET, "acl/token"), &self.accessor_id)?
                .missing(Missing::AclAbsent),
        )
    }

    fn output(&self, answer: Answer) -> Result<Option<AclToken>> {
        item(&answer)
    }
}

/// The call of [`Acl::token_read_self`].
#[derive(Debug, Clone)]
pub struct AclTokenReadSelf;

impl Call for AclTokenReadSelf {
    type Output = AclToken;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/token/self"))
    }

    fn output(&self, answer: Answer) -> Result<AclToken> {
        answer.json()
    }
}

/// The call of [`Acl::token_list`].
#[derive(Debug, Clone, Default)]
pub struct AclTokenList {
    policy: Option<String>,
    role: Option<String>,
    auth_method: Option<String>,
}

impl Call for AclTokenList {
    type Output = Vec<AclTokenListEntry>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/tokens")
            .blocking(Blocking::Index)
            .param_opt("policy", self.policy.clone())
            .param_opt("role", self.role.clone())
            .param_opt("authmethod", self.auth_method.clone()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<AclTokenListEntry>> {
        answer.json_list()
    }
}

// ---------------------------------------------------------------------------------------
// Policies

/// The call of [`Acl::policy_create`].
#[derive(Debug, Clone)]
pub struct AclPolicyCreate {
    policy: AclPolicy,
}

impl Call for AclPolicyCreate {
    type Output = AclPolicy;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("policy name", &self.policy.name)?;
        Endpoint::write(Method::PUT, "acl/policy").json(&self.policy)
    }

    fn output(&self, answer: Answer) -> Result<AclPolicy> {
        answer.json()
    }
}

/// The call of [`Acl::policy_update`].
#[derive(Debug, Clone)]
pub struct AclPolicyUpdate {
    policy: AclPolicy,
}

impl Call for AclPolicyUpdate {
    type Output = AclPolicy;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("policy ID", &self.policy.id)?;
        validate_name("policy name", &self.policy.name)?;
        Endpoint::write(Method::PUT, "acl/policy")
            .segment("policy ID", &self.policy.id)?
            .json(&self.policy)
    }

    fn output(&self, answer: Answer) -> Result<AclPolicy> {
        answer.json()
    }
}

/// The call of [`Acl::policy_delete`].
#[derive(Debug, Clone)]
pub struct AclPolicyDelete {
    id: String,
}

impl Call for AclPolicyDelete {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("policy ID", &self.id)?;
        Endpoint::write(Method::DELETE, "acl/policy").segment("policy ID", &self.id)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Acl::policy_read`]: `None` when there is no such policy.
#[derive(Debug, Clone)]
pub struct AclPolicyRead {
    id: String,
}

impl Call for AclPolicyRead {
    type Output = Option<AclPolicy>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("policy ID", &self.id)?;
        Ok(Endpoint::read(Method::GET, "acl/policy")
            .segment("policy ID", &self.id)?
            .missing(Missing::AclAbsent))
    }

    fn output(&self, answer: Answer) -> Result<Option<AclPolicy>> {
        item(&answer)
    }
}

/// The call of [`Acl::policy_read_by_name`]: `None` when there is no such policy.
#[derive(Debug, Clone)]
pub struct AclPolicyReadByName {
    name: String,
}

impl Call for AclPolicyReadByName {
    type Output = Option<AclPolicy>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("policy name", &self.name)?;
        Ok(Endpoint::read(Method::GET, "acl/policy/name")
            .segment("policy name", &self.name)?
            .missing(Missing::AclAbsent))
    }

    fn output(&self, answer: Answer) -> Result<Option<AclPolicy>> {
        item(&answer)
    }
}

/// The call of [`Acl::policy_list`].
#[derive(Debug, Clone)]
pub struct AclPolicyList;

impl Call for AclPolicyList {
    type Output = Vec<AclPolicyListEntry>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/policies").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<AclPolicyListEntry>> {
        answer.json_list()
    }
}

// ---------------------------------------------------------------------------------------
// Roles

/// The call of [`Acl::role_create`].
#[derive(Debug, Clone)]
pub struct AclRoleCreate {
    role: AclRole,
}

impl Call for AclRoleCreate {
    type Output = AclRole;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("role name", &self.role.name)?;
        Endpoint::write(Method::PUT, "acl/role").json(&self.role)
    }

    fn output(&self, answer: Answer) -> Result<AclRole> {
        answer.json()
    }
}

/// The call of [`Acl::role_update`].
#[derive(Debug, Clone)]
pub struct AclRoleUpdate {
    role: AclRole,
}

impl Call for AclRoleUpdate {
    type Output = AclRole;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("role ID", &self.role.id)?;
        validate_name("role name", &self.role.name)?;
        Endpoint::write(Method::PUT, "acl/role")
            .segment("role ID", &self.role.id)?
            .json(&self.role)
    }

    fn output(&self, answer: Answer) -> Result<AclRole> {
        answer.json()
    }
}

/// The call of [`Acl::role_delete`].
#[derive(Debug, Clone)]
pub struct AclRoleDelete {
    id: String,
}

impl Call for AclRoleDelete {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("role ID", &self.id)?;
        Endpoint::write(Method::DELETE, "acl/role").segment("role ID", &self.id)
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Acl::role_read`]: `None` when there is no such role.
#[derive(Debug, Clone)]
pub struct AclRoleRead {
    id: String,
}

impl Call for AclRoleRead {
    type Output = Option<AclRole>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("role ID", &self.id)?;
        Ok(Endpoint::read(Method::GET, "acl/role")
            .segment("role ID", &self.id)?
            .missing(Missing::AbsentEvenEmpty))
    }

    fn output(&self, answer: Answer) -> Result<Option<AclRole>> {
        item(&answer)
    }
}

/// The call of [`Acl::role_read_by_name`]: `None` when there is no such role.
#[derive(Debug, Clone)]
pub struct AclRoleReadByName {
    name: String,
}

impl Call for AclRoleReadByName {
    type Output = Option<AclRole>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_name("role name", &self.name)?;
        Ok(Endpoint::read(Method::GET, "acl/role/name")
            .segment("role name", &self.name)?
            .missing(Missing::AbsentEvenEmpty))
    }

    fn output(&self, answer: Answer) -> Result<Option<AclRole>> {
        item(&answer)
    }
}

/// The call of [`Acl::role_list`].
#[derive(Debug, Clone, Default)]
pub struct AclRoleList {
    policy: Option<String>,
}

impl Call for AclRoleList {
    type Output = Vec<AclRole>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/roles")
            .blocking(Blocking::Index)
            .param_opt("policy", self.policy.clone()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<AclRole>> {
        answer.json_list()
    }
}

// ---------------------------------------------------------------------------------------
// Rules, login, logout

/// The call of [`Acl::rules_translate`].
#[derive(Debug, Clone)]
pub struct AclRulesTranslate {
    rules: String,
}

impl Call for AclRulesTranslate {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::write(Method::POST, "acl/rules/translate")
            .body(bytes::Bytes::copy_from_slice(self.rules.as_bytes()))
            .decode(Decode::Bytes))
    }

    fn output(&self, answer: Answer) -> Result<String> {
        String::from_utf8(answer.bytes().to_vec()).map_err(Error::decode)
    }
}

/// The call of [`Acl::rules_translate_token`]: `None` when there is no such token.
#[derive(Debug, Clone)]
pub struct AclRulesTranslateToken {
    accessor_id: String,
}

impl Call for AclRulesTranslateToken {
    type Output = Option<String>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        validate_uuid("accessor ID", &self.accessor_id)?;
        Ok(Endpoint::read(Method::GET, "acl/rules/translate")
            .segment("accessor ID", &self.accessor_id)?
            .secret_path("acl/rules/translate/<redacted>")
            .missing(Missing::AclAbsent)
            .decode(Decode::Bytes))
    }

    fn output(&self, answer: Answer) -> Result<Option<String>> {
        if answer.is_absent() {
            return Ok(None);
        }
        String::from_utf8(answer.bytes().to_vec())
            .map(Some)
            .map_err(Error::decode)
    }
}

/// The call of [`Acl::login`]. Its `Debug` output does not show the bearer token.
#[derive(Debug, Clone)]
pub struct AclLogin {
    auth_method: String,
    bearer_token: Token,
    meta: BTreeMap<String, String>,
}

impl Call for AclLogin {
    type Output = AclToken;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.auth_method.is_empty() {
            return Err(ValidationError::Empty {
                field: "auth method",
            });
        }
        if self.bearer_token.is_empty() {
            return Err(ValidationError::Empty {
                field: "bearer token",
            });
        }
        let mut body = serde_json::json!({
            "AuthMethod": self.auth_method,
            "BearerToken": self.bearer_token.secret(),
        });
        if !self.meta.is_empty() {
            body["Meta"] = serde_json::json!(self.meta);
        }
        Endpoint::write(Method::POST, "acl/login").json(&body)
    }

    fn output(&self, answer: Answer) -> Result<AclToken> {
        answer.json()
    }
}

/// The call of [`Acl::oidc_auth_url`].
#[derive(Debug, Clone)]
pub struct AclOidcAuthUrl {
    auth_method: String,
    redirect_uri: String,
    client_nonce: Option<String>,
    meta: BTreeMap<String, String>,
}

impl Call for AclOidcAuthUrl {
    type Output = String;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.auth_method.is_empty() {
            return Err(ValidationError::Empty {
                field: "auth method",
            });
        }
        let mut body = serde_json::json!({
            "AuthMethod": self.auth_method,
            "RedirectURI": self.redirect_uri,
        });
        if let Some(nonce) = &self.client_nonce {
            body["ClientNonce"] = serde_json::json!(nonce);
        }
        if !self.meta.is_empty() {
            body["Meta"] = serde_json::json!(self.meta);
        }
        Endpoint::write(Method::POST, "acl/oidc/auth-url").json(&body)
    }

    fn output(&self, answer: Answer) -> Result<String> {
        #[derive(serde::Deserialize)]
        struct AuthUrl {
            #[serde(rename = "AuthURL")]
            auth_url: String,
        }
        Ok(answer.json::<AuthUrl>()?.auth_url)
    }
}

/// The call of [`Acl::oidc_callback`]. Its `Debug` output does not show the authorization
/// code, which is as good as a token until it is used.
#[derive(Debug, Clone)]
pub struct AclOidcCallback {
    auth_method: String,
    state: String,
    code: Token,
    client_nonce: Option<String>,
}

impl Call for AclOidcCallback {
    type Output = AclToken;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.auth_method.is_empty() {
            return Err(ValidationError::Empty {
                field: "auth method",
            });
        }
        let mut body = serde_json::json!({
            "AuthMethod": self.auth_method,
            "State": self.state,
            "Code": self.code.secret(),
        });
        if let Some(nonce) = &self.client_nonce {
            body["ClientNonce"] = serde_json::json!(nonce);
        }
        Endpoint::write(Method::POST, "acl/oidc/callback").json(&body)
    }

    fn output(&self, answer: Answer) -> Result<AclToken> {
        answer.json()
    }
}

/// The call of [`Acl::logout`].
#[derive(Debug, Clone)]
pub struct AclLogout;

impl Call for AclLogout {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::write(Method::POST, "acl/logout").decode(Decode::Unit))
    }

    fn output(&self, _answer: Answer) -> Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The legacy API

/// The call of [`Acl::legacy_create`].
#[derive(Debug, Clone)]
pub struct AclLegacyCreate {
    request: LegacyAclRequest,
}

impl Call for AclLegacyCreate {
    type Output = Token;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Endpoint::write(Method::PUT, "acl/create").json(&self.request)
    }

    fn output(&self, answer: Answer) -> Result<Token> {
        Ok(answer.json::<IdAnswer>()?.id)
    }
}

/// The call of [`Acl::legacy_update`].
#[derive(Debug, Clone)]
pub struct AclLegacyUpdate {
    request: LegacyAclRequest,
}

impl Call for AclLegacyUpdate {
    type Output = ();

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        if self.request.id.as_ref().is_none_or(Token::is_empty) {
            return Err(ValidationError::Empty { field: "token" });
        }
        Ok(Endpoint::write(Method::PUT, "acl/update")
            .json(&self.request)?
            .decode(Decode::Unit))
    }

    fn output(&self, _answer: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Acl::legacy_clone`].
#[derive(Debug, Clone)]
pub struct AclLegacyClone {
    id: Token,
}

impl Call for AclLegacyClone {
    type Output = Token;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        legacy_endpoint(
            Endpoint::write(Method::PUT, "acl/clone"),
            &self.id,
            "acl/clone/<redacted>",
        )
    }

    fn output(&self, answer: Answer) -> Result<Token> {
        Ok(answer.json::<IdAnswer>()?.id)
    }
}

/// The call of [`Acl::legacy_destroy`].
#[derive(Debug, Clone)]
pub struct AclLegacyDestroy {
    id: Token,
}

impl Call for AclLegacyDestroy {
    type Output = bool;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        legacy_endpoint(
            Endpoint::write(Method::PUT, "acl/destroy"),
            &self.id,
            "acl/destroy/<redacted>",
        )
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        answer.json()
    }
}

/// The call of [`Acl::legacy_info`]: `None` when there is no such token (Consul answers
/// `[]`).
#[derive(Debug, Clone)]
pub struct AclLegacyInfo {
    id: Token,
}

impl Call for AclLegacyInfo {
    type Output = Option<LegacyAcl>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(legacy_endpoint(
            Endpoint::read(Method::GET, "acl/info"),
            &self.id,
            "acl/info/<redacted>",
        )?
        .blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Option<LegacyAcl>> {
        answer.json_first()
    }
}

/// The call of [`Acl::legacy_list`].
#[derive(Debug, Clone)]
pub struct AclLegacyList;

impl Call for AclLegacyList {
    type Output = Vec<LegacyAcl>;

    fn endpoint(&self) -> Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "acl/list").blocking(Blocking::Index))
    }

    fn output(&self, answer: Answer) -> Result<Vec<LegacyAcl>> {
        answer.json_list()
    }
}

call_traits!(AclBootstrap: Cluster);
call_traits!(AclReplicationRead: Cluster);
call_traits!(AclTokenCreate: Cluster);
call_traits!(AclTokenUpdate: Cluster);
call_traits!(AclTokenClone: Cluster);
call_traits!(AclTokenDelete: Cluster);
call_traits!(AclTokenRead: Cluster);
call_traits!(AclTokenReadSelf: Cluster);
call_traits!(AclTokenList: Cluster, Watchable, IndexBlocking);
call_traits!(AclPolicyCreate: Cluster);
call_traits!(AclPolicyUpdate: Cluster);
call_traits!(AclPolicyDelete: Cluster);
call_traits!(AclPolicyRead: Cluster);
call_traits!(AclPolicyReadByName: Cluster);
call_traits!(AclPolicyList: Cluster, Watchable, IndexBlocking);
call_traits!(AclRoleCreate: Cluster);
call_traits!(AclRoleUpdate: Cluster);
call_traits!(AclRoleDelete: Cluster);
call_traits!(AclRoleRead: Cluster);
call_traits!(AclRoleReadByName: Cluster);
call_traits!(AclRoleList: Cluster, Watchable, IndexBlocking);
call_traits!(AclRulesTranslate: Cluster);
call_traits!(AclRulesTranslateToken: Cluster);
call_traits!(AclLogin: Cluster);
call_traits!(AclLogout: Cluster);
call_traits!(AclOidcAuthUrl: Cluster);
call_traits!(AclOidcCallback: Cluster);
call_traits!(AclLegacyCreate: Cluster);
call_traits!(AclLegacyUpdate: Cluster);
call_traits!(AclLegacyClone: Cluster);
call_traits!(AclLegacyDestroy: Cluster);
call_traits!(AclLegacyInfo: Cluster, Watchable, IndexBlocking);
call_traits!(AclLegacyList: Cluster, Watchable, IndexBlocking);

impl Acl {
    /// Creates the first management token of a cluster whose ACLs were just enabled.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl#bootstrap-acls)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let root = client.acl().bootstrap().await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] once the cluster was bootstrapped already.
    pub fn bootstrap(&self) -> WriteRequest<AclBootstrap> {
        self.write(AclBootstrap)
    }

    /// ACL replication status of the answering datacenter.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl#check-acl-replication)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let status = client.acl().replication().dc("dc2").await?.value;
    /// println!("replicating: {}", status.running);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Status`] 401 when ACLs are disabled.
    pub fn replication(&self) -> ReadRequest<AclReplicationRead> {
        self.read(AclReplicationRead)
    }

    /// Creates a token; Consul fills in the accessor and secret unless given.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/tokens#create-a-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::acl::AclToken;
    /// use std::time::Duration;
    /// let token = client
    ///     .acl()
    ///     .token_create(AclToken::new("ci runner").policy("kv-read").expiration_ttl(Duration::from_secs(3600)))
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Validation errors for a malformed accessor ID; status errors from Consul (an unknown
    /// policy name is a 400).
    pub fn token_create(&self, token: AclToken) -> WriteRequest<AclTokenCreate> {
        self.write(AclTokenCreate { token })
    }

    /// Replaces a token's description, policies, roles and identities (its accessor ID says
    /// which).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/tokens#update-a-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, mut token: consul_api::acl::AclToken) -> consul_api::Result<()> {
    /// token.description = "renamed".into();
    /// client.acl().token_update(token).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error without a valid accessor ID.
    pub fn token_update(&self, token: AclToken) -> WriteRequest<AclTokenUpdate> {
        self.write(AclTokenUpdate { token })
    }

    /// Copies a token's permissions into a new token, with the original's description unless
    /// `.description()` gives another.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/tokens#clone-a-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let copy = client
    ///     .acl()
    ///     .token_clone("32f01394-2e15-7e9d-4e75-6f5abe979629")
    ///     .description("copy")
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed accessor ID.
    pub fn token_clone(&self, accessor_id: impl Into<String>) -> WriteRequest<AclTokenClone> {
        self.write(AclTokenClone {
            accessor_id: accessor_id.into(),
            description: None,
        })
    }

    /// Deletes a token.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/tokens#delete-a-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.acl().token_delete("32f01394-2e15-7e9d-4e75-6f5abe979629").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed accessor ID.
    pub fn token_delete(&self, accessor_id: impl Into<String>) -> WriteRequest<AclTokenDelete> {
        self.write(AclTokenDelete {
            accessor_id: accessor_id.into(),
        })
    }

    /// Reads a token by accessor ID; `None` when there is none (Consul 1.8 answers
    /// `403 ACL not found`, taken here as "absent").
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/tokens#read-a-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// match client.acl().token_read("32f01394-2e15-7e9d-4e75-6f5abe979629").await?.value {
    ///     Some(token) => println!("{}", token.description),
    ///     None => println!("no such token"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed accessor ID; [`Error::PermissionDenied`] when the
    /// request's token may not read tokens.
    pub fn token_read(&self, accessor_id: impl Into<String>) -> ReadRequest<AclTokenRead> {
        self.read(AclTokenRead {
            accessor_id: accessor_id.into(),
        })
    }

    /// Reads the token the request is made with (the client's, or `.token()`'s); any token
    /// may read itself.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/tokens#read-self-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let me = client.acl().token_read_self().await?.value;
    /// println!("policies: {:?}", me.policies);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] for an unknown token.
    pub fn token_read_self(&self) -> ReadRequest<AclTokenReadSelf> {
        self.read(AclTokenReadSelf)
    }

    /// Lists tokens (without secrets); `.policy()`, `.role()` and `.auth_method()` keep only
    /// the tokens linked to them. It blocks: `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/tokens#list-tokens)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let all = client.acl().token_list().await?.value;
    /// let readers = client
    ///     .acl()
    ///     .token_list()
    ///     .role("2fa8efe0-9d43-85d9-f11f-a3f0735a8d79")
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub fn token_list(&self) -> ReadRequest<AclTokenList> {
        self.read(AclTokenList::default())
    }

    /// Creates a policy.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/policies#create-a-policy)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::acl::{AclPolicy, Policy, Rules};
    /// let rules = Rules::new().key_prefix("app/", Policy::Write);
    /// let policy = client.acl().policy_create(AclPolicy::new("app-write", &rules)).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name; a 500 for a duplicate name.
    pub fn policy_create(&self, policy: AclPolicy) -> WriteRequest<AclPolicyCreate> {
        self.write(AclPolicyCreate { policy })
    }

    /// Replaces a policy (its ID says which).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/policies#update-a-policy)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, mut policy: consul_api::acl::AclPolicy) -> consul_api::Result<()> {
    /// policy.description = "now documented".into();
    /// client.acl().policy_update(policy).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a missing ID or invalid name.
    pub fn policy_update(&self, policy: AclPolicy) -> WriteRequest<AclPolicyUpdate> {
        self.write(AclPolicyUpdate { policy })
    }

    /// Deletes a policy.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/policies#delete-a-policy)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.acl().policy_delete("a2089f47-2126-39ad-dbf4-046e631037f9").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub fn policy_delete(&self, id: impl Into<String>) -> WriteRequest<AclPolicyDelete> {
        self.write(AclPolicyDelete { id: id.into() })
    }

    /// Reads a policy by ID; `None` when there is none.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/policies#read-a-policy)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let policy = client.acl().policy_read("a2089f47-2126-39ad-dbf4-046e631037f9").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub fn policy_read(&self, id: impl Into<String>) -> ReadRequest<AclPolicyRead> {
        self.read(AclPolicyRead { id: id.into() })
    }

    /// Reads a policy by name; `None` when there is none.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/policies#read-a-policy-by-name)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let policy = client.acl().policy_read_by_name("global-management").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name.
    pub fn policy_read_by_name(&self, name: impl Into<String>) -> ReadRequest<AclPolicyReadByName> {
        self.read(AclPolicyReadByName { name: name.into() })
    }

    /// Lists policies (without their rules). It blocks: `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/policies#list-policies)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for policy in client.acl().policy_list().await?.value {
    ///     println!("{} {}", policy.id, policy.name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub fn policy_list(&self) -> ReadRequest<AclPolicyList> {
        self.read(AclPolicyList)
    }

    /// Creates a role.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/roles#create-a-role)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::acl::AclRole;
    /// let role = client.acl().role_create(AclRole::new("readers").policy("kv-read")).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name.
    pub fn role_create(&self, role: AclRole) -> WriteRequest<AclRoleCreate> {
        self.write(AclRoleCreate { role })
    }

    /// Replaces a role (its ID says which).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/roles#update-a-role)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, mut role: consul_api::acl::AclRole) -> consul_api::Result<()> {
    /// role.description = "read-only humans".into();
    /// client.acl().role_update(role).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a missing ID or invalid name.
    pub fn role_update(&self, role: AclRole) -> WriteRequest<AclRoleUpdate> {
        self.write(AclRoleUpdate { role })
    }

    /// Deletes a role.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/roles#delete-a-role)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.acl().role_delete("2fa8efe0-9d43-85d9-f11f-a3f0735a8d79").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub fn role_delete(&self, id: impl Into<String>) -> WriteRequest<AclRoleDelete> {
        self.write(AclRoleDelete { id: id.into() })
    }

    /// Reads a role by ID; `None` when there is none.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/roles#read-a-role)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let role = client.acl().role_read("2fa8efe0-9d43-85d9-f11f-a3f0735a8d79").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub fn role_read(&self, id: impl Into<String>) -> ReadRequest<AclRoleRead> {
        self.read(AclRoleRead { id: id.into() })
    }

    /// Reads a role by name; `None` when there is none.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/roles#read-a-role-by-name)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let role = client.acl().role_read_by_name("readers").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name.
    pub fn role_read_by_name(&self, name: impl Into<String>) -> ReadRequest<AclRoleReadByName> {
        self.read(AclRoleReadByName { name: name.into() })
    }

    /// Lists roles; `.policy()` keeps only those linked to a policy ID. It blocks: `.wait()`
    /// and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl/roles#list-roles)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let roles = client.acl().role_list().await?.value;
    /// let linked = client
    ///     .acl()
    ///     .role_list()
    ///     .policy("a2089f47-2126-39ad-dbf4-046e631037f9")
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub fn role_list(&self) -> ReadRequest<AclRoleList> {
        self.read(AclRoleList::default())
    }

    /// Rewrites legacy rules (`key "" {…}`) in the syntax of Consul 1.4+ (`key_prefix`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl#translate-rules)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let modern = client.acl().rules_translate(r#"key "" { policy = "read" }"#).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul; decoding errors for a non-UTF-8 answer.
    pub fn rules_translate(&self, rules: impl Into<String>) -> WriteRequest<AclRulesTranslate> {
        self.write(AclRulesTranslate {
            rules: rules.into(),
        })
    }

    /// Reads a legacy token's rules rewritten in the syntax of Consul 1.4+ (Go's
    /// `RulesTranslateToken`); `None` when there is no such token.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/v1.10.x/acl#translate-a-legacy-token-s-rules)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let accessor = "4f5e8a3c-1b5c-4a57-9ff5-2c37e7a0d5a1";
    /// if let Some(rules) = client.acl().rules_translate_token(accessor).await?.value {
    ///     println!("{rules}");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed accessor ID; a 500 status error for a token
    /// that has no legacy rules (`The specified token does not have any rules set`). The
    /// endpoint is gone in Consul 1.11 ([`Error::Unsupported`]).
    pub fn rules_translate_token(
        &self,
        accessor_id: impl Into<String>,
    ) -> ReadRequest<AclRulesTranslateToken> {
        self.read(AclRulesTranslateToken {
            accessor_id: accessor_id.into(),
        })
    }

    /// Exchanges an auth method's bearer token (a JWT, a Kubernetes service account token)
    /// for a Consul token; `.meta(key, value)` adds metadata to the token made.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl#login-to-auth-method)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, jwt: String) -> consul_api::Result<()> {
    /// let token = client.acl().login("jwt", jwt).meta("host", "ci-7").await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty method or bearer token; [`Error::PermissionDenied`]
    /// for an unknown method; a 500 for a malformed bearer token.
    pub fn login(
        &self,
        auth_method: impl Into<String>,
        bearer_token: impl Into<Token>,
    ) -> WriteRequest<AclLogin> {
        self.write(AclLogin {
            auth_method: auth_method.into(),
            bearer_token: bearer_token.into(),
            meta: BTreeMap::new(),
        })
    }

    /// Starts an OIDC login (Go's `OIDCAuthURL`, Consul Enterprise): the URL of the
    /// identity provider to send the user to, which comes back to `redirect_uri`.
    /// `.client_nonce(..)` binds the flow to this client; `.meta(key, value)` adds
    /// metadata to the token the callback makes.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl#oidc-authorization-url-request)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let url = client
    ///     .acl()
    ///     .oidc_auth_url("okta", "http://localhost:8550/oidc/callback")
    ///     .client_nonce("a2b4c6")
    ///     .await?
    ///     .value;
    /// println!("open {url}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty method name; [`Error::Unsupported`] from an
    /// open-source agent, which has no OIDC auth method.
    pub fn oidc_auth_url(
        &self,
        auth_method: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> WriteRequest<AclOidcAuthUrl> {
        self.write(AclOidcAuthUrl {
            auth_method: auth_method.into(),
            redirect_uri: redirect_uri.into(),
            client_nonce: None,
            meta: BTreeMap::new(),
        })
    }

    /// Completes an OIDC login (Go's `OIDCCallback`, Consul Enterprise): exchanges the
    /// `state` and authorization `code` the identity provider redirected with for a
    /// Consul token. `.client_nonce(..)` must repeat the one given to
    /// [`Acl::oidc_auth_url`].
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl#oidc-callback)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, state: String, code: String) -> consul_api::Result<()> {
    /// let token = client
    ///     .acl()
    ///     .oidc_callback("okta", state, code)
    ///     .client_nonce("a2b4c6")
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty method name; [`Error::Unsupported`] from an
    /// open-source agent; [`Error::PermissionDenied`] for a state or code the server refuses.
    pub fn oidc_callback(
        &self,
        auth_method: impl Into<String>,
        state: impl Into<String>,
        code: impl Into<Token>,
    ) -> WriteRequest<AclOidcCallback> {
        self.write(AclOidcCallback {
            auth_method: auth_method.into(),
            state: state.into(),
            code: code.into(),
            client_nonce: None,
        })
    }

    /// Destroys a token made by [`Acl::login`]: the one the request is made with
    /// (`.token()`, else the client's).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/acl#logout-from-auth-method)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, login_secret: consul_api::Token) -> consul_api::Result<()> {
    /// client.acl().logout().token(login_secret).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] for a token that did not come from a login.
    pub fn logout(&self) -> WriteRequest<AclLogout> {
        self.write(AclLogout)
    }

    /// Legacy API: creates a token (aioconsul's `acl.create`) and returns its secret.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/v1.10.x/acl/legacy#create-acl-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::acl::{LegacyAclRequest, Policy, Rules};
    /// let rules = Rules::new().key("", Policy::Read).key("foo/", Policy::Deny);
    /// let secret = client.acl().legacy_create(LegacyAclRequest::client("my-acl", &rules)).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors; the endpoint is gone in Consul 1.11 ([`Error::Unsupported`]).
    pub fn legacy_create(&self, request: LegacyAclRequest) -> WriteRequest<AclLegacyCreate> {
        self.write(AclLegacyCreate { request })
    }

    /// Legacy API: replaces a token's name, type and rules (`request.id` says which).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/v1.10.x/acl/legacy#update-acl-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// use consul_api::acl::{LegacyAclRequest, Policy, Rules};
    /// let rules = Rules::new().key("", Policy::Write);
    /// client.acl().legacy_update(LegacyAclRequest::client("my-acl", &rules).id(secret)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error without an ID.
    pub fn legacy_update(&self, request: LegacyAclRequest) -> WriteRequest<AclLegacyUpdate> {
        self.write(AclLegacyUpdate { request })
    }

    /// Legacy API: copies a token and returns the new secret.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/v1.10.x/acl/legacy#clone-acl-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// let copy = client.acl().legacy_clone(secret).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty secret.
    pub fn legacy_clone(&self, id: impl Into<Token>) -> WriteRequest<AclLegacyClone> {
        self.write(AclLegacyClone { id: id.into() })
    }

    /// Legacy API: destroys a token (aioconsul's `acl.destroy`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/v1.10.x/acl/legacy#delete-acl-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// client.acl().legacy_destroy(secret).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty secret.
    pub fn legacy_destroy(&self, id: impl Into<Token>) -> WriteRequest<AclLegacyDestroy> {
        self.write(AclLegacyDestroy { id: id.into() })
    }

    /// Legacy API: reads a token (aioconsul's `acl.info`); `None` when there is none. It
    /// blocks: `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/v1.10.x/acl/legacy#read-acl-token)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// if let Some(acl) = client.acl().legacy_info(secret).await?.value {
    ///     println!("{} ({})", acl.name, acl.kind);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty secret.
    pub fn legacy_info(&self, id: impl Into<Token>) -> ReadRequest<AclLegacyInfo> {
        self.read(AclLegacyInfo { id: id.into() })
    }

    /// Legacy API: lists every token (aioconsul's `acl()` / `acl.items()`). It blocks:
    /// `.wait()` and `.watch()` apply.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/v1.10.x/acl/legacy#list-acls)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for acl in client.acl().legacy_list().await?.value {
    ///     println!("{} {}", acl.name, acl.kind);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub fn legacy_list(&self) -> ReadRequest<AclLegacyList> {
        self.read(AclLegacyList)
    }
}

impl WriteRequest<AclTokenClone> {
    /// The new token's description (the original's when not given).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.call_mut().description = Some(description.into());
        self
    }
}

impl ReadRequest<AclTokenList> {
    /// Only tokens linked to this policy ID (`?policy=`).
    pub fn policy(mut self, id: impl Into<String>) -> Self {
        self.call_mut().policy = Some(id.into());
        self
    }

    /// Only tokens linked to this role ID (`?role=`).
    pub fn role(mut self, id: impl Into<String>) -> Self {
        self.call_mut().role = Some(id.into());
        self
    }

    /// Only tokens made by this auth method's logins (`?authmethod=`).
    pub fn auth_method(mut self, name: impl Into<String>) -> Self {
        self.call_mut().auth_method = Some(name.into());
        self
    }
}

impl ReadRequest<AclRoleList> {
    /// Only roles linked to this policy ID (`?policy=`).
    pub fn policy(mut self, id: impl Into<String>) -> Self {
        self.call_mut().policy = Some(id.into());
        self
    }
}

impl WriteRequest<AclOidcAuthUrl> {
    /// A nonce of the client's own, which [`Acl::oidc_callback`] must repeat (`ClientNonce`).
    pub fn client_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.call_mut().client_nonce = Some(nonce.into());
        self
    }

    /// Adds metadata to the token the login makes (`Meta`); repeatable.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.call_mut().meta.insert(key.into(), value.into());
        self
    }
}

impl WriteRequest<AclOidcCallback> {
    /// The nonce given to [`Acl::oidc_auth_url`] (`ClientNonce`).
    pub fn client_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.call_mut().client_nonce = Some(nonce.into());
        self
    }
}

impl WriteRequest<AclLogin> {
    /// Adds metadata to the token made (`Meta`); repeatable.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.call_mut().meta.insert(key.into(), value.into());
        self
    }
}
