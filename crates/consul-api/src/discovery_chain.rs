//! The compiled discovery chain of a service (`/v1/discovery-chain`).
