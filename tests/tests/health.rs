//! Health endpoints against real agents: TTL transitions seen through every health read,
//! the passing-only filter, maintenance, blocking reads, several agents, other datacenters.

use consul_integration_tests::{eventually, next_until, recording_client, Federation, TestAgent};
use consulate::agent::{CheckDefinition, ConnectProxyConfig, ServiceRegistration};
use consulate::catalog::{AgentService, CatalogRegistration, HealthCheck};
use consulate::health::{CheckStatus, HealthState, ServiceEntry};
use consulate::{Error, ValidationError};
use std::time::Duration;

/// The local agent's calls this file makes (registration, TTL updates, maintenance).
mod local {
    use consulate::agent::ServiceRegistration;
    use consulate::health::CheckStatus;
    use consulate::Client;

    pub(crate) async fn register(client: &Client, reg: &ServiceRegistration) {
        client.agent().service_register(reg.clone()).await.unwrap();
    }

    pub(crate) async fn deregister(client: &Client, id: &str) {
        client.agent().service_deregister(id).await.unwrap();
    }

    /// Sets TTL check `id` to `status` with `note` as its output.
    pub(crate) async fn ttl(client: &Client, id: &str, status: CheckStatus, note: &str) {
        let a = client.agent();
        match status {
            CheckStatus::Passing => a.pass_ttl(id).note(note).await.unwrap(),
            CheckStatus::Warning => a.warn_ttl(id).note(note).await.unwrap(),
            _ => a.fail_ttl(id).note(note).await.unwrap(),
        };
    }

    /// Puts service instance `id` in maintenance (`Some(reason)`) or takes it out.
    pub(crate) async fn service_maintenance(client: &Client, id: &str, reason: Option<&str>) {
        let a = client.agent();
        match reason {
            Some(reason) => a.enable_service_maintenance(id, reason).await,
            None => a.disable_service_maintenance(id).await,
        }
        .unwrap();
    }

    /// Puts the node in maintenance (`Some(reason)`) or takes it out.
    pub(crate) async fn node_maintenance(client: &Client, reason: Option<&str>) {
        let a = client.agent();
        match reason {
            Some(reason) => a.enable_node_maintenance(reason).await,
            None => a.disable_node_maintenance().await,
        }
        .unwrap();
    }
}

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
    let (health, catalog) = (client.health(), client.catalog());
    let reg = ServiceRegistration::new("web")
        .id("web-1")
        .tags(["v1"])
        .port(8080)
        .check(
            CheckDefinition::ttl(Duration::from_secs(60))
                .id("web-ttl")
                .name("web ttl"),
        );
    local::register(&client, &reg).await;

    // Anti-entropy pushes the registration to the catalog; block until it is there.
    let mut index = 0;
    let entries = loop {
        let r = health
            .service("web")
            .wait(index, Duration::from_secs(5))
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
        .service("web")
        .passing()
        .await
        .unwrap()
        .value
        .is_empty());

    for (status, note) in [
        (CheckStatus::Passing, "ok"),
        (CheckStatus::Warning, "slow"),
        (CheckStatus::Critical, "down"),
    ] {
        let before = health.checks("web").await.unwrap().meta.last_index;
        local::ttl(&client, "web-ttl", status.clone(), note).await;
        // A blocking read on the service's checks wakes with the new status.
        let checks = eventually("the status to reach the catalog", || async {
            let r = health
                .checks("web")
                .wait(before, Duration::from_secs(5))
                .await
                .unwrap();
            let c = r.value.into_iter().find(|c| c.check_id == "web-ttl")?;
            (c.status == status).then_some(c)
        })
        .await;
        assert_eq!(checks.output, note);
        assert_eq!(checks.service_id, "web-1");

        let all = health.service("web").tag("v1").await.unwrap().value;
        assert_eq!(all.len(), 1);
        assert_eq!(service_check(&all[0], "web-ttl"), status);
        assert_eq!(all[0].aggregated_status(), Some(status.clone()));
        let passing = health.service("web").passing().await.unwrap().value;
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
        let in_state = health.state(state).await.unwrap().value;
        assert!(in_state.iter().any(|c| c.check_id == "web-ttl"), "{state}");
        let node = health.node(agent.node_name()).await.unwrap().value;
        assert!(node
            .iter()
            .any(|c| c.check_id == "web-ttl" && c.status == status));
    }
    let any = health.state(HealthState::Any).await.unwrap().value;
    assert!(any.iter().any(|c| c.check_id == "serfHealth"));
    assert!(health
        .service("web")
        .tag("v2")
        .await
        .unwrap()
        .value
        .is_empty());

    local::deregister(&client, "web-1").await;
    eventually("the instance to leave the catalog", || async {
        let gone = health.service("web").await.unwrap().value.is_empty()
            && catalog.service("web").await.unwrap().value.is_empty()
            && health.checks("web").await.unwrap().value.is_empty();
        gone.then_some(())
    })
    .await;
    assert!(!catalog.services().await.unwrap().value.contains_key("web"));
}

