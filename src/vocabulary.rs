//! Words with a fixed set of values (a status, a kind) as types: one declaration gives the
//! enum, its stored spelling, its parse and its name in each language, so no door re-types the
//! list and no member reads `qa_escrow`.

/// Declares a vocabulary: `Variant = ("stored", "ftl-key")`. The enum gets `ALL`, `as_str`
/// (the stored and custom-id spelling), `parse` and `label(locale)`, and binds to and reads
/// from a SQLite text column as its stored word (a word it does not know fails the read).
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($text:literal, $key:literal) ),+ $(,)?
        }
    ) => {
        $crate::stored_words! {
            $(#[$meta])*
            $vis enum $name {
                $( $(#[$vmeta])* $variant = $text ),+
            }
        }

        impl $name {
            /// Its name in `locale`.
            pub fn label(self, locale: $crate::i18n::Locale) -> String {
                match self {
                    $( $name::$variant => $crate::t!(locale, $key) ),+
                }
            }
        }
    };
}

/// A vocabulary of stored words that members never read (no label): `Variant = "stored"`.
#[macro_export]
macro_rules! stored_words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$( $name::$variant ),+];

            /// As stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            /// The value stored as `text`, if it is one.
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        $crate::stored_words!(@sql $name);
    };
    (@sql $name:ident) => {
        impl sqlx::Type<sqlx::Sqlite> for $name {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <&str as sqlx::Type<sqlx::Sqlite>>::type_info()
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Sqlite> for $name {
            fn encode_by_ref(
                &self,
                args: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Sqlite>>::encode(self.as_str(), args)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Sqlite> for $name {
            fn decode(
                value: sqlx::sqlite::SqliteValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<'r, sqlx::Sqlite>>::decode(value)?;
                Self::parse(text)
                    .ok_or_else(|| format!("not a {}: `{text}`", stringify!($name)).into())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::i18n::Locale;

    crate::vocabulary! {
        /// A test vocabulary over keys that exist.
        enum Sample {
            Pending = ("pending", "outbox-status-pending"),
            Failed = ("failed", "outbox-status-failed"),
        }
    }

    #[test]
    fn a_vocabulary_round_trips_and_names_itself_in_both_languages() {
        for v in Sample::ALL {
            assert_eq!(Sample::parse(v.as_str()), Some(*v));
            for locale in [Locale::En, Locale::ZhCn] {
                let label = v.label(locale);
                assert!(
                    !label.is_empty() && !label.contains("outbox-status"),
                    "{label}"
                );
            }
        }
        assert_eq!(Sample::parse("nope"), None);
        assert_ne!(
            Sample::Pending.label(Locale::En),
            Sample::Pending.label(Locale::ZhCn)
        );
    }
}
