//! Closed sets of words stored as TEXT. With the `sqlx` feature (the store
//! turns it on), [`stored_as_text!`] makes an enum an sqlx type on SQLite and
//! PostgreSQL through its snake_case name: it is written as that name and
//! read back by parsing it, so a value the enum does not know is a decode
//! error, never a default. Without the feature it expands to nothing and the
//! crate stays free of any database dependency.

#[cfg(feature = "sqlx")]
#[doc(hidden)]
pub use sqlx as __sqlx;

/// `stored_as_text!(Type, parse)`: `Type` has `as_str(self) -> &'static str`
/// and `parse(&str) -> Option<Type>` is its inverse.
#[cfg(feature = "sqlx")]
#[macro_export]
macro_rules! stored_as_text {
    ($ty:ty, $parse:expr) => {
        impl $crate::text::__sqlx::Type<$crate::text::__sqlx::Sqlite> for $ty {
            fn type_info() -> $crate::text::__sqlx::sqlite::SqliteTypeInfo {
                <str as $crate::text::__sqlx::Type<$crate::text::__sqlx::Sqlite>>::type_info()
            }

            fn compatible(ty: &$crate::text::__sqlx::sqlite::SqliteTypeInfo) -> bool {
                <str as $crate::text::__sqlx::Type<$crate::text::__sqlx::Sqlite>>::compatible(ty)
            }
        }

        impl<'q> $crate::text::__sqlx::Encode<'q, $crate::text::__sqlx::Sqlite> for $ty {
            fn encode_by_ref(
                &self,
                args: &mut Vec<$crate::text::__sqlx::sqlite::SqliteArgumentValue<'q>>,
            ) -> Result<
                $crate::text::__sqlx::encode::IsNull,
                $crate::text::__sqlx::error::BoxDynError,
            > {
                <&str as $crate::text::__sqlx::Encode<'q, $crate::text::__sqlx::Sqlite>>::encode(
                    self.as_str(),
                    args,
                )
            }
        }

        impl<'r> $crate::text::__sqlx::Decode<'r, $crate::text::__sqlx::Sqlite> for $ty {
            fn decode(
                value: $crate::text::__sqlx::sqlite::SqliteValueRef<'r>,
            ) -> Result<Self, $crate::text::__sqlx::error::BoxDynError> {
                let text = <&str as $crate::text::__sqlx::Decode<
                    'r,
                    $crate::text::__sqlx::Sqlite,
                >>::decode(value)?;
                $crate::text::parsed(text, stringify!($ty), $parse)
            }
        }

        impl $crate::text::__sqlx::Type<$crate::text::__sqlx::Postgres> for $ty {
            fn type_info() -> $crate::text::__sqlx::postgres::PgTypeInfo {
                <str as $crate::text::__sqlx::Type<$crate::text::__sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &$crate::text::__sqlx::postgres::PgTypeInfo) -> bool {
                <str as $crate::text::__sqlx::Type<$crate::text::__sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'q> $crate::text::__sqlx::Encode<'q, $crate::text::__sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut $crate::text::__sqlx::postgres::PgArgumentBuffer,
            ) -> Result<
                $crate::text::__sqlx::encode::IsNull,
                $crate::text::__sqlx::error::BoxDynError,
            > {
                <&str as $crate::text::__sqlx::Encode<'q, $crate::text::__sqlx::Postgres>>::encode(
                    self.as_str(),
                    buf,
                )
            }
        }

        impl<'r> $crate::text::__sqlx::Decode<'r, $crate::text::__sqlx::Postgres> for $ty {
            fn decode(
                value: $crate::text::__sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, $crate::text::__sqlx::error::BoxDynError> {
                let text = <&str as $crate::text::__sqlx::Decode<
                    'r,
                    $crate::text::__sqlx::Postgres,
                >>::decode(value)?;
                $crate::text::parsed(text, stringify!($ty), $parse)
            }
        }

        impl $crate::text::__sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> $crate::text::__sqlx::postgres::PgTypeInfo {
                <&str as $crate::text::__sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }
    };
}

/// Without the `sqlx` feature there is nothing to implement.
#[cfg(not(feature = "sqlx"))]
#[macro_export]
macro_rules! stored_as_text {
    ($ty:ty, $parse:expr) => {};
}

/// The value a stored name stands for, or an error naming the type and the
/// name: a row holding a word the product does not know is damaged data.
#[cfg(feature = "sqlx")]
#[doc(hidden)]
pub fn parsed<T>(
    text: &str,
    type_name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, sqlx::error::BoxDynError> {
    parse(text).ok_or_else(|| format!("{text:?} is not a known {type_name}").into())
}
