//! Models and rules of the `health` endpoint family.
