//! The local agent against real agents: self, members, checks, services, maintenance,
//! local health, and input validation.

use consul_integration_tests::{eventually, q, recording_client, w, TestAgent};
use consulate::agent::{
    AgentWeights, CheckDefinition, CheckKind, CheckStatus, MemberStatus, ServiceAddress,
    ServiceRegistration,
};
use consulate::types::agent::MemberAclMode;
use consulate::{Error, ValidationError, WriteOptions};
use std::time::{Duration, Instant};

#[tokio::test]
async fn self_config_me_and_members() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let me = a.self_info(&q()).await.unwrap().value;
    assert_eq!(me.config.node_name, agent.node_name());
    assert_eq!(me.config.datacenter, "dc1");
    assert_eq!(me.config.version, "1.8.7");
    assert!(me.config.server);
    assert!(me.debug_config.is_object());
    assert_eq!(a.config(&q()).await.unwrap().value, me.config);
    let member = a.me(&q()).await.unwrap().value;
    assert_eq!(member.name, agent.node_name());
    assert_eq!(member.status, MemberStatus::Alive);
    assert_eq!(member.port, agent.ports().serf_lan);
    assert!(member.is_server());
    assert_eq!(
        a.node_name(&q()).await.unwrap().value,
        agent.node_name().to_owned()
    );

    let lan = a.members(false, &q()).await.unwrap().value;
    assert_eq!(lan.len(), 1);
    assert_eq!(lan[0].addr, "127.0.0.1");
    let wan = a.members(true, &q()).await.unwrap().value;
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
        let me = a.me(&q()).await.unwrap().value;
        (me.acl_mode() == MemberAclMode::Enabled).then_some(me)
    })
    .await;
    assert_eq!(member.tags.get("acls").map(String::as_str), Some("1"));
    let lan = a.members(false, &q()).await.unwrap().value;
    assert_eq!(lan.len(), 1);
    assert_eq!(lan[0].acl_mode(), MemberAclMode::Enabled);
    let wan = a.members(true, &q()).await.unwrap().value;
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
        a.check_register(def, &w()).await.unwrap();
    }
    a.check_register_ttl("k-ttl2", s, &w()).await.unwrap();
    a.check_register_http("k-http2", &http_url, s, &w())
        .await
        .unwrap();
    a.check_register_script("k-script2", &["true"], s, &w())
        .await
        .unwrap();

    let checks = a.checks(&q()).await.unwrap().value;
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
    let ttl = a.check("k-ttl", &q()).await.unwrap().value;
    assert_eq!(ttl.status, CheckStatus::Warning, "initial status is sent");
    assert_eq!(ttl.notes, "reported by the app");
    assert_eq!(ttl.name, "ttl");

    // HTTP and TCP checks against the agent itself pass once they have run.
    for id in ["k-http", "k-tcp"] {
        eventually(&format!("{id} passing"), || async {
            (a.check(id, &q()).await.unwrap().value.status == CheckStatus::Passing).then_some(())
        })
        .await;
    }

    let filtered = a
        .checks(&q().filter("Type == \"ttl\""))
        .await
        .unwrap()
        .value;
    let mut ids: Vec<_> = filtered.keys().cloned().collect();
    ids.sort();
    assert_eq!(ids, ["k-ttl", "k-ttl2"]);

    let err = a.check("no-such-check", &q()).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    for def in &defs {
        a.check_deregister(def.id.as_deref().unwrap(), &w())
            .await
            .unwrap();
    }
    let left = a.checks(&q()).await.unwrap().value;
    assert!(!left.contains_key("k-ttl") && !left.contains_key("k-alias"));
    assert!(left.contains_key("k-ttl2"));
}

