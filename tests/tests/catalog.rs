//! The catalog against real agents: reads, registration of external nodes, services and
//! checks, other datacenters, watches.

use consul_integration_tests::{eventually, next_until, recording_client, Federation, TestAgent};
use consulate::agent::{ConnectProxyConfig, ServiceRegistration};
use consulate::catalog::{
    AgentService, CatalogDeregistration, CatalogRegistration, CheckStatus, HealthCheck,
};
use consulate::{Client, Error, ValidationError};
use std::time::{Duration, Instant};

/// Registers a service with the local agent.
async fn agent_register(client: &Client, reg: &ServiceRegistration) {
    client.agent().service_register(reg.clone()).await.unwrap();
}

#[tokio::test]
async fn reads_datacenters_nodes_services_and_one_node() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let catalog = client.catalog();
    let reg = ServiceRegistration::new("web")
        .id("web-1")
        .tags(["v1", "primary"])
        .port(8080);
    agent_register(&client, &reg).await;
    let reg2 = ServiceRegistration::new("web")
        .id("web-2")
        .tags(["v2"])
        .port(8081);
    agent_register(&client, &reg2).await;

    assert_eq!(catalog.datacenters().await.unwrap().value, ["dc1"]);

    let nodes = catalog.nodes().await.unwrap();
    assert!(nodes.meta.last_index > 0);
    assert_eq!(nodes.value.len(), 1);
    assert_eq!(nodes.value[0].node, agent.node_name());
    assert_eq!(nodes.value[0].address, "127.0.0.1");
    assert_eq!(nodes.value[0].datacenter, "dc1");

    let services = eventually("web in the catalog", || async {
        let s = catalog.services().await.unwrap().value;
        (s.get("web").map(Vec::len) == Some(3)).then_some(s)
    })
    .await;
    let mut tags = services["web"].clone();
    tags.sort();
    assert_eq!(tags, ["primary", "v1", "v2"]);
    assert!(services.contains_key("consul"));
    // Served from the agent's cache, with the same services and tags (in any order).
    let cached = catalog.services().cached(None).await.unwrap();
    assert!(cached.meta.cache_hit.is_some(), "X-Cache answered");
    let mut cached = cached.value;
    cached.values_mut().for_each(|tags| tags.sort());
    assert_eq!(cached.keys().collect::<Vec<_>>(), ["consul", "web"]);
    assert_eq!(cached["web"], tags);

    let all = catalog.service("web").await.unwrap().value;
    assert_eq!(all.len(), 2);
    let v1 = catalog.service("web").tag("v1").await.unwrap().value;
    assert_eq!(v1.len(), 1);
    assert_eq!(v1[0].service_id, "web-1");
    assert_eq!(v1[0].service_port, 8080);
    assert_eq!(v1[0].node, agent.node_name());
    assert_eq!(v1[0].effective_address(), "127.0.0.1");
    let both = catalog
        .service("web")
        .tag("v1")
        .tag("primary")
        .await
        .unwrap()
        .value;
    assert_eq!(both.len(), 1);
    assert!(catalog
        .service("web")
        .tag("v1")
        .tag("v2")
        .await
        .unwrap()
        .value
        .is_empty());
    assert!(catalog.service("nope").await.unwrap().value.is_empty());
    let filtered = catalog
        .service("web")
        .filter("ServicePort == 8081")
        .await
        .unwrap()
        .value;
    assert_eq!(filtered[0].service_id, "web-2");

    let node = catalog
        .node(agent.node_name())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(node.node.node, agent.node_name());
    assert!(node.services.contains_key("web-1") && node.services.contains_key("web-2"));
    assert!(catalog.node("no-such-node").await.unwrap().value.is_none());
    let list = catalog
        .node_service_list(agent.node_name())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(list.services.len(), 3, "web-1, web-2 and consul");
    assert!(catalog
        .node_service_list("no-such-node")
        .await
        .unwrap()
        .value
        .is_none());
    let only_web2 = catalog
        .node_service_list(agent.node_name())
        .filter("ID == \"web-2\"")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(only_web2.services.len(), 1);
    assert!(catalog.connect("web").await.unwrap().value.is_empty());
    assert!(catalog
        .gateway_services("no-gateway")
        .await
        .unwrap()
        .value
        .is_empty());
}

