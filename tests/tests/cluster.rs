//! Several agents: aioconsul's tutorial, a three-server cluster, member status changes
//! (leave, failure, force-leave), reload on an agent with a data directory, WAN joins.

use consul_integration_tests::{eventually, Cluster, TestAgent};
use consulate::agent::{Member, MemberStatus, ServiceRegistration};
use consulate::Client;

async fn member_status(client: &Client, name: &str) -> Option<MemberStatus> {
    let members: Vec<Member> = client.agent().members().await.ok()?.value;
    members
        .into_iter()
        .find(|m| m.name == name)
        .map(|m| m.status)
}

/// aioconsul's tutorial: "do I have members? let's join another cluster", then display
/// the catalog.
#[tokio::test]
async fn aioconsul_tutorial() {
    let server = TestAgent::builder().fast_gossip().start().await.unwrap();
    // A client agent that has joined nobody yet.
    let lonely = TestAgent::builder()
        .client_agent()
        .fast_gossip()
        .start()
        .await
        .unwrap();
    let client = lonely.client();

    let members = client.agent().members().await.unwrap().value;
    assert_eq!(members.len(), 1, "I am alone in my cluster");

    client.agent().join(server.serf_lan_addr()).await.unwrap();
    let members = eventually("the join to show", || async {
        let m = client.agent().members().await.unwrap().value;
        (m.len() > 1).then_some(m)
    })
    .await;
    assert!(members.len() > 1, "I'm not alone anymore");
    assert!(members
        .iter()
        .any(|m| m.name == server.node_name() && m.is_server()));

    let reg = ServiceRegistration::new("tutorial-web")
        .tags(["v1", "blue"])
        .port(8080);
    client.agent().service_register(reg.clone()).await.unwrap();

    let catalog = client.catalog();
    let dcs = eventually("the client to reach the servers", || async {
        catalog
            .datacenters()
            .await
            .ok()
            .filter(|d| !d.value.is_empty())
    })
    .await;
    assert_eq!(dcs.value, ["dc1"]);
    let services = eventually("the service in the catalog", || async {
        let s = catalog.services().await.ok()?.value;
        s.contains_key("tutorial-web").then_some(s)
    })
    .await;
    let mut tags = services["tutorial-web"].clone();
    tags.sort();
    assert_eq!(tags, ["blue", "v1"]);
    let nodes = eventually("both nodes in the catalog", || async {
        let n = catalog.nodes().await.ok()?.value;
        (n.len() == 2).then_some(n)
    })
    .await;
    for node in &nodes {
        assert_eq!(node.address, "127.0.0.1", "{}", node.node);
    }
    let mut names: Vec<_> = nodes.iter().map(|n| n.node.as_str()).collect();
    names.sort();
    let mut want = [server.node_name(), lonely.node_name()];
    want.sort();
    assert_eq!(names, want);
}

