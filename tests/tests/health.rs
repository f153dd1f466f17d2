//! Health endpoints against real agents: TTL transitions seen through every health read,
//! the passing-only filter, maintenance, blocking reads, several agents, other datacenters.

use consul_integration_tests::{eventually, q, recording_client, w, Federation, TestAgent};
use consulate::agent::{CheckDefinition, ServiceRegistration};
use consulate::health::{CheckStatus, HealthState, ServiceEntry};
use consulate::{Error, ValidationError};
use std::time::Duration;

fn service_check(entry: &ServiceEntry, id: &str) -> CheckStatus {
    entry
        .checks
        .iter()
        .find(|c| c.check_id == id)
        .map(|c| c.status.clone())
        .unwrap_or_else(|| panic!("no check {id} in {entry:?}"))
}

#[tokio::test]
async fn ttl_transitions_show_in_every_health_read_and_deregister_removes_it() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let (a, health, catalog) = (client.agent(), client.health(), client.catalog());
    let reg = ServiceRegistration::new("web")
        .id("web-1")
        .tags(["v1"])
        .port(8080)
        .check(
            CheckDefinition::ttl(Duration::from_secs(60))
                .id("web-ttl")
                .name("web ttl"),
        );
    a.service_register(&reg, &w()).await.unwrap();

    // Anti-entropy pushes the registration to the catalog; block until it is there.
    let mut index = 0;
    let entries = loop {
        let r = health
            .service(
                "web",
                None,
                false,
                &q().wait_index(index).wait_time(Duration::from_secs(5)),
            )
            .await
            .unwrap();
        index = r.meta.last_index;
        if r.value.len() == 1 {
            break r.value;
        }
    };
    assert_eq!(entries[0].service.id, "web-1");
    assert_eq!(entries[0].node.node, agent.node_name());
    assert_eq!(service_check(&entries[0], "web-ttl"), CheckStatus::Critical);
    assert_eq!(
        service_check(&entries[0], "serfHealth"),
        CheckStatus::Passing
    );
    assert!(health
        .service("web", None, true, &q())
        .await
        .unwrap()
        .value
        .is_empty());

    for (status, note) in [
        (CheckStatus::Passing, "ok"),
        (CheckStatus::Warning, "slow"),
        (CheckStatus::Critical, "down"),
    ] {
        let before = health.checks("web", &q()).await.unwrap().meta.last_index;
        match status {
            CheckStatus::Passing => a.pass_ttl("web-ttl", note, &w()).await.unwrap(),
            CheckStatus::Warning => a.warn_ttl("web-ttl", note, &w()).await.unwrap(),
            _ => a.fail_ttl("web-ttl", note, &w()).await.unwrap(),
        };
        // A blocking read on the service's checks wakes with the new status.
        let checks = eventually("the status to reach the catalog", || async {
            let r = health
                .checks(
                    "web",
                    &q().wait_index(before).wait_time(Duration::from_secs(5)),
                )
                .await
                .unwrap();
            let c = r.value.into_iter().find(|c| c.check_id == "web-ttl")?;
            (c.status == status).then_some(c)
        })
        .await;
        assert_eq!(checks.output, note);
        assert_eq!(checks.service_id, "web-1");

        let all = health
            .service("web", Some("v1"), false, &q())
            .await
            .unwrap()
            .value;
        assert_eq!(all.len(), 1);
        assert_eq!(service_check(&all[0], "web-ttl"), status);
        assert_eq!(all[0].aggregated_status(), Some(status.clone()));
        let passing = health.service("web", None, true, &q()).await.unwrap().value;
        assert_eq!(
            passing.len(),
            usize::from(status == CheckStatus::Passing),
            "passing-only under {status}"
        );
        let state = match status {
            CheckStatus::Passing => HealthState::Passing,
            CheckStatus::Warning => HealthState::Warning,
            _ => HealthState::Critical,
        };
        let in_state = health.state(state, &q()).await.unwrap().value;
        assert!(in_state.iter().any(|c| c.check_id == "web-ttl"), "{state}");
        let node = health.node(agent.node_name(), &q()).await.unwrap().value;
        assert!(node
            .iter()
            .any(|c| c.check_id == "web-ttl" && c.status == status));
    }
    let any = health.state(HealthState::Any, &q()).await.unwrap().value;
    assert!(any.iter().any(|c| c.check_id == "serfHealth"));
    assert!(health
        .service("web", Some("v2"), false, &q())
        .await
        .unwrap()
        .value
        .is_empty());

    a.service_deregister("web-1", &w()).await.unwrap();
    eventually("the instance to leave the catalog", || async {
        let gone = health
            .service("web", None, false, &q())
            .await
            .unwrap()
            .value
            .is_empty()
            && catalog
                .service("web", None, &q())
                .await
                .unwrap()
                .value
                .is_empty()
            && health.checks("web", &q()).await.unwrap().value.is_empty();
        gone.then_some(())
    })
    .await;
    assert!(!catalog
        .services(&q())
        .await
        .unwrap()
        .value
        .contains_key("web"));
}

