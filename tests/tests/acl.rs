//! The ACL system against a real agent with ACLs enabled (default deny).

use consul_integration_tests::{next_change, recording_client, LogCapture, TestAgent};
use consulate::acl::{
    AclPolicy, AclRole, AclToken, LegacyAclRequest, LegacyAclType, Policy, Rules,
};
use consulate::{Client, Error, Token};

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

#[tokio::test]
async fn aioconsul_legacy_example_restricts_a_token() {
    let agent = acl_agent().await;
    let master = agent.client();
    master.kv().put("foo/bar", "hidden").await.unwrap();
    master.kv().put("open", "visible").await.unwrap();

    // aioconsul: master.acl.create('my-acl', rules=[('key', '', 'read'), ('key', 'foo/', 'deny')])
    let rules = Rules::from_triples([("key", "", "read"), ("key", "foo/", "deny")]).unwrap();
    let secret = master
        .acl()
        .legacy_create(LegacyAclRequest::client("my-acl", &rules))
        .await
        .unwrap()
        .value;
    assert!(!format!("{secret:?}").contains(secret.secret()));

    let node = client_with(&agent, &secret);
    let open = node.kv().get("open").await.unwrap().value.unwrap();
    assert_eq!(open.value_str(), Some("visible"));
    let err = node.kv().put("open", "nope").await.unwrap_err();
    assert!(err.is_permission_denied(), "writes are denied: {err:?}");
    let err = node.kv().get("foo/bar").await.unwrap_err();
    assert!(err.is_permission_denied(), "foo/ is hidden: {err:?}");

    // info, list, update, clone, destroy
    let info = master
        .acl()
        .legacy_info(secret.clone())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        (info.name.as_str(), &info.kind),
        ("my-acl", &LegacyAclType::Client)
    );
    assert!(info.rules.contains("foo/"));
    let all = master.acl().legacy_list().await.unwrap().value;
    assert!(all.iter().any(|t| t.kind == LegacyAclType::Management));
    assert!(all.iter().any(|t| t.name == "my-acl"));

    let write_all = Rules::new().key("", Policy::Write);
    master
        .acl()
        .legacy_update(LegacyAclRequest::client("my-acl", &write_all).id(secret.clone()))
        .await
        .unwrap();
    assert!(node.kv().put("open", "now allowed").await.unwrap().value);

    let copy = master
        .acl()
        .legacy_clone(secret.clone())
        .await
        .unwrap()
        .value;
    assert_ne!(copy, secret);
    assert!(
        master
            .acl()
            .legacy_destroy(copy.clone())
            .await
            .unwrap()
            .value
    );
    assert!(master
        .acl()
        .legacy_info(copy.clone())
        .await
        .unwrap()
        .value
        .is_none());
    let err = client_with(&agent, &copy)
        .kv()
        .get("open")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::PermissionDenied { message } if message.contains("ACL not found")),
        "{err:?}"
    );
}

