//! Network coordinates against real agents: reading them, setting them, and the
//! round-trip estimate checked against the order Consul sorts `?near=` reads in.

use consul_integration_tests::{Cluster, TestAgent};
use consulate::catalog::CatalogRegistration;
use consulate::coordinate::{rtt, CoordinateEntry};
use consulate::types::coordinate::Coordinate;
use consulate::Client;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Consul's order for `?near=source`: the catalog's own order (by node name), stably
/// sorted by the estimated round-trip time from `source`, nodes without a coordinate
/// last (Consul's `sortNodesByDistanceFrom`, with `lib.ComputeDistance`'s infinity).
fn near_order(
    names: &[String],
    source: &str,
    coordinates: &[CoordinateEntry],
) -> Vec<(String, f64)> {
    let mut by_node: BTreeMap<&str, Vec<CoordinateEntry>> = BTreeMap::new();
    for entry in coordinates {
        by_node.entry(&entry.node).or_default().push(entry.clone());
    }
    let none = Vec::new();
    let from = by_node.get(source).unwrap_or(&none);
    let mut order: Vec<(String, f64)> = names
        .iter()
        .map(|name| {
            let to = by_node.get(name.as_str()).unwrap_or(&none);
            let seconds = rtt(from, to).map_or(f64::INFINITY, |d| d.as_secs_f64());
            (name.clone(), seconds)
        })
        .collect();
    order.sort_by(|a, b| a.1.total_cmp(&b.1)); // stable, as Go's sort.Stable
    order
}

/// The node names `catalog().nodes().near(source)` answers in, checked against
/// [`near_order`] over the coordinates Consul had when it answered: the coordinates are
/// read before and after, and the check counts only when their index did not move
/// between the two reads (a batch of coordinate updates landing in between would make
/// the comparison meaningless). Returns the order and the estimates.
async fn check_near_order(client: &Client, source: &str, deadline: Instant) -> Vec<(String, f64)> {
    loop {
        let before = client.coordinate().nodes().await.unwrap();
        let names: Vec<String> = client
            .catalog()
            .nodes()
            .await
            .unwrap()
            .value
            .into_iter()
            .map(|n| n.node)
            .collect();
        let near: Vec<String> = client
            .catalog()
            .nodes()
            .near(source)
            .await
            .unwrap()
            .value
            .into_iter()
            .map(|n| n.node)
            .collect();
        let after = client.coordinate().nodes().await.unwrap();
        if before.meta.last_index == after.meta.last_index && before.value == after.value {
            let expected = near_order(&names, source, &after.value);
            let expected_names: Vec<_> = expected.iter().map(|(n, _)| n.clone()).collect();
            assert_eq!(near, expected_names, "estimates: {expected:?}");
            return expected;
        }
        assert!(
            Instant::now() < deadline,
            "coordinates kept changing between reads"
        );
    }
}

/// A coordinate `ms` milliseconds from the origin along the first axis, with the given
/// adjustment (seconds) and the smallest height.
fn at(ms: f64, adjustment: f64) -> Coordinate {
    let mut c = Coordinate::origin();
    c.vec[0] = ms / 1000.0;
    c.adjustment = adjustment;
    c
}

