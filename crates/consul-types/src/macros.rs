//! Internal macros.

/// Consuming setters named after the field (`opts.datacenter("dc2")`), each with its doc.
macro_rules! setters {
    ($ty:ident { $($(#[$doc:meta])* $name:ident: $arg:ty => $conv:expr;)* }) => {
        impl $ty {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $name(mut self, value: $arg) -> Self {
                    #[allow(clippy::redundant_closure_call)]
                    {
                        self.$name = ($conv)(value);
                    }
                    self
                }
            )*
        }
    };
}
