//! The compiled discovery chain against a real Consul 1.8.7 agent, configured through the
//! config entry family.

use consul_integration_tests::{recording_client, TestAgent};
use consulate::config_entry::{
    ServiceDefaults, ServiceResolver, ServiceResolverFailover, ServiceResolverSubset, ServiceRoute,
    ServiceRouteDestination, ServiceRouteHttpMatch, ServiceRouter, ServiceSplit, ServiceSplitter,
};
use consulate::discovery_chain::{DiscoveryNodeType, MeshGatewayMode};
use consulate::{Client, Error};
use std::time::Duration;

/// `web` over http, with two subsets (v1 by default, failing over to dc2), a 90/10 split
/// between them, and a router sending `/admin` to v2.
async fn configure_web(client: &Client) {
    let config = client.config_entries();
    config
        .set(ServiceDefaults::new("web").protocol("http"))
        .await
        .unwrap();
    config
        .set(
            ServiceResolver::new("web")
                .default_subset("v1")
                .subset(
                    "v1",
                    ServiceResolverSubset::filter("Service.Meta.version == v1"),
                )
                .subset(
                    "v2",
                    ServiceResolverSubset::filter("Service.Meta.version == v2").only_passing(),
                )
                .failover("v1", ServiceResolverFailover::datacenters(["dc2"]))
                .connect_timeout(Duration::from_secs(3)),
        )
        .await
        .unwrap();
    config
        .set(
            ServiceSplitter::new("web")
                .split(ServiceSplit::new(90.0).service_subset("v1"))
                .split(ServiceSplit::new(10.0).service_subset("v2")),
        )
        .await
        .unwrap();
    config
        .set(
            ServiceRouter::new("web").route(
                ServiceRoute::http(ServiceRouteHttpMatch::path_prefix("/admin"))
                    .destination(ServiceRouteDestination::service("web").service_subset("v2")),
            ),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_router_splitter_and_resolver_compile_into_the_chain() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    configure_web(&client).await;

    let read = client.discovery_chain().get("web").await.unwrap();
    assert!(read.meta.last_index > 0);
    let chain = read.value;
    assert_eq!(chain.service_name, "web");
    assert_eq!(chain.datacenter, "dc1");
    assert_eq!(chain.namespace, "default");
    assert_eq!(chain.protocol, "http");
    assert!(!chain.is_default());

    // The router: /admin to v2, then Consul's catch-all route to the splitter.
    let router = chain.start().unwrap();
    assert_eq!(router.node_type, DiscoveryNodeType::Router);
    assert_eq!(router.routes.len(), 2);
    let admin = &router.routes[0];
    let http = admin
        .definition
        .as_ref()
        .and_then(|d| d.r#match.as_ref())
        .and_then(|m| m.http.as_ref())
        .unwrap();
    assert_eq!(http.path_prefix, "/admin");
    let v2 = chain.node(&admin.next_node).unwrap();
    assert_eq!(v2.node_type, DiscoveryNodeType::Resolver);
    let v2_target = chain.target(&v2.resolver.as_ref().unwrap().target).unwrap();
    assert_eq!(v2_target.service_subset, "v2");
    assert!(v2_target.subset.only_passing);

    // The splitter: 90 to v1, 10 to v2.
    let splitter = chain.node(&router.routes[1].next_node).unwrap();
    assert_eq!(splitter.node_type, DiscoveryNodeType::Splitter);
    let splits: Vec<(f32, &str)> = splitter
        .splits
        .iter()
        .map(|s| {
            let node = chain.node(&s.next_node).unwrap();
            let target = &node.resolver.as_ref().unwrap().target;
            (
                s.weight,
                chain.target(target).unwrap().service_subset.as_str(),
            )
        })
        .collect();
    assert_eq!(splits, vec![(90.0, "v1"), (10.0, "v2")]);

    // The resolver of v1: its timeout, and failover to dc2.
    let v1 = chain.node(&splitter.splits[0].next_node).unwrap();
    let resolver = v1.resolver.as_ref().unwrap();
    assert!(!resolver.default);
    assert_eq!(resolver.connect_timeout, Duration::from_secs(3));
    let failover = resolver.failover.as_ref().unwrap();
    assert_eq!(failover.targets.len(), 1);
    let remote = chain.target(&failover.targets[0]).unwrap();
    assert_eq!(
        (remote.datacenter.as_str(), remote.service_subset.as_str()),
        ("dc2", "v1")
    );
    let local = chain.target(&resolver.target).unwrap();
    assert_eq!(local.subset.filter, "Service.Meta.version == v1");
    assert!(
        local.sni.starts_with("v1.web.default.dc1."),
        "{}",
        local.sni
    );

    // A service with nothing configured has the default chain.
    let plain = client.discovery_chain().get("db").await.unwrap().value;
    assert!(plain.is_default());
    assert_eq!(plain.protocol, "tcp");
    let only = plain.start().unwrap();
    assert_eq!(only.node_type, DiscoveryNodeType::Resolver);
    assert!(only.resolver.as_ref().unwrap().default);
}

#[tokio::test]
async fn compile_dc_and_overrides() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    configure_web(&client).await;
    let chains = client.discovery_chain();

    // Compiled for another datacenter: its targets are there.
    let dc2 = chains.get("web").compile_dc("dc2").await.unwrap().value;
    assert_eq!(dc2.datacenter, "dc2");
    let start = dc2.start().unwrap();
    assert_eq!(start.node_type, DiscoveryNodeType::Router);
    assert!(dc2
        .targets
        .values()
        .any(|t| t.datacenter == "dc2" && t.service_subset == "v1"));

    // Overrides are the POST form: every resolver's timeout replaced, and the protocol.
    let before = recorder.count();
    let overridden = chains
        .get("web")
        .override_connect_timeout(Duration::from_secs(7))
        .override_mesh_gateway(MeshGatewayMode::Local)
        .await
        .unwrap()
        .value;
    let request = &recorder.requests()[before];
    assert_eq!(request.method, "POST");
    assert!(!overridden.customization_hash.is_empty());
    let timeouts: Vec<Duration> = overridden
        .nodes
        .values()
        .filter_map(|n| n.resolver.as_ref())
        .map(|r| r.connect_timeout)
        .collect();
    assert!(!timeouts.is_empty());
    assert!(
        timeouts.iter().all(|t| *t == Duration::from_secs(7)),
        "{timeouts:?}"
    );
    // The failover target in dc2 goes through a local mesh gateway.
    assert!(overridden
        .targets
        .values()
        .filter(|t| t.datacenter == "dc2")
        .all(|t| t.mesh_gateway.mode == MeshGatewayMode::Local));

    // An L4 protocol leaves the router and the splitter out: a resolver starts the chain.
    let tcp = chains
        .get("web")
        .override_protocol("tcp")
        .await
        .unwrap()
        .value;
    assert_eq!(tcp.protocol, "tcp");
    assert_eq!(tcp.start().unwrap().node_type, DiscoveryNodeType::Resolver);
    assert!(tcp
        .nodes
        .values()
        .all(|n| n.node_type == DiscoveryNodeType::Resolver));

    // Through the agent's cache.
    let cached = chains.get("web").cached(None).await.unwrap();
    assert!(cached.meta.cache_hit.is_some());
    assert_eq!(cached.value.service_name, "web");

    // A mode Consul does not know is its 400.
    let err = chains
        .get("web")
        .override_mesh_gateway(MeshGatewayMode::Other("sideways".into()))
        .await
        .unwrap_err();
    let Error::Status { code, body, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(code.as_u16(), 400);
    assert_eq!(body, "Invalid OverrideMeshGateway.Mode parameter");
}

#[tokio::test]
async fn a_blocking_read_returns_when_an_entry_of_the_chain_changes() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    configure_web(&client).await;
    let chains = client.discovery_chain();
    let first = chains.get("web").await.unwrap();

    let writer = client.config_entries();
    let change = tokio::spawn(async move {
        writer
            .set(
                ServiceSplitter::new("web")
                    .split(ServiceSplit::new(50.0).service_subset("v1"))
                    .split(ServiceSplit::new(50.0).service_subset("v2")),
            )
            .await
            .unwrap();
    });
    let next = chains
        .get("web")
        .wait(first.meta.last_index, Duration::from_secs(10))
        .await
        .unwrap();
    change.await.unwrap();
    assert!(next.meta.last_index > first.meta.last_index);
    let splitter = next
        .value
        .nodes
        .values()
        .find(|n| n.node_type == DiscoveryNodeType::Splitter)
        .unwrap();
    let weights: Vec<f32> = splitter.splits.iter().map(|s| s.weight).collect();
    assert_eq!(weights, vec![50.0, 50.0]);
}
