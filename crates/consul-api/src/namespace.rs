//! Namespaces (`/v1/namespace`, Consul Enterprise).
