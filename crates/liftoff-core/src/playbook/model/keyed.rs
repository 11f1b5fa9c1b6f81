//! Structs whose fields are playbook keys, with the list of those keys taken
//! from the fields themselves: what a kind accepts is what its type holds.

/// The playbook keys a typed part holds, in the order they are declared.
pub trait Keys {
    fn keys() -> Vec<&'static str>;
}

/// Declares a struct and its `Keys`. Parts in brackets after the name are
/// fields that hold another keyed struct (their keys come first); every
/// other field is one key of the same name.
macro_rules! keyed {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $([ $($(#[$pmeta:meta])* $part:ident : $pty:ty),* $(,)? ])? {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($( $(#[$pmeta])* pub $part: $pty, )*)?
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::playbook::model::Keys for $name {
            fn keys() -> Vec<&'static str> {
                let parts: Vec<Vec<&'static str>> = vec![
                    $($( <$pty as $crate::playbook::model::Keys>::keys(), )*)?
                    vec![$( stringify!($field) ),*],
                ];
                parts.concat()
            }
        }
    };
}

pub(crate) use keyed;
