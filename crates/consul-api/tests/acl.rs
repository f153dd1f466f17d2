//! What the ACL handle puts on the wire, checked on a MockTransport (no agent needed).

use consul_api::acl::{AclPolicy, AclRole, AclToken, LegacyAclRequest, LegacyAclType, Rules};
use consul_api::{Client, Config, Error, Token};
use consul_transport::mock::{MockTransport, RecordedRequest, Reply};
use std::time::Duration;

const ID: &str = "32f01394-2e15-7e9d-4e75-6f5abe979629";
const TOKEN_BODY: &str = r#"{"AccessorID":"32f01394-2e15-7e9d-4e75-6f5abe979629","SecretID":"s3cr3t-0000","Description":"app","Policies":[{"ID":"a2089f47-2126-39ad-dbf4-046e631037f9","Name":"kv-read"}],"Local":false,"CreateIndex":7,"ModifyIndex":9}"#;
const POLICY_BODY: &str = r#"{"ID":"a2089f47-2126-39ad-dbf4-046e631037f9","Name":"kv-read","Rules":"key_prefix \"\" { policy = \"read\" }","CreateIndex":5,"ModifyIndex":5}"#;
const ROLE_BODY: &str = r#"{"ID":"2fa8efe0-9d43-85d9-f11f-a3f0735a8d79","Name":"readers","Policies":[{"ID":"a2089f47-2126-39ad-dbf4-046e631037f9","Name":"kv-read"}],"CreateIndex":6,"ModifyIndex":6}"#;

fn client(mock: &MockTransport) -> Client {
    let mut config = Config::new("http://127.0.0.1:8500").unwrap();
    config.token = Some("mgmt-token".into());
    Client::with_transport(config, mock.clone()).unwrap()
}

fn body(req: &RecordedRequest) -> serde_json::Value {
    assert_eq!(req.headers["content-type"], "application/json");
    serde_json::from_slice(&req.body).unwrap()
}

#[tokio::test]
async fn token_create_update_clone_delete() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();

    mock.push(Reply::json(TOKEN_BODY));
    let token = acl
        .token_create(
            AclToken::new("app")
                .policy("kv-read")
                .expiration_ttl(Duration::from_secs(90)),
        )
        .dc("dc2")
        .await
        .unwrap()
        .value;
    assert_eq!(token.accessor_id, ID);
    assert_eq!(token.secret_id.as_ref().unwrap().secret(), "s3cr3t-0000");
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/token")
    );
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));
    assert_eq!(req.headers["x-consul-token"], "mgmt-token");
    let sent = body(&req);
    assert_eq!(sent["Description"], "app");
    assert_eq!(sent["Policies"][0]["Name"], "kv-read");
    assert_eq!(sent["ExpirationTTL"], "1m30s");
    assert!(sent.get("AccessorID").is_none(), "Consul picks it");

    mock.push(Reply::json(TOKEN_BODY));
    let mut changed = token.clone();
    changed.description = "app v2".into();
    acl.token_update(changed).await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/acl/token/{ID}").as_str())
    );
    assert_eq!(body(&req)["Description"], "app v2");
    assert_eq!(body(&req)["AccessorID"], ID);

    mock.push(Reply::json(TOKEN_BODY))
        .push(Reply::json(TOKEN_BODY));
    acl.token_clone(ID).description("copy").await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/acl/token/{ID}/clone").as_str())
    );
    assert_eq!(body(&req), serde_json::json!({ "Description": "copy" }));
    acl.token_clone(ID).await.unwrap();
    assert_eq!(
        body(&mock.last().unwrap()),
        serde_json::json!({}),
        "without a description, Consul keeps the original's"
    );

    mock.push(Reply::json("true"));
    assert!(acl.token_delete(ID).token("other").await.unwrap().value);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", format!("/v1/acl/token/{ID}").as_str())
    );
    assert_eq!(req.headers["x-consul-token"], "other");
}

