//! Network coordinates: models and the round-trip estimate.
