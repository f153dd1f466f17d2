//! Cluster operations: Raft, autopilot and keyring models.
