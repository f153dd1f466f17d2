//! The `session` endpoint family. (To be implemented.)
