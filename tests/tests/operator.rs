//! Operator endpoints against real agents: the Raft peer set, autopilot and its health
//! report on a three-server cluster, a gossip key rotation on servers started with
//! `encrypt`, and what a Consul 1.8.7 (open source) agent answers to the Enterprise-only
//! calls.

use consul_integration_tests::{eventually, Cluster, TestAgent};
use consul_test::gossip_key;
use consulate::agent::MemberStatus;
use consulate::operator::{KeyringResponse, Operator, SerfStatus};
use consulate::{Client, Error};
use std::collections::BTreeSet;
use std::time::Duration;

async fn peers(op: &Operator) -> BTreeSet<String> {
    let raft = op.raft_get_configuration().await.unwrap().value;
    raft.servers.into_iter().map(|s| s.node).collect()
}

#[tokio::test]
async fn three_voters_autopilot_cas_and_server_health() {
    let cluster = Cluster::start(3).await.unwrap();
    let client = cluster.first().client();
    let op = client.operator();

    let raft = op.raft_get_configuration().await.unwrap().value;
    assert_eq!(raft.servers.len(), 3);
    assert_eq!(raft.voters().count(), 3, "{raft:?}");
    assert_eq!(raft.servers.iter().filter(|s| s.leader).count(), 1);
    for agent in &cluster.agents {
        let server = raft
            .server_on(agent.node_name())
            .expect("every server listed");
        assert_eq!(
            server.address,
            format!("127.0.0.1:{}", agent.ports().server)
        );
        assert_eq!(server.protocol_version, "3");
        // Any server answers a stale read, with the same peer set.
        let seen = agent
            .client()
            .operator()
            .raft_get_configuration()
            .stale()
            .await
            .unwrap()
            .value;
        let ids = |c: &consulate::operator::RaftConfiguration| {
            c.servers
                .iter()
                .map(|s| s.id.clone())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(ids(&seen), ids(&raft));
    }
    let leader = client.status().leader().await.unwrap().value;
    assert_eq!(
        leader.as_deref(),
        Some(raft.leader().unwrap().address.as_str())
    );

    // Consul's defaults, and check-and-set on the configuration's index.
    let config = op.autopilot_get_configuration().await.unwrap().value;
    assert!(config.cleanup_dead_servers);
    assert_eq!(config.last_contact_threshold, Duration::from_millis(200));
    assert_eq!(config.server_stabilization_time, Duration::from_secs(10));
    assert_eq!(config.max_trailing_logs, 250);
    let read_before = config.clone();
    assert!(
        op.autopilot_cas_configuration(config.max_trailing_logs(300))
            .await
            .unwrap()
            .value,
        "the current index wins"
    );
    assert!(
        !op.autopilot_cas_configuration(read_before.clone().max_trailing_logs(400))
            .await
            .unwrap()
            .value,
        "a stale index loses"
    );
    let now = op.autopilot_get_configuration().await.unwrap().value;
    assert_eq!(
        now.max_trailing_logs, 300,
        "the losing write changed nothing"
    );
    assert!(now.modify_index > read_before.modify_index);
    assert!(
        op.autopilot_cas_configuration(now.clone().last_contact_threshold(Duration::from_secs(1)))
            .await
            .unwrap()
            .value
    );
    // An unconditional write, from another server (forwarded to the leader).
    let other = cluster.agents[2].client().operator();
    let latest = other.autopilot_get_configuration().await.unwrap().value;
    other
        .autopilot_set_configuration(latest.cleanup_dead_servers(false))
        .await
        .unwrap();
    let now = op.autopilot_get_configuration().await.unwrap().value;
    assert!(!now.cleanup_dead_servers);
    assert_eq!(now.last_contact_threshold, Duration::from_secs(1));
    assert_eq!(now.max_trailing_logs, 300);

    // Every server healthy once the leader has heard from all of them.
    let health = eventually("all three servers healthy", || async {
        let h = op.autopilot_server_health().await.ok()?.value;
        (h.healthy && h.servers.len() == 3).then_some(h)
    })
    .await;
    assert_eq!(health.failure_tolerance, 1);
    for server in &health.servers {
        assert_eq!(server.serf_status, SerfStatus::Alive);
        assert_eq!(server.version, "1.8.7");
        assert!(server.voter && server.last_contact.is_some());
    }
    assert_eq!(health.servers.iter().filter(|s| s.leader).count(), 1);
}

#[tokio::test]
async fn a_stopped_server_is_removed_from_the_peer_set_by_id_then_by_address() {
    let mut cluster = Cluster::start(3).await.unwrap();
    let client = cluster.first().client();
    let op = client.operator();
    // Autopilot would remove the dead server by itself (measured: 2 s after it failed);
    // this test removes it by hand.
    let config = op.autopilot_get_configuration().await.unwrap().value;
    op.autopilot_set_configuration(config.cleanup_dead_servers(false))
        .await
        .unwrap();

    let raft = op.raft_get_configuration().await.unwrap().value;
    let leader = raft.leader().unwrap().node.clone();
    // Neither the leader nor the server the client talks to.
    let victim = (1..3)
        .find(|&i| cluster.agents[i].node_name() != leader)
        .unwrap();
    let name = cluster.agents[victim].node_name().to_owned();
    let server = raft.server_on(&name).unwrap().clone();
    eventually("all three servers healthy", || async {
        let h = op.autopilot_server_health().await.ok()?.value;
        (h.healthy && h.servers.len() == 3).then_some(())
    })
    .await;
    cluster.agents[victim].stop().await;

    // The leader reports it unhealthy: Consul's 429, read as a report.
    let report = eventually("the stopped server to be unhealthy", || async {
        let h = op.autopilot_server_health().await.ok()?.value;
        let gone = h.server(&name).is_some_and(|s| !s.healthy);
        gone.then_some(h)
    })
    .await;
    assert!(!report.healthy, "{report:?}");
    // Consul said so with a 429, which a raw request (no such rule) takes as a failure.
    let raw = client
        .request(http::Method::GET, "operator/autopilot/health")
        .await
        .unwrap_err();
    assert_eq!(raw.status().map(|s| s.as_u16()), Some(429), "{raw:?}");
    assert_eq!(report.failure_tolerance, 0);
    assert_eq!(
        peers(&op).await.len(),
        3,
        "still counted towards the quorum"
    );

    op.raft_remove_peer_by_id(&server.id).await.unwrap();
    let left = peers(&op).await;
    assert_eq!(left.len(), 2);
    assert!(!left.contains(&name));
    eventually("the two servers left to be healthy", || async {
        let h = op.autopilot_server_health().await.ok()?.value;
        (h.healthy && h.servers.len() == 2).then_some(())
    })
    .await;

    // Back it comes (the leader adds it again when it rejoins), down it goes again, and
    // this time it is removed by address.
    cluster.agents[victim].restart().await.unwrap();
    eventually("the restarted server back in the peer set", || async {
        peers(&op).await.contains(&name).then_some(())
    })
    .await;
    cluster.agents[victim].stop().await;
    op.raft_remove_peer_by_address(&server.address)
        .await
        .unwrap();
    let left = peers(&op).await;
    assert_eq!(left.len(), 2);
    assert!(!left.contains(&name));

    let err = op
        .raft_remove_peer_by_address(server.address.clone())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        err.to_string()
            .contains("was not found in the Raft configuration"),
        "{err}"
    );
}

