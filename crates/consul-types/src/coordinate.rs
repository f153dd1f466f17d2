//! Network coordinates (Go's `api/coordinate.go`) and the round-trip estimate Consul
//! computes from them.
//!
//! Every agent keeps a Vivaldi network coordinate (Serf's `coordinate` package), updated
//! from the round-trip times it measures while gossiping. Two coordinates estimate the
//! round-trip time between their nodes ([`Coordinate::distance_to`]); this is what `?near=`
//! sorts by, and what a prepared query's failover uses to pick the nearest datacenters.
//! Coordinates of the LAN pool ([`CoordinateEntry`]) and of the WAN pool
//! ([`CoordinateDatacenterMap`]) are not comparable with each other.
//!
//! ```
//! use consul_types::coordinate::{rtt, Coordinate, CoordinateEntry};
//! use std::time::Duration;
//!
//! let a = CoordinateEntry::new("a", Coordinate::origin());
//! let mut far = Coordinate::origin();
//! far.vec[0] = 0.010; // 10 ms away along one axis
//! let b = CoordinateEntry::new("b", far);
//! // 10 ms, plus both heights (10 µs each at the origin).
//! assert_eq!(rtt(&[a], &[b]), Some(Duration::from_micros(10_020)));
//! ```

pub use crate::agent::Coordinate;
use crate::serde_util::{null_as_default, null_as_empty_vec};
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The dimensionality of Consul's coordinates (Serf's default).
pub const DIMENSIONALITY: usize = 8;

/// The error of a fresh coordinate (Serf's `VivaldiErrorMax`).
pub const ERROR_MAX: f64 = 1.5;

/// The smallest height of a coordinate (Serf's `HeightMin`, 10 µs).
pub const HEIGHT_MIN: f64 = 10.0e-6;

impl Coordinate {
    /// A coordinate at the origin, as a new agent starts with (Serf's `NewCoordinate` with
    /// its default configuration): [`DIMENSIONALITY`] zeros, error [`ERROR_MAX`], height
    /// [`HEIGHT_MIN`], no adjustment.
    pub fn origin() -> Self {
        Coordinate {
            vec: vec![0.0; DIMENSIONALITY],
            error: ERROR_MAX,
            adjustment: 0.0,
            height: HEIGHT_MIN,
        }
    }

    /// Whether every component is a finite number (Consul refuses others).
    pub fn is_valid(&self) -> bool {
        self.vec.iter().all(|v| v.is_finite())
            && self.error.is_finite()
            && self.adjustment.is_finite()
            && self.height.is_finite()
    }

    /// Whether the two have the same dimensionality, so a distance between them exists.
    pub fn is_compatible_with(&self, other: &Coordinate) -> bool {
        self.vec.len() == other.vec.len()
    }

    /// The estimated round-trip time to `other`, exactly as Consul computes it (Serf's
    /// `Coordinate.DistanceTo`): the Euclidean distance between the two `vec`s plus both
    /// heights, in seconds; plus both adjustments when that sum stays positive; truncated
    /// to whole nanoseconds.
    ///
    /// `None` when the dimensionalities differ (Go panics), or for coordinates Consul would
    /// not produce (non-finite values, a negative distance).
    ///
    /// ```
    /// use consul_types::coordinate::Coordinate;
    /// use std::time::Duration;
    /// let mut a = Coordinate::origin();
    /// let mut b = Coordinate::origin();
    /// (a.height, b.height) = (0.0, 0.0);
    /// a.vec[0] = 0.003;
    /// b.vec[1] = 0.004;
    /// assert_eq!(a.distance_to(&b), Some(Duration::from_millis(5)));
    /// // A negative adjustment applies only while the result stays positive.
    /// a.adjustment = -0.001;
    /// assert_eq!(a.distance_to(&b), Some(Duration::from_millis(4)));
    /// b.adjustment = -0.004;
    /// assert_eq!(a.distance_to(&b), Some(Duration::from_millis(5)));
    /// ```
    pub fn distance_to(&self, other: &Coordinate) -> Option<Duration> {
        if !self.is_compatible_with(other) {
            return None;
        }
        let squares: f64 = self
            .vec
            .iter()
            .zip(&other.vec)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        let mut dist = squares.sqrt() + self.height + other.height;
        let adjusted = dist + self.adjustment + other.adjustment;
        if adjusted > 0.0 {
            dist = adjusted;
        }
        // Go: time.Duration(dist * 1e9), a conversion that truncates toward zero.
        let nanos = dist * 1.0e9;
        if !nanos.is_finite() || nanos < 0.0 || nanos >= u64::MAX as f64 {
            return None;
        }
        Some(Duration::from_nanos(nanos as u64))
    }
}

