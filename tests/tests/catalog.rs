//! The catalog against real agents: reads, registration of external nodes, services and
//! checks, other datacenters.

use consul_integration_tests::{eventually, q, recording_client, w, Federation, TestAgent};
use consulate::agent::ServiceRegistration;
use consulate::catalog::{
    AgentService, CatalogDeregistration, CatalogRegistration, CheckStatus, HealthCheck,
};
use consulate::{Error, ValidationError, WriteOptions};
use std::time::{Duration, Instant};

#[tokio::test]
async fn reads_datacenters_nodes_services_and_one_node() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let catalog = client.catalog();
    let reg = ServiceRegistration::new("web")
        .id("web-1")
        .tags(["v1", "primary"])
        .port(8080);
    client.agent().service_register(&reg, &w()).await.unwrap();
    let reg2 = ServiceRegistration::new("web")
        .id("web-2")
        .tags(["v2"])
        .port(8081);
    client.agent().service_register(&reg2, &w()).await.unwrap();

    assert_eq!(catalog.datacenters(&q()).await.unwrap().value, ["dc1"]);

    let nodes = catalog.nodes(&q()).await.unwrap();
    assert!(nodes.meta.last_index > 0);
    assert_eq!(nodes.value.len(), 1);
    assert_eq!(nodes.value[0].node, agent.node_name());
    assert_eq!(nodes.value[0].address, "127.0.0.1");
    assert_eq!(nodes.value[0].datacenter, "dc1");

    let services = eventually("web in the catalog", || async {
        let s = catalog.services(&q()).await.unwrap().value;
        (s.get("web").map(Vec::len) == Some(3)).then_some(s)
    })
    .await;
    let mut tags = services["web"].clone();
    tags.sort();
    assert_eq!(tags, ["primary", "v1", "v2"]);
    assert!(services.contains_key("consul"));

    let all = catalog.service("web", None, &q()).await.unwrap().value;
    assert_eq!(all.len(), 2);
    let v1 = catalog
        .service("web", Some("v1"), &q())
        .await
        .unwrap()
        .value;
    assert_eq!(v1.len(), 1);
    assert_eq!(v1[0].service_id, "web-1");
    assert_eq!(v1[0].service_port, 8080);
    assert_eq!(v1[0].node, agent.node_name());
    assert_eq!(v1[0].effective_address(), "127.0.0.1");
    let both = catalog
        .service_multiple_tags("web", &["v1", "primary"], &q())
        .await
        .unwrap()
        .value;
    assert_eq!(both.len(), 1);
    assert!(catalog
        .service("nope", None, &q())
        .await
        .unwrap()
        .value
        .is_empty());
    let filtered = catalog
        .service("web", None, &q().filter("ServicePort == 8081"))
        .await
        .unwrap()
        .value;
    assert_eq!(filtered[0].service_id, "web-2");

    let node = catalog
        .node(agent.node_name(), &q())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(node.node.node, agent.node_name());
    assert!(node.services.contains_key("web-1") && node.services.contains_key("web-2"));
    assert!(catalog
        .node("no-such-node", &q())
        .await
        .unwrap()
        .value
        .is_none());
    let list = catalog
        .node_service_list(agent.node_name(), &q())
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(list.services.len(), 3, "web-1, web-2 and consul");
    assert!(catalog
        .node_service_list("no-such-node", &q())
        .await
        .unwrap()
        .value
        .is_none());
    assert!(catalog
        .connect("web", None, &q())
        .await
        .unwrap()
        .value
        .is_empty());
    assert!(catalog
        .gateway_services("no-gateway", &q())
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
    assert!(catalog.register(&reg, &w()).await.unwrap().value);

    let node = catalog.node("ext-db", &q()).await.unwrap().value.unwrap();
    assert_eq!(node.node.address, "10.1.2.3");
    assert_eq!(node.node.meta["rack"], "r1");
    assert_eq!(node.node.tagged_addresses["wan"], "192.0.2.1");
    assert_eq!(node.services["db-1"].port, 5432);
    assert_eq!(node.services["db-1"].meta["engine"], "pg");

    // Node metadata filters and sorting.
    let racked = catalog
        .nodes(&q().node_meta("rack", "r1"))
        .await
        .unwrap()
        .value;
    assert_eq!(racked.len(), 1);
    assert_eq!(racked[0].node, "ext-db");
    let by_filter = catalog
        .nodes(&q().filter("Address == \"10.1.2.3\""))
        .await
        .unwrap()
        .value;
    assert_eq!(by_filter[0].node, "ext-db");
    let near = catalog.nodes(&q().near("_agent")).await.unwrap().value;
    assert_eq!(near.len(), 2);
    assert_eq!(
        near[0].node,
        agent.node_name(),
        "the agent is nearest to itself"
    );

    let health = client.health();
    let entries = health.service("db", None, false, &q()).await.unwrap().value;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].checks.len(),
        2,
        "the service check and the node check"
    );
    assert_eq!(entries[0].aggregated_status(), Some(CheckStatus::Warning));
    assert!(health
        .service("db", None, true, &q())
        .await
        .unwrap()
        .value
        .is_empty());

    // Remove the node check: the instance passes.
    assert!(
        catalog
            .deregister_check("ext-db", "ext-ping", &w())
            .await
            .unwrap()
            .value
    );
    assert_eq!(
        health
            .service("db", None, true, &q())
            .await
            .unwrap()
            .value
            .len(),
        1
    );
    // Remove the service: the node stays.
    assert!(
        catalog
            .deregister_service("ext-db", "db-1", &w())
            .await
            .unwrap()
            .value
    );
    assert!(catalog
        .service("db", None, &q())
        .await
        .unwrap()
        .value
        .is_empty());
    let node = catalog.node("ext-db", &q()).await.unwrap().value.unwrap();
    assert!(node.services.is_empty());
    // Remove the node.
    assert!(catalog.deregister_node("ext-db", &w()).await.unwrap().value);
    assert!(catalog.node("ext-db", &q()).await.unwrap().value.is_none());
}

