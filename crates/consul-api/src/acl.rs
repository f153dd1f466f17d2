//! The ACL system (`/v1/acl`): tokens, policies and roles (Consul 1.4+), login and logout
//! (1.5+), rule translation, and the legacy token API that aioconsul used (gone in 1.11).
//!
//! Secrets stay secret: tokens are [`Token`]s with a redacted `Debug`, and the legacy calls
//! that must put a secret in the URL keep that path out of logs and errors.

use crate::request::segment;
use crate::{Client, Error, Result};
use consul_types::acl::{validate_name, validate_uuid};
pub use consul_types::acl::{
    AclLink, AclPolicy, AclPolicyListEntry, AclReplication, AclRole, AclToken, AclTokenListEntry,
    LegacyAcl, LegacyAclRequest, LegacyAclType, NodeIdentity, Policy, Resource, Rule, Rules,
    ServiceIdentity,
};
use consul_types::{
    QueryOptions, QueryResponse, Token, ValidationError, WriteOptions, WriteResponse,
};
use http::Method;
use std::collections::HashMap;

/// What logs show for `acl/token/:id`: an accessor id is not secret, but a secret passed
/// there by mistake would be, and the two look alike.
const TOKEN_PATH_SHOWN: &str = "acl/token/<redacted>";

/// The ACL system; made by [`Client::acl`]. Every call needs a token with `acl` rights
/// (a management token) unless said otherwise.
#[derive(Debug, Clone)]
pub struct Acl {
    client: Client,
}

impl Client {
    /// The ACL system.
    pub fn acl(&self) -> Acl {
        Acl {
            client: self.clone(),
        }
    }
}

/// Filters for [`Acl::token_list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenFilter {
    /// Only tokens linked to this policy ID.
    pub policy: Option<String>,
    /// Only tokens linked to this role ID.
    pub role: Option<String>,
    /// Only tokens created by this auth method.
    pub auth_method: Option<String>,
}

impl TokenFilter {
    /// Only tokens linked to this policy ID.
    #[must_use]
    pub fn policy(mut self, id: impl Into<String>) -> Self {
        self.policy = Some(id.into());
        self
    }

    /// Only tokens linked to this role ID.
    #[must_use]
    pub fn role(mut self, id: impl Into<String>) -> Self {
        self.role = Some(id.into());
        self
    }

    /// Only tokens created by this auth method.
    #[must_use]
    pub fn auth_method(mut self, name: impl Into<String>) -> Self {
        self.auth_method = Some(name.into());
        self
    }
}

fn empty_secret() -> Error {
    Error::Validation(ValidationError::Empty { field: "token" })
}

#[derive(serde::Deserialize)]
struct IdAnswer {
    #[serde(rename = "ID")]
    id: Token,
}

impl Acl {
    /// Creates the first management token of a cluster whose ACLs were just enabled.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let root = client.acl().bootstrap(&WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] once the cluster was bootstrapped already.
    pub async fn bootstrap(&self, opts: &WriteOptions) -> Result<WriteResponse<AclToken>> {
        self.client
            .call(Method::PUT, "acl/bootstrap")
            .write_options(opts)?
            .write()
            .await
    }

    /// ACL replication status of the answering datacenter.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let status = client.acl().replication(&QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Status`] 401 when ACLs are disabled.
    pub async fn replication(&self, opts: &QueryOptions) -> Result<QueryResponse<AclReplication>> {
        self.client
            .call(Method::GET, "acl/replication")
            .query_options(opts)?
            .query()
            .await
    }

