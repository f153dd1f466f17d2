//! Models and rules of the `agent` endpoint family.
