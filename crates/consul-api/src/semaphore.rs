//! Distributed semaphores on a KV prefix, built on sessions. (To be implemented.)