#[tokio::test]
async fn token_read_is_none_when_consul_says_acl_not_found() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    mock.push(Reply::json(TOKEN_BODY).header("x-consul-index", "9"));
    let got = acl.token_read(ID).stale().await.unwrap();
    assert_eq!(got.value.unwrap().description, "app");
    assert_eq!(got.meta.last_index, 9);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", format!("/v1/acl/token/{ID}").as_str())
    );
    assert_eq!(req.query("stale").as_deref(), Some(""));

    // Consul 1.8 answers a missing token with 403 "ACL not found"; a 404 would mean the same.
    // The client checks that its own token is known (`acl/token/self`) before it calls
    // such an answer "absent".
    mock.push(Reply::status(403, "ACL not found"))
        .push(Reply::json(TOKEN_BODY))
        .push(Reply::status(404, "ACL not found"));
    assert!(acl.token_read(ID).await.unwrap().value.is_none());
    let check = &mock.requests()[mock.count() - 1];
    assert_eq!(check.uri.path(), "/v1/acl/token/self");
    assert!(acl.token_read(ID).await.unwrap().value.is_none());
    // With a token Consul does not know, the same answer is a refusal, not an absence.
    mock.push(Reply::status(403, "ACL not found"))
        .push(Reply::status(403, "ACL not found"));
    let err = acl.token_read(ID).token("unknown-0000").await.unwrap_err();
    assert!(err.is_permission_denied(), "{err:?}");
    let check = mock.last().unwrap();
    assert_eq!(check.uri.path(), "/v1/acl/token/self");
    assert_eq!(check.headers["x-consul-token"], "unknown-0000");
    // Any other 403 stays an error.
    mock.push(Reply::status(403, "Permission denied"));
    let err = acl.token_read(ID).await.unwrap_err();
    assert!(err.is_permission_denied(), "{err:?}");

    mock.push(Reply::json(TOKEN_BODY));
    let me = acl.token_read_self().token("s3cr3t-0000").await.unwrap();
    assert_eq!(me.value.accessor_id, ID);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/token/self");
    assert_eq!(req.headers["x-consul-token"], "s3cr3t-0000");
    // For the caller's own token, "ACL not found" is an authentication failure.
    mock.push(Reply::status(403, "ACL not found"));
    assert!(acl
        .token_read_self()
        .await
        .unwrap_err()
        .is_permission_denied());
}

#[tokio::test]
async fn token_list_filters_and_blocks() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    mock.push(
        Reply::json(
            r#"[{"AccessorID":"32f01394-2e15-7e9d-4e75-6f5abe979629","Description":"app"}]"#,
        )
        .header("x-consul-index", "12"),
    );
    let listed = acl
        .token_list()
        .policy("p-1")
        .role("r-1")
        .auth_method("jwt")
        .wait(11, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(listed.value[0].accessor_id, ID);
    assert_eq!(listed.meta.last_index, 12);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/acl/tokens")
    );
    assert_eq!(req.query("policy").as_deref(), Some("p-1"));
    assert_eq!(req.query("role").as_deref(), Some("r-1"));
    assert_eq!(req.query("authmethod").as_deref(), Some("jwt"));
    assert_eq!(req.query("index").as_deref(), Some("11"));
    assert_eq!(req.query("wait").as_deref(), Some("2000ms"));

    mock.push(Reply::json("null"));
    assert!(acl.token_list().await.unwrap().value.is_empty());
    let req = mock.last().unwrap();
    assert!(req.query_pairs().is_empty(), "{:?}", req.query_pairs());
}

#[tokio::test]
async fn policies() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    let pid = "a2089f47-2126-39ad-dbf4-046e631037f9";

    mock.push(Reply::json(POLICY_BODY));
    let rules = Rules::new().key_prefix("", consul_api::acl::Policy::Read);
    let policy = acl
        .policy_create(AclPolicy::new("kv-read", &rules).description("reads"))
        .await
        .unwrap()
        .value;
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/policy")
    );
    let sent = body(&req);
    assert_eq!(
        (&sent["Name"], &sent["Description"]),
        (&"kv-read".into(), &"reads".into())
    );
    assert_eq!(sent["Rules"], rules.to_hcl());

    mock.push(Reply::json(POLICY_BODY));
    acl.policy_update(policy.clone()).await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/acl/policy/{pid}").as_str())
    );
    assert_eq!(body(&req)["ID"], pid);

    mock.push(Reply::json(POLICY_BODY))
        .push(Reply::status(403, "ACL not found"))
        .push(Reply::json(TOKEN_BODY))
        .push(Reply::json("null"));
    assert_eq!(
        acl.policy_read(pid).await.unwrap().value.unwrap().name,
        "kv-read"
    );
    assert_eq!(
        mock.last().unwrap().uri.path(),
        format!("/v1/acl/policy/{pid}")
    );
    assert!(acl.policy_read(pid).await.unwrap().value.is_none());
    assert!(acl.policy_read(pid).await.unwrap().value.is_none());

    mock.push(Reply::json(POLICY_BODY))
        .push(Reply::status(403, "ACL not found"))
        .push(Reply::json(TOKEN_BODY));
    assert_eq!(
        acl.policy_read_by_name("kv-read")
            .consistent()
            .await
            .unwrap()
            .value
            .unwrap()
            .id,
        pid
    );
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/policy/name/kv-read");
    assert_eq!(req.query("consistent").as_deref(), Some(""));
    assert!(acl
        .policy_read_by_name("nobody")
        .await
        .unwrap()
        .value
        .is_none());

    mock.push(
        Reply::json(r#"[{"ID":"a2089f47-2126-39ad-dbf4-046e631037f9","Name":"kv-read"}]"#)
            .header("x-consul-index", "5"),
    );
    let listed = acl.policy_list().await.unwrap();
    assert_eq!(listed.value[0].name, "kv-read");
    assert_eq!(listed.meta.last_index, 5);
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/acl/policies");

    mock.push(Reply::json("true"));
    assert!(acl.policy_delete(pid).await.unwrap().value);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", format!("/v1/acl/policy/{pid}").as_str())
    );
}

