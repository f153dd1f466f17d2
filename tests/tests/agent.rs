//! The local agent against real agents: self, members, checks, services, maintenance,
//! local health, and input validation.

use consul_integration_tests::{eventually, recording_client, TestAgent};
use consulate::agent::{
    AgentWeights, CheckDefinition, CheckKind, CheckStatus, MemberStatus, ServiceAddress,
    ServiceRegistration,
};
use consulate::types::agent::MemberAclMode;
use consulate::{Error, ValidationError};
use std::time::{Duration, Instant};

#[tokio::test]
async fn self_config_me_and_members() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let me = a.self_info().await.unwrap().value;
    assert_eq!(me.config.node_name, agent.node_name());
    assert_eq!(me.config.datacenter, "dc1");
    assert_eq!(me.config.version, "1.8.7");
    assert!(me.config.server);
    assert!(me.debug_config.is_object());
    assert_eq!(a.config().await.unwrap().value, me.config);
    let member = a.me().await.unwrap().value;
    assert_eq!(member.name, agent.node_name());
    assert_eq!(member.status, MemberStatus::Alive);
    assert_eq!(member.port, agent.ports().serf_lan);
    assert!(member.is_server());
    assert_eq!(
        a.node_name().await.unwrap().value,
        agent.node_name().to_owned()
    );

    let lan = a.members().await.unwrap().value;
    assert_eq!(lan.len(), 1);
    assert_eq!(lan[0].addr, "127.0.0.1");
    let wan = a.members().wan().await.unwrap().value;
    assert_eq!(wan.len(), 1);
    assert_eq!(wan[0].name, format!("{}.dc1", agent.node_name()));
    assert_eq!(wan[0].port, agent.ports().serf_wan);

    // A dev agent has ACLs off, and says so in its `acls` tag ("0").
    assert_eq!(member.tags.get("acls").map(String::as_str), Some("0"));
    assert_eq!(member.acl_mode(), MemberAclMode::Disabled);
    assert_eq!(lan[0].acl_mode(), MemberAclMode::Disabled);
    assert_eq!(wan[0].acl_mode(), MemberAclMode::Disabled);
}

#[tokio::test]
async fn members_of_an_acl_agent_report_acls_enabled() {
    const MASTER: &str = "acl-mode-master-0000-000000000001";
    let agent = TestAgent::builder()
        .acl_master_token(MASTER)
        .start()
        .await
        .unwrap();
    let a = agent.client().agent();
    // A server may advertise legacy mode ("2") until it has switched to the ACL system
    // of Consul 1.4+; 1.8.7 reports "1" once it has.
    let member = eventually("the agent to advertise ACLs enabled", || async {
        let me = a.me().await.unwrap().value;
        (me.acl_mode() == MemberAclMode::Enabled).then_some(me)
    })
    .await;
    assert_eq!(member.tags.get("acls").map(String::as_str), Some("1"));
    let lan = a.members().await.unwrap().value;
    assert_eq!(lan.len(), 1);
    assert_eq!(lan[0].acl_mode(), MemberAclMode::Enabled);
    let wan = a.members().wan().await.unwrap().value;
    assert_eq!(wan[0].acl_mode(), MemberAclMode::Enabled);
}