/// A node's coordinate in one network segment (Go's `api.CoordinateEntry`): what
/// `GET /v1/coordinate/nodes` lists and `PUT /v1/coordinate/update` sends.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CoordinateEntry {
    /// The node.
    pub node: String,
    /// The network segment (Consul Enterprise; `""` is the default segment, the only one
    /// of Consul OSS).
    pub segment: String,
    /// Its coordinate.
    #[serde(deserialize_with = "null_as_default")]
    pub coord: Coordinate,
}

impl CoordinateEntry {
    /// `node`'s coordinate in the default segment.
    pub fn new(node: impl Into<String>, coord: Coordinate) -> Self {
        CoordinateEntry {
            node: node.into(),
            segment: String::new(),
            coord,
        }
    }

    /// In this network segment instead (Consul Enterprise).
    #[must_use]
    pub fn segment(mut self, segment: impl Into<String>) -> Self {
        self.segment = segment.into();
        self
    }

    /// Checks an update before sending: a node name, and a coordinate Consul accepts
    /// (finite values; Consul also refuses a dimensionality other than its own, 500
    /// `incompatible coordinate`).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] or [`ValidationError::InvalidValue`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.node.is_empty() {
            return Err(ValidationError::Empty { field: "node name" });
        }
        if self.coord.vec.is_empty() {
            return Err(ValidationError::Empty {
                field: "coordinate vector",
            });
        }
        if !self.coord.is_valid() {
            return Err(ValidationError::InvalidValue {
                field: "coordinate",
                reason: "has a value that is not a finite number".into(),
            });
        }
        Ok(())
    }
}

/// The WAN coordinates of one datacenter's servers (Go's `api.CoordinateDatacenterMap`),
/// as `GET /v1/coordinate/datacenters` lists them. Only coordinates of one area compare.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CoordinateDatacenterMap {
    /// The datacenter.
    pub datacenter: String,
    /// The network area (`wan` for the WAN pool; network areas are Consul Enterprise).
    #[serde(rename = "AreaID")]
    pub area_id: String,
    /// Its servers' coordinates, node names without the `.dc` suffix (empty until WAN
    /// gossip has measured them).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub coordinates: Vec<CoordinateEntry>,
}

/// The estimated round-trip time between two nodes, given the coordinates of each (what
/// `coordinate().node(..)` answers, one entry per segment), exactly as Consul computes it
/// to sort by `?near=`: the coordinates of the segment both are in (Consul's
/// `CoordinateSet.Intersect`: the default segment, unless one of them is in exactly one
/// segment — a client agent —, then that one), then [`Coordinate::distance_to`].
///
/// `None` when either has no coordinate in that segment (Consul sorts those last) or the
/// coordinates do not compare.
///
/// ```
/// use consul_types::coordinate::{rtt, Coordinate, CoordinateEntry};
/// let server = [
///     CoordinateEntry::new("s1", Coordinate::origin()),
///     CoordinateEntry::new("s1", Coordinate::origin()).segment("alpha"),
/// ];
/// let client = [CoordinateEntry::new("c1", Coordinate::origin()).segment("alpha")];
/// let other = [CoordinateEntry::new("c2", Coordinate::origin()).segment("beta")];
/// assert!(rtt(&server, &client).is_some());
/// assert!(rtt(&client, &other).is_none()); // no segment in common
/// assert!(rtt(&server, &[]).is_none());
/// ```
pub fn rtt(a: &[CoordinateEntry], b: &[CoordinateEntry]) -> Option<Duration> {
    let (a, b) = intersect(a, b);
    a?.distance_to(b?)
}