#[tokio::test]
async fn register_and_deregister_an_external_node_service_and_check() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let catalog = client.catalog();
    let reg = CatalogRegistration::new("ext-db", "10.1.2.3")
        .node_meta("rack", "r1")
        .tagged_address("wan", "192.0.2.1")
        .service(
            AgentService::new("db-1", "db")
                .tags(["primary"])
                .port(5432)
                .meta("engine", "pg"),
        )
        .check(HealthCheck::new("db-alive", "db alive", CheckStatus::Passing).service_id("db-1"))
        .check(HealthCheck::new("ext-ping", "ping", CheckStatus::Warning).output("slow"));
    assert!(catalog.register(reg).await.unwrap().value);

    let node = catalog.node("ext-db").await.unwrap().value.unwrap();
    assert_eq!(node.node.address, "10.1.2.3");
    assert_eq!(node.node.meta["rack"], "r1");
    assert_eq!(node.node.tagged_addresses["wan"], "192.0.2.1");
    assert_eq!(node.services["db-1"].port, 5432);
    assert_eq!(node.services["db-1"].meta["engine"], "pg");

    // Node metadata filters and sorting.
    let racked = catalog.nodes().node_meta("rack", "r1").await.unwrap().value;
    assert_eq!(racked.len(), 1);
    assert_eq!(racked[0].node, "ext-db");
    let by_filter = catalog
        .nodes()
        .filter("Address == \"10.1.2.3\"")
        .await
        .unwrap()
        .value;
    assert_eq!(by_filter[0].node, "ext-db");
    let near = catalog.nodes().near("_agent").await.unwrap().value;
    assert_eq!(near.len(), 2);
    assert_eq!(
        near[0].node,
        agent.node_name(),
        "the agent is nearest to itself"
    );
    let racked_services = catalog
        .services()
        .node_meta("rack", "r1")
        .await
        .unwrap()
        .value;
    assert_eq!(
        racked_services.keys().collect::<Vec<_>>(),
        ["db"],
        "only the services of matching nodes"
    );

    let health = client.health();
    let entries = health.service("db").await.unwrap().value;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].checks.len(),
        2,
        "the service check and the node check"
    );
    assert_eq!(entries[0].aggregated_status(), Some(CheckStatus::Warning));
    assert!(health
        .service("db")
        .passing()
        .await
        .unwrap()
        .value
        .is_empty());

    // Remove the node check: the instance passes.
    assert!(
        catalog
            .deregister_check("ext-db", "ext-ping")
            .await
            .unwrap()
            .value
    );
    assert_eq!(health.service("db").passing().await.unwrap().value.len(), 1);
    // Remove the service: the node stays.
    assert!(
        catalog
            .deregister_service("ext-db", "db-1")
            .await
            .unwrap()
            .value
    );
    assert!(catalog.service("db").await.unwrap().value.is_empty());
    let node = catalog.node("ext-db").await.unwrap().value.unwrap();
    assert!(node.services.is_empty());
    // Remove the node.
    assert!(catalog.deregister_node("ext-db").await.unwrap().value);
    assert!(catalog.node("ext-db").await.unwrap().value.is_none());
}

