//! The healthy instances of a service, kept current by a blocking health watch (issue 12, part 2: in progress).