/// Consul's `CoordinateSet.Intersect` over two nodes' entries (a set keyed by segment, so
/// of several entries of one segment the last counts).
fn intersect<'a>(
    a: &'a [CoordinateEntry],
    b: &'a [CoordinateEntry],
) -> (Option<&'a Coordinate>, Option<&'a Coordinate>) {
    let only_segment = |set: &'a [CoordinateEntry]| {
        let first = set.first()?;
        set.iter()
            .all(|e| e.segment == first.segment)
            .then_some(first.segment.as_str())
    };
    let mut segment = "";
    if let Some(s) = only_segment(a) {
        segment = s;
    }
    if let Some(s) = only_segment(b) {
        segment = s;
    }
    let find = |set: &'a [CoordinateEntry]| {
        set.iter()
            .rev()
            .find(|e| e.segment == segment)
            .map(|e| &e.coord)
    };
    (find(a), find(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/coordinate/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Consul's `lib.GenerateCoordinate`: `rtt` from the origin along the first axis, no
    /// height.
    fn generate(rtt: Duration) -> Coordinate {
        let mut c = Coordinate::origin();
        c.vec[0] = rtt.as_secs_f64();
        c.height = 0.0;
        c
    }

    fn entry(segment: &str, rtt_ms: u64) -> CoordinateEntry {
        CoordinateEntry::new("n", generate(Duration::from_millis(rtt_ms))).segment(segment)
    }

    #[test]
    fn distances_match_consuls_own_tests() {
        // lib/rtt_test.go TestRTT_ComputeDistance.
        let ms = Duration::from_millis;
        let cases = [(0, 10, 10), (10, 10, 0), (8, 10, 2), (10, 8, 2)];
        for (a, b, want) in cases {
            assert_eq!(
                generate(ms(a)).distance_to(&generate(ms(b))),
                Some(ms(want))
            );
        }
    }

    #[test]
    fn distance_is_euclidean_plus_heights_plus_positive_adjustments() {
        let mut a = Coordinate::origin();
        let mut b = Coordinate::origin();
        a.vec = vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
        b.vec = vec![0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
        a.height = 0.01;
        b.height = 0.02;
        // sqrt(2 * (0.7² + 0.5² + 0.3² + 0.1²)) = sqrt(1.68)
        let raw = 1.68f64.sqrt() + 0.03;
        assert_eq!(
            a.distance_to(&b),
            Some(Duration::from_nanos((raw * 1e9) as u64))
        );
        assert_eq!(a.distance_to(&b), b.distance_to(&a), "symmetric");
        a.adjustment = 0.5;
        b.adjustment = -0.2;
        let adjusted = raw + 0.3;
        assert_eq!(
            a.distance_to(&b),
            Some(Duration::from_nanos((adjusted * 1e9) as u64))
        );
        // An adjustment that would make it zero or negative is ignored.
        a.adjustment = -raw - 0.5;
        b.adjustment = 0.0;
        assert_eq!(
            a.distance_to(&b),
            Some(Duration::from_nanos((raw * 1e9) as u64))
        );
        // Truncated to whole nanoseconds, as Go's conversion does.
        let (mut c, mut d) = (generate(Duration::ZERO), generate(Duration::ZERO));
        c.vec[0] = 1.9e-9;
        d.vec[0] = 0.0;
        assert_eq!(c.distance_to(&d), Some(Duration::from_nanos(1)));
    }

    #[test]
    fn incomparable_or_invalid_coordinates_have_no_distance() {
        let a = Coordinate::origin();
        let mut short = Coordinate::origin();
        short.vec.truncate(3);
        assert_eq!(a.distance_to(&short), None);
        let mut nan = Coordinate::origin();
        nan.vec[2] = f64::NAN;
        assert!(!nan.is_valid());
        assert_eq!(a.distance_to(&nan), None);
        let mut negative = Coordinate::origin();
        negative.height = -1.0;
        assert_eq!(a.distance_to(&negative), None);
        assert!(CoordinateEntry::new("n", nan).validate().is_err());
        assert!(CoordinateEntry::new("", a.clone()).validate().is_err());
        assert!(CoordinateEntry::new("n", Coordinate::default())
            .validate()
            .is_err());
        assert!(CoordinateEntry::new("n", a).validate().is_ok());
    }

    #[test]
    fn segments_intersect_as_consul_does() {
        // lib/rtt_test.go TestRTT_Intersect: which coordinate of each set is compared.
        let server1 = [entry("", 1), entry("alpha", 2), entry("beta", 3)];
        let server2 = [entry("", 4), entry("alpha", 5), entry("beta", 6)];
        let client_alpha = [entry("alpha", 7)];
        let client_beta1 = [entry("beta", 8)];
        let client_beta2 = [entry("beta", 9)];
        fn c(set: &[CoordinateEntry], i: usize) -> Option<&Coordinate> {
            Some(&set[i].coord)
        }
        let cases: [(&[CoordinateEntry], &[CoordinateEntry], _, _); 9] = [
            (&[], &[], None, None),
            (&server1, &server2, c(&server1, 0), c(&server2, 0)),
            (
                &client_beta1,
                &client_beta2,
                c(&client_beta1, 0),
                c(&client_beta2, 0),
            ),
            (&server1, &client_alpha, c(&server1, 1), c(&client_alpha, 0)),
            (&server1, &client_beta1, c(&server1, 2), c(&client_beta1, 0)),
            (&client_alpha, &server1, c(&client_alpha, 0), c(&server1, 1)),
            (&client_beta1, &server1, c(&client_beta1, 0), c(&server1, 2)),
            (&client_alpha, &client_beta1, None, c(&client_beta1, 0)),
            (&client_beta1, &client_alpha, None, c(&client_alpha, 0)),
        ];
        for (i, (a, b, want_a, want_b)) in cases.into_iter().enumerate() {
            let (got_a, got_b) = intersect(a, b);
            assert!(
                got_a.map(std::ptr::from_ref) == want_a.map(std::ptr::from_ref)
                    && got_b.map(std::ptr::from_ref) == want_b.map(std::ptr::from_ref),
                "case {i}"
            );
            let want = want_a.zip(want_b).and_then(|(a, b)| a.distance_to(b));
            assert_eq!(rtt(a, b), want, "case {i}");
        }
        assert_eq!(rtt(&server1, &client_alpha), Some(Duration::from_millis(5)));
        assert_eq!(rtt(&client_alpha, &client_beta1), None);
    }

    #[test]
    fn answers_of_a_real_agent_decode() {
        let nodes: Vec<CoordinateEntry> = serde_json::from_str(&fixture("nodes.json")).unwrap();
        let names: Vec<_> = nodes.iter().map(|e| e.node.as_str()).collect();
        assert_eq!(names, ["ext-1", "fixture-node"]);
        assert_eq!(nodes[0].coord.vec.len(), DIMENSIONALITY);
        assert_eq!(nodes[0].coord.vec[0], 0.001);
        assert_eq!(nodes[0].coord.height, 0.0001);
        assert_eq!(
            nodes[1].coord,
            Coordinate::origin(),
            "a lone agent stays put"
        );
        // 1 ms along one axis, plus both heights (100 µs and 10 µs).
        assert_eq!(
            rtt(&nodes[..1], &nodes[1..]),
            Some(Duration::from_micros(1110))
        );

        let node: Vec<CoordinateEntry> = serde_json::from_str(&fixture("node.json")).unwrap();
        assert_eq!(node, nodes[..1]);

        let dcs: Vec<CoordinateDatacenterMap> =
            serde_json::from_str(&fixture("datacenters.json")).unwrap();
        assert_eq!(dcs.len(), 1);
        assert_eq!(dcs[0].datacenter, "dc1");
        assert_eq!(dcs[0].area_id, "wan");
        assert_eq!(dcs[0].coordinates[0].node, "fixture-node");
        assert_eq!(dcs[0].coordinates[0].segment, "");
    }

    #[test]
    fn an_update_sends_every_field() {
        let e = CoordinateEntry::new("n1", Coordinate::origin());
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "Node": "n1", "Segment": "",
                "Coord": {"Vec": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], "Error": 1.5, "Adjustment": 0.0, "Height": 0.00001}
            })
        );
    }
}
