//! A row's columns read by position, whichever driver read the row: sqlx
//! (PostgreSQL, and SQLite's other statements) or rusqlite (the reads
//! SQLite serves on the request's own thread, ADR 0171, and the writes'
//! statements run there, ADR 0176). The list's rows, the kept deadlines,
//! the gate's row, the history's, the organisations', the sittings', the
//! bookings', the judgements' and the apprentices' decode themselves
//! once, from [`Columns`], for every driver; the EPA's
//! row, read by many statements, keeps sqlx's reading by name beside its
//! reading by position, which `tests/store/direct_reads.rs` holds to it.
//! Each value is read as sqlx reads what sqlx wrote: an ID as its sixteen
//! bytes, a date as `YYYY-MM-DD`, an instant as RFC 3339.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rusqlite::types::ValueRef;
use sqlx::Row;
use sqlx::error::BoxDynError;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::day::{self, Day};

/// The columns of one row, by position from 0.
pub(crate) trait Columns {
    fn id(&self, i: usize) -> Result<Uuid, sqlx::Error>;
    fn opt_id(&self, i: usize) -> Result<Option<Uuid>, sqlx::Error>;
    fn text(&self, i: usize) -> Result<String, sqlx::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error>;
    fn int(&self, i: usize) -> Result<i64, sqlx::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error>;
    fn flag(&self, i: usize) -> Result<bool, sqlx::Error>;
    fn opt_flag(&self, i: usize) -> Result<Option<bool>, sqlx::Error>;
    fn day(&self, i: usize) -> Result<NaiveDate, sqlx::Error>;
    fn opt_day(&self, i: usize) -> Result<Option<NaiveDate>, sqlx::Error>;
    fn instant(&self, i: usize) -> Result<DateTime<Utc>, sqlx::Error>;
    fn opt_instant(&self, i: usize) -> Result<Option<DateTime<Utc>>, sqlx::Error>;
    /// A time of day (a booking's start).
    fn time_of_day(&self, i: usize) -> Result<NaiveTime, sqlx::Error>;

    /// A whole number that fits an `i32` (a position, an attempt).
    fn small(&self, i: usize) -> Result<i32, sqlx::Error> {
        self.opt_small(i)?
            .ok_or_else(|| decoded(i, "a number is missing"))
    }

    fn opt_small(&self, i: usize) -> Result<Option<i32>, sqlx::Error>;

    /// A stored name of one of the product's closed sets (a stage, a
    /// grade): a name it does not know is damaged data, never a default.
    fn named<T>(&self, i: usize, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
        let text = self.text(i)?;
        parse(&text).ok_or_else(|| unknown::<T>(i, &text))
    }

    fn opt_named<T>(
        &self,
        i: usize,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, sqlx::Error> {
        match self.opt_text(i)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).ok_or_else(|| unknown::<T>(i, &text)),
        }
    }
}

/// A stored name outside its set, named with the set (`"archived" is not
/// a known Stage`), as sqlx's reading of the domain's enums says it.
fn unknown<T>(i: usize, text: &str) -> sqlx::Error {
    let set = std::any::type_name::<T>();
    let set = set.rsplit("::").next().unwrap_or(set);
    decoded(i, format!("{text:?} is not a known {set}"))
}

/// sqlx's `FromRow` for a row type read by position (its
/// `read(&impl Columns)`), on both databases: one reading whichever
/// driver runs the statement.
macro_rules! read_by_position {
    ($($ty:ty),+) => {$(
        impl sqlx::FromRow<'_, sqlx::sqlite::SqliteRow> for $ty {
            fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
                <$ty>::read(row)
            }
        }

        impl sqlx::FromRow<'_, sqlx::postgres::PgRow> for $ty {
            fn from_row(row: &sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
                <$ty>::read(row)
            }
        }
    )+};
}

pub(crate) use read_by_position;