#[tokio::test]
async fn a_dev_agent_reports_its_own_coordinates() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let coordinates = client.coordinate();

    let dcs = coordinates.datacenters().await.unwrap().value;
    assert_eq!(dcs.len(), 1);
    assert_eq!(dcs[0].datacenter, "dc1");
    assert_eq!(dcs[0].area_id, "wan");
    // The WAN pool's names, without the `.dc1` suffix.
    let wan: Vec<_> = dcs[0].coordinates.iter().map(|e| e.node.as_str()).collect();
    assert_eq!(wan, [agent.node_name()]);
    assert_eq!(dcs[0].coordinates[0].coord.vec.len(), 8);

    // The agent sends its LAN coordinate to the servers every 15 to 30 s (Consul's fixed
    // `sync_coordinate_interval_min`): blocking reads until it lands, at most 45 s.
    let deadline = Instant::now() + Duration::from_secs(45);
    let mut index = 0;
    let own = loop {
        let read = coordinates
            .node(agent.node_name())
            .wait(index, Duration::from_secs(10))
            .await
            .unwrap();
        if !read.value.is_empty() {
            break read.value;
        }
        assert!(Instant::now() < deadline, "no LAN coordinate for the agent");
        index = read.meta.last_index.max(index);
    };
    assert_eq!(own.len(), 1, "one segment on Consul OSS");
    assert_eq!(own[0].node, agent.node_name());
    assert_eq!(own[0].segment, "");
    assert!(own[0].coord.is_valid());
    let all = coordinates.nodes().await.unwrap().value;
    assert!(all.contains(&own[0]));
    let filtered = coordinates.nodes().segment("").await.unwrap().value;
    assert_eq!(filtered, all);
    assert!(coordinates
        .nodes()
        .segment("alpha")
        .await
        .unwrap()
        .value
        .is_empty());
    // No coordinate for a node Consul does not know: an empty list.
    assert!(coordinates.node("nope").await.unwrap().value.is_empty());
    // From a node to itself: both heights, plus both adjustments if that stays positive.
    let c = &own[0].coord;
    let raw = 2.0 * c.height;
    let secs = if raw + 2.0 * c.adjustment > 0.0 {
        raw + 2.0 * c.adjustment
    } else {
        raw
    };
    assert_eq!(
        rtt(&own, &own),
        Some(Duration::from_nanos((secs * 1e9) as u64))
    );
}

#[tokio::test]
async fn updates_land_and_near_sorts_by_the_estimate() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let coordinates = client.coordinate();
    // External nodes: no agent gossips for them, so their coordinates stay as set.
    for node in ["ext-a", "ext-b", "ext-c", "ext-d", "ext-e", "ext-none"] {
        let reg = CatalogRegistration::new(node, "10.0.0.1");
        assert!(client.catalog().register(reg).await.unwrap().value);
    }
    let start = coordinates.nodes().await.unwrap().meta.last_index;
    // ext-b is farther than ext-c, but its negative adjustment brings it nearer; ext-e's
    // adjustment would make the estimate negative, so Consul ignores it.
    let set = [
        ("ext-a", at(0.0, 0.0)),
        ("ext-b", at(5.0, -0.003)),
        ("ext-c", at(3.0, 0.0)),
        ("ext-d", at(4.0, 0.0)),
        ("ext-e", at(1.0, -0.010)),
    ];
    // An update for a node the catalog does not have is accepted, then dropped; it is
    // sent first, so it is applied (dropped) no later than the updates after it.
    coordinates
        .update(CoordinateEntry::new("ghost", at(1.0, 0.0)))
        .await
        .unwrap();
    for (node, coord) in &set {
        coordinates
            .update(CoordinateEntry::new(*node, coord.clone()))
            .await
            .unwrap();
    }
    // Consul applies them in batches: blocking reads until all have landed (bounded).
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut index = start;
    let landed = loop {
        let read = coordinates
            .nodes()
            .wait(index, Duration::from_secs(5))
            .await
            .unwrap();
        let ext: BTreeMap<_, _> = read
            .value
            .iter()
            .filter(|e| e.node.starts_with("ext-"))
            .map(|e| (e.node.clone(), e.coord.clone()))
            .collect();
        if ext.len() == set.len() {
            break read.value;
        }
        assert!(Instant::now() < deadline, "coordinate updates did not land");
        index = read.meta.last_index;
    };
    for (node, coord) in &set {
        let read = coordinates.node(*node).await.unwrap().value;
        assert_eq!(read, [CoordinateEntry::new(*node, coord.clone())], "{node}");
    }
    assert!(!landed.iter().any(|e| e.node == "ghost"));
    assert!(coordinates.node("ghost").await.unwrap().value.is_empty());
    assert!(coordinates.node("ext-none").await.unwrap().value.is_empty());

    // The estimates as Consul computes them, from ext-a.
    let a = coordinates.node("ext-a").await.unwrap().value;
    let from_a = |node: &str, landed: &[CoordinateEntry]| {
        let to: Vec<_> = landed.iter().filter(|e| e.node == node).cloned().collect();
        rtt(&a, &to)
    };
    // In Consul's order of operations: the distance plus both heights, then both
    // adjustments, truncated to nanoseconds.
    let h = consulate::types::coordinate::HEIGHT_MIN;
    let expect = |ms: f64, adjustment: f64| {
        let raw = (0.0 - ms / 1000.0_f64).powi(2).sqrt() + h + h;
        let adjusted = raw + 0.0 + adjustment;
        let secs = if adjusted > 0.0 { adjusted } else { raw };
        Some(Duration::from_nanos((secs * 1e9) as u64))
    };
    assert_eq!(from_a("ext-b", &landed), expect(5.0, -0.003));
    assert!(from_a("ext-b", &landed) < Some(Duration::from_micros(2100)));
    assert_eq!(from_a("ext-c", &landed), expect(3.0, 0.0));
    assert_eq!(from_a("ext-e", &landed), expect(1.0, -0.010));
    assert!(
        from_a("ext-e", &landed) > Some(Duration::from_millis(1)),
        "adjustment ignored"
    );
    assert_eq!(from_a("ext-none", &landed), None);

    // And Consul sorts by them: ext-a, ext-e (1 ms), ext-b (2 ms adjusted), ext-c (3 ms),
    // ext-d (4 ms); the agent's own node wherever its coordinate puts it; ext-none last.
    let order = check_near_order(&client, "ext-a", deadline).await;
    let ext: Vec<_> = order
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.starts_with("ext-"))
        .collect();
    assert_eq!(
        ext,
        ["ext-a", "ext-e", "ext-b", "ext-c", "ext-d", "ext-none"]
    );

    // A coordinate of another dimensionality is refused by Consul.
    let mut short = Coordinate::origin();
    short.vec.truncate(2);
    let e = coordinates
        .update(CoordinateEntry::new("ext-a", short))
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{e}");
    assert!(e.to_string().contains("incompatible coordinate"), "{e}");
}