#[tokio::test]
async fn node_and_service_maintenance_mark_instances_critical_and_back() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let health = client.health();
    for id in ["db-1", "db-2"] {
        let reg = ServiceRegistration::new("db")
            .id(id)
            .check(CheckDefinition::ttl(Duration::from_secs(60)).id(format!("{id}-ttl")));
        local::register(&client, &reg).await;
        local::ttl(&client, &format!("{id}-ttl"), CheckStatus::Passing, "").await;
    }
    let passing_count = |n: usize| {
        let health = health.clone();
        async move {
            let passing = health.service("db").passing().await.unwrap().value;
            (passing.len() == n).then_some(passing)
        }
    };
    eventually("both instances passing", || passing_count(2)).await;

    local::service_maintenance(&client, "db-1", Some("deploy")).await;
    let left = eventually("db-1 out of the passing set", || passing_count(1)).await;
    assert_eq!(left[0].service.id, "db-2");
    let all = health.service("db").await.unwrap().value;
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
    local::service_maintenance(&client, "db-1", None).await;
    eventually("db-1 back", || passing_count(2)).await;

    local::node_maintenance(&client, Some("reboot")).await;
    eventually("the whole node out", || passing_count(0)).await;
    let node_checks = health.node(agent.node_name()).await.unwrap().value;
    let maint = node_checks
        .iter()
        .find(|c| c.check_id == "_node_maintenance")
        .unwrap();
    assert_eq!(
        (maint.status.clone(), maint.notes.as_str()),
        (CheckStatus::Critical, "reboot")
    );
    let critical = health.state(HealthState::Critical).await.unwrap().value;
    assert!(critical.iter().any(|c| c.check_id == "_node_maintenance"));
    let all = health.service("db").await.unwrap().value;
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
    local::node_maintenance(&client, None).await;
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
        let client = c.client();
        local::register(&client, &reg).await;
        local::ttl(&client, "cache-ttl", CheckStatus::Passing, "").await;
    }
    let health = server.client().health();
    let entries = eventually("both instances passing", || async {
        let e = health.service("cache").passing().await.unwrap().value;
        (e.len() == 2).then_some(e)
    })
    .await;
    let mut nodes: Vec<_> = entries.iter().map(|e| e.node.node.clone()).collect();
    nodes.sort();
    let mut want: Vec<_> = clients.iter().map(|c| c.node_name().to_owned()).collect();
    want.sort();
    assert_eq!(nodes, want, "one instance per agent");

    let primary = health.service("cache").tag("primary").await.unwrap().value;
    assert_eq!(primary.len(), 1);
    assert_eq!(primary[0].node.node, clients[0].node_name());
    let both = health
        .service("cache")
        .tag("replica")
        .tag("all")
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
        .service("cache")
        .near("_agent")
        .await
        .unwrap()
        .value;
    assert_eq!(near.len(), 2);
    assert_eq!(
        near_recorder.requests()[0].query("near").as_deref(),
        Some("_agent")
    );
    let filtered = health
        .service("cache")
        .filter("Service.ID == \"cache-0\"")
        .await
        .unwrap()
        .value;
    assert_eq!(filtered.len(), 1);
    // Node metadata: every agent has `consul-network-segment`; none has `rack`.
    assert_eq!(
        health
            .service("cache")
            .node_meta("consul-network-segment", "")
            .await
            .unwrap()
            .value
            .len(),
        2
    );
    assert!(health
        .service("cache")
        .node_meta("rack", "r1")
        .await
        .unwrap()
        .value
        .is_empty());

    local::ttl(
        &clients[0].client(),
        "cache-ttl",
        CheckStatus::Critical,
        "oom",
    )
    .await;
    let passing = eventually("one instance failing", || async {
        let e = health.service("cache").passing().await.unwrap().value;
        (e.len() == 1).then_some(e)
    })
    .await;
    assert_eq!(passing[0].service.id, "cache-1");
    let checks = health.checks("cache").await.unwrap().value;
    assert_eq!(checks.len(), 2);
    let failing = health.state(HealthState::Critical).await.unwrap().value;
    assert!(failing
        .iter()
        .any(|c| c.node == clients[0].node_name() && c.output == "oom"));
}

