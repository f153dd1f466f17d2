//! Admin partitions (`/v1/partition`, Consul Enterprise).