#[tokio::test]
async fn roles() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    let rid = "2fa8efe0-9d43-85d9-f11f-a3f0735a8d79";

    mock.push(Reply::json(ROLE_BODY));
    let role = acl
        .role_create(AclRole::new("readers").policy("kv-read"))
        .await
        .unwrap()
        .value;
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/role")
    );
    assert_eq!(body(&req)["Policies"][0]["Name"], "kv-read");

    mock.push(Reply::json(ROLE_BODY));
    acl.role_update(role).await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/acl/role/{rid}").as_str())
    );
    assert_eq!(body(&req)["Name"], "readers");

    // Consul 1.8 answers a missing role with an empty 404: not an unsupported route here.
    mock.push(Reply::json(ROLE_BODY))
        .push(Reply::status(404, ""))
        .push(Reply::json("null"))
        .push(Reply::status(404, "Role not found"))
        .push(Reply::status(403, "ACL not found"));
    assert_eq!(
        acl.role_read(rid).await.unwrap().value.unwrap().name,
        "readers"
    );
    assert_eq!(
        mock.last().unwrap().uri.path(),
        format!("/v1/acl/role/{rid}")
    );
    assert!(acl.role_read(rid).await.unwrap().value.is_none());
    assert!(acl
        .role_read_by_name("nobody")
        .await
        .unwrap()
        .value
        .is_none());
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/acl/role/name/nobody");
    assert!(acl
        .role_read_by_name("nobody")
        .await
        .unwrap()
        .value
        .is_none());
    // A 403 for a role is the caller's token failing, never "no such role".
    assert!(acl.role_read(rid).await.unwrap_err().is_permission_denied());

    mock.push(Reply::json(format!("[{ROLE_BODY}]")));
    let listed = acl.role_list().policy("p-1").await.unwrap().value;
    assert_eq!(listed[0].id, rid);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/roles");
    assert_eq!(req.query("policy").as_deref(), Some("p-1"));

    mock.push(Reply::json("true"));
    assert!(acl.role_delete(rid).await.unwrap().value);
    assert_eq!(mock.last().unwrap().method, http::Method::DELETE);
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    let validation = |e: Error| assert!(e.is_validation(), "{e:?}");
    validation(acl.token_read("not-a-uuid").await.unwrap_err());
    validation(acl.token_delete("").await.unwrap_err());
    validation(acl.token_clone("../x").await.unwrap_err());
    validation(acl.token_update(AclToken::new("no id")).await.unwrap_err());
    let mut with_bad_id = AclToken::new("bad");
    with_bad_id.accessor_id = "abc".into();
    validation(acl.token_create(with_bad_id).await.unwrap_err());
    validation(acl.policy_read("x").await.unwrap_err());
    validation(acl.policy_read_by_name("has space").await.unwrap_err());
    validation(
        acl.policy_create(AclPolicy::new("", &Rules::new()))
            .await
            .unwrap_err(),
    );
    validation(
        acl.policy_update(AclPolicy::new("no-id", &Rules::new()))
            .await
            .unwrap_err(),
    );
    validation(acl.policy_delete("..").await.unwrap_err());
    validation(acl.role_create(AclRole::new("a/b")).await.unwrap_err());
    validation(acl.role_update(AclRole::new("no-id")).await.unwrap_err());
    validation(acl.role_read("").await.unwrap_err());
    validation(acl.role_read_by_name("").await.unwrap_err());
    validation(acl.role_delete("nope").await.unwrap_err());
    validation(acl.login("", "jwt").await.unwrap_err());
    validation(acl.login("jwt", "").await.unwrap_err());
    validation(acl.legacy_info("").await.unwrap_err());
    validation(acl.legacy_clone("").await.unwrap_err());
    validation(acl.legacy_destroy("").await.unwrap_err());
    validation(
        acl.legacy_update(LegacyAclRequest::management("no id"))
            .await
            .unwrap_err(),
    );
    assert_eq!(mock.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn bootstrap_replication_translate_login_logout() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();

    mock.push(Reply::json(TOKEN_BODY)).push(Reply::status(
        403,
        "Permission denied: ACL bootstrap no longer allowed (reset index: 4)",
    ));
    assert_eq!(acl.bootstrap().await.unwrap().value.accessor_id, ID);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/bootstrap")
    );
    assert!(acl.bootstrap().await.unwrap_err().is_permission_denied());

    mock.push(Reply::json(
        r#"{"Enabled":true,"Running":true,"SourceDatacenter":"dc1","ReplicatedIndex":3}"#,
    ));
    let status = acl.replication().dc("dc2").await.unwrap().value;
    assert!(status.enabled && status.running);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/replication");
    assert_eq!(req.query("dc").as_deref(), Some("dc2"));

    mock.push(Reply::json("key_prefix \"\" {\n  policy = \"read\"\n}"));
    let legacy = r#"key "" { policy = "read" }"#;
    let text = acl.rules_translate(legacy).await.unwrap().value;
    assert!(text.starts_with("key_prefix"), "{text}");
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/acl/rules/translate")
    );
    assert_eq!(&req.body[..], legacy.as_bytes());
    assert!(req.headers.get("content-type").is_none(), "raw HCL");
    mock.push(Reply::json(vec![0xff, 0xfe]));
    assert!(matches!(
        acl.rules_translate("x").await.unwrap_err(),
        Error::Decode(_)
    ));

    let login = acl
        .login("jwt", "header.payload.sig")
        .meta("host", "ci-7")
        .meta("job", "42");
    assert!(!format!("{login:?}").contains("header.payload.sig"));
    mock.push(Reply::json(TOKEN_BODY));
    let token = login.await.unwrap().value;
    assert_eq!(token.accessor_id, ID);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/acl/login")
    );
    assert_eq!(
        body(&req),
        serde_json::json!({
            "AuthMethod": "jwt",
            "BearerToken": "header.payload.sig",
            "Meta": { "host": "ci-7", "job": "42" }
        })
    );
    mock.push(Reply::json(TOKEN_BODY));
    acl.login("jwt", "t").await.unwrap();
    assert!(body(&mock.last().unwrap()).get("Meta").is_none());

    mock.push(Reply::json("true"))
        .push(Reply::status(403, "ACL not found"));
    acl.logout().token("s3cr3t-0000").await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/acl/logout")
    );
    assert_eq!(req.headers["x-consul-token"], "s3cr3t-0000");
    assert!(
        acl.logout().await.unwrap_err().is_permission_denied(),
        "a second logout is refused"
    );
}