/// Go's `service` watch with passing-only, and its `checks` watches (of a service and of a
/// state), and a watch of the node's checks: each sees a TTL check going from critical to
/// passing after it started.
#[tokio::test]
async fn watches_see_a_ttl_check_go_from_critical_to_passing() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let health = client.health();
    let reg = ServiceRegistration::new("api")
        .id("api-1")
        .tags(["v1"])
        .check(CheckDefinition::ttl(Duration::from_secs(60)).id("api-ttl"));
    local::register(&client, &reg).await;
    // The registration reaches the catalog critical.
    let mut all = health.service("api").watch();
    next_until(&mut all, "the critical instance", |e| {
        e.len() == 1 && e[0].aggregated_status() == Some(CheckStatus::Critical)
    })
    .await;

    let mut passing = health.service("api").passing().tag("v1").watch();
    let mut checks = health.checks("api").watch();
    let mut state = health.state(HealthState::Passing).watch();
    let mut node = health.node(agent.node_name()).watch();
    let first = passing.next().await.unwrap().unwrap();
    assert!(first.value.is_empty(), "critical: not passing");
    let is_passing = |c: &consulate::health::HealthCheck| {
        c.check_id == "api-ttl" && c.status == CheckStatus::Passing
    };
    assert!(!checks
        .next()
        .await
        .unwrap()
        .unwrap()
        .value
        .iter()
        .any(is_passing));
    assert!(!state
        .next()
        .await
        .unwrap()
        .unwrap()
        .value
        .iter()
        .any(is_passing));
    assert!(!node
        .next()
        .await
        .unwrap()
        .unwrap()
        .value
        .iter()
        .any(is_passing));

    local::ttl(&client, "api-ttl", CheckStatus::Passing, "up").await;
    let appeared = next_until(&mut passing, "the instance passing", |e| !e.is_empty()).await;
    assert_eq!(appeared.value[0].service.id, "api-1");
    assert!(appeared.meta.last_index > first.meta.last_index);
    let seen = next_until(&mut checks, "the check passing", |c| {
        c.iter().any(is_passing)
    })
    .await;
    assert_eq!(seen.value[0].output, "up");
    next_until(&mut state, "the check among passing ones", |c| {
        c.iter().any(is_passing)
    })
    .await;
    next_until(&mut node, "the node's check passing", |c| {
        c.iter().any(is_passing)
    })
    .await;
    next_until(&mut all, "the instance passing", |e| {
        e.len() == 1 && e[0].aggregated_status() == Some(CheckStatus::Passing)
    })
    .await;

    // And back: the instance leaves the passing-only watch.
    local::ttl(&client, "api-ttl", CheckStatus::Critical, "down").await;
    next_until(&mut passing, "the instance gone", Vec::is_empty).await;
    next_until(&mut state, "the check out of the passing ones", |c| {
        !c.iter().any(|c| c.check_id == "api-ttl")
    })
    .await;
}

