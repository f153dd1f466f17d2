//! Distributed locks on a KV key, built on sessions. (To be implemented.)