#[tokio::test]
async fn checks_of_every_kind_register_list_and_deregister() {
    let agent = TestAgent::builder().script_checks().start().await.unwrap();
    let a = agent.client().agent();
    let s = Duration::from_secs(30);
    // Consul staggers a check's first run within its interval: keep it short.
    let fast = Duration::from_millis(500);
    let http_url = format!("{}/v1/status/leader", agent.http_addr());
    let tcp_addr = format!("127.0.0.1:{}", agent.ports().http);
    let defs = [
        CheckDefinition::ttl(s)
            .id("k-ttl")
            .name("ttl")
            .notes("reported by the app")
            .status(CheckStatus::Warning),
        CheckDefinition::http(&http_url, fast)
            .id("k-http")
            .name("http")
            .timeout(Duration::from_secs(2))
            .method("GET")
            .header("X-Test", "1"),
        CheckDefinition::tcp(&tcp_addr, fast)
            .id("k-tcp")
            .name("tcp"),
        CheckDefinition::script(["true"], s)
            .id("k-script")
            .name("script"),
        CheckDefinition::grpc("127.0.0.1:1/x", s)
            .id("k-grpc")
            .name("grpc"),
        CheckDefinition::alias("nothing-here")
            .id("k-alias")
            .name("alias"),
    ];
    for def in &defs {
        a.check_register(def.clone()).await.unwrap();
    }
    a.check_register_ttl("k-ttl2", s).await.unwrap();
    a.check_register_http("k-http2", &http_url, s)
        .await
        .unwrap();
    a.check_register_script("k-script2", ["true"], s)
        .await
        .unwrap();

    let checks = a.checks().await.unwrap().value;
    for (id, kind) in [
        ("k-ttl", "ttl"),
        ("k-http", "http"),
        ("k-tcp", "tcp"),
        ("k-script", "script"),
        ("k-grpc", "grpc"),
        ("k-alias", "alias"),
        ("k-ttl2", "ttl"),
        ("k-http2", "http"),
        ("k-script2", "script"),
    ] {
        assert_eq!(checks[id].check_type, kind, "{id}");
        assert_eq!(checks[id].node, agent.node_name());
    }
    let ttl = a.check("k-ttl").await.unwrap().value.unwrap();
    assert_eq!(ttl.status, CheckStatus::Warning, "initial status is sent");
    assert_eq!(ttl.notes, "reported by the app");
    assert_eq!(ttl.name, "ttl");

    // HTTP and TCP checks against the agent itself pass once they have run.
    for id in ["k-http", "k-tcp"] {
        eventually(&format!("{id} passing"), || async {
            (a.check(id).await.unwrap().value.unwrap().status == CheckStatus::Passing).then_some(())
        })
        .await;
    }

    let filtered = a.checks().filter("Type == \"ttl\"").await.unwrap().value;
    let mut ids: Vec<_> = filtered.keys().cloned().collect();
    ids.sort();
    assert_eq!(ids, ["k-ttl", "k-ttl2"]);

    assert!(a.check("no-such-check").await.unwrap().value.is_none());

    for def in &defs {
        a.check_deregister(def.id.as_deref().unwrap())
            .await
            .unwrap();
    }
    let left = a.checks().await.unwrap().value;
    assert!(!left.contains_key("k-ttl") && !left.contains_key("k-alias"));
    assert!(left.contains_key("k-ttl2"));
}

