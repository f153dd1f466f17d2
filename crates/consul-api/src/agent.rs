//! The `agent` endpoint family. (To be implemented.)
