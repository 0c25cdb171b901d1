//! A calendar date as the lists read it. sqlx reads a date stored in
//! SQLite by parsing its text against a strftime pattern (`%F`), a
//! fiftieth of a page of the EPA list for its two dates a row; the product
//! stores every date as `YYYY-MM-DD`, which is read here directly, and
//! anything else is read as sqlx would read it (ADR 0162). PostgreSQL's dates arrive as
//! numbers and are sqlx's to read.

use chrono::NaiveDate;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Postgres, Sqlite, Type};

/// A date read from a column of dates.
pub(crate) struct Day(pub(crate) NaiveDate);

/// `YYYY-MM-DD`, as sqlx writes a date into SQLite; `None` for any other
/// text, which `%F` reads or refuses.
fn iso(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0_u32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

impl Type<Sqlite> for Day {
    fn type_info() -> SqliteTypeInfo {
        <NaiveDate as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <NaiveDate as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for Day {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Day(parse(text)?))
    }
}

/// A date stored in SQLite, as sqlx reads it: `YYYY-MM-DD` directly, and
/// anything else by sqlx's own pattern, with its error for what is no date.
pub(crate) fn parse(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    match iso(text) {
        Some(day) => Ok(day),
        None => NaiveDate::parse_from_str(text, "%F"),
    }
}

impl Type<Postgres> for Day {
    fn type_info() -> PgTypeInfo {
        <NaiveDate as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <NaiveDate as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for Day {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Day(<NaiveDate as Decode<Postgres>>::decode(value)?))
    }
}

#[cfg(test)]
mod tests {
    use super::iso;
    use chrono::NaiveDate;

    #[test]
    fn a_stored_date_reads_as_chrono_reads_it() {
        for text in ["2026-11-27", "2000-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(
                iso(text),
                NaiveDate::parse_from_str(text, "%F").ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn anything_else_is_left_to_the_pattern() {
        for text in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "2026/11/27",
            "20261127xx",
            "2026-11-2a",
            "",
        ] {
            assert_eq!(iso(text), None, "{text}");
        }
    }
}