#[tokio::test]
async fn script_checks_are_refused_by_a_default_agent() {
    let agent = TestAgent::dev().await;
    let err = agent
        .client()
        .agent()
        .check_register_script("s", ["true"], Duration::from_secs(10))
        .await
        .unwrap_err();
    match err {
        Error::Status { code, body, .. } => {
            assert_eq!(code.as_u16(), 500);
            assert!(body.contains("Scripts are disabled"), "{body}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ttl_updates_pass_warn_fail_and_update() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    a.check_register_ttl("beat", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        a.check("beat").await.unwrap().value.unwrap().status,
        CheckStatus::Critical,
        "a new TTL check starts critical"
    );
    a.pass_ttl("beat").note("fine").await.unwrap();
    let c = a.check("beat").await.unwrap().value.unwrap();
    assert_eq!(
        (c.status, c.output.as_str()),
        (CheckStatus::Passing, "fine")
    );
    a.warn_ttl("beat").note("slow").await.unwrap();
    let c = a.check("beat").await.unwrap().value.unwrap();
    assert_eq!(
        (c.status, c.output.as_str()),
        (CheckStatus::Warning, "slow")
    );
    a.fail_ttl("beat").await.unwrap();
    let c = a.check("beat").await.unwrap().value.unwrap();
    assert_eq!(c.status, CheckStatus::Critical);
    a.update_ttl("beat", CheckStatus::Passing)
        .output("back: 12 ms")
        .await
        .unwrap();
    let c = a.check("beat").await.unwrap().value.unwrap();
    assert_eq!(
        (c.status, c.output.as_str()),
        (CheckStatus::Passing, "back: 12 ms")
    );

    // Not a TTL check / unknown: Consul's own refusal, typed.
    let err = a.pass_ttl("serfHealth").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
    let err = a.warn_ttl("nope").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
}

#[tokio::test]
async fn ttl_expiry_turns_critical() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let def = CheckDefinition::ttl(Duration::from_millis(500))
        .name("short")
        .status(CheckStatus::Passing);
    a.check_register(def).await.unwrap();
    assert_eq!(
        a.check("short").await.unwrap().value.unwrap().status,
        CheckStatus::Passing
    );
    let c = eventually("TTL expiry", || async {
        let c = a.check("short").await.unwrap().value.unwrap();
        (c.status == CheckStatus::Critical).then_some(c)
    })
    .await;
    assert!(c.output.contains("TTL expired"), "{}", c.output);
}

#[tokio::test]
async fn services_register_with_every_field_and_deregister() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let web = ServiceRegistration::new("web")
        .id("web-1")
        .tags(["v1", "primary"])
        .meta("version", "1.0")
        .address("127.0.0.1")
        .port(8080)
        .weights(AgentWeights::new(10, 2))
        .enable_tag_override(true)
        .tagged_address("wan", ServiceAddress::new("192.0.2.10", 80))
        .check(
            CheckDefinition::ttl(Duration::from_secs(30))
                .id("web-1-ttl")
                .name("web ttl")
                .deregister_critical_service_after(Duration::from_secs(600)),
        )
        .check(
            CheckDefinition::tcp("127.0.0.1:1", Duration::from_secs(30))
                .id("web-1-tcp")
                .name("web tcp"),
        );
    a.service_register(web).await.unwrap();

    let services = a.services().await.unwrap().value;
    let s = &services["web-1"];
    assert_eq!(s.service, "web");
    assert_eq!(s.tags, ["v1", "primary"]);
    assert_eq!(s.meta["version"], "1.0");
    assert_eq!(s.port, 8080);
    assert_eq!(s.address, "127.0.0.1");
    assert_eq!(s.weights, Some(AgentWeights::new(10, 2)));
    assert!(s.enable_tag_override);
    assert_eq!(
        s.tagged_addresses["wan"],
        ServiceAddress::new("192.0.2.10", 80)
    );
    let checks = a.checks().await.unwrap().value;
    assert_eq!(checks["web-1-ttl"].service_id, "web-1");
    assert_eq!(checks["web-1-tcp"].service_name, "web");

    let one = a.service("web-1").await.unwrap();
    assert_eq!(one.value.unwrap().service, "web");
    assert!(one.meta.last_content_hash.is_some());
    let filtered = a
        .services()
        .filter("\"primary\" in Tags")
        .await
        .unwrap()
        .value;
    assert_eq!(filtered.keys().collect::<Vec<_>>(), ["web-1"]);

    assert!(a.service("no-such-service").await.unwrap().value.is_none());

    a.service_deregister("web-1").await.unwrap();
    assert!(a.services().await.unwrap().value.is_empty());
    let checks = a.checks().await.unwrap().value;
    assert!(
        !checks.contains_key("web-1-ttl"),
        "checks go with the service"
    );
}

#[tokio::test]
async fn service_shortcuts_and_replacing_checks() {
    let agent = TestAgent::builder().script_checks().start().await.unwrap();
    let a = agent.client().agent();
    let s = Duration::from_secs(30);
    a.service_register_ttl("svc-ttl", s).await.unwrap();
    a.service_register_http(
        "svc-http",
        format!("{}/v1/status/leader", agent.http_addr()),
        s,
    )
    .await
    .unwrap();
    a.service_register_script("svc-script", ["true"], s)
        .await
        .unwrap();
    let checks = a.checks().await.unwrap().value;
    assert_eq!(checks["service:svc-ttl"].check_type, "ttl");
    assert_eq!(checks["service:svc-http"].check_type, "http");
    assert_eq!(checks["service:svc-script"].check_type, "script");
    a.pass_ttl("service:svc-ttl").note("ok").await.unwrap();

    // Re-registering with other checks: plain register keeps the old one,
    // replace-existing-checks drops it.
    let again = ServiceRegistration::new("svc-ttl").check(CheckDefinition::ttl(s).id("second"));
    a.service_register(again.clone()).await.unwrap();
    let checks = a.checks().await.unwrap().value;
    assert!(checks.contains_key("service:svc-ttl") && checks.contains_key("second"));
    a.service_register(again)
        .replace_existing_checks()
        .await
        .unwrap();
    let checks = a.checks().await.unwrap().value;
    assert!(!checks.contains_key("service:svc-ttl") && checks.contains_key("second"));
}