#[tokio::test]
async fn legacy_api_keeps_secrets_out_of_debug_output() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    let secret = Token::new("legacy-secret-1");

    mock.push(Reply::json(r#"{"ID":"legacy-secret-1"}"#));
    let rules = Rules::from_triples([("key", "", "read")]).unwrap();
    let created = acl
        .legacy_create(LegacyAclRequest::client("my-acl", &rules))
        .await
        .unwrap()
        .value;
    assert_eq!(created, secret);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/create")
    );
    assert_eq!(
        body(&req),
        serde_json::json!({ "Name": "my-acl", "Type": "client", "Rules": rules.to_hcl() })
    );

    mock.push(Reply::json(r#"{"ID":"legacy-secret-1"}"#));
    acl.legacy_update(LegacyAclRequest::management("ops").id(secret.clone()))
        .await
        .unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/update")
    );
    assert_eq!(body(&req)["ID"], "legacy-secret-1");
    assert_eq!(body(&req)["Type"], "management");

    let info = acl.legacy_info(secret.clone());
    assert!(!format!("{info:?}").contains("legacy-secret-1"), "{info:?}");
    mock.push(
        Reply::json(r#"[{"ID":"legacy-secret-1","Name":"my-acl","Type":"client","Rules":""}]"#)
            .header("x-consul-index", "4"),
    )
    .push(Reply::json("[]"));
    let got = info.wait(3, Duration::from_secs(1)).await.unwrap();
    let found = got.value.unwrap();
    assert_eq!(
        (found.name.as_str(), &found.kind),
        ("my-acl", &LegacyAclType::Client)
    );
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/acl/info/legacy-secret-1")
    );
    assert_eq!(req.query("index").as_deref(), Some("3"));
    assert!(acl.legacy_info("unknown").await.unwrap().value.is_none());

    mock.push(Reply::json(r#"{"ID":"legacy-secret-2"}"#))
        .push(Reply::json("true"));
    let copy = acl.legacy_clone(secret.clone()).await.unwrap().value;
    assert_eq!(copy.secret(), "legacy-secret-2");
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/clone/legacy-secret-1")
    );
    assert!(acl.legacy_destroy(copy).await.unwrap().value);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/destroy/legacy-secret-2")
    );

    mock.push(Reply::json(
        r#"[{"ID":"root","Name":"Master Token","Type":"management","Rules":""}]"#,
    ));
    let all = acl.legacy_list().await.unwrap().value;
    assert_eq!(all[0].kind, LegacyAclType::Management);
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/acl/list");

    // A secret in a path segment is percent-encoded like any other segment.
    mock.push(Reply::json("[]"));
    acl.legacy_info("a b/c").await.unwrap();
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/acl/info/a%20b%2Fc");
}

#[tokio::test]
async fn policy_list_watch_yields_each_change() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    mock.push(Reply::json(r#"[{"ID":"1","Name":"a"}]"#).header("x-consul-index", "5"))
        .push(
            Reply::json(r#"[{"ID":"1","Name":"a"},{"ID":"2","Name":"b"}]"#)
                .header("x-consul-index", "8"),
        );
    let mut watch = acl.policy_list().watch();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.value.len(), 1);
    let second = tokio::time::timeout(Duration::from_secs(5), watch.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(second.value.len(), 2);
    assert_eq!(second.meta.last_index, 8);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/policies");
    assert_eq!(req.query("index").as_deref(), Some("5"));
}

const AUTH_METHOD: &str = include_str!("../../consul-types/tests/fixtures/acl/auth_method.json");
const AUTH_METHODS: &str = include_str!("../../consul-types/tests/fixtures/acl/auth_methods.json");
const BINDING_RULE: &str = include_str!("../../consul-types/tests/fixtures/acl/binding_rule.json");
const BINDING_RULES: &str =
    include_str!("../../consul-types/tests/fixtures/acl/binding_rules.json");
const RULE_ID: &str = "fe7ee140-0428-6c07-60a1-568b835c73f8";

#[tokio::test]
async fn auth_methods_create_update_read_list_delete() {
    use consul_api::acl::{AclAuthMethod, AuthMethodType, OidcAuthMethodConfig, TokenLocality};
    let mock = MockTransport::new();
    let acl = client(&mock).acl();

    let config = OidcAuthMethodConfig::default()
        .jwt_validation_pub_keys(["PEM".to_owned()])
        .bound_audiences(["consul".to_owned()])
        .claim_mapping("svc", "svc");
    let method = AclAuthMethod::jwt("jwt1", &config)
        .display_name("JWT one")
        .max_token_ttl(Duration::from_secs(3600))
        .token_locality(TokenLocality::Global);
    mock.push(Reply::json(AUTH_METHOD));
    let created = acl
        .auth_method_create(method)
        .dc("dc1")
        .await
        .unwrap()
        .value;
    assert_eq!(created.kind, AuthMethodType::Jwt);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/auth-method")
    );
    assert_eq!(req.query("dc").as_deref(), Some("dc1"));
    assert_eq!(
        body(&req),
        serde_json::json!({
            "Name": "jwt1", "Type": "jwt", "DisplayName": "JWT one", "MaxTokenTTL": "1h0m0s",
            "TokenLocality": "global",
            "Config": {"JWTValidationPubKeys": ["PEM"], "BoundAudiences": ["consul"],
                       "ClaimMappings": {"svc": "svc"}},
        })
    );

    mock.push(Reply::json(AUTH_METHOD));
    let mut changed = created.clone();
    changed.description = "changed".into();
    acl.auth_method_update(changed).await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/auth-method/jwt1")
    );
    let sent = body(&req);
    assert_eq!(
        (sent["Name"].as_str(), sent["Description"].as_str()),
        (Some("jwt1"), Some("changed"))
    );
    assert!(sent.get("CreateIndex").is_none(), "indexes are Consul's");

    mock.push(Reply::json(AUTH_METHOD).header("x-consul-index", "18"))
        .push(Reply::status(404, ""));
    let read = acl.auth_method_read("jwt1").stale().await.unwrap();
    assert_eq!(read.meta.last_index, 18);
    assert_eq!(read.value.unwrap().display_name, "JWT one");
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", "/v1/acl/auth-method/jwt1")
    );
    assert_eq!(req.query("stale").as_deref(), Some(""));
    assert!(
        acl.auth_method_read("nope").await.unwrap().value.is_none(),
        "an empty 404 is absent"
    );

    mock.push(Reply::json(AUTH_METHODS).header("x-consul-index", "33"));
    let list = acl
        .auth_method_list()
        .wait(20, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(list.value.len(), 2);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/auth-methods");
    assert_eq!(req.query("index").as_deref(), Some("20"));
    assert_eq!(req.query("wait").as_deref(), Some("5000ms"));

    mock.push(Reply::json("true"));
    assert!(acl.auth_method_delete("jwt1").await.unwrap().value);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", "/v1/acl/auth-method/jwt1")
    );

    let count = mock.count();
    for e in [
        acl.auth_method_create(AclAuthMethod::new("", AuthMethodType::Jwt))
            .await
            .unwrap_err(),
        acl.auth_method_update(AclAuthMethod::new("a b", AuthMethodType::Jwt))
            .await
            .unwrap_err(),
        acl.auth_method_read("..").await.unwrap_err(),
        acl.auth_method_delete("").await.unwrap_err(),
    ] {
        assert!(e.is_validation(), "{e:?}");
    }
    assert_eq!(mock.count(), count, "nothing was sent");
}

