//! The `event` endpoint family. (To be implemented.)