#[tokio::test]
async fn service_read_blocks_on_its_content_hash() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let reg = ServiceRegistration::new("watched").port(1000);
    a.service_register(reg).await.unwrap();
    let first = a.service("watched").await.unwrap();
    let hash = first.meta.last_content_hash.clone().unwrap();

    let writer = {
        let a = a.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let reg = ServiceRegistration::new("watched").port(2000);
            a.service_register(reg).await.unwrap();
        })
    };
    let started = Instant::now();
    let changed = a
        .service("watched")
        .wait_hash(hash.clone(), Duration::from_secs(20))
        .await
        .unwrap();
    writer.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(changed.value.unwrap().port, 2000);
    assert_ne!(changed.meta.last_content_hash, Some(hash));
}

#[tokio::test]
async fn local_health_by_id_and_name_mirrors_check_status() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    for id in ["api-1", "api-2"] {
        let reg = ServiceRegistration::new("api")
            .id(id)
            .check(CheckDefinition::ttl(Duration::from_secs(60)).id(format!("{id}-ttl")));
        a.service_register(reg).await.unwrap();
        a.pass_ttl(format!("{id}-ttl")).await.unwrap();
    }
    let info = a
        .health_service_by_id("api-1")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(info.aggregated_status, CheckStatus::Passing);
    assert_eq!(info.service.id, "api-1");
    assert_eq!(info.checks.len(), 1);

    a.warn_ttl("api-1-ttl").await.unwrap();
    let info = a
        .health_service_by_id("api-1")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        info.aggregated_status,
        CheckStatus::Warning,
        "429 is a result"
    );
    a.fail_ttl("api-2-ttl").await.unwrap();
    let info = a
        .health_service_by_id("api-2")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        info.aggregated_status,
        CheckStatus::Critical,
        "503 is a result"
    );

    let all = a.health_service_by_name("api").await.unwrap().value;
    assert_eq!(all.len(), 2);
    assert_eq!(
        CheckStatus::aggregate(all.iter().map(|i| &i.aggregated_status)),
        CheckStatus::Critical
    );

    a.enable_service_maintenance("api-1", "").await.unwrap();
    let info = a
        .health_service_by_id("api-1")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(info.aggregated_status, CheckStatus::Maintenance);

    assert!(a
        .health_service_by_id("nope")
        .await
        .unwrap()
        .value
        .is_none());
    assert!(a
        .health_service_by_name("nope")
        .await
        .unwrap()
        .value
        .is_empty());
}

#[tokio::test]
async fn node_and_service_maintenance_add_and_remove_critical_checks() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    a.service_register(ServiceRegistration::new("db").id("db-1"))
        .await
        .unwrap();

    a.enable_node_maintenance("kernel upgrade").await.unwrap();
    let node_maint = a.check("_node_maintenance").await.unwrap().value.unwrap();
    assert_eq!(node_maint.status, CheckStatus::Critical);
    assert_eq!(node_maint.notes, "kernel upgrade");
    a.disable_node_maintenance().await.unwrap();
    assert!(a.check("_node_maintenance").await.unwrap().value.is_none());

    a.enable_service_maintenance("db-1", "deploy")
        .await
        .unwrap();
    let svc_maint = a
        .check("_service_maintenance:db-1")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(svc_maint.status, CheckStatus::Critical);
    assert_eq!(svc_maint.service_id, "db-1");
    assert_eq!(svc_maint.notes, "deploy");
    a.disable_service_maintenance("db-1").await.unwrap();
    assert!(a
        .check("_service_maintenance:db-1")
        .await
        .unwrap()
        .value
        .is_none());

    let err = a
        .enable_service_maintenance("no-such", "")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn reload_on_a_dev_agent_drops_http_registrations() {
    // Documented 1.8.7 behaviour (see consul-testing.md); a data-dir agent keeps them,
    // which tests/cluster.rs proves.
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    a.service_register(ServiceRegistration::new("gone"))
        .await
        .unwrap();
    a.reload().await.unwrap();
    let services = eventually("reload to apply", || async {
        let s = a.services().await.unwrap().value;
        (!s.contains_key("gone")).then_some(s)
    })
    .await;
    assert!(services.is_empty());
    // The agent still answers after reloading.
    assert_eq!(a.members().await.unwrap().value.len(), 1);
}

