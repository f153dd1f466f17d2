//! Network coordinates (`/v1/coordinate`).