/// Connect-capable instances and ingress gateways, registered after the watches started.
#[tokio::test]
async fn watches_of_connect_and_ingress_instances() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let health = client.health();
    let mut connect = health.connect("web").passing().watch();
    let mut ingress = health.ingress("web").watch();
    assert!(connect.next().await.unwrap().unwrap().value.is_empty());
    assert!(ingress.next().await.unwrap().unwrap().value.is_empty());

    let mut proxy = AgentService::new("web-proxy-1", "web-proxy")
        .port(21000)
        .proxy(ConnectProxyConfig::for_service("web"));
    proxy.kind = "connect-proxy".into();
    let reg = CatalogRegistration::new("proxy-node", "10.3.3.3")
        .service(proxy)
        .check(
            HealthCheck::new("proxy-alive", "alive", CheckStatus::Passing)
                .service_id("web-proxy-1"),
        );
    assert!(client.catalog().register(reg).await.unwrap().value);
    let proxies = next_until(&mut connect, "the passing web proxy", |p| !p.is_empty()).await;
    assert_eq!(proxies.value[0].service.id, "web-proxy-1");
    assert_eq!(proxies.value[0].node.node, "proxy-node");

    // The gateway's configuration (not modelled yet: the raw escape hatch), then its
    // instance.
    let entry = serde_json::json!({
        "Kind": "ingress-gateway",
        "Name": "ing-gw",
        "Listeners": [{"Port": 8888, "Protocol": "tcp", "Services": [{"Name": "web"}]}],
    });
    let answer = client
        .request(http::Method::PUT, "config")
        .body(entry.to_string())
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{answer:?}");
    let mut gateway = AgentService::new("ing-gw-1", "ing-gw").port(8888);
    gateway.kind = "ingress-gateway".into();
    let reg = CatalogRegistration::new("gateway-node", "10.4.4.4").service(gateway);
    assert!(client.catalog().register(reg).await.unwrap().value);
    let gateways = next_until(&mut ingress, "the ingress gateway", |g| !g.is_empty()).await;
    assert_eq!(gateways.value[0].service.id, "ing-gw-1");
    assert_eq!(gateways.value[0].node.node, "gateway-node");
}

#[tokio::test]
async fn health_in_another_datacenter_and_an_unknown_one() {
    let fed = Federation::start().await.unwrap();
    let remote = fed.secondary.client();
    let reg = ServiceRegistration::new("remote-api")
        .check(CheckDefinition::ttl(Duration::from_secs(60)).id("remote-ttl"));
    local::register(&remote, &reg).await;
    local::ttl(&remote, "remote-ttl", CheckStatus::Passing, "dc2 ok").await;

    let local = fed.primary.client();
    let dc2 = local.health().dc("dc2");
    assert_eq!(dc2.datacenter(), Some("dc2"));
    let entries = eventually("the dc2 instance, read through dc1", || async {
        let e = dc2.service("remote-api").passing().await.unwrap().value;
        (e.len() == 1).then_some(e)
    })
    .await;
    assert_eq!(entries[0].node.node, fed.secondary.node_name());
    assert_eq!(entries[0].node.datacenter, "dc2");
    let checks = local
        .health()
        .checks("remote-api")
        .dc("dc2")
        .await
        .unwrap()
        .value;
    assert_eq!(checks[0].output, "dc2 ok");
    assert!(
        local
            .health()
            .service("remote-api")
            .await
            .unwrap()
            .value
            .is_empty(),
        "dc1 has no such service"
    );
    // A watch through dc1 of the dc2 service: its first answer is dc2's.
    let mut watch = local.health().service("remote-api").dc("dc2").watch();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.value.len(), 1);
    assert_eq!(first.value[0].node.datacenter, "dc2");

    let err = local
        .health()
        .dc("dc-nowhere")
        .state(HealthState::Any)
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
        health.node("").await.unwrap_err(),
        health.checks("").await.unwrap_err(),
        health.service("").await.unwrap_err(),
        health.service("web").tag("").await.unwrap_err(),
        health.connect("").await.unwrap_err(),
        health.ingress("").await.unwrap_err(),
        health.connect("web").tag("").passing().await.unwrap_err(),
    ] {
        assert!(
            matches!(err.as_validation(), Some(ValidationError::Empty { .. })),
            "{err:?}"
        );
    }
    let err = health.state(HealthState::Any).dc("").await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(recorder.count(), 0);
    health.state(HealthState::Any).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].uri.path(), "/v1/health/state/any");
}
