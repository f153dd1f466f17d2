//! Keeping a service registered while it is healthy (issue 12, part 1: in progress).