/// The error sqlx gives for a column it cannot decode, which the store
/// reports as damaged data ([`crate::StoreError::Corrupt`]).
fn decoded(i: usize, source: impl Into<BoxDynError>) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: i.to_string(),
        source: source.into(),
    }
}

/// sqlx's rows: each column through sqlx's own decoding.
macro_rules! sqlx_columns {
    ($row:ty) => {
        impl Columns for $row {
            fn id(&self, i: usize) -> Result<Uuid, sqlx::Error> {
                self.try_get(i)
            }
            fn opt_id(&self, i: usize) -> Result<Option<Uuid>, sqlx::Error> {
                self.try_get(i)
            }
            fn text(&self, i: usize) -> Result<String, sqlx::Error> {
                self.try_get(i)
            }
            fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error> {
                self.try_get(i)
            }
            fn int(&self, i: usize) -> Result<i64, sqlx::Error> {
                // PostgreSQL's INTEGER columns are four bytes, SQLite's any.
                match self.try_get::<i64, _>(i) {
                    Ok(n) => Ok(n),
                    Err(_) => self.try_get::<i32, _>(i).map(i64::from),
                }
            }
            fn opt_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error> {
                match self.try_get::<Option<i64>, _>(i) {
                    Ok(n) => Ok(n),
                    Err(_) => Ok(self.try_get::<Option<i32>, _>(i)?.map(i64::from)),
                }
            }
            fn small(&self, i: usize) -> Result<i32, sqlx::Error> {
                self.try_get(i)
            }
            fn opt_small(&self, i: usize) -> Result<Option<i32>, sqlx::Error> {
                self.try_get(i)
            }
            fn flag(&self, i: usize) -> Result<bool, sqlx::Error> {
                self.try_get(i)
            }
            fn opt_flag(&self, i: usize) -> Result<Option<bool>, sqlx::Error> {
                self.try_get(i)
            }
            fn day(&self, i: usize) -> Result<NaiveDate, sqlx::Error> {
                self.try_get::<Day, _>(i).map(|day| day.0)
            }
            fn opt_day(&self, i: usize) -> Result<Option<NaiveDate>, sqlx::Error> {
                Ok(self.try_get::<Option<Day>, _>(i)?.map(|day| day.0))
            }
            fn instant(&self, i: usize) -> Result<DateTime<Utc>, sqlx::Error> {
                self.try_get(i)
            }
            fn opt_instant(&self, i: usize) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
                self.try_get(i)
            }
            fn time_of_day(&self, i: usize) -> Result<NaiveTime, sqlx::Error> {
                self.try_get(i)
            }
        }
    };
}

sqlx_columns!(SqliteRow);
sqlx_columns!(PgRow);