#[tokio::test]
async fn script_checks_are_refused_by_a_default_agent() {
    let agent = TestAgent::dev().await;
    let err = agent
        .client()
        .agent()
        .check_register_script("s", &["true"], Duration::from_secs(10), &w())
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
    a.check_register_ttl("beat", Duration::from_secs(60), &w())
        .await
        .unwrap();
    assert_eq!(
        a.check("beat", &q()).await.unwrap().value.status,
        CheckStatus::Critical,
        "a new TTL check starts critical"
    );
    a.pass_ttl("beat", "fine", &w()).await.unwrap();
    let c = a.check("beat", &q()).await.unwrap().value;
    assert_eq!(
        (c.status, c.output.as_str()),
        (CheckStatus::Passing, "fine")
    );
    a.warn_ttl("beat", "slow", &w()).await.unwrap();
    let c = a.check("beat", &q()).await.unwrap().value;
    assert_eq!(
        (c.status, c.output.as_str()),
        (CheckStatus::Warning, "slow")
    );
    a.fail_ttl("beat", "", &w()).await.unwrap();
    let c = a.check("beat", &q()).await.unwrap().value;
    assert_eq!(c.status, CheckStatus::Critical);
    a.update_ttl("beat", "back: 12 ms", CheckStatus::Passing, &w())
        .await
        .unwrap();
    let c = a.check("beat", &q()).await.unwrap().value;
    assert_eq!(
        (c.status, c.output.as_str()),
        (CheckStatus::Passing, "back: 12 ms")
    );

    // Not a TTL check / unknown: Consul's own refusal, typed.
    let err = a.pass_ttl("serfHealth", "", &w()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
    let err = a.warn_ttl("nope", "", &w()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
}

#[tokio::test]
async fn ttl_expiry_turns_critical() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let def = CheckDefinition::ttl(Duration::from_millis(500))
        .name("short")
        .status(CheckStatus::Passing);
    a.check_register(&def, &w()).await.unwrap();
    assert_eq!(
        a.check("short", &q()).await.unwrap().value.status,
        CheckStatus::Passing
    );
    let c = eventually("TTL expiry", || async {
        let c = a.check("short", &q()).await.unwrap().value;
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
    a.service_register(&web, &w()).await.unwrap();

    let services = a.services(&q()).await.unwrap().value;
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
    let checks = a.checks(&q()).await.unwrap().value;
    assert_eq!(checks["web-1-ttl"].service_id, "web-1");
    assert_eq!(checks["web-1-tcp"].service_name, "web");

    let one = a.service("web-1", &q()).await.unwrap();
    assert_eq!(one.value.service, "web");
    assert!(one.meta.last_content_hash.is_some());
    let filtered = a
        .services(&q().filter("\"primary\" in Tags"))
        .await
        .unwrap()
        .value;
    assert_eq!(filtered.keys().collect::<Vec<_>>(), ["web-1"]);

    let err = a.service("no-such-service", &q()).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    a.service_deregister("web-1", &w()).await.unwrap();
    assert!(a.services(&q()).await.unwrap().value.is_empty());
    let checks = a.checks(&q()).await.unwrap().value;
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
    a.service_register_ttl("svc-ttl", s, &w()).await.unwrap();
    a.service_register_http(
        "svc-http",
        &format!("{}/v1/status/leader", agent.http_addr()),
        s,
        &w(),
    )
    .await
    .unwrap();
    a.service_register_script("svc-script", &["true"], s, &w())
        .await
        .unwrap();
    let checks = a.checks(&q()).await.unwrap().value;
    assert_eq!(checks["service:svc-ttl"].check_type, "ttl");
    assert_eq!(checks["service:svc-http"].check_type, "http");
    assert_eq!(checks["service:svc-script"].check_type, "script");
    a.pass_ttl("service:svc-ttl", "ok", &w()).await.unwrap();

    // Re-registering with other checks: plain register keeps the old one,
    // replace-existing-checks drops it.
    let again = ServiceRegistration::new("svc-ttl").check(CheckDefinition::ttl(s).id("second"));
    a.service_register(&again, &w()).await.unwrap();
    let checks = a.checks(&q()).await.unwrap().value;
    assert!(checks.contains_key("service:svc-ttl") && checks.contains_key("second"));
    a.service_register_replacing_checks(&again, &w())
        .await
        .unwrap();
    let checks = a.checks(&q()).await.unwrap().value;
    assert!(!checks.contains_key("service:svc-ttl") && checks.contains_key("second"));
}

#[tokio::test]
async fn service_read_blocks_on_its_content_hash() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let reg = ServiceRegistration::new("watched").port(1000);
    a.service_register(&reg, &w()).await.unwrap();
    let first = a.service("watched", &q()).await.unwrap();
    let hash = first.meta.last_content_hash.clone().unwrap();

    let writer = {
        let a = a.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let reg = ServiceRegistration::new("watched").port(2000);
            a.service_register(&reg, &WriteOptions::default())
                .await
                .unwrap();
        })
    };
    let started = Instant::now();
    let changed = a
        .service(
            "watched",
            &q().wait_hash(hash.clone())
                .wait_time(Duration::from_secs(20)),
        )
        .await
        .unwrap();
    writer.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(changed.value.port, 2000);
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
        a.service_register(&reg, &w()).await.unwrap();
        a.pass_ttl(&format!("{id}-ttl"), "", &w()).await.unwrap();
    }
    let info = a
        .health_service_by_id("api-1", &q())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(info.aggregated_status, CheckStatus::Passing);
    assert_eq!(info.service.id, "api-1");
    assert_eq!(info.checks.len(), 1);

    a.warn_ttl("api-1-ttl", "", &w()).await.unwrap();
    let info = a
        .health_service_by_id("api-1", &q())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        info.aggregated_status,
        CheckStatus::Warning,
        "429 is a result"
    );
    a.fail_ttl("api-2-ttl", "", &w()).await.unwrap();
    let info = a
        .health_service_by_id("api-2", &q())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        info.aggregated_status,
        CheckStatus::Critical,
        "503 is a result"
    );

    let all = a.health_service_by_name("api", &q()).await.unwrap().value;
    assert_eq!(all.len(), 2);
    assert_eq!(
        CheckStatus::aggregate(all.iter().map(|i| &i.aggregated_status)),
        CheckStatus::Critical
    );

    a.enable_service_maintenance("api-1", "", &w())
        .await
        .unwrap();
    let info = a
        .health_service_by_id("api-1", &q())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(info.aggregated_status, CheckStatus::Maintenance);

    assert!(a
        .health_service_by_id("nope", &q())
        .await
        .unwrap()
        .value
        .is_none());
    assert!(a
        .health_service_by_name("nope", &q())
        .await
        .unwrap()
        .value
        .is_empty());
}