/// Every pool (the WAN pool and the datacenter's LAN pool) of the keyring.
async fn keyring(op: &Operator) -> Vec<KeyringResponse> {
    let pools = op.keyring_list().await.unwrap().value;
    assert_eq!(pools.len(), 2, "{pools:?}");
    assert_eq!(pools.iter().filter(|p| p.wan).count(), 1);
    pools
}

async fn alive_members(client: &Client) -> usize {
    let members = client.agent().members().await.unwrap().value;
    members
        .iter()
        .filter(|m| m.status == MemberStatus::Alive)
        .count()
}

#[tokio::test]
async fn a_gossip_key_rotation_while_the_cluster_keeps_gossiping() {
    let old = gossip_key().unwrap();
    let new = gossip_key().unwrap();
    let mut cluster = Cluster::start_with(3, TestAgent::builder().encrypt(&old))
        .await
        .unwrap();
    let client = cluster.first().client();
    let op = client.operator();

    // The servers join the WAN pool shortly after the LAN pool.
    eventually("every server in both pools", || async {
        let pools = op.keyring_list().await.ok()?.value;
        (pools.len() == 2 && pools.iter().all(|p| p.num_nodes == 3)).then_some(())
    })
    .await;
    for pool in keyring(&op).await {
        assert_eq!(pool.datacenter, "dc1");
        assert_eq!(pool.keys.len(), 1);
        assert!(pool.installed_everywhere(&old) && pool.primary_everywhere(&old));
    }
    let local = op.keyring_list().local_only().await.unwrap().value;
    assert_eq!(local.len(), 1, "only the LAN pool: {local:?}");
    assert!(!local[0].wan);
    let relayed = op.keyring_list().relay_factor(2).await.unwrap().value;
    assert_eq!(relayed.len(), 2);

    // Install: both keys everywhere, the old one still encrypting.
    op.keyring_install(&new).await.unwrap();
    for pool in keyring(&op).await {
        assert!(pool.installed_everywhere(&old) && pool.installed_everywhere(&new));
        assert!(pool.primary_everywhere(&old));
    }
    let err = op.keyring_remove(&old).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        err.to_string()
            .contains("Removing the primary key is not allowed"),
        "{err}"
    );
    assert!(
        !err.to_string().contains(&old),
        "the key is not in the error"
    );

    // Use, from another server: every node encrypts with the new key.
    cluster.agents[1]
        .client()
        .operator()
        .keyring_use(&new)
        .relay_factor(1)
        .await
        .unwrap();
    for pool in keyring(&op).await {
        assert!(pool.primary_everywhere(&new), "{pool:?}");
    }

    // Remove the old key: only the new one is left.
    op.keyring_remove(&old).await.unwrap();
    for pool in keyring(&op).await {
        assert_eq!(pool.keys.len(), 1, "{pool:?}");
        assert!(pool.installed_everywhere(&new) && pool.primary_everywhere(&new));
    }

    // Gossip goes on: every server still alive, and an agent that only knows the new key
    // joins the cluster.
    assert_eq!(alive_members(&client).await, 3);
    cluster
        .add_client_with(TestAgent::builder().encrypt(&new))
        .await
        .unwrap();
    eventually("the new agent alive on the servers", || async {
        (alive_members(&client).await == 4).then_some(())
    })
    .await;
    let lan = keyring(&op).await.into_iter().find(|p| !p.wan).unwrap();
    assert_eq!(lan.num_nodes, 4);
    assert!(lan.installed_everywhere(&new) && lan.primary_everywhere(&new));
}