impl Columns for rusqlite::Row<'_> {
    fn id(&self, i: usize) -> Result<Uuid, sqlx::Error> {
        self.opt_id(i)?
            .ok_or_else(|| decoded(i, "an ID is missing"))
    }
    fn opt_id(&self, i: usize) -> Result<Option<Uuid>, sqlx::Error> {
        match value(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(bytes) => Uuid::from_slice(bytes)
                .map(Some)
                .map_err(|err| decoded(i, err)),
            other => Err(decoded(
                i,
                format!("an ID stored as {:?}", other.data_type()),
            )),
        }
    }
    fn text(&self, i: usize) -> Result<String, sqlx::Error> {
        self.opt_text(i)?
            .ok_or_else(|| decoded(i, "a text is missing"))
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error> {
        match value(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => std::str::from_utf8(bytes)
                .map(|text| Some(text.to_owned()))
                .map_err(|err| decoded(i, err)),
            other => Err(decoded(
                i,
                format!("a text stored as {:?}", other.data_type()),
            )),
        }
    }
    fn int(&self, i: usize) -> Result<i64, sqlx::Error> {
        match value(self, i)? {
            ValueRef::Integer(n) => Ok(n),
            other => Err(decoded(
                i,
                format!("a number stored as {:?}", other.data_type()),
            )),
        }
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error> {
        match value(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(n) => Ok(Some(n)),
            other => Err(decoded(
                i,
                format!("a number stored as {:?}", other.data_type()),
            )),
        }
    }
    fn opt_small(&self, i: usize) -> Result<Option<i32>, sqlx::Error> {
        match value(self, i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(n) => i32::try_from(n).map(Some).map_err(|err| decoded(i, err)),
            other => Err(decoded(
                i,
                format!("a number stored as {:?}", other.data_type()),
            )),
        }
    }
    fn flag(&self, i: usize) -> Result<bool, sqlx::Error> {
        // As sqlx reads SQLite's booleans: any number but 0 is true.
        self.int(i).map(|n| n != 0)
    }
    fn opt_flag(&self, i: usize) -> Result<Option<bool>, sqlx::Error> {
        Ok(self.opt_int(i)?.map(|n| n != 0))
    }
    fn day(&self, i: usize) -> Result<NaiveDate, sqlx::Error> {
        self.opt_day(i)?
            .ok_or_else(|| decoded(i, "a date is missing"))
    }
    fn opt_day(&self, i: usize) -> Result<Option<NaiveDate>, sqlx::Error> {
        match self.opt_text(i)? {
            None => Ok(None),
            Some(text) => day::parse(&text).map(Some).map_err(|err| decoded(i, err)),
        }
    }
    fn instant(&self, i: usize) -> Result<DateTime<Utc>, sqlx::Error> {
        self.opt_instant(i)?
            .ok_or_else(|| decoded(i, "an instant is missing"))
    }
    fn opt_instant(&self, i: usize) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        match self.opt_text(i)? {
            None => Ok(None),
            Some(text) => instant(&text)
                .map(Some)
                .ok_or_else(|| decoded(i, format!("invalid datetime: {text}"))),
        }
    }
    fn time_of_day(&self, i: usize) -> Result<NaiveTime, sqlx::Error> {
        let text = self.text(i)?;
        time_of_day(&text).ok_or_else(|| decoded(i, format!("invalid time: {text}")))
    }
}

fn value<'a>(row: &'a rusqlite::Row<'_>, i: usize) -> Result<ValueRef<'a>, sqlx::Error> {
    row.get_ref(i).map_err(|err| decoded(i, err))
}

/// An instant as sqlx writes it into SQLite (RFC 3339), or in SQLite's own
/// `YYYY-MM-DD HH:MM:SS` as UTC, the first two of the forms sqlx reads.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%F %T%.f")
        .ok()
        .map(|at| at.and_utc())
}

/// A time of day as sqlx writes it into SQLite (`HH:MM:SS` with any
/// fraction), or as `HH:MM`, the forms of sqlx's reading the product meets.
fn time_of_day(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%T%.f")
        .or_else(|_| NaiveTime::parse_from_str(text, "%R"))
        .ok()
}

#[cfg(test)]
mod tests {
    use chrono::{SecondsFormat, TimeZone};

    use super::*;

    #[test]
    fn an_instant_reads_back_as_sqlx_wrote_it() {
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 5).unwrap()
            + chrono::Duration::microseconds(123_456);
        // sqlx's own encoding of a `DateTime<Utc>` for SQLite.
        let stored = at.to_rfc3339_opts(SecondsFormat::AutoSi, false);
        assert_eq!(instant(&stored), Some(at));
        assert_eq!(
            instant("2026-11-28 09:30:05"),
            Some(Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 5).unwrap())
        );
        assert_eq!(instant("28/11/2026"), None);
    }

    #[test]
    fn a_time_of_day_reads_back_as_sqlx_wrote_it() {
        let at = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
        // sqlx's own encoding of a `NaiveTime` for SQLite.
        assert_eq!(time_of_day(&at.format("%T%.f").to_string()), Some(at));
        assert_eq!(time_of_day("09:30"), Some(at));
        assert_eq!(time_of_day("half nine"), None);
    }
}