#[tokio::test]
async fn three_servers_elect_a_leader_and_members_change_status() {
    let mut cluster = Cluster::start(3).await.unwrap();
    let first = cluster.first().client();
    let members = first.agent().members().await.unwrap().value;
    assert_eq!(members.len(), 3);
    assert!(members
        .iter()
        .all(|m| m.status == MemberStatus::Alive && m.is_server()));
    assert_eq!(first.catalog().nodes().await.unwrap().value.len(), 3);
    // Every server agrees on the leader.
    let leader = first
        .request(http::Method::GET, "status/leader")
        .await
        .unwrap()
        .into_body();
    for agent in &cluster.agents {
        let other = agent
            .client()
            .request(http::Method::GET, "status/leader")
            .await
            .unwrap()
            .into_body();
        assert_eq!(other, leader);
    }

    // A client agent that crashes: failed, then force-left, then pruned.
    let crashed = cluster.add_client().await.unwrap();
    let name = cluster.agents[crashed].node_name().to_owned();
    assert_eq!(
        member_status(&first, &name).await,
        Some(MemberStatus::Alive)
    );
    cluster.agents[crashed].kill();
    eventually("the crash to be detected", || async {
        (member_status(&first, &name).await == Some(MemberStatus::Failed)).then_some(())
    })
    .await;
    first.agent().force_leave(&name).await.unwrap();
    eventually("force-leave to mark it left", || async {
        (member_status(&first, &name).await == Some(MemberStatus::Left)).then_some(())
    })
    .await;
    first.agent().force_leave(&name).prune().await.unwrap();
    eventually("prune to remove it", || async {
        member_status(&first, &name).await.is_none().then_some(())
    })
    .await;

    // A client agent that leaves through the API: left, and its process exits.
    let leaving = cluster.add_client().await.unwrap();
    let name = cluster.agents[leaving].node_name().to_owned();
    cluster.agents[leaving]
        .client()
        .agent()
        .leave()
        .await
        .unwrap();
    eventually("the graceful leave", || async {
        (member_status(&first, &name).await == Some(MemberStatus::Left)).then_some(())
    })
    .await;
    let agent = &mut cluster.agents[leaving];
    eventually("the process to exit", || {
        let running = agent.is_running();
        async move { (!running).then_some(()) }
    })
    .await;

    // A follower that crashes is reported failed; the leader stays.
    let follower = (1..3)
        .find(|&i| {
            let addr = format!("\"127.0.0.1:{}\"", cluster.agents[i].ports().server);
            leader != addr.as_bytes()
        })
        .unwrap();
    cluster.agents[follower].kill();
    let name = cluster.agents[follower].node_name().to_owned();
    eventually("the crashed server to be failed", || async {
        (member_status(&first, &name).await == Some(MemberStatus::Failed)).then_some(())
    })
    .await;
    let still = first
        .request(http::Method::GET, "status/leader")
        .await
        .unwrap()
        .into_body();
    assert_eq!(still, leader, "two of three servers keep the leader");
    assert!(first.catalog().nodes().await.is_ok());
}

#[tokio::test]
async fn reload_keeps_registrations_on_an_agent_with_a_data_dir() {
    let mut cluster = Cluster::start(1).await.unwrap();
    let idx = cluster.add_client().await.unwrap();
    let agent = cluster.agents[idx].client().agent();
    agent
        .service_register(ServiceRegistration::new("kept").port(1))
        .await
        .unwrap();
    agent.reload().await.unwrap();
    // The reload is applied before the call returns (a dev agent has dropped its HTTP
    // registrations by then, see tests/agent.rs); this agent persisted and kept them.
    let config = agent.self_info().await.unwrap().value.config;
    assert_eq!(config.node_name, cluster.agents[idx].node_name());
    assert!(agent.services().await.unwrap().value.contains_key("kept"));
}

#[tokio::test]
async fn wan_join_through_the_api_federates_two_datacenters() {
    let dc1 = TestAgent::dev().await;
    let dc2 = TestAgent::builder()
        .datacenter("dc2")
        .start()
        .await
        .unwrap();
    let a = dc2.client().agent();
    assert_eq!(a.members().wan().await.unwrap().value.len(), 1);
    a.join(dc1.serf_wan_addr()).wan().await.unwrap();
    dc2.wait_for_datacenters(&["dc1", "dc2"]).await.unwrap();
    let wan = a.members().wan().await.unwrap().value;
    let mut names: Vec<_> = wan.iter().map(|m| m.name.clone()).collect();
    names.sort();
    let mut want = vec![
        format!("{}.dc1", dc1.node_name()),
        format!("{}.dc2", dc2.node_name()),
    ];
    want.sort();
    assert_eq!(names, want);
    assert_eq!(
        wan.iter()
            .filter_map(|m| m.datacenter())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        2
    );
    // The LAN pools stay separate.
    assert_eq!(a.members().await.unwrap().value.len(), 1);
}
