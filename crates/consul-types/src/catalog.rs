//! Models and rules of the `catalog` endpoint family.