/// Go's tests register services onto an existing node by name alone with
/// `SkipNodeUpdate`; Consul accepts it and leaves the node as it is.
#[tokio::test]
async fn skip_node_update_adds_a_service_to_a_node_without_its_address() {
    let agent = TestAgent::dev().await;
    let catalog = agent.client().catalog();
    let node = CatalogRegistration::new("ext-skip", "10.9.8.7").node_meta("rack", "r9");
    assert!(catalog.register(&node, &w()).await.unwrap().value);
    let before = catalog.node("ext-skip", &q()).await.unwrap().value.unwrap();

    let onto_existing = CatalogRegistration::new("ext-skip", "")
        .skip_node_update(true)
        .service(AgentService::new("cache-1", "cache").port(6379))
        .check(
            HealthCheck::new("cache-alive", "alive", CheckStatus::Passing).service_id("cache-1"),
        );
    assert!(catalog.register(&onto_existing, &w()).await.unwrap().value);

    let after = catalog.node("ext-skip", &q()).await.unwrap().value.unwrap();
    assert_eq!(after.node.address, "10.9.8.7");
    assert_eq!(after.node.meta["rack"], "r9");
    assert_eq!(
        after.node.modify_index, before.node.modify_index,
        "the node itself was not written"
    );
    assert_eq!(after.services["cache-1"].port, 6379);
    let instances = catalog.service("cache", None, &q()).await.unwrap().value;
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].effective_address(), "10.9.8.7");
    let entries = agent
        .client()
        .health()
        .service("cache", None, true, &q())
        .await
        .unwrap()
        .value;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].aggregated_status(), Some(CheckStatus::Passing));

    // Without SkipNodeUpdate an address is still required, by Consul and by us.
    let err = catalog
        .register(
            &CatalogRegistration::new("ext-skip", "")
                .service(AgentService::new("cache-2", "cache")),
            &w(),
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
    let first = catalog.nodes(&q()).await.unwrap();
    let writer = {
        let catalog = catalog.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            catalog
                .register(
                    &CatalogRegistration::new("late", "10.9.9.9"),
                    &WriteOptions::default(),
                )
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
            .nodes(&q().wait_index(index).wait_time(Duration::from_secs(20)))
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

#[tokio::test]
async fn another_datacenter_through_dc_scoping_and_an_unknown_one() {
    let fed = Federation::start().await.unwrap();
    let client = fed.primary.client();
    let local = client.catalog();
    let remote = local.dc("dc2");
    assert_eq!(remote.datacenter(), Some("dc2"));

    let mut dcs = local.datacenters(&q()).await.unwrap().value;
    dcs.sort();
    assert_eq!(dcs, ["dc1", "dc2"]);

    let nodes = remote.nodes(&q()).await.unwrap().value;
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].node, fed.secondary.node_name());
    assert_eq!(nodes[0].datacenter, "dc2");
    let same = local.nodes(&q().datacenter("dc2")).await.unwrap().value;
    assert_eq!(same, nodes);

    // Writes through a dc2-scoped handle land in dc2.
    let reg = CatalogRegistration::new("dc2-ext", "10.2.0.1")
        .service(AgentService::new("billing-1", "billing").port(9000));
    assert!(remote.register(&reg, &w()).await.unwrap().value);
    let seen_in_dc2 = fed
        .secondary
        .client()
        .catalog()
        .service("billing", None, &q())
        .await
        .unwrap()
        .value;
    assert_eq!(seen_in_dc2.len(), 1);
    assert_eq!(seen_in_dc2[0].datacenter, "dc2");
    assert!(local
        .service("billing", None, &q())
        .await
        .unwrap()
        .value
        .is_empty());
    assert!(remote
        .services(&q())
        .await
        .unwrap()
        .value
        .contains_key("billing"));
    let node = remote.node("dc2-ext", &q()).await.unwrap().value.unwrap();
    assert_eq!(node.node.datacenter, "dc2");
    // Health reads the other datacenter the same way.
    let entries = client
        .health()
        .dc("dc2")
        .service("billing", None, false, &q())
        .await
        .unwrap()
        .value;
    assert_eq!(entries.len(), 1);
    assert!(remote.deregister_node("dc2-ext", &w()).await.unwrap().value);
    assert!(remote.node("dc2-ext", &q()).await.unwrap().value.is_none());

    for err in [
        local.dc("dc-nowhere").nodes(&q()).await.unwrap_err(),
        local.dc("dc-nowhere").services(&q()).await.unwrap_err(),
        local
            .register(
                &CatalogRegistration::new("x", "10.0.0.1"),
                &w().datacenter("dc-nowhere"),
            )
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
        catalog.node("", &q()).await.unwrap_err(),
        catalog.node_service_list("", &q()).await.unwrap_err(),
        catalog.service("", None, &q()).await.unwrap_err(),
        catalog.service("web", Some(""), &q()).await.unwrap_err(),
        catalog.connect("", None, &q()).await.unwrap_err(),
        catalog
            .register(&CatalogRegistration::new("", "10.0.0.1"), &w())
            .await
            .unwrap_err(),
        catalog
            .register(&CatalogRegistration::new("n", ""), &w())
            .await
            .unwrap_err(),
        catalog
            .register(
                &CatalogRegistration::new("n", "10.0.0.1").service(AgentService::new("s-1", "")),
                &w(),
            )
            .await
            .unwrap_err(),
        catalog.deregister_node("", &w()).await.unwrap_err(),
        catalog.deregister_service("n", "", &w()).await.unwrap_err(),
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
        .register(&bad_status, &w())
        .await
        .unwrap_err()
        .is_validation());
    let mut both = CatalogDeregistration::service("n", "s");
    both.check_id = Some("c".into());
    let err = catalog.deregister(&both, &w()).await.unwrap_err();
    assert!(matches!(
        err.as_validation(),
        Some(ValidationError::Conflict(_))
    ));
    assert_eq!(recorder.count(), 0);
}
