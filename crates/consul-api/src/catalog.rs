//! The `catalog` endpoint family. (To be implemented.)