#[tokio::test]
async fn without_gossip_encryption_the_keyring_is_empty() {
    let agent = TestAgent::dev().await;
    let err = agent.client().operator().keyring_list().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.to_string().contains("encryption not enabled"), "{err}");
}

#[tokio::test]
async fn consul_1_8_7_answers_the_enterprise_calls_as_unsupported() {
    let agent = TestAgent::dev().await;
    let op = agent.client().operator();
    let area = "8f246b77-f3e1-ff88-5b48-8ec93abf3e05";
    let results: Vec<(&str, Error)> = vec![
        ("license_get", op.license_get().await.unwrap_err()),
        (
            "license_get_signed",
            op.license_get_signed().await.unwrap_err(),
        ),
        (
            "license_put",
            op.license_put("01MV4UU43BK5HGYYTOJZWFQMTMNNEWU33J")
                .await
                .unwrap_err(),
        ),
        ("license_reset", op.license_reset().await.unwrap_err()),
        (
            "area_create",
            op.area_create(consulate::operator::Area::new("dc2"))
                .await
                .unwrap_err(),
        ),
        (
            "area_update",
            op.area_update(area, consulate::operator::Area::new("dc2"))
                .await
                .unwrap_err(),
        ),
        ("area_get", op.area_get(area).await.unwrap_err()),
        ("area_list", op.area_list().await.unwrap_err()),
        ("area_delete", op.area_delete(area).await.unwrap_err()),
        (
            "area_join",
            op.area_join(area, ["127.0.0.1"]).await.unwrap_err(),
        ),
        ("area_members", op.area_members(area).await.unwrap_err()),
        ("segment_list", op.segment_list().await.unwrap_err()),
    ];
    for (call, err) in results {
        match &err {
            Error::Unsupported {
                path,
                agent_version,
            } => {
                assert!(path.starts_with("operator/"), "{call}: {path}");
                assert_eq!(agent_version.as_deref(), Some("1.8.7"), "{call}");
            }
            other => panic!("{call}: expected Unsupported, got {other:?}"),
        }
    }
}
