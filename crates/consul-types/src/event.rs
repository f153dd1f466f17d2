//! Models and rules of the `event` endpoint family.
