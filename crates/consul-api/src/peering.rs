//! Cluster peering (`/v1/peering`, Consul 1.13+) and the services peers exchange.