#[tokio::test]
async fn node_and_service_maintenance_mark_instances_critical_and_back() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let (a, health) = (client.agent(), client.health());
    for id in ["db-1", "db-2"] {
        let reg = ServiceRegistration::new("db")
            .id(id)
            .check(CheckDefinition::ttl(Duration::from_secs(60)).id(format!("{id}-ttl")));
        a.service_register(&reg, &w()).await.unwrap();
        a.pass_ttl(&format!("{id}-ttl"), "", &w()).await.unwrap();
    }
    let passing_count = |n: usize| {
        let health = health.clone();
        async move {
            let passing = health.service("db", None, true, &q()).await.unwrap().value;
            (passing.len() == n).then_some(passing)
        }
    };
    eventually("both instances passing", || passing_count(2)).await;

    a.enable_service_maintenance("db-1", "deploy", &w())
        .await
        .unwrap();
    let left = eventually("db-1 out of the passing set", || passing_count(1)).await;
    assert_eq!(left[0].service.id, "db-2");
    let all = health.service("db", None, false, &q()).await.unwrap().value;
    let db1 = all.iter().find(|e| e.service.id == "db-1").unwrap();
    assert_eq!(
        service_check(db1, "_service_maintenance:db-1"),
        CheckStatus::Critical
    );
    // Consul marks the maintenance check critical; Go's AggregatedStatus (and ours)
    // recognises it by its id and reports maintenance.
    assert_eq!(db1.aggregated_status(), Some(CheckStatus::Maintenance));
    let db2 = all.iter().find(|e| e.service.id == "db-2").unwrap();
    assert_eq!(db2.aggregated_status(), Some(CheckStatus::Passing));
    a.disable_service_maintenance("db-1", &w()).await.unwrap();
    eventually("db-1 back", || passing_count(2)).await;

    a.enable_node_maintenance("reboot", &w()).await.unwrap();
    eventually("the whole node out", || passing_count(0)).await;
    let node_checks = health.node(agent.node_name(), &q()).await.unwrap().value;
    let maint = node_checks
        .iter()
        .find(|c| c.check_id == "_node_maintenance")
        .unwrap();
    assert_eq!(
        (maint.status.clone(), maint.notes.as_str()),
        (CheckStatus::Critical, "reboot")
    );
    let critical = health
        .state(HealthState::Critical, &q())
        .await
        .unwrap()
        .value;
    assert!(critical.iter().any(|c| c.check_id == "_node_maintenance"));
    let all = health.service("db", None, false, &q()).await.unwrap().value;
    assert_eq!(all.len(), 2);
    for entry in &all {
        assert!(
            entry
                .checks
                .iter()
                .any(|c| c.check_id == "_node_maintenance"),
            "{entry:?}"
        );
        assert_eq!(
            entry.aggregated_status(),
            Some(CheckStatus::Maintenance),
            "{}",
            entry.service.id
        );
    }
    a.disable_node_maintenance(&w()).await.unwrap();
    let back = eventually("the node back", || passing_count(2)).await;
    for entry in &back {
        assert_eq!(entry.aggregated_status(), Some(CheckStatus::Passing));
    }
}