/// Go's tests register services onto an existing node by name alone with
/// `SkipNodeUpdate`; Consul accepts it and leaves the node as it is.
#[tokio::test]
async fn skip_node_update_adds_a_service_to_a_node_without_its_address() {
    let agent = TestAgent::dev().await;
    let catalog = agent.client().catalog();
    let node = CatalogRegistration::new("ext-skip", "10.9.8.7").node_meta("rack", "r9");
    assert!(catalog.register(node).await.unwrap().value);
    let before = catalog.node("ext-skip").await.unwrap().value.unwrap();

    let onto_existing = CatalogRegistration::new("ext-skip", "")
        .skip_node_update(true)
        .service(AgentService::new("cache-1", "cache").port(6379))
        .check(
            HealthCheck::new("cache-alive", "alive", CheckStatus::Passing).service_id("cache-1"),
        );
    assert!(catalog.register(onto_existing).await.unwrap().value);

    let after = catalog.node("ext-skip").await.unwrap().value.unwrap();
    assert_eq!(after.node.address, "10.9.8.7");
    assert_eq!(after.node.meta["rack"], "r9");
    assert_eq!(
        after.node.modify_index, before.node.modify_index,
        "the node itself was not written"
    );
    assert_eq!(after.services["cache-1"].port, 6379);
    let instances = catalog.service("cache").await.unwrap().value;
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].effective_address(), "10.9.8.7");
    let entries = agent
        .client()
        .health()
        .service("cache")
        .passing()
        .await
        .unwrap()
        .value;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].aggregated_status(), Some(CheckStatus::Passing));

    // Without SkipNodeUpdate an address is still required, by Consul and by us.
    let err = catalog
        .register(
            CatalogRegistration::new("ext-skip", "").service(AgentService::new("cache-2", "cache")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.as_validation(),
            Some(ValidationError::Empty {
                field: "node address"
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn blocking_node_list_wakes_on_registration() {
    let agent = TestAgent::dev().await;
    let catalog = agent.client().catalog();
    let first = catalog.nodes().await.unwrap();
    let writer = {
        let catalog = catalog.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            catalog
                .register(CatalogRegistration::new("late", "10.9.9.9"))
                .await
                .unwrap();
        })
    };
    let started = Instant::now();
    // A return does not always mean our change (the agent's own node updates count too):
    // keep blocking from the last index until the new node is there.
    let mut index = first.meta.last_index;
    let changed = loop {
        let r = catalog
            .nodes()
            .wait(index, Duration::from_secs(20))
            .await
            .unwrap();
        assert!(r.meta.last_index >= index);
        index = r.meta.last_index;
        if r.value.iter().any(|n| n.node == "late") {
            break r;
        }
    };
    writer.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "woke at the write"
    );
    assert!(changed.meta.last_index > first.meta.last_index);
}

/// Go's `services` and `nodes` watch plans, and watches of one service and one node: each
/// sees a registration made after it started.
#[tokio::test]
async fn watches_see_a_registration_made_after_they_started() {
    let agent = TestAgent::dev().await;
    let catalog = agent.client().catalog();
    let mut services = catalog.services().watch();
    let mut nodes = catalog.nodes().watch();
    let mut service = catalog.service("late-svc").tag("v1").watch();
    let mut node = catalog.node("late-node").watch();
    let mut node_list = catalog.node_service_list("late-node").watch();

    let first = services.next().await.unwrap().unwrap();
    assert!(!first.value.contains_key("late-svc"));
    let first = nodes.next().await.unwrap().unwrap();
    assert!(first.value.iter().all(|n| n.node != "late-node"));
    assert!(service.next().await.unwrap().unwrap().value.is_empty());
    assert!(node.next().await.unwrap().unwrap().value.is_none());
    assert!(node_list.next().await.unwrap().unwrap().value.is_none());

    let reg = CatalogRegistration::new("late-node", "10.7.7.7").service(
        AgentService::new("late-1", "late-svc")
            .tags(["v1"])
            .port(7000),
    );
    assert!(catalog.register(reg).await.unwrap().value);

    let seen = next_until(&mut services, "late-svc", |s| s.contains_key("late-svc")).await;
    assert_eq!(seen.value["late-svc"], ["v1"]);
    assert!(seen.meta.last_index > first.meta.last_index);
    next_until(&mut nodes, "late-node", |n| {
        n.iter()
            .any(|n| n.node == "late-node" && n.address == "10.7.7.7")
    })
    .await;
    let instances = next_until(&mut service, "late-1", |s| !s.is_empty()).await;
    assert_eq!(instances.value[0].service_id, "late-1");
    assert_eq!(instances.value[0].service_port, 7000);
    let one = next_until(&mut node, "the node", Option::is_some).await;
    assert!(one.value.unwrap().services.contains_key("late-1"));
    let list = next_until(&mut node_list, "the node's list", Option::is_some).await;
    assert_eq!(list.value.unwrap().services[0].id, "late-1");

    // And its removal.
    assert!(
        catalog
            .deregister_service("late-node", "late-1")
            .await
            .unwrap()
            .value
    );
    next_until(&mut service, "late-1 gone", Vec::is_empty).await;
    next_until(&mut services, "late-svc gone", |s| {
        !s.contains_key("late-svc")
    })
    .await;
    let one = next_until(&mut node, "the node without its service", |n| {
        n.as_ref().is_some_and(|n| n.services.is_empty())
    })
    .await;
    assert_eq!(one.value.unwrap().node.address, "10.7.7.7");
}

/// Connect instances and gateway mappings: a proxy registered, and an ingress gateway's
/// configuration written, after the watches started.
#[tokio::test]
async fn watches_of_connect_instances_and_gateway_services() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let catalog = client.catalog();
    let mut connect = catalog.connect("web").watch();
    let mut gateway = catalog.gateway_services("ing-gw").watch();
    assert!(connect.next().await.unwrap().unwrap().value.is_empty());
    assert!(gateway.next().await.unwrap().unwrap().value.is_empty());

    let mut proxy = AgentService::new("web-proxy-1", "web-proxy")
        .port(21000)
        .proxy(ConnectProxyConfig::for_service("web"));
    proxy.kind = "connect-proxy".into();
    let reg = CatalogRegistration::new("proxy-node", "10.3.3.3").service(proxy);
    assert!(catalog.register(reg).await.unwrap().value);
    let proxies = next_until(&mut connect, "the web proxy", |p| !p.is_empty()).await;
    assert_eq!(proxies.value[0].service_id, "web-proxy-1");
    assert_eq!(proxies.value[0].service_port, 21000);

    // Not modelled yet: the config entry goes through the raw escape hatch.
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
    let routes = next_until(&mut gateway, "the gateway's route", |g| !g.is_empty()).await;
    assert_eq!(routes.value[0].service.name, "web");
    assert_eq!(routes.value[0].gateway.name, "ing-gw");
    assert_eq!(routes.value[0].port, 8888);
}