#[tokio::test]
async fn binding_rules_create_update_read_list_delete() {
    use consul_api::acl::{AclBindingRule, BindingRuleBindType};
    let mock = MockTransport::new();
    let acl = client(&mock).acl();

    mock.push(Reply::json(BINDING_RULE));
    let rule = AclBindingRule::new("jwt1", BindingRuleBindType::Role, "reader")
        .selector(r#""readers" in list.groups"#)
        .description("readers by group");
    let created = acl.binding_rule_create(rule).await.unwrap().value;
    assert_eq!(created.id, RULE_ID);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", "/v1/acl/binding-rule")
    );
    assert_eq!(
        body(&req),
        serde_json::json!({
            "Description": "readers by group", "AuthMethod": "jwt1",
            "Selector": "\"readers\" in list.groups", "BindType": "role", "BindName": "reader",
        })
    );

    mock.push(Reply::json(BINDING_RULE));
    let mut changed = created.clone();
    changed.bind_name = "writer".into();
    acl.binding_rule_update(changed).await.unwrap();
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("PUT", format!("/v1/acl/binding-rule/{RULE_ID}").as_str())
    );
    assert_eq!(body(&req)["ID"], RULE_ID);
    assert_eq!(body(&req)["BindName"], "writer");

    mock.push(Reply::json(BINDING_RULE))
        .push(Reply::status(404, ""));
    let read = acl.binding_rule_read(RULE_ID).await.unwrap().value.unwrap();
    assert_eq!(read.bind_type, BindingRuleBindType::Role);
    assert_eq!(
        mock.last().unwrap().uri.path(),
        format!("/v1/acl/binding-rule/{RULE_ID}")
    );
    let missing = "00000000-0000-0000-0000-000000000099";
    assert!(acl
        .binding_rule_read(missing)
        .await
        .unwrap()
        .value
        .is_none());

    mock.push(Reply::json(BINDING_RULES))
        .push(Reply::json("[]"));
    let all = acl.binding_rule_list().await.unwrap().value;
    assert_eq!(all.len(), 4);
    assert_eq!(mock.last().unwrap().query("authmethod"), None);
    let none = acl
        .binding_rule_list()
        .auth_method("jwt-ec")
        .await
        .unwrap()
        .value;
    assert!(none.is_empty());
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/binding-rules");
    assert_eq!(req.query("authmethod").as_deref(), Some("jwt-ec"));

    mock.push(Reply::json("true"));
    assert!(acl.binding_rule_delete(RULE_ID).await.unwrap().value);
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("DELETE", format!("/v1/acl/binding-rule/{RULE_ID}").as_str())
    );

    // Go refuses an ID on create (Consul answers 400); the rest is checked too.
    let count = mock.count();
    let mut with_id = created.clone();
    with_id.id = RULE_ID.into();
    for e in [
        acl.binding_rule_create(with_id).await.unwrap_err(),
        acl.binding_rule_create(AclBindingRule::new("", BindingRuleBindType::Role, "r"))
            .await
            .unwrap_err(),
        acl.binding_rule_create(AclBindingRule::new("m", BindingRuleBindType::Role, ""))
            .await
            .unwrap_err(),
        acl.binding_rule_create(AclBindingRule::new("m", BindingRuleBindType::from(""), "r"))
            .await
            .unwrap_err(),
        acl.binding_rule_update(AclBindingRule::new("m", BindingRuleBindType::Role, "r"))
            .await
            .unwrap_err(),
        acl.binding_rule_read("not-a-uuid").await.unwrap_err(),
        acl.binding_rule_delete("").await.unwrap_err(),
        acl.binding_rule_list().auth_method("").await.unwrap_err(),
    ] {
        assert!(e.is_validation(), "{e:?}");
    }
    assert_eq!(mock.count(), count, "nothing was sent");
}

