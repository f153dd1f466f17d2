//! Cluster peering (Consul 1.13+).
