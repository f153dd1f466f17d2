//! Configuration entries: every kind, typed, and the discovery chain.
