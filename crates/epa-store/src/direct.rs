//! The reads SQLite serves on the request's own thread (ADR 0171): the
//! pages a person reads most, which read many rows in one statement.
//!
//! sqlx runs each SQLite connection on a thread of its own: a statement is
//! a round trip to that thread and back, and each row comes back as a copy
//! of every value in it, each in an allocation of its own, made there and
//! freed here (a quarter of a list of 50's request, ADR 0159). rusqlite
//! drives the same library (one copy of SQLite is linked) from the calling
//! thread and reads each value where SQLite holds it.
//!
//! A read under WAL does not wait for the writer, and the pages it reads
//! are in memory after the first: it runs to its end in tens of
//! microseconds, as the JSON it becomes does, so it runs in place on the
//! async worker rather than being sent to a thread of its own.
//!
//! The connections are opened `query_only`: nothing written here. Each
//! keeps its prepared statements, as sqlx's did. The binding of values
//! and the reading of rows are shared with the writes that run on the
//! request's thread (`crate::on_thread`, ADR 0176).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use uuid::Uuid;

use crate::StoreError;
use crate::db::WAIT;

/// Prepared statements a connection keeps: every statement the direct
/// reads run, with room for the forms a list's filters give.
const STATEMENTS: usize = 64;

/// One SQLite file's connections for direct reads: those idle. A read
/// holds one only while it runs, and never across an `.await`, so there
/// are at most as many as threads that read at once (each with a page
/// cache of up to 32 MB, as every connection has).
#[derive(Debug)]
pub struct Direct {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Set by [`Direct::close`]: no read begins after it, and a connection
    /// coming back from a read under way is closed, not kept.
    closed: AtomicBool,
}

/// A value bound to a `$n` placeholder, encoded as sqlx encodes it for
/// SQLite, so that a comparison with what sqlx stored holds: an ID as its
/// sixteen bytes, a date as `YYYY-MM-DD`, an instant as RFC 3339.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Id(Uuid),
    Text(&'a str),
    Int(i64),
    Day(NaiveDate),
    Time(DateTime<Utc>),
    /// A time of day, as sqlx stores one on SQLite.
    TimeOfDay(NaiveTime),
    /// A flag, as sqlx stores one on SQLite: 1 or 0.
    Flag(bool),
    Null,
}

impl<'a> Arg<'a> {
    /// An ID, or `NULL`.
    pub(crate) fn opt_id(id: Option<Uuid>) -> Arg<'a> {
        id.map_or(Arg::Null, Arg::Id)
    }

    /// A text, or `NULL`.
    pub(crate) fn opt_text(text: Option<&'a str>) -> Arg<'a> {
        text.map_or(Arg::Null, Arg::Text)
    }

    /// A date, or `NULL`.
    pub(crate) fn opt_day(day: Option<NaiveDate>) -> Arg<'a> {
        day.map_or(Arg::Null, Arg::Day)
    }
}

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Arg::Id(id) => ToSqlOutput::Borrowed(ValueRef::Blob(id.as_bytes())),
            Arg::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Arg::Int(n) => ToSqlOutput::Owned(Value::Integer(*n)),
            Arg::Day(day) => ToSqlOutput::Owned(Value::Text(day.format("%F").to_string())),
            Arg::Time(at) => ToSqlOutput::Owned(Value::Text(
                at.to_rfc3339_opts(SecondsFormat::AutoSi, false),
            )),
            Arg::TimeOfDay(at) => ToSqlOutput::Owned(Value::Text(at.format("%T%.f").to_string())),
            Arg::Flag(flag) => ToSqlOutput::Owned(Value::Integer(i64::from(*flag))),
            Arg::Null => ToSqlOutput::Owned(Value::Null),
        })
    }
}

impl Direct {
    pub(crate) fn new(path: &Path) -> Arc<Direct> {
        Arc::new(Direct {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        })
    }

    /// Every row `sql` selects, each read by `read`. `sql` is the one the
    /// sqlx path runs, `$n` placeholders and all; `args[n - 1]` is bound
    /// to `$n`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        read: impl Fn(&rusqlite::Row<'_>) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, StoreError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        let conn = match self.idle().pop() {
            Some(conn) => conn,
            None => self.open()?,
        };
        let found = select(&conn, sql, args, read, read_failed);
        // A read that failed leaves no read transaction open on its
        // connection: its rows, dropped, reset the statement.
        let mut idle = self.idle();
        // Under the idle list's lock, so that `close` either drains it or
        // this read sees it closed and drops its connection.
        if !self.closed.load(Ordering::Acquire) {
            idle.push(conn);
        }
        found
    }

    /// Refuses new reads and closes the idle connections; one under way
    /// closes its own as it ends. The file is being closed.
    pub(crate) fn close(&self) {
        let mut idle = self.idle();
        self.closed.store(true, Ordering::Release);
        idle.clear();
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A list of connections is whole whatever a panicking holder did.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(read_failed)?;
        conn.busy_timeout(WAIT).map_err(read_failed)?;
        // As the other connections (see `Db::connect_sqlite`).
        conn.pragma_update(None, "cache_size", -32768)
            .map_err(read_failed)?;
        conn.pragma_update(None, "query_only", true)
            .map_err(read_failed)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(conn)
    }
}

/// Every row `sql` answers on `conn`, each read by `read`; a failure of
/// SQLite's as `failed` says.
pub(crate) fn select<T>(
    conn: &Connection,
    sql: &str,
    args: &[Arg<'_>],
    read: impl Fn(&rusqlite::Row<'_>) -> Result<T, sqlx::Error>,
    failed: fn(rusqlite::Error) -> StoreError,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(failed)?;
    bind(&mut statement, sql, args)?;
    let mut rows = statement.raw_query();
    let mut found = Vec::new();
    while let Some(row) = rows.next().map_err(failed)? {
        found.push(read(row)?);
    }
    Ok(found)
}

/// Binds `args[n - 1]` to each `$n` placeholder of `statement`, made from
/// `sql`.
pub(crate) fn bind(
    statement: &mut rusqlite::CachedStatement<'_>,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<(), StoreError> {
    for index in 1..=statement.parameter_count() {
        let arg = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n.checked_sub(1)?))
            .copied()
            .ok_or_else(|| {
                StoreError::Setup(format!(
                    "placeholder {index} of a statement has no value: {sql}"
                ))
            })?;
        statement
            .raw_bind_parameter(index, arg)
            .map_err(read_failed)?;
    }
    Ok(())
}

fn read_failed(err: rusqlite::Error) -> StoreError {
    StoreError::Read(err)
}