    /// Creates a token; Consul fills in the accessor and secret unless given.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{acl::AclToken, WriteOptions};
    /// use std::time::Duration;
    /// let token = client
    ///     .acl()
    ///     .token_create(&AclToken::new("ci runner").policy("kv-read").expiration_ttl(Duration::from_secs(3600)), &WriteOptions::default())
    ///     .await?
    ///     .value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Validation errors for malformed IDs; status errors from Consul (an unknown policy
    /// name is a 400).
    pub async fn token_create(
        &self,
        token: &AclToken,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclToken>> {
        if !token.accessor_id.is_empty() {
            validate_uuid("accessor ID", &token.accessor_id)?;
        }
        self.client
            .call(Method::PUT, "acl/token")
            .write_options(opts)?
            .json(token)?
            .write()
            .await
    }

    /// Replaces a token's description, policies, roles and identities (its accessor ID says
    /// which).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, mut token: consul_api::acl::AclToken) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// token.description = "renamed".into();
    /// client.acl().token_update(&token, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error without a valid accessor ID.
    pub async fn token_update(
        &self,
        token: &AclToken,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclToken>> {
        validate_uuid("accessor ID", &token.accessor_id)?;
        self.client
            .call(
                Method::PUT,
                format!("acl/token/{}", segment(&token.accessor_id)),
            )
            .secret_path(TOKEN_PATH_SHOWN)
            .write_options(opts)?
            .json(token)?
            .write()
            .await
    }

    /// Copies a token's permissions into a new token.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let copy = client.acl().token_clone("32f01394-2e15-7e9d-4e75-6f5abe979629", "copy", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed accessor ID.
    pub async fn token_clone(
        &self,
        accessor_id: &str,
        description: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclToken>> {
        validate_uuid("accessor ID", accessor_id)?;
        self.client
            .call(
                Method::PUT,
                format!("acl/token/{}/clone", segment(accessor_id)),
            )
            .secret_path("acl/token/<redacted>/clone")
            .write_options(opts)?
            .json(&serde_json::json!({ "Description": description }))?
            .write()
            .await
    }

    /// Deletes a token.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.acl().token_delete("32f01394-2e15-7e9d-4e75-6f5abe979629", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed accessor ID.
    pub async fn token_delete(
        &self,
        accessor_id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        validate_uuid("accessor ID", accessor_id)?;
        self.client
            .call(
                Method::DELETE,
                format!("acl/token/{}", segment(accessor_id)),
            )
            .secret_path(TOKEN_PATH_SHOWN)
            .write_options(opts)?
            .write()
            .await
    }

    /// Reads a token by accessor ID.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let token = client.acl().token_read("32f01394-2e15-7e9d-4e75-6f5abe979629", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] with `ACL not found` for an unknown token (Consul's answer).
    pub async fn token_read(
        &self,
        accessor_id: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<AclToken>> {
        validate_uuid("accessor ID", accessor_id)?;
        self.client
            .call(Method::GET, format!("acl/token/{}", segment(accessor_id)))
            .secret_path(TOKEN_PATH_SHOWN)
            .query_options(opts)?
            .query()
            .await
    }

    /// Reads the token the request is made with; any token may read itself.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let me = client.acl().token_read_self(&QueryOptions::default()).await?.value;
    /// println!("policies: {:?}", me.policies);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] for an unknown token.
    pub async fn token_read_self(&self, opts: &QueryOptions) -> Result<QueryResponse<AclToken>> {
        self.client
            .call(Method::GET, "acl/token/self")
            .query_options(opts)?
            .query()
            .await
    }

    /// Lists tokens (without secrets), optionally filtered.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{acl::TokenFilter, QueryOptions};
    /// let all = client.acl().token_list(&TokenFilter::default(), &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub async fn token_list(
        &self,
        filter: &TokenFilter,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<AclTokenListEntry>>> {
        self.client
            .call(Method::GET, "acl/tokens")
            .param_opt("policy", filter.policy.clone())
            .param_opt("role", filter.role.clone())
            .param_opt("authmethod", filter.auth_method.clone())
            .query_options(opts)?
            .query()
            .await
    }

    /// Creates a policy.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{acl::{AclPolicy, Policy, Rules}, WriteOptions};
    /// let rules = Rules::new().key_prefix("app/", Policy::Write);
    /// let policy = client.acl().policy_create(&AclPolicy::new("app-write", &rules), &WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name; a 500 for a duplicate name.
    pub async fn policy_create(
        &self,
        policy: &AclPolicy,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclPolicy>> {
        validate_name("policy name", &policy.name)?;
        self.client
            .call(Method::PUT, "acl/policy")
            .write_options(opts)?
            .json(policy)?
            .write()
            .await
    }

    /// Replaces a policy (its ID says which).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, mut policy: consul_api::acl::AclPolicy) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// policy.description = "now documented".into();
    /// client.acl().policy_update(&policy, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a missing ID or invalid name.
    pub async fn policy_update(
        &self,
        policy: &AclPolicy,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclPolicy>> {
        validate_uuid("policy ID", &policy.id)?;
        validate_name("policy name", &policy.name)?;
        self.client
            .call(Method::PUT, format!("acl/policy/{}", segment(&policy.id)))
            .write_options(opts)?
            .json(policy)?
            .write()
            .await
    }

    /// Deletes a policy.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.acl().policy_delete("a2089f47-2126-39ad-dbf4-046e631037f9", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub async fn policy_delete(
        &self,
        id: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        validate_uuid("policy ID", id)?;
        self.client
            .call(Method::DELETE, format!("acl/policy/{}", segment(id)))
            .write_options(opts)?
            .write()
            .await
    }

    /// Reads a policy by ID.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let p = client.acl().policy_read("a2089f47-2126-39ad-dbf4-046e631037f9", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] with `ACL not found` for an unknown policy.
    pub async fn policy_read(
        &self,
        id: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<AclPolicy>> {
        validate_uuid("policy ID", id)?;
        self.client
            .call(Method::GET, format!("acl/policy/{}", segment(id)))
            .query_options(opts)?
            .query()
            .await
    }

    /// Reads a policy by name.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let p = client.acl().policy_read_by_name("global-management", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] with `ACL not found` for an unknown policy.
    pub async fn policy_read_by_name(
        &self,
        name: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<AclPolicy>> {
        validate_name("policy name", name)?;
        self.client
            .call(Method::GET, format!("acl/policy/name/{}", segment(name)))
            .query_options(opts)?
            .query()
            .await
    }

    /// Lists policies (without their rules).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let policies = client.acl().policy_list(&QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub async fn policy_list(
        &self,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<AclPolicyListEntry>>> {
        self.client
            .call(Method::GET, "acl/policies")
            .query_options(opts)?
            .query()
            .await
    }

    /// Creates a role.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{acl::AclRole, WriteOptions};
    /// let role = client.acl().role_create(&AclRole::new("readers").policy("kv-read"), &WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name.
    pub async fn role_create(
        &self,
        role: &AclRole,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclRole>> {
        validate_name("role name", &role.name)?;
        self.client
            .call(Method::PUT, "acl/role")
            .write_options(opts)?
            .json(role)?
            .write()
            .await
    }

    /// Replaces a role (its ID says which).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, mut role: consul_api::acl::AclRole) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// role.description = "read-only humans".into();
    /// client.acl().role_update(&role, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a missing ID or invalid name.
    pub async fn role_update(
        &self,
        role: &AclRole,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclRole>> {
        validate_uuid("role ID", &role.id)?;
        validate_name("role name", &role.name)?;
        self.client
            .call(Method::PUT, format!("acl/role/{}", segment(&role.id)))
            .write_options(opts)?
            .json(role)?
            .write()
            .await
    }

    /// Deletes a role.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.acl().role_delete("2fa8efe0-9d43-85d9-f11f-a3f0735a8d79", &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub async fn role_delete(&self, id: &str, opts: &WriteOptions) -> Result<WriteResponse<bool>> {
        validate_uuid("role ID", id)?;
        self.client
            .call(Method::DELETE, format!("acl/role/{}", segment(id)))
            .write_options(opts)?
            .write()
            .await
    }

    /// Reads a role by ID; `None` when there is none.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let role = client.acl().role_read("2fa8efe0-9d43-85d9-f11f-a3f0735a8d79", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for a malformed ID.
    pub async fn role_read(
        &self,
        id: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<AclRole>>> {
        validate_uuid("role ID", id)?;
        self.role_lookup(format!("acl/role/{}", segment(id)), opts)
            .await
    }

    /// Reads a role by name; `None` when there is none.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let role = client.acl().role_read_by_name("readers", &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an invalid name.
    pub async fn role_read_by_name(
        &self,
        name: &str,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<AclRole>>> {
        validate_name("role name", name)?;
        self.role_lookup(format!("acl/role/name/{}", segment(name)), opts)
            .await
    }

    async fn role_lookup(
        &self,
        path: String,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<AclRole>>> {
        // Consul answers an unknown role with 200 `null` or with 404 depending on the route.
        let response = self
            .client
            .call(Method::GET, path)
            .query_options(opts)?
            .query_opt::<Option<AclRole>>()
            .await?;
        Ok(response.map(Option::flatten))
    }

    /// Lists roles, optionally only those linked to a policy ID.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// let roles = client.acl().role_list(None, &QueryOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub async fn role_list(
        &self,
        policy: Option<&str>,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Vec<AclRole>>> {
        self.client
            .call(Method::GET, "acl/roles")
            .param_opt("policy", policy)
            .query_options(opts)?
            .query()
            .await
    }

    /// Rewrites legacy rules (`key "" {…}`) in the syntax of Consul 1.4+ (`key_prefix`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let modern = client.acl().rules_translate(r#"key "" { policy = "read" }"#, &WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul; decoding errors for a non-UTF-8 answer.
    pub async fn rules_translate(
        &self,
        rules: &str,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<String>> {
        let (response, elapsed) = self
            .client
            .call(Method::POST, "acl/rules/translate")
            .write_options(opts)?
            .body(bytes::Bytes::copy_from_slice(rules.as_bytes()))
            .send()
            .await?;
        let text = String::from_utf8(response.into_body().to_vec()).map_err(Error::decode)?;
        Ok(WriteResponse {
            value: text,
            meta: consul_types::WriteMeta::new(elapsed),
        })
    }

    /// Exchanges an auth method's bearer token (a JWT, a Kubernetes service account token)
    /// for a Consul token.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, jwt: String) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let token = client.acl().login("jwt", &jwt, Default::default(), &WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] for an unknown method; a 500 for a malformed bearer token.
    pub async fn login(
        &self,
        auth_method: &str,
        bearer_token: &str,
        meta: HashMap<String, String>,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<AclToken>> {
        if auth_method.is_empty() {
            return Err(ValidationError::Empty {
                field: "auth method",
            }
            .into());
        }
        if bearer_token.is_empty() {
            return Err(ValidationError::Empty {
                field: "bearer token",
            }
            .into());
        }
        let mut body =
            serde_json::json!({ "AuthMethod": auth_method, "BearerToken": bearer_token });
        if !meta.is_empty() {
            body["Meta"] = serde_json::json!(meta);
        }
        self.client
            .call(Method::POST, "acl/login")
            .write_options(opts)?
            .json(&body)?
            .write()
            .await
    }

    /// Destroys a token made by [`Acl::login`]; the token to destroy is the one the request
    /// is made with (`opts.token`, else the client's).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, login_secret: consul_api::Token) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.acl().logout(&WriteOptions::default().token(login_secret)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::PermissionDenied`] for a token that did not come from a login.
    pub async fn logout(&self, opts: &WriteOptions) -> Result<WriteResponse<()>> {
        self.client
            .call(Method::POST, "acl/logout")
            .write_options(opts)?
            .write_unit()
            .await
    }

    /// Legacy API: creates a token (aioconsul's `acl.create`) and returns its secret.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::{acl::{LegacyAclRequest, Policy, Rules}, WriteOptions};
    /// let rules = Rules::new().key("", Policy::Read).key("foo/", Policy::Deny);
    /// let secret = client.acl().legacy_create(&LegacyAclRequest::client("my-acl", &rules), &WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors; the endpoint is gone in Consul 1.11 ([`Error::Unsupported`]).
    pub async fn legacy_create(
        &self,
        request: &LegacyAclRequest,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<Token>> {
        let answer: WriteResponse<IdAnswer> = self
            .client
            .call(Method::PUT, "acl/create")
            .write_options(opts)?
            .json(request)?
            .write()
            .await?;
        Ok(answer.map(|a| a.id))
    }

    /// Legacy API: replaces a token's name, type and rules (`request.id` says which).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// use consul_api::{acl::{LegacyAclRequest, Policy, Rules}, WriteOptions};
    /// let rules = Rules::new().key("", Policy::Write);
    /// client.acl().legacy_update(&LegacyAclRequest::client("my-acl", &rules).id(secret), &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error without an ID.
    pub async fn legacy_update(
        &self,
        request: &LegacyAclRequest,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<()>> {
        if request.id.as_ref().is_none_or(Token::is_empty) {
            return Err(empty_secret());
        }
        self.client
            .call(Method::PUT, "acl/update")
            .write_options(opts)?
            .json(request)?
            .write_unit()
            .await
    }

    /// Legacy API: copies a token and returns the new secret.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// let copy = client.acl().legacy_clone(&secret, &WriteOptions::default()).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty secret.
    pub async fn legacy_clone(
        &self,
        id: &Token,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<Token>> {
        if id.is_empty() {
            return Err(empty_secret());
        }
        let answer: WriteResponse<IdAnswer> = self
            .client
            .call(Method::PUT, format!("acl/clone/{}", segment(id.secret())))
            .secret_path("acl/clone/<redacted>")
            .write_options(opts)?
            .write()
            .await?;
        Ok(answer.map(|a| a.id))
    }

    /// Legacy API: destroys a token (aioconsul's `acl.destroy`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// use consul_api::WriteOptions;
    /// client.acl().legacy_destroy(&secret, &WriteOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty secret.
    pub async fn legacy_destroy(
        &self,
        id: &Token,
        opts: &WriteOptions,
    ) -> Result<WriteResponse<bool>> {
        if id.is_empty() {
            return Err(empty_secret());
        }
        self.client
            .call(Method::PUT, format!("acl/destroy/{}", segment(id.secret())))
            .secret_path("acl/destroy/<redacted>")
            .write_options(opts)?
            .write()
            .await
    }

    /// Legacy API: reads a token (aioconsul's `acl.get`); `None` when there is none.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, secret: consul_api::Token) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// if let Some(acl) = client.acl().legacy_info(&secret, &QueryOptions::default()).await?.value {
    ///     println!("{} ({})", acl.name, acl.kind);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A validation error for an empty secret.
    pub async fn legacy_info(
        &self,
        id: &Token,
        opts: &QueryOptions,
    ) -> Result<QueryResponse<Option<LegacyAcl>>> {
        if id.is_empty() {
            return Err(empty_secret());
        }
        let response: QueryResponse<Vec<LegacyAcl>> = self
            .client
            .call(Method::GET, format!("acl/info/{}", segment(id.secret())))
            .secret_path("acl/info/<redacted>")
            .query_options(opts)?
            .query()
            .await?;
        Ok(response.map(|list| list.into_iter().next()))
    }

    /// Legacy API: lists every token (aioconsul's `acl()` / `acl.items()`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::QueryOptions;
    /// for acl in client.acl().legacy_list(&QueryOptions::default()).await?.value {
    ///     println!("{} {}", acl.name, acl.kind);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Status errors from Consul.
    pub async fn legacy_list(&self, opts: &QueryOptions) -> Result<QueryResponse<Vec<LegacyAcl>>> {
        self.client
            .call(Method::GET, "acl/list")
            .query_options(opts)?
            .query()
            .await
    }
}