#[tokio::test]
async fn instances_on_several_agents_with_tags_near_and_passing_filter() {
    let server = TestAgent::builder().fast_gossip().start().await.unwrap();
    let mut clients = Vec::new();
    for _ in 0..2 {
        let mut c = TestAgent::builder()
            .client_agent()
            .fast_gossip()
            .join(server.serf_lan_addr())
            .wait_for_leader(false)
            .start()
            .await
            .unwrap();
        c.wait_for_leader().await.unwrap();
        clients.push(c);
    }
    for (i, c) in clients.iter().enumerate() {
        let tag = if i == 0 { "primary" } else { "replica" };
        let reg = ServiceRegistration::new("cache")
            .id(format!("cache-{i}"))
            .tags([tag, "all"])
            .port(6379)
            .check(CheckDefinition::ttl(Duration::from_secs(60)).id("cache-ttl"));
        let a = c.client().agent();
        a.service_register(&reg, &w()).await.unwrap();
        a.pass_ttl("cache-ttl", "", &w()).await.unwrap();
    }
    let health = server.client().health();
    let entries = eventually("both instances passing", || async {
        let e = health
            .service("cache", None, true, &q())
            .await
            .unwrap()
            .value;
        (e.len() == 2).then_some(e)
    })
    .await;
    let mut nodes: Vec<_> = entries.iter().map(|e| e.node.node.clone()).collect();
    nodes.sort();
    let mut want: Vec<_> = clients.iter().map(|c| c.node_name().to_owned()).collect();
    want.sort();
    assert_eq!(nodes, want, "one instance per agent");

    let primary = health
        .service("cache", Some("primary"), false, &q())
        .await
        .unwrap()
        .value;
    assert_eq!(primary.len(), 1);
    assert_eq!(primary[0].node.node, clients[0].node_name());
    let both = health
        .service_multiple_tags("cache", &["replica", "all"], false, &q())
        .await
        .unwrap()
        .value;
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].service.id, "cache-1");

    // Sorting by distance (near) needs network coordinates, which fresh agents do not
    // have yet: check that the parameter is sent and answered, not the order.
    let (near_client, near_recorder) = recording_client(&clients[1]);
    let near = near_client
        .health()
        .service("cache", None, false, &q().near("_agent"))
        .await
        .unwrap()
        .value;
    assert_eq!(near.len(), 2);
    assert_eq!(
        near_recorder.requests()[0].query("near").as_deref(),
        Some("_agent")
    );
    let filtered = health
        .service(
            "cache",
            None,
            false,
            &q().filter("Service.ID == \"cache-0\""),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(filtered.len(), 1);

    clients[0]
        .client()
        .agent()
        .fail_ttl("cache-ttl", "oom", &w())
        .await
        .unwrap();
    let passing = eventually("one instance failing", || async {
        let e = health
            .service("cache", None, true, &q())
            .await
            .unwrap()
            .value;
        (e.len() == 1).then_some(e)
    })
    .await;
    assert_eq!(passing[0].service.id, "cache-1");
    let checks = health.checks("cache", &q()).await.unwrap().value;
    assert_eq!(checks.len(), 2);
    let failing = health
        .state(HealthState::Critical, &q())
        .await
        .unwrap()
        .value;
    assert!(failing
        .iter()
        .any(|c| c.node == clients[0].node_name() && c.output == "oom"));
}

#[tokio::test]
async fn health_in_another_datacenter_and_an_unknown_one() {
    let fed = Federation::start().await.unwrap();
    let remote = fed.secondary.client().agent();
    let reg = ServiceRegistration::new("remote-api")
        .check(CheckDefinition::ttl(Duration::from_secs(60)).id("remote-ttl"));
    remote.service_register(&reg, &w()).await.unwrap();
    remote.pass_ttl("remote-ttl", "dc2 ok", &w()).await.unwrap();

    let local = fed.primary.client();
    let dc2 = local.health().dc("dc2");
    assert_eq!(dc2.datacenter(), Some("dc2"));
    let entries = eventually("the dc2 instance, read through dc1", || async {
        let e = dc2
            .service("remote-api", None, true, &q())
            .await
            .unwrap()
            .value;
        (e.len() == 1).then_some(e)
    })
    .await;
    assert_eq!(entries[0].node.node, fed.secondary.node_name());
    assert_eq!(entries[0].node.datacenter, "dc2");
    let checks = local
        .health()
        .checks("remote-api", &q().datacenter("dc2"))
        .await
        .unwrap()
        .value;
    assert_eq!(checks[0].output, "dc2 ok");
    assert!(
        local
            .health()
            .service("remote-api", None, false, &q())
            .await
            .unwrap()
            .value
            .is_empty(),
        "dc1 has no such service"
    );

    let err = local
        .health()
        .dc("dc-nowhere")
        .state(HealthState::Any, &q())
        .await
        .unwrap_err();
    match &err {
        Error::Status { code, body, .. } => {
            assert_eq!(code.as_u16(), 500);
            assert!(body.contains("No path to datacenter"), "{body}");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_input_is_rejected_before_sending() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let health = client.health();
    for err in [
        health.node("", &q()).await.unwrap_err(),
        health.checks("", &q()).await.unwrap_err(),
        health.service("", None, false, &q()).await.unwrap_err(),
        health
            .service("web", Some(""), false, &q())
            .await
            .unwrap_err(),
        health.connect("", None, false, &q()).await.unwrap_err(),
        health.ingress("", None, false, &q()).await.unwrap_err(),
    ] {
        assert!(
            matches!(err.as_validation(), Some(ValidationError::Empty { .. })),
            "{err:?}"
        );
    }
    let err = health
        .state(HealthState::Any, &q().datacenter(""))
        .await
        .unwrap_err();
    assert!(err.is_validation());
    assert_eq!(recorder.count(), 0);
    health.state(HealthState::Any, &q()).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].uri.path(), "/v1/health/state/any");
}
