//! ACL auth methods and binding rules against a real agent with ACLs enabled: a `jwt`
//! auth method trusting a key made here, binding rules that give logins a role and a
//! service identity, and logins with JWTs signed here (ES256).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use consul_integration_tests::{eventually, next_until, TestAgent};
use consulate::acl::{
    AclAuthMethod, AclBindingRule, AclPolicy, AclRole, AclToken, AuthMethodType,
    BindingRuleBindType, LegacyAclRequest, OidcAuthMethodConfig, Policy, Rules, TokenLocality,
};
use consulate::{Client, Token};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use std::future::IntoFuture;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MASTER: &str = "root-secret-0000-0000-000000000001";

async fn acl_agent() -> TestAgent {
    TestAgent::builder()
        .acl_master_token(MASTER)
        .start()
        .await
        .expect("an ACL-enabled agent starts")
}

fn client_with(agent: &TestAgent, token: &Token) -> Client {
    let mut config = agent.config();
    config.token = Some(token.clone());
    Client::new(config).unwrap()
}

/// An ES256 key made for one test, and JWTs signed with it.
struct JwtSigner {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl JwtSigner {
    fn new() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        JwtSigner { key, rng }
    }

    /// The public key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo of a P-256 point).
    fn public_key_pem(&self) -> String {
        // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (the point) }
        let mut der = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        der.extend_from_slice(self.key.public_key().as_ref());
        let body = STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// A JWT for audience `consul`, valid from now for ten minutes, with `claims` added.
    fn sign(&self, claims: serde_json::Value) -> Token {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut payload = serde_json::json!({
            "aud": "consul", "iat": now, "nbf": now, "exp": now + 600,
        });
        payload
            .as_object_mut()
            .unwrap()
            .extend(claims.as_object().unwrap().clone());
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let signed = format!("{header}.{payload}");
        let signature = self.key.sign(&self.rng, signed.as_bytes()).unwrap();
        Token::from(format!(
            "{signed}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

/// Settings trusting `signer`'s key for ES256 JWTs of audience `consul`, mapping the `svc`
/// claim to `value.svc` and the `groups` list claim to `list.groups`.
fn jwt_config(signer: &JwtSigner) -> OidcAuthMethodConfig {
    OidcAuthMethodConfig::default()
        .jwt_validation_pub_keys([signer.public_key_pem()])
        .jwt_supported_algs(["ES256".to_owned()])
        .bound_audiences(["consul".to_owned()])
        .claim_mapping("svc", "svc")
        .list_claim_mapping("groups", "groups")
}

#[tokio::test]
async fn a_jwt_login_gets_the_role_its_binding_rule_gives() {
    let agent = acl_agent().await;
    let master = agent.client();
    let acl = master.acl();
    master.kv().put("app/config", "v1").await.unwrap();
    let rules = Rules::new().key_prefix("app/", Policy::Read);
    acl.policy_create(AclPolicy::new("app-read", &rules))
        .await
        .unwrap();
    let role = acl
        .role_create(AclRole::new("app-reader").policy("app-read"))
        .await
        .unwrap()
        .value;

    let signer = JwtSigner::new();
    let method = AclAuthMethod::jwt("ci-jwt", &jwt_config(&signer))
        .display_name("CI jobs")
        .max_token_ttl(Duration::from_secs(600))
        .token_locality(TokenLocality::Local);
    acl.auth_method_create(method).await.unwrap();
    // Readers get the role; every login gets the identity of the service it names.
    acl.binding_rule_create(
        AclBindingRule::new("ci-jwt", BindingRuleBindType::Role, "app-reader")
            .selector(r#""readers" in list.groups"#),
    )
    .await
    .unwrap();
    acl.binding_rule_create(AclBindingRule::new(
        "ci-jwt",
        BindingRuleBindType::Service,
        "${value.svc}",
    ))
    .await
    .unwrap();

    let jwt = signer.sign(serde_json::json!({"svc": "web", "groups": ["readers", "ops"]}));
    let token = acl
        .login("ci-jwt", jwt)
        .meta("job", "42")
        .await
        .unwrap()
        .value;
    assert_eq!(token.auth_method, "ci-jwt");
    assert!(token.local, "local, as the method says");
    assert_eq!(token.roles.len(), 1);
    assert_eq!(
        (token.roles[0].id.as_str(), token.roles[0].name.as_str()),
        (role.id.as_str(), "app-reader")
    );
    assert_eq!(token.service_identities.len(), 1);
    assert_eq!(token.service_identities[0].service_name, "web");
    assert!(token.expiration_time.is_some(), "capped by MaxTokenTTL");

    // The role's policy is what the token may do.
    let secret = token.secret_id.clone().unwrap();
    let app = client_with(&agent, &secret);
    let pair = app.kv().get("app/config").await.unwrap().value.unwrap();
    assert_eq!(pair.value_str(), Some("v1"));
    assert!(app
        .kv()
        .put("app/config", "v2")
        .await
        .unwrap_err()
        .is_permission_denied());
    let made = acl.token_list().auth_method("ci-jwt").await.unwrap().value;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].accessor_id, token.accessor_id);

    // Not a reader: only the service identity.
    let outsider = acl
        .login(
            "ci-jwt",
            signer.sign(serde_json::json!({"svc": "batch", "groups": ["ops"]})),
        )
        .await
        .unwrap()
        .value;
    assert!(outsider.roles.is_empty(), "{:?}", outsider.roles);
    assert_eq!(outsider.service_identities[0].service_name, "batch");

    // A JWT signed by another key is refused.
    let stranger = JwtSigner::new().sign(serde_json::json!({"svc": "web", "groups": ["readers"]}));
    let e = acl.login("ci-jwt", stranger).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{e:?}");
    assert!(
        e.to_string()
            .contains("no known key successfully validated the token signature"),
        "{e}"
    );

    // Logging out destroys the login's token.
    app.acl().logout().await.unwrap();
    assert!(acl
        .token_read(&token.accessor_id)
        .await
        .unwrap()
        .value
        .is_none());
    // Deleting the method deletes the tokens its logins made.
    assert!(acl.auth_method_delete("ci-jwt").await.unwrap().value);
    assert!(acl
        .token_read(&outsider.accessor_id)
        .await
        .unwrap()
        .value
        .is_none());
}

#[tokio::test]
async fn auth_methods_and_binding_rules_are_created_read_updated_listed_and_deleted() {
    let agent = acl_agent().await;
    let acl = agent.client().acl();
    let signer = JwtSigner::new();
    let config = jwt_config(&signer);

    // A watch of the list sees the method come.
    let mut methods = acl.auth_method_list().watch();
    let first = methods.next().await.unwrap().unwrap();
    assert!(first.value.is_empty());
    let created = acl
        .auth_method_create(
            AclAuthMethod::jwt("deploy", &config)
                .description("deploy jobs")
                .max_token_ttl(Duration::from_secs(3600)),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(created.kind, AuthMethodType::Jwt);
    assert_eq!(created.max_token_ttl, Some(Duration::from_secs(3600)));
    let seen = next_until(&mut methods, "the new auth method", |m| !m.is_empty()).await;
    assert_eq!(seen.value[0].name, "deploy");
    assert_eq!(seen.value[0].description, "deploy jobs");

    // Read back: the typed settings are what was sent.
    let read = acl.auth_method_read("deploy").await.unwrap();
    let method = read.value.unwrap();
    assert_eq!(method.oidc_config().unwrap(), config);
    assert!(read.meta.last_index > 0);
    assert!(acl
        .auth_method_read("missing")
        .await
        .unwrap()
        .value
        .is_none());

    // A blocking read of the method returns when it changes.
    let waiting = tokio::spawn(
        acl.auth_method_read("deploy")
            .wait(read.meta.last_index, Duration::from_secs(10))
            .into_future(),
    );
    let mut changed = method.clone();
    changed.display_name = "Deploy jobs".into();
    let updated = acl.auth_method_update(changed).await.unwrap().value;
    assert_eq!(updated.display_name, "Deploy jobs");
    let after = waiting.await.unwrap().unwrap();
    assert!(after.meta.last_index > read.meta.last_index);
    assert_eq!(after.value.unwrap().display_name, "Deploy jobs");

    // Binding rules: create, read, update, list by method, delete.
    let rule = acl
        .binding_rule_create(
            AclBindingRule::new("deploy", BindingRuleBindType::Node, "${value.svc}")
                .description("a node per job"),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(rule.id.len(), 36);
    let read = acl
        .binding_rule_read(&rule.id)
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(read, rule);
    let mut changed = rule.clone();
    changed.bind_type = BindingRuleBindType::Service;
    changed.selector = r#"value.svc == "web""#.into();
    let updated = acl.binding_rule_update(changed).await.unwrap().value;
    assert_eq!(updated.bind_type, BindingRuleBindType::Service);
    assert_eq!(updated.id, rule.id);

    acl.auth_method_create(AclAuthMethod::jwt("other", &config))
        .await
        .unwrap();
    acl.binding_rule_create(AclBindingRule::new(
        "other",
        BindingRuleBindType::Service,
        "x",
    ))
    .await
    .unwrap();
    let all = acl.binding_rule_list().await.unwrap().value;
    assert_eq!(all.len(), 2);
    let of_deploy = acl
        .binding_rule_list()
        .auth_method("deploy")
        .await
        .unwrap()
        .value;
    assert_eq!(of_deploy, vec![updated.clone()]);
    assert!(acl
        .binding_rule_list()
        .auth_method("nobody")
        .await
        .unwrap()
        .value
        .is_empty());

    // What Consul refuses is a status error with its reason.
    let e = acl
        .binding_rule_create(AclBindingRule::new(
            "deploy",
            BindingRuleBindType::from("group"),
            "x",
        ))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("BindType"), "{e}");
    let e = acl
        .auth_method_create(AclAuthMethod::new("bad", AuthMethodType::Oidc))
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{e:?}");

    assert!(acl.binding_rule_delete(&rule.id).await.unwrap().value);
    assert!(acl
        .binding_rule_read(&rule.id)
        .await
        .unwrap()
        .value
        .is_none());
    assert!(
        acl.binding_rule_delete(&rule.id).await.unwrap().value,
        "idempotent"
    );
    // Deleting a method deletes its rules.
    assert!(acl.auth_method_delete("other").await.unwrap().value);
    assert!(acl.auth_method_read("other").await.unwrap().value.is_none());
    assert!(acl.binding_rule_list().await.unwrap().value.is_empty());
    let left: Vec<String> = acl
        .auth_method_list()
        .await
        .unwrap()
        .value
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(left, ["deploy"]);
}

#[tokio::test]
async fn rules_translate_token_rewrites_a_legacy_tokens_rules() {
    let agent = acl_agent().await;
    let acl = agent.client().acl();
    let rules = Rules::from_triples([("key", "", "read")]).unwrap();
    acl.legacy_create(LegacyAclRequest::client("old-style", &rules))
        .await
        .unwrap();
    // The leader gives a legacy token its accessor ID shortly after it is made (it is
    // listed with an empty one until then).
    let accessor = eventually("the legacy token's accessor ID", || async {
        let tokens = acl.token_list().await.unwrap().value;
        tokens
            .into_iter()
            .find(|t| t.legacy && t.description == "old-style" && !t.accessor_id.is_empty())
            .map(|t| t.accessor_id)
    })
    .await;
    let translated = acl
        .rules_translate_token(&accessor)
        .await
        .unwrap()
        .value
        .unwrap();
    assert!(translated.contains(r#"key_prefix """#), "{translated}");

    // A token of the new system has no legacy rules: Consul says so.
    let modern = acl
        .token_create(AclToken::new("modern"))
        .await
        .unwrap()
        .value;
    let e = acl
        .rules_translate_token(&modern.accessor_id)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("does not have any rules"), "{e}");
    // An unknown token is absent.
    let unknown = "6a1253d2-1785-24fd-91c2-f8e78c745511";
    assert!(acl
        .rules_translate_token(unknown)
        .await
        .unwrap()
        .value
        .is_none());
}

#[tokio::test]
async fn auth_calls_on_an_agent_without_acls_answer_401() {
    let agent = TestAgent::dev().await;
    let acl = agent.client().acl();
    for e in [
        acl.auth_method_list().await.unwrap_err(),
        acl.binding_rule_list().await.unwrap_err(),
        acl.auth_method_read("x").await.unwrap_err(),
        acl.rules_translate_token("6a1253d2-1785-24fd-91c2-f8e78c745511")
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.status().map(|s| s.as_u16()), Some(401), "{e:?}");
    }
}

#[tokio::test]
async fn oidc_calls_are_unsupported_on_an_open_source_agent() {
    let agent = TestAgent::dev().await;
    let acl = agent.client().acl();
    for (err, path) in [
        (
            acl.oidc_auth_url("okta", "http://localhost/cb")
                .await
                .unwrap_err(),
            "acl/oidc/auth-url",
        ),
        (
            acl.oidc_callback("okta", "state", "code")
                .await
                .unwrap_err(),
            "acl/oidc/callback",
        ),
    ] {
        match &err {
            consulate::Error::Unsupported {
                path: p,
                agent_version,
            } => {
                assert_eq!(p, path);
                assert_eq!(agent_version.as_deref(), Some("1.8.7"));
            }
            other => panic!("{path}: expected Unsupported, got {other:?}"),
        }
    }
}