#[tokio::test]
async fn rules_translate_token_reads_text_or_none() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    mock.push(Reply::status(
        200,
        "key_prefix \"\" {\n  policy = \"read\"\n}",
    ));
    let text = acl.rules_translate_token(ID).await.unwrap().value.unwrap();
    assert!(text.starts_with("key_prefix"), "{text}");
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("GET", format!("/v1/acl/rules/translate/{ID}").as_str())
    );
    // A missing token is 403 "ACL not found" on 1.8: absent, once the client's own token
    // is known to Consul.
    mock.push(Reply::status(403, "ACL not found"))
        .push(Reply::json(TOKEN_BODY));
    assert!(acl.rules_translate_token(ID).await.unwrap().value.is_none());
    mock.push(Reply::status(
        500,
        "The specified token does not have any rules set",
    ));
    let e = acl.rules_translate_token(ID).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    // Gone in Consul 1.11: an empty 404.
    mock.push(Reply::status(404, ""))
        .push(Reply::json(r#"{"Config":{"Version":"1.11.0"}}"#));
    assert!(acl
        .rules_translate_token(ID)
        .await
        .unwrap_err()
        .is_unsupported());
    let count = mock.count();
    assert!(acl
        .rules_translate_token("secret-not-accessor")
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), count);
}

