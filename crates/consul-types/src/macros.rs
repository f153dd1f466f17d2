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

/// Declares a string enum as Consul spells its values, with a catch-all that keeps a value
/// this version does not know (`Other`), so reading and writing back loses nothing. A first
/// variant marked `default` is the `Default` (and may list other spellings read as it).
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident {
        $(#[$ddoc:meta])* default $default:ident = $dtext:literal $(| $dalias:literal)*,
        $($(#[$vdoc:meta])* $variant:ident = $text:literal,)*
    }) => {
        text_enum!(@type $(#[$doc])* #[derive(Default)] $name {
            $(#[$ddoc])* #[default] $default = $dtext $(| $dalias)*,
            $($(#[$vdoc])* $variant = $text,)*
        });
    };
    ($(#[$doc:meta])* $name:ident {
        $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+
    }) => {
        text_enum!(@type $(#[$doc])* $name { $($(#[$vdoc])* $variant = $text,)+ });
    };
    (@type $(#[$doc:meta])* $name:ident {
        $($(#[$vdoc:meta])* $variant:ident = $text:literal $(| $alias:literal)*,)+
    }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version does not know, kept as Consul spelled it.
            Other(String),
        }

        impl $name {
            /// The value as Consul spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl $name {
            /// The variant Consul's spelling names, if this version knows it.
            fn known(s: &str) -> Option<Self> {
                match s {
                    $($text $(| $alias)* => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::known(&s).unwrap_or($name::Other(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::known(s).unwrap_or_else(|| $name::Other(s.to_owned()))
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                $name::from(s.as_str())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> Self {
                match v {
                    $name::Other(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        // By hand rather than `from = "String"`: a known value (nearly all of them) is
        // matched on the borrowed text, without allocating a string per field.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct TextVisitor;
                impl serde::de::Visitor<'_> for TextVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                d.deserialize_str(TextVisitor)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
