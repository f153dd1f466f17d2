//! Typed configuration read from KV that follows changes (issue 12, part 3: in progress).
