//! Prepared queries (`/v1/query`).
