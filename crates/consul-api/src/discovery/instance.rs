//! One healthy instance, its key, and the set of them a resolver publishes.

use consul_types::health::ServiceEntry;
use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// What identifies an instance across answers: its datacenter, node and service id.
///
/// The service id is only unique on its node, and node names only within their
/// datacenter, so all three are needed. It orders (and hashes) cheaply, which is what a
/// load balancer keys its endpoints by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceKey {
    /// The datacenter of the instance's node.
    pub datacenter: String,
    /// The node name.
    pub node: String,
    /// The service instance id.
    pub service_id: String,
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.datacenter, self.node, self.service_id)
    }
}

/// One passing instance of a service, as the resolver last read it.
///
/// `address` is already resolved: the service's own address, or its node's when the
/// service registered none (as Consul's DNS interface answers).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Instance {
    /// Its stable key.
    pub key: InstanceKey,
    /// The address to connect to: the service's, else its node's.
    pub address: String,
    /// The port.
    pub port: u16,
    /// The service's tags.
    pub tags: Vec<String>,
    /// The service's metadata.
    pub meta: BTreeMap<String, String>,
    /// Everything Consul answered for it: node (with its metadata), service, checks
    /// (shared: snapshots and changes clone it often).
    pub entry: Arc<ServiceEntry>,
}

impl Instance {
    /// The instance of a health answer; `datacenter` names it when the node does not
    /// (old agents leave `Node.Datacenter` empty).
    pub(crate) fn from_entry(entry: ServiceEntry, datacenter: &str) -> Instance {
        let dc = if entry.node.datacenter.is_empty() {
            datacenter.to_owned()
        } else {
            entry.node.datacenter.clone()
        };
        let address = if entry.service.address.is_empty() {
            entry.node.address.clone()
        } else {
            entry.service.address.clone()
        };
        Instance {
            key: InstanceKey {
                datacenter: dc,
                node: entry.node.node.clone(),
                service_id: entry.service.id.clone(),
            },
            address,
            port: entry.service.port,
            tags: entry.service.tags.clone(),
            meta: entry.service.meta.clone(),
            entry: Arc::new(entry),
        }
    }

    /// `host:port` for a URI or a connection, with an IPv6 address in brackets.
    ///
    /// ```
    /// # fn demo(instance: &consul_api::discovery::Instance) {
    /// let uri = format!("http://{}/health", instance.authority());
    /// # }
    /// ```
    pub fn authority(&self) -> String {
        match self.address.parse::<IpAddr>() {
            Ok(IpAddr::V6(ip)) => format!("[{ip}]:{}", self.port),
            _ => format!("{}:{}", self.address, self.port),
        }
    }

    /// The socket address, when the address is an IP address (`None` for a host name,
    /// which the caller resolves).
    ///
    /// ```
    /// # fn demo(instance: &consul_api::discovery::Instance) {
    /// if let Some(addr) = instance.socket_addr() {
    ///     println!("connect to {addr}");
    /// }
    /// # }
    /// ```
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        let ip = self.address.parse::<IpAddr>().ok()?;
        Some(SocketAddr::new(ip, self.port))
    }

    /// Whether a client would see `other` as this same endpoint: same address, port, tags
    /// and metadata. Check outputs and Raft indexes do not count.
    pub(crate) fn same_endpoint(&self, other: &Instance) -> bool {
        self.address == other.address
            && self.port == other.port
            && self.tags == other.tags
            && self.meta == other.meta
    }
}

/// The passing instances of a service at one moment: a snapshot, cheap to clone (one
/// `Arc`), never changed in place.
///
/// Instances keep Consul's order: nearest first with
/// [`ResolverBuilder::near`](super::ResolverBuilder::near), else by node name.
///
/// ```no_run
/// # fn demo(resolver: &consul_api::discovery::Resolver) {
/// let now = resolver.snapshot();
/// if !now.is_resolved() {
///     println!("nothing known yet");
/// }
/// println!("{} passing in {:?} (index {})", now.len(), now.datacenter(), now.index());
/// for instance in &now {
///     assert_eq!(now.get(&instance.key), Some(instance));
///     println!("{} {:?} {:?}", instance.authority(), instance.tags, instance.meta);
/// }
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Instances {
    inner: Arc<Set>,
}

#[derive(Debug, Default)]
struct Set {
    /// In Consul's order.
    list: Vec<Instance>,
    /// Positions in `list`.
    by_key: BTreeMap<InstanceKey, usize>,
    datacenter: Option<String>,
    resolved: bool,
    index: u64,
}

impl PartialEq for Instances {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || (self.inner.list == other.inner.list
                && self.inner.datacenter == other.inner.datacenter
                && self.inner.resolved == other.inner.resolved)
    }
}

impl Instances {
    /// The set of one answer from `datacenter` (`None`: the agent's own).
    pub(crate) fn from_answer(
        entries: Vec<ServiceEntry>,
        datacenter: Option<&str>,
        index: u64,
    ) -> Instances {
        let mut list: Vec<Instance> = entries
            .into_iter()
            .map(|e| Instance::from_entry(e, datacenter.unwrap_or_default()))
            .collect();
        let mut by_key = BTreeMap::new();
        // Consul lists an instance once; should an answer repeat a key, the first stays.
        let mut k = 0;
        list.retain(|i| {
            let fresh = !by_key.contains_key(&i.key);
            if fresh {
                by_key.insert(i.key.clone(), k);
                k += 1;
            }
            fresh
        });
        Instances {
            inner: Arc::new(Set {
                list,
                by_key,
                datacenter: datacenter.map(str::to_owned),
                resolved: true,
                index,
            }),
        }
    }