#[tokio::test]
async fn node_and_service_maintenance_add_and_remove_critical_checks() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    a.service_register(&ServiceRegistration::new("db").id("db-1"), &w())
        .await
        .unwrap();

    a.enable_node_maintenance("kernel upgrade", &w())
        .await
        .unwrap();
    let node_maint = a.check("_node_maintenance", &q()).await.unwrap().value;
    assert_eq!(node_maint.status, CheckStatus::Critical);
    assert_eq!(node_maint.notes, "kernel upgrade");
    a.disable_node_maintenance(&w()).await.unwrap();
    assert!(a
        .check("_node_maintenance", &q())
        .await
        .unwrap_err()
        .is_not_found());

    a.enable_service_maintenance("db-1", "deploy", &w())
        .await
        .unwrap();
    let svc_maint = a
        .check("_service_maintenance:db-1", &q())
        .await
        .unwrap()
        .value;
    assert_eq!(svc_maint.status, CheckStatus::Critical);
    assert_eq!(svc_maint.service_id, "db-1");
    assert_eq!(svc_maint.notes, "deploy");
    a.disable_service_maintenance("db-1", &w()).await.unwrap();
    assert!(a
        .check("_service_maintenance:db-1", &q())
        .await
        .unwrap_err()
        .is_not_found());

    let err = a
        .enable_service_maintenance("no-such", "", &w())
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
    a.service_register(&ServiceRegistration::new("gone"), &w())
        .await
        .unwrap();
    a.reload(&w()).await.unwrap();
    let services = eventually("reload to apply", || async {
        let s = a.services(&q()).await.unwrap().value;
        (!s.contains_key("gone")).then_some(s)
    })
    .await;
    assert!(services.is_empty());
    // The agent still answers after reloading.
    assert_eq!(a.members(false, &q()).await.unwrap().value.len(), 1);
}

