//! Cluster operations (`/v1/operator`).
