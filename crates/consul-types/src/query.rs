//! Prepared queries: definitions and results.