#[tokio::test]
async fn join_failures_and_unknown_force_leave_are_status_errors() {
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let err = a.join("127.0.0.1:1", false, &w()).await.unwrap_err();
    match &err {
        Error::Status { code, body, .. } => {
            assert_eq!(code.as_u16(), 500);
            assert!(body.contains("Failed to join"), "{body}");
        }
        other => panic!("{other:?}"),
    }
    let err = a.force_leave("no-such-node", &w()).await.unwrap_err();
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
        .service_register(&ServiceRegistration::new(""), &w())
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
    let err = a
        .check_register(&CheckDefinition::ttl(s), &w())
        .await
        .unwrap_err();
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
        a.service("", &q()).await.unwrap_err(),
        a.service_deregister("", &w()).await.unwrap_err(),
        a.check("", &q()).await.unwrap_err(),
        a.check_deregister("", &w()).await.unwrap_err(),
        a.pass_ttl("", "", &w()).await.unwrap_err(),
        a.force_leave("", &w()).await.unwrap_err(),
        a.join("", false, &w()).await.unwrap_err(),
        a.enable_service_maintenance("", "", &w())
            .await
            .unwrap_err(),
        a.health_service_by_name("", &q()).await.unwrap_err(),
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
    let err = a.check_register(&two, &w()).await.unwrap_err();
    assert!(
        matches!(err.as_validation(), Some(ValidationError::Conflict(_))),
        "{err:?}"
    );
    let err = a
        .service_register(&ServiceRegistration::new("x").check(two.clone()), &w())
        .await
        .unwrap_err();
    assert!(
        matches!(err.as_validation(), Some(ValidationError::Conflict(_))),
        "{err:?}"
    );

    // Invalid durations.
    let mut bad = CheckDefinition::http("http://127.0.0.1/", s).name("bad");
    bad.interval = Some("10".into());
    let err = a.check_register(&bad, &w()).await.unwrap_err();
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
        .service_register(&ServiceRegistration::new("x").check(bad), &w())
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
        .update_ttl("c", "", CheckStatus::Maintenance, &w())
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = a
        .service_register(
            &ServiceRegistration::new("x").weights(AgentWeights::new(0, 1)),
            &w(),
        )
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
    a.service_register(&ServiceRegistration::new("valid"), &w())
        .await
        .unwrap();
    assert_eq!(recorder.count(), 1);
}

#[tokio::test]
async fn token_override_reaches_agent_endpoints_as_a_header() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let a = client.agent();
    a.checks(&q().token("agent-read-token")).await.unwrap();
    a.service_register(
        &ServiceRegistration::new("t"),
        &w().token("agent-write-token"),
    )
    .await
    .unwrap();
    // A datacenter on the client handle does not leak into agent-local calls.
    client.dc("dc9").agent().members(false, &q()).await.unwrap();
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
    use futures_core::Stream;
    use std::pin::Pin;
    let agent = TestAgent::dev().await;
    let a = agent.client().agent();
    let mut lines = a.monitor(Some("debug"), &q()).await.unwrap();
    // Something to log about.
    a.service_register(&ServiceRegistration::new("monitored"), &w())
        .await
        .unwrap();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let line = std::future::poll_fn(|cx| Pin::new(&mut lines).poll_next(cx))
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
    let err = a.monitor(Some("loud"), &q()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert!(a.monitor(Some(""), &q()).await.unwrap_err().is_validation());
}