/// The templated policies of Consul 1.17+, with the JSON of Consul's documentation; the
/// name's `/` stays a path separator.
#[tokio::test]
async fn templated_policies_list_read_and_preview() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();
    let service = r##"{"TemplateName":"builtin/service","Schema":"{\n\t\"type\": \"object\",\n\t\"properties\": {\n\t\t\"name\": { \"type\": \"string\", \"$ref\": \"#/definitions/min-length-one\" }\n\t},\n\t\"required\": [\"name\"]\n}","Template":"\nservice \"{{.Name}}\" {\n\tpolicy = \"write\"\n}\nservice \"{{.Name}}-sidecar-proxy\" {\n\tpolicy = \"write\"\n}\nservice_prefix \"\" {\n\tpolicy = \"read\"\n}\nnode_prefix \"\" {\n\tpolicy = \"read\"\n}","Description":"Gives the token or role permissions for a service and its sidecar proxy"}"##;
    let dns = r#"{"TemplateName":"builtin/dns","Schema":"","Template":"\nnode_prefix \"\" {\n\tpolicy = \"read\"\n}\nservice_prefix \"\" {\n\tpolicy = \"read\"\n}\nquery_prefix \"\" {\n\tpolicy = \"read\"\n}","Description":""}"#;
    mock.push(Reply::json(format!(
        r#"{{"builtin/dns":{dns},"builtin/service":{service}}}"#
    )));
    let all = acl.templated_policy_list().await.unwrap().value;
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("GET", "/v1/acl/templated-policies")
    );
    assert_eq!(r.headers["x-consul-token"], "mgmt-token");
    assert_eq!(all.len(), 2);
    assert!(all["builtin/service"].requires_variables());
    assert!(!all["builtin/dns"].requires_variables());

    mock.push(Reply::json(service));
    let read = acl
        .templated_policy_read_by_name("builtin/service")
        .await
        .unwrap()
        .value
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(
        r.uri.path(),
        "/v1/acl/templated-policy/name/builtin/service"
    );
    assert!(read.template.contains("{{.Name}}-sidecar-proxy"));
    // A 404 with a reason is "no such template".
    mock.push(Reply::status(404, "templated policy not found"));
    assert_eq!(
        acl.templated_policy_read_by_name("builtin/nope")
            .await
            .unwrap()
            .value,
        None
    );

    mock.push(Reply::json(r#"{"ID":"0a73657276696365202277656222207","Name":"synthetic-policy-0a73657276","Description":"synthetic policy generated from templated policy: builtin/service","Rules":"\nservice \"web\" {\n\tpolicy = \"write\"\n}","Hash":"b04MnvCVtBXZAmGe4uDpGLABJoGo2nNhEJkqaN5E5x4=","CreateIndex":0,"ModifyIndex":0}"#));
    let policy = acl
        .templated_policy_preview("builtin/service")
        .name("web")
        .await
        .unwrap()
        .value;
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("POST", "/v1/acl/templated-policy/preview/builtin/service")
    );
    assert_eq!(body(&r), serde_json::json!({"Name": "web"}));
    assert!(policy.rules.contains("service \"web\""));
    assert!(policy.name.starts_with("synthetic-policy-"));
    mock.push(Reply::json(r#"{"Name":"synthetic-policy-x","Rules":""}"#));
    acl.templated_policy_preview("builtin/dns").await.unwrap();
    assert_eq!(body(&mock.last().unwrap()), serde_json::json!({}));

    // Names Consul would misroute are refused before sending.
    let before = mock.count();
    for bad in ["", "builtin/", "/service", "builtin/../token"] {
        let err = acl.templated_policy_read_by_name(bad).await.unwrap_err();
        assert!(err.is_validation(), "{bad:?}: {err:?}");
    }
    assert!(acl
        .templated_policy_preview("a//b")
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), before);

    // An agent older than 1.17 does not serve them.
    for _ in 0..3 {
        mock.push(Reply::status(404, ""))
            .push(Reply::json(r#"{"Config":{"Version":"1.8.7"}}"#));
    }
    let errors: Vec<Error> = vec![
        acl.templated_policy_list().await.unwrap_err(),
        acl.templated_policy_read_by_name("builtin/service")
            .await
            .unwrap_err(),
        acl.templated_policy_preview("builtin/service")
            .name("web")
            .await
            .unwrap_err(),
    ];
    for err in errors {
        assert!(err.is_unsupported(), "{err:?}");
        assert!(err.to_string().contains("1.8.7"), "{err}");
    }
}

#[tokio::test]
async fn oidc_auth_url_and_callback_send_go_shapes_and_hide_the_code() {
    let mock = MockTransport::new();
    let acl = client(&mock).acl();

    mock.push(Reply::json(
        r#"{"AuthURL":"https://idp.example/authorize?state=st-1"}"#,
    ));
    let url = acl
        .oidc_auth_url("okta", "http://localhost:8550/oidc/callback")
        .client_nonce("n-1")
        .meta("host", "laptop")
        .await
        .unwrap()
        .value;
    assert_eq!(url, "https://idp.example/authorize?state=st-1");
    let req = mock.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.uri.path()),
        ("POST", "/v1/acl/oidc/auth-url")
    );
    assert_eq!(
        body(&req),
        serde_json::json!({
            "AuthMethod": "okta",
            "RedirectURI": "http://localhost:8550/oidc/callback",
            "ClientNonce": "n-1",
            "Meta": { "host": "laptop" }
        })
    );

    let callback = acl.oidc_callback("okta", "st-1", "auth-code-secret");
    assert!(!format!("{callback:?}").contains("auth-code-secret"));
    mock.push(Reply::json(TOKEN_BODY));
    let token = callback.client_nonce("n-1").await.unwrap().value;
    assert_eq!(token.accessor_id, ID);
    let req = mock.last().unwrap();
    assert_eq!(req.uri.path(), "/v1/acl/oidc/callback");
    assert_eq!(
        body(&req),
        serde_json::json!({
            "AuthMethod": "okta", "State": "st-1", "Code": "auth-code-secret", "ClientNonce": "n-1"
        })
    );

    let sent = mock.requests().len();
    assert!(matches!(
        acl.oidc_auth_url("", "x").await.unwrap_err(),
        Error::Validation(_)
    ));
    assert!(matches!(
        acl.oidc_callback("", "s", "c").await.unwrap_err(),
        Error::Validation(_)
    ));
    assert_eq!(mock.requests().len(), sent, "refused before sending");
}
