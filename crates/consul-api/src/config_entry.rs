//! Configuration entries (`/v1/config`) and the compiled discovery chain (`/v1/discovery-chain`).
