//! The agent's Go profiles (`/debug/pprof`).
