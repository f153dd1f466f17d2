//! What every endpoint family's handle is: a cheap clone of the client, made by a method of
//! [`Client`](crate::Client) named after the family, re-scoped to another datacenter by
//! `dc()`. Written once here for every family.

/// Declares a family handle `$name`, the `Client::$method()` that makes it, and its `dc()`.
///
/// The handle's private helpers that make a request of a call are `read` and `write`; a
/// family whose own endpoint methods take those names (Go's `Read`) names them after `as`:
/// `family! { …, Peerings, peerings, "…" as read_call, write_call }`.
#[allow(unused_macros)]
macro_rules! family {
    ($(#[$doc:meta])* $name:ident, $method:ident, $what:literal) => {
        family! { $(#[$doc])* $name, $method, $what as read, write }
    };
    ($(#[$doc:meta])* $name:ident, $method:ident, $what:literal as $read:ident, $write:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            client: $crate::Client,
        }

        impl $crate::Client {
            #[doc = concat!("The ", $what, " ([`", stringify!($name), "`](struct@", stringify!($name), ")).")]
            pub fn $method(&self) -> $name {
                $name {
                    client: self.clone(),
                }
            }
        }

        impl $name {
            #[doc = concat!("The ", $what, " of datacenter `name` (aioconsul's `dc(\"dc2\")`).")]
            ///
            /// Calls the local agent answers ignore it; an empty name is refused when a
            /// call is made.
            #[must_use]
            pub fn dc(&self, name: &str) -> $name {
                $name {
                    client: self.client.dc(name),
                }
            }

            /// The datacenter this handle is scoped to, if any (aioconsul's `endpoint.dc`).
            pub fn datacenter(&self) -> Option<&str> {
                self.client.datacenter()
            }

            /// The client this handle calls through.
            pub fn client(&self) -> &$crate::Client {
                &self.client
            }

            #[allow(dead_code)]
            fn $read<C: $crate::call::Call>(&self, call: C) -> $crate::call::ReadRequest<C> {
                $crate::call::ReadRequest::new(self.client.clone(), call)
            }

            #[allow(dead_code)]
            fn $write<C: $crate::call::Call>(&self, call: C) -> $crate::call::WriteRequest<C> {
                $crate::call::WriteRequest::new(self.client.clone(), call)
            }
        }
    };
}
