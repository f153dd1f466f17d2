//! The `health` endpoint family. (To be implemented.)