    /// An empty set that is known to be empty (no datacenter has a passing instance).
    pub(crate) fn resolved_empty() -> Instances {
        Instances {
            inner: Arc::new(Set {
                resolved: true,
                ..Set::default()
            }),
        }
    }

    /// The instances, in Consul's order (nearest first with `near`).
    pub fn iter(&self) -> std::slice::Iter<'_, Instance> {
        self.inner.list.iter()
    }

    /// The instance with this key.
    pub fn get(&self, key: &InstanceKey) -> Option<&Instance> {
        let at = *self.inner.by_key.get(key)?;
        self.inner.list.get(at)
    }

    /// The instance with this service id (on any node), for tests and logs.
    pub fn by_service_id(&self, service_id: &str) -> Option<&Instance> {
        self.iter().find(|i| i.key.service_id == service_id)
    }

    /// How many instances pass.
    pub fn len(&self) -> usize {
        self.inner.list.len()
    }

    /// Whether none passes (or nothing is known yet: see [`Instances::is_resolved`]).
    pub fn is_empty(&self) -> bool {
        self.inner.list.is_empty()
    }

    /// The datacenter of the fallback list these instances come from; `None` without a
    /// list (the agent's own datacenter), or when no datacenter has any.
    pub fn datacenter(&self) -> Option<&str> {
        self.inner.datacenter.as_deref()
    }

    /// Whether the resolver has decided on a set yet (false only before the first
    /// answers: then the set is empty because nothing is known).
    pub fn is_resolved(&self) -> bool {
        self.inner.resolved
    }

    /// The Raft index of the answer the set comes from (0 before the first one, or when
    /// no datacenter has any instance).
    pub fn index(&self) -> u64 {
        self.inner.index
    }

    #[cfg(test)]
    pub(crate) fn to_map(&self) -> BTreeMap<InstanceKey, Instance> {
        self.iter().map(|i| (i.key.clone(), i.clone())).collect()
    }
}

impl<'a> IntoIterator for &'a Instances {
    type Item = &'a Instance;
    type IntoIter = std::slice::Iter<'a, Instance>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn entry(node: &str, id: &str, address: &str, port: u16) -> ServiceEntry {
        let mut e = ServiceEntry::default();
        e.node.node = node.into();
        e.node.address = "10.0.0.1".into();
        e.node.datacenter = "dc1".into();
        e.service.id = id.into();
        e.service.service = "web".into();
        e.service.address = address.into();
        e.service.port = port;
        e
    }

    #[test]
    fn address_falls_back_to_the_node_and_authority_brackets_ipv6() {
        let i = Instance::from_entry(entry("n1", "web-1", "", 80), "dc9");
        assert_eq!(i.address, "10.0.0.1");
        assert_eq!(i.authority(), "10.0.0.1:80");
        assert_eq!(i.key.datacenter, "dc1", "the node's datacenter wins");
        let v6 = Instance::from_entry(entry("n1", "web-1", "::1", 81), "dc1");
        assert_eq!(v6.authority(), "[::1]:81");
        assert_eq!(v6.socket_addr(), Some("[::1]:81".parse().unwrap()));
        let named = Instance::from_entry(entry("n1", "web-1", "web.internal", 82), "dc1");
        assert_eq!(named.authority(), "web.internal:82");
        assert_eq!(named.socket_addr(), None);
    }

    #[test]
    fn a_node_without_datacenter_takes_the_requested_one() {
        let mut e = entry("n1", "web-1", "", 80);
        e.node.datacenter.clear();
        assert_eq!(Instance::from_entry(e, "dc2").key.datacenter, "dc2");
    }

    #[test]
    fn a_set_keeps_consuls_order_and_finds_by_key() {
        let set = Instances::from_answer(
            vec![
                entry("n9", "near", "", 1),
                entry("n1", "far", "", 2),
                entry("n9", "near", "", 3),
            ],
            Some("dc1"),
            7,
        );
        let order: Vec<_> = set.iter().map(|i| i.port).collect();
        assert_eq!(order, [1, 2], "answer order kept, a repeated key once");
        let far = set.by_service_id("far").unwrap();
        assert_eq!(set.get(&far.key).map(|i| i.port), Some(2));
        assert_eq!(
            (set.len(), set.index(), set.datacenter()),
            (2, 7, Some("dc1"))
        );
    }

    #[test]
    fn same_endpoint_ignores_checks() {
        let a = Instance::from_entry(entry("n1", "web-1", "", 80), "dc1");
        let mut e = entry("n1", "web-1", "", 80);
        e.checks.push(Default::default());
        e.service.modify_index = 99;
        assert!(a.same_endpoint(&Instance::from_entry(e, "dc1")));
        let mut e = entry("n1", "web-1", "", 80);
        e.service.tags.push("v2".into());
        assert!(!a.same_endpoint(&Instance::from_entry(e, "dc1")));
    }
}
