//! Models and rules of the `session` endpoint family.