#[tokio::test]
async fn near_order_of_a_cluster_matches_the_estimate() {
    let mut cluster = Cluster::start(3).await.unwrap();
    cluster.add_client().await.unwrap();
    let client = cluster.first().client();
    let names: Vec<String> = cluster
        .agents
        .iter()
        .map(|a| a.node_name().to_owned())
        .collect();

    // Every agent measures its coordinate by gossip and sends it every 15 to 30 s: wait,
    // by blocking reads, until all four have one that has moved from the origin.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(75);
    let mut index = 0;
    loop {
        let read = client
            .coordinate()
            .nodes()
            .wait(index, Duration::from_secs(10))
            .await
            .unwrap();
        let settled = names.iter().all(|name| {
            read.value
                .iter()
                .any(|e| &e.node == name && e.coord.vec.iter().any(|v| *v != 0.0))
        });
        if settled {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "coordinates did not settle: {:?}",
            read.value
        );
        index = read.meta.last_index;
    }
    let settle_time = started.elapsed();

    // From every node, Consul's order is the estimate's.
    for source in &names {
        let order = check_near_order(&client, source, deadline + Duration::from_secs(30)).await;
        assert_eq!(order.len(), names.len());
        assert!(order.iter().all(|(_, secs)| secs.is_finite()));
        println!("near {source}: {order:?}");
    }
    // What the gossip measured on loopback: well under a millisecond between agents.
    let client_node = &names[3];
    let from: Vec<_> = client.coordinate().node(&names[0]).await.unwrap().value;
    let to = client.coordinate().node(client_node).await.unwrap().value;
    let estimate = rtt(&from, &to).expect("both have coordinates");
    assert!(estimate < Duration::from_millis(50), "{estimate:?}");
    println!("coordinates settled in {settle_time:?}; server 1 → client: {estimate:?}");
}