#[tokio::test]
async fn policies_roles_and_tokens() {
    let agent = acl_agent().await;
    let acl = agent.client().acl();
    let rules = Rules::new().key_prefix("app/", Policy::Read);
    let policy = acl
        .policy_create(AclPolicy::new("app-read", &rules).description("read app config"))
        .await
        .unwrap()
        .value;
    assert_eq!(policy.rules, rules.to_hcl());
    assert_eq!(
        acl.policy_read(&policy.id)
            .await
            .unwrap()
            .value
            .unwrap()
            .name,
        "app-read"
    );
    assert_eq!(
        acl.policy_read_by_name("app-read")
            .await
            .unwrap()
            .value
            .unwrap()
            .id,
        policy.id
    );
    let listed = acl.policy_list().await.unwrap();
    assert!(listed.value.iter().any(|p| p.id == policy.id));
    assert!(listed.meta.last_index > 0);

    let role = acl
        .role_create(AclRole::new("app-readers").policy("app-read"))
        .await
        .unwrap()
        .value;
    assert_eq!(role.policies[0].id, policy.id);
    assert_eq!(
        acl.role_read_by_name("app-readers")
            .await
            .unwrap()
            .value
            .unwrap()
            .id,
        role.id
    );
    assert_eq!(
        acl.role_read(&role.id).await.unwrap().value.unwrap().name,
        "app-readers"
    );
    assert!(acl
        .role_read_by_name("nobody")
        .await
        .unwrap()
        .value
        .is_none());
    assert_eq!(
        acl.role_list()
            .policy(&policy.id)
            .await
            .unwrap()
            .value
            .len(),
        1
    );

    let token = acl
        .token_create(AclToken::new("app").role("app-readers"))
        .await
        .unwrap()
        .value;
    let secret = token.secret_id.clone().unwrap();
    let app = client_with(&agent, &secret);
    agent.client().kv().put("app/config", "x").await.unwrap();
    assert!(app.kv().get("app/config").await.unwrap().value.is_some());
    assert!(app
        .kv()
        .put("app/config", "y")
        .await
        .unwrap_err()
        .is_permission_denied());
    assert!(app
        .kv()
        .get("other")
        .await
        .unwrap_err()
        .is_permission_denied());

    let me = app.acl().token_read_self().await.unwrap().value;
    assert_eq!(me.accessor_id, token.accessor_id);
    assert_eq!(
        acl.token_read(&token.accessor_id)
            .await
            .unwrap()
            .value
            .unwrap()
            .description,
        "app"
    );
    let by_role = acl.token_list().role(&role.id).await.unwrap().value;
    assert_eq!(by_role.len(), 1);

    let mut updated = token.clone();
    updated.description = "app v2".into();
    updated.policies.clear();
    assert_eq!(
        acl.token_update(updated).await.unwrap().value.description,
        "app v2"
    );
    let clone = acl
        .token_clone(&token.accessor_id)
        .description("app clone")
        .await
        .unwrap()
        .value;
    assert_ne!(clone.accessor_id, token.accessor_id);
    assert!(acl.token_delete(&clone.accessor_id).await.unwrap().value);
    let gone = acl.token_read(&clone.accessor_id).await.unwrap();
    assert!(
        gone.value.is_none(),
        "1.8.7 answers 403 ACL not found, which is None: {:?}",
        gone.value
    );

    let mut role2 = role.clone();
    role2.description = "updated".into();
    assert_eq!(
        acl.role_update(role2).await.unwrap().value.description,
        "updated"
    );
    let mut policy2 = policy.clone();
    policy2.description = "updated".into();
    assert_eq!(
        acl.policy_update(policy2).await.unwrap().value.description,
        "updated"
    );
    assert!(acl.token_delete(&token.accessor_id).await.unwrap().value);
    assert!(acl.role_delete(&role.id).await.unwrap().value);
    assert!(acl.policy_delete(&policy.id).await.unwrap().value);
    // What 1.8.7 answers for each missing item (an empty 404 for a role, 403 `ACL not
    // found` for a policy) is None alike.
    assert!(acl.role_read(&role.id).await.unwrap().value.is_none());
    assert!(acl
        .role_read_by_name("app-readers")
        .await
        .unwrap()
        .value
        .is_none());
    assert!(acl.policy_read(&policy.id).await.unwrap().value.is_none());
    assert!(acl
        .policy_read_by_name("app-read")
        .await
        .unwrap()
        .value
        .is_none());
    assert!(acl
        .token_read(&token.accessor_id)
        .await
        .unwrap()
        .value
        .is_none());
    // Consul 1.8 gives a request with an unknown token the same "403 ACL not found": that
    // is a refusal of the caller, not the absence of what it read.
    let stranger = client_with(&agent, &Token::new("6f0c3a3e-0000-4000-8000-000000000000"));
    for err in [
        stranger
            .acl()
            .token_read(&token.accessor_id)
            .await
            .unwrap_err(),
        stranger.acl().policy_read(&policy.id).await.unwrap_err(),
    ] {
        assert!(err.is_permission_denied(), "{err:?}");
    }

    let translated = acl
        .rules_translate(r#"key "" { policy = "read" }"#)
        .await
        .unwrap()
        .value;
    assert!(translated.contains("key_prefix \"\""), "{translated}");
    assert!(!acl.replication().await.unwrap().value.enabled);
    let again = acl.bootstrap().await.unwrap_err();
    assert!(
        again.is_permission_denied(),
        "bootstrap is one-shot: {again:?}"
    );
}

#[tokio::test]
async fn bad_acl_input_is_rejected_before_sending() {
    let agent = acl_agent().await;
    let (client, recorder) = recording_client(&agent);
    let acl = client.acl();
    assert!(acl
        .policy_create(AclPolicy::new("has space", &Rules::new()))
        .await
        .unwrap_err()
        .is_validation());
    assert!(acl
        .policy_read("not-a-uuid")
        .await
        .unwrap_err()
        .is_validation());
    assert!(acl.token_delete("").await.unwrap_err().is_validation());
    assert!(acl
        .role_create(AclRole::new(""))
        .await
        .unwrap_err()
        .is_validation());
    assert!(acl
        .legacy_destroy(Token::new(""))
        .await
        .unwrap_err()
        .is_validation());
    assert!(acl.login("", "jwt").await.unwrap_err().is_validation());
    assert!(Rules::from_triples([("service", "web", "list")]).is_err());
    assert_eq!(recorder.count(), 0);
}

#[tokio::test]
async fn legacy_secrets_stay_out_of_logged_paths() {
    let agent = acl_agent().await;
    let (client, recorder) = recording_client(&agent);
    let logs = LogCapture::start();
    let secret = client
        .acl()
        .legacy_create(LegacyAclRequest::management("ops"))
        .await
        .unwrap()
        .value;
    client.acl().legacy_info(secret.clone()).await.unwrap();
    // A secret passed by mistake where an accessor id is expected (both are UUIDs).
    let read = client.acl().token_read(secret.secret()).await.unwrap();
    assert!(read.value.is_none(), "no token has that accessor id");
    // The legacy API takes the secret in the URL path (Consul's design, gone in 1.11); the
    // client sends it there because it must, and its logs show `acl/info/<redacted>` instead.
    let sent = recorder.requests();
    assert!(sent[1].uri.path().ends_with(secret.secret()));
    assert_eq!(sent[1].headers["x-consul-token"], MASTER);
    assert!(sent[2].uri.path().ends_with(secret.secret()));
    let logged = logs.text();
    assert!(logged.contains("path=acl/info/<redacted>"), "{logged}");
    assert!(logged.contains("path=acl/token/<redacted>"), "{logged}");
    assert!(logged.contains("path=acl/create"), "{logged}");
    assert!(!logged.contains(secret.secret()), "{logged}");
    assert!(!logged.contains(MASTER), "{logged}");
}

#[tokio::test]
async fn acl_endpoints_on_an_agent_without_acls() {
    let agent = TestAgent::dev().await;
    let err = agent.client().acl().policy_list().await.unwrap_err();
    assert!(
        matches!(&err, Error::Status { code, body, .. } if code.as_u16() == 401 && body.contains("ACL support disabled")),
        "{err:?}"
    );
}

#[tokio::test]
async fn list_watches_see_policies_roles_and_tokens_come() {
    let agent = acl_agent().await;
    let acl = agent.client().acl();
    let mut policies = acl.policy_list().watch();
    let mut roles = acl.role_list().watch();
    let mut tokens = acl.token_list().watch();
    let first = next_change(&mut policies).await;
    assert!(first.value.iter().any(|p| p.name == "global-management"));
    assert!(next_change(&mut roles).await.value.is_empty());
    let before = next_change(&mut tokens).await.value;

    let rules = Rules::new().key_prefix("watched/", Policy::Read);
    let policy = acl
        .policy_create(AclPolicy::new("watched", &rules))
        .await
        .unwrap()
        .value;
    let seen = next_change(&mut policies).await;
    assert!(seen.meta.last_index > first.meta.last_index);
    assert!(seen.value.iter().any(|p| p.id == policy.id));

    let role = acl
        .role_create(AclRole::new("watchers").policy("watched"))
        .await
        .unwrap()
        .value;
    let seen = next_change(&mut roles).await.value;
    assert_eq!(
        seen.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [role.id.as_str()]
    );

    let token = acl
        .token_create(AclToken::new("watched").role("watchers"))
        .await
        .unwrap()
        .value;
    let seen = next_change(&mut tokens).await.value;
    assert_eq!(seen.len(), before.len() + 1);
    assert!(seen.iter().any(|t| t.accessor_id == token.accessor_id));
}

#[tokio::test]
async fn legacy_watches_see_tokens_come_and_change() {
    let agent = acl_agent().await;
    let acl = agent.client().acl();
    let mut all = acl.legacy_list().watch();
    let first = next_change(&mut all).await.value;
    assert!(!first.iter().any(|t| t.name == "watched-legacy"));

    let read_foo = Rules::new().key("foo/", Policy::Read);
    let secret = acl
        .legacy_create(LegacyAclRequest::client("watched-legacy", &read_foo))
        .await
        .unwrap()
        .value;
    let seen = next_change(&mut all).await.value;
    assert!(seen.iter().any(|t| t.name == "watched-legacy"));

    let mut info = acl.legacy_info(secret.clone()).watch();
    let first = next_change(&mut info).await.value.unwrap();
    assert!(first.rules.contains("foo/"), "{}", first.rules);
    let write_bar = Rules::new().key("bar/", Policy::Write);
    acl.legacy_update(LegacyAclRequest::client("watched-legacy", &write_bar).id(secret.clone()))
        .await
        .unwrap();
    let changed = next_change(&mut info).await.value.unwrap();
    assert!(changed.rules.contains("bar/"), "{}", changed.rules);
    acl.legacy_destroy(secret).await.unwrap();
    assert!(
        next_change(&mut info).await.value.is_none(),
        "a destroyed token is seen as gone"
    );
}
