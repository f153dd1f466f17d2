//! Namespaces (Consul Enterprise).