#[tokio::test]
async fn join_failures_and_unknown_force_leave_are_status_errors() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let err = a.join("127.0.0.1:1").await.unwrap_err();
    match &err {
        Error::Status { code, body, .. } => {
            assert_eq!(code.as_u16(), 500);
            assert!(body.contains("Failed to join"), "{body}");
        }
        other => panic!("{other:?}"),
    }
    let err = a.force_leave("no-such-node").await.unwrap_err();
    match &err {
        Error::Status { code, body, .. } => {
            assert_eq!(code.as_u16(), 500);
            assert!(body.contains("No node found"), "{body}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bad_input_is_a_validation_error_and_nothing_is_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let a = client.agent();
    let s = Duration::from_secs(10);

    // Empty names and ids.
    let err = a
        .service_register(ServiceRegistration::new(""))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::Empty {
                field: "service name"
            })
        ),
        "{err:?}"
    );
    let err = a.check_register(CheckDefinition::ttl(s)).await.unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::Empty {
                field: "check name"
            })
        ),
        "{err:?}"
    );
    for err in [
        a.service("").await.unwrap_err(),
        a.service_deregister("").await.unwrap_err(),
        a.check("").await.unwrap_err(),
        a.check_deregister("").await.unwrap_err(),
        a.pass_ttl("").await.unwrap_err(),
        a.force_leave("").await.unwrap_err(),
        a.join("").await.unwrap_err(),
        a.enable_service_maintenance("", "").await.unwrap_err(),
        a.health_service_by_name("").await.unwrap_err(),
    ] {
        assert!(
            matches!(err.as_validation(), Some(ValidationError::Empty { .. })),
            "{err:?}"
        );
    }

    // A check with two kinds, alone or inside a service.
    let mut two = CheckDefinition::ttl(s).name("two");
    two.http = Some("http://127.0.0.1/".into());
    assert_eq!(two.kinds(), [CheckKind::Ttl, CheckKind::Http]);
    let err = a.check_register(two.clone()).await.unwrap_err();
    assert!(
        matches!(err.as_validation(), Some(ValidationError::Conflict(_))),
        "{err:?}"
    );
    let err = a
        .service_register(ServiceRegistration::new("x").check(two.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(err.as_validation(), Some(ValidationError::Conflict(_))),
        "{err:?}"
    );

    // Invalid durations.
    let mut bad = CheckDefinition::http("http://127.0.0.1/", s).name("bad");
    bad.interval = Some("10".into());
    let err = a.check_register(bad).await.unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::InvalidDuration { .. })
        ),
        "{err:?}"
    );
    let mut bad = CheckDefinition::ttl(s);
    bad.ttl = Some("soon".into());
    let err = a
        .service_register(ServiceRegistration::new("x").check(bad))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::InvalidDuration { .. })
        ),
        "{err:?}"
    );

    // A status that cannot be set, and weights Consul refuses.
    let err = a
        .update_ttl("c", CheckStatus::Maintenance)
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = a
        .service_register(ServiceRegistration::new("x").weights(AgentWeights::new(0, 1)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::OutOfRange { .. })
        ),
        "{err:?}"
    );

    assert_eq!(recorder.count(), 0, "nothing may be sent for invalid input");
    a.service_register(ServiceRegistration::new("valid"))
        .await
        .unwrap();
    assert_eq!(recorder.count(), 1);
}