#[tokio::test]
async fn another_datacenter_through_dc_scoping_and_an_unknown_one() {
    let fed = Federation::start().await.unwrap();
    let client = fed.primary.client();
    let local = client.catalog();
    let remote = local.dc("dc2");
    assert_eq!(remote.datacenter(), Some("dc2"));

    let mut dcs = local.datacenters().await.unwrap().value;
    dcs.sort();
    assert_eq!(dcs, ["dc1", "dc2"]);

    let nodes = remote.nodes().await.unwrap().value;
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].node, fed.secondary.node_name());
    assert_eq!(nodes[0].datacenter, "dc2");
    let same = local.nodes().dc("dc2").await.unwrap().value;
    assert_eq!(same, nodes);

    // Writes through a dc2-scoped handle land in dc2.
    let reg = CatalogRegistration::new("dc2-ext", "10.2.0.1")
        .service(AgentService::new("billing-1", "billing").port(9000));
    assert!(remote.register(reg).await.unwrap().value);
    let seen_in_dc2 = fed
        .secondary
        .client()
        .catalog()
        .service("billing")
        .await
        .unwrap()
        .value;
    assert_eq!(seen_in_dc2.len(), 1);
    assert_eq!(seen_in_dc2[0].datacenter, "dc2");
    assert!(local.service("billing").await.unwrap().value.is_empty());
    assert!(remote
        .services()
        .await
        .unwrap()
        .value
        .contains_key("billing"));
    let node = remote.node("dc2-ext").await.unwrap().value.unwrap();
    assert_eq!(node.node.datacenter, "dc2");
    // Health reads the other datacenter the same way.
    let entries = client
        .health()
        .dc("dc2")
        .service("billing")
        .await
        .unwrap()
        .value;
    assert_eq!(entries.len(), 1);
    assert!(remote.deregister_node("dc2-ext").await.unwrap().value);
    assert!(remote.node("dc2-ext").await.unwrap().value.is_none());

    // A write's own dc() lands there too, through an unscoped handle.
    let reg = CatalogRegistration::new("dc2-ext-2", "10.2.0.2");
    assert!(local.register(reg).dc("dc2").await.unwrap().value);
    assert!(local.node("dc2-ext-2").await.unwrap().value.is_none());
    assert!(local
        .node("dc2-ext-2")
        .dc("dc2")
        .await
        .unwrap()
        .value
        .is_some());
    assert!(
        local
            .deregister_node("dc2-ext-2")
            .dc("dc2")
            .await
            .unwrap()
            .value
    );
    assert!(remote.node("dc2-ext-2").await.unwrap().value.is_none());

    for err in [
        local.dc("dc-nowhere").nodes().await.unwrap_err(),
        local.dc("dc-nowhere").services().await.unwrap_err(),
        local
            .register(CatalogRegistration::new("x", "10.0.0.1"))
            .dc("dc-nowhere")
            .await
            .unwrap_err(),
    ] {
        match &err {
            Error::Status { code, body, .. } => {
                assert_eq!(code.as_u16(), 500);
                assert!(body.contains("No path to datacenter"), "{body}");
            }
            other => panic!("expected a status error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn bad_input_is_rejected_before_sending() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let catalog = client.catalog();
    let empty = [
        catalog.node("").await.unwrap_err(),
        catalog.node_service_list("").await.unwrap_err(),
        catalog.service("").await.unwrap_err(),
        catalog.service("web").tag("").await.unwrap_err(),
        catalog.connect("").await.unwrap_err(),
        catalog.gateway_services("").await.unwrap_err(),
        catalog
            .register(CatalogRegistration::new("", "10.0.0.1"))
            .await
            .unwrap_err(),
        catalog
            .register(CatalogRegistration::new("n", ""))
            .await
            .unwrap_err(),
        catalog
            .register(
                CatalogRegistration::new("n", "10.0.0.1").service(AgentService::new("s-1", "")),
            )
            .await
            .unwrap_err(),
        catalog.deregister_node("").await.unwrap_err(),
        catalog.deregister_service("n", "").await.unwrap_err(),
        catalog.nodes().dc("").await.unwrap_err(),
    ];
    for err in empty {
        assert!(
            matches!(err.as_validation(), Some(ValidationError::Empty { .. })),
            "{err:?}"
        );
    }
    // Consul 1.8.7 would store an undefined status; we refuse it.
    let bad_status = CatalogRegistration::new("n", "10.0.0.1").check(HealthCheck::new(
        "c",
        "c",
        CheckStatus::Other("bogus".into()),
    ));
    assert!(catalog
        .register(bad_status)
        .await
        .unwrap_err()
        .is_validation());
    let mut both = CatalogDeregistration::service("n", "s");
    both.check_id = Some("c".into());
    let err = catalog.deregister(both).await.unwrap_err();
    assert!(matches!(
        err.as_validation(),
        Some(ValidationError::Conflict(_))
    ));
    // A watch of an invalid read ends with the validation error, having sent nothing.
    let mut watch = catalog.service("web").tag("").watch();
    assert!(watch.next().await.unwrap().unwrap_err().is_validation());
    assert!(watch.next().await.is_none());
    assert_eq!(recorder.count(), 0);
}
