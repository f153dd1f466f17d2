//! Admin partitions (Consul Enterprise).