#[tokio::test]
async fn token_override_reaches_agent_endpoints_as_a_header() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let a = client.agent();
    a.checks().token("agent-read-token").await.unwrap();
    a.service_register(ServiceRegistration::new("t"))
        .token("agent-write-token")
        .await
        .unwrap();
    // A datacenter on the client handle does not leak into agent-local calls.
    client.dc("dc9").agent().members().await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent[0].headers["x-consul-token"], "agent-read-token");
    assert_eq!(sent[1].headers["x-consul-token"], "agent-write-token");
    assert!(sent[2].query("dc").is_none());
    for r in &sent {
        assert!(!r.uri.to_string().contains("token"));
    }
}

#[tokio::test]
async fn monitor_streams_log_lines() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let mut lines = a.monitor().log_level("debug").await.unwrap().value;
    let mut json_lines = a.monitor().log_level("debug").json().await.unwrap().value;
    // Something to log about.
    a.service_register(ServiceRegistration::new("monitored"))
        .await
        .unwrap();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let line = lines
                .next()
                .await
                .expect("the log stream stays open")
                .unwrap();
            if line.contains("monitored") {
                return line;
            }
        }
    })
    .await
    .expect("a log line about the registration");
    assert!(!found.contains('\n'));
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let line = json_lines
                .next()
                .await
                .expect("the log stream stays open")
                .unwrap();
            if line.contains("monitored") {
                return line;
            }
        }
    })
    .await
    .expect("a JSON log line about the registration");
    let object: serde_json::Value = serde_json::from_str(&found).unwrap();
    assert!(object["@message"].is_string(), "{found}");

    let err = a.monitor().log_level("loud").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert!(a.monitor().log_level("").await.unwrap_err().is_validation());
}

/// Go's `agent_service` watch plan: the first state at once, then each change of the local
/// definition, woken by its content hash.
#[tokio::test]
async fn service_watch_yields_each_change_of_the_definition() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let reg = |tag: &str| ServiceRegistration::new("watched").port(1000).tag(tag);
    a.service_register(reg("v1")).await.unwrap();
    let mut changes = a.service("watched").watch();
    let first = changes.next().await.unwrap().unwrap();
    assert_eq!(first.value.unwrap().tags, ["v1"]);
    let first_hash = first.meta.last_content_hash.clone();
    assert!(first_hash.is_some());

    // Another service changes nothing here; re-registering this one with a new tag does.
    a.service_register(ServiceRegistration::new("bystander"))
        .await
        .unwrap();
    a.service_register(reg("v2")).await.unwrap();
    let change = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .expect("re-registering wakes the watch")
        .unwrap()
        .unwrap();
    assert_eq!(change.value.unwrap().tags, ["v2"]);
    assert_ne!(change.meta.last_content_hash, first_hash);

    a.service_deregister("watched").await.unwrap();
    let gone = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .expect("deregistering wakes the watch")
        .unwrap()
        .unwrap();
    assert!(gone.value.is_none(), "a deregistered service is None");
}

/// An agent restarted with fresh state under a running watch: the watch forgets the old
/// hash and reads again, so the next change arrives at once, not after a full wait.
#[tokio::test]
async fn service_watch_recovers_when_the_agent_restarts_with_fresh_state() {
    let mut agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let reg = ServiceRegistration::new("survivor").port(1000).tag("v1");
    a.service_register(reg.clone()).await.unwrap();
    // No wait set: each blocking read may last the agent's default of 5 minutes.
    let mut changes = a.service("survivor").watch();
    assert!(changes.next().await.unwrap().unwrap().value.is_some());

    agent.restart().await.unwrap();
    // The read in flight fails with the old agent; the fresh agent knows no such service.
    let absent = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match changes.next().await.unwrap() {
                Ok(change) => return change,
                Err(e) => assert!(!e.is_validation(), "{e:?}"),
            }
        }
    })
    .await
    .expect("the watch reads the restarted agent");
    assert!(absent.value.is_none(), "a -dev agent restarts empty");

    // The same definition again (same content hash as before the restart) is a change.
    a.service_register(reg).await.unwrap();
    let started = Instant::now();
    let back = tokio::time::timeout(Duration::from_secs(10), changes.next())
        .await
        .expect("the registration wakes the watch")
        .unwrap()
        .unwrap();
    assert_eq!(back.value.unwrap().tags, ["v1"]);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "arrived after {:?}",
        started.elapsed()
    );
}
