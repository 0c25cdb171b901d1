//! The writer's SQLite connection driven from the request's own thread
//! (ADR 0176): the statements of a write transaction run through rusqlite
//! on the handle of the one connection sqlx writes on, in the same
//! transaction, without the round trip to sqlx's thread for each.
//!
//! sqlx runs each SQLite connection on a thread of its own, and every
//! statement was a message to that thread and its answer back: at 100,000
//! apprentices the switches between the two threads were most of the
//! kernel's half of a booking's time (docs/performance.md, nineteenth
//! section). A statement moved here runs where its request runs.
//!
//! Why it is sound (ADR 0176 sets out what it rests on):
//! - Statements run here only between sqlx's statements, each awaited: a
//!   transaction's work stays in the order it was written. sqlx answers a
//!   statement that succeeded only once its thread is done with it, so
//!   nothing runs on the handle at once.
//! - A failure sqlx answers before its thread is done (it then resets the
//!   statement and reads its error, which a call from here could free):
//!   after one, the group's statements go to that thread
//!   (`Member::on_thread`), and what is prepared here is finalised only
//!   after a further round trip (`writer::past_failure`).
//! - The connection is opened serialized (`SQLITE_OPEN_FULLMUTEX`, see
//!   `Db::connect_sqlite`): SQLite takes the connection's own mutex in
//!   every call on it, a guard should the two ever meet.
//! - SQLite refuses to close a connection with statements still prepared
//!   on it, and sqlx panics if it cannot. So the statements prepared here
//!   are finalised (this is dropped) before the connection is closed: a
//!   group that fails or is dropped drops it first, and a group settled
//!   keeps it for the next only while the pool is open (see
//!   `crate::writer`); `Db::close` drops the one kept, and a database
//!   dropped unclosed drops it before its pool.

use std::ptr::NonNull;

use rusqlite::Connection;
use rusqlite::ffi::sqlite3;

use crate::StoreError;
use crate::direct::{self, Arg};

/// What drives a database's writer connection from the requests' threads,
/// kept between its groups of writes by the database (`SqliteDb`), which
/// drops it before its pool.
pub(crate) type KeptOnThread = std::sync::Mutex<Option<OnThread>>;

/// Prepared statements kept: every statement a write runs here.
const STATEMENTS: usize = 64;

/// rusqlite's view of the writer's connection, with the statements it has
/// prepared on it.
pub(crate) struct OnThread {
    conn: Connection,
}

impl OnThread {
    /// Drives `handle`.
    ///
    /// # Safety
    /// `handle` is the open handle of a connection opened serialized; the
    /// value made is used only between sqlx's statements on it, each
    /// answered with success (see [`crate::writer::Member::on_thread`]),
    /// and dropped before that connection is closed and, after a failed
    /// statement, only once sqlx has answered another.
    #[allow(unsafe_code)]
    pub(crate) unsafe fn new(handle: NonNull<sqlite3>) -> Result<OnThread, StoreError> {
        // Safety: as this function's contract. A connection made from a
        // handle does not own it: dropped, it finalises its statements and
        // leaves the handle open.
        // SQLite gives a connection a mutex only when it is serialized.
        if unsafe { rusqlite::ffi::sqlite3_db_mutex(handle.as_ptr()) }.is_null() {
            return Err(StoreError::Setup(
                "the writer's SQLite connection is not serialized".to_owned(),
            ));
        }
        let conn = unsafe { Connection::from_handle(handle.as_ptr()) }.map_err(failed)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(OnThread { conn })
    }

    /// Runs `sql` (its `$n` placeholders bound from `args`) and answers how
    /// many rows it changed.
    pub(crate) fn execute(&self, sql: &str, args: &[Arg<'_>]) -> Result<usize, StoreError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(failed)?;
        direct::bind(&mut statement, sql, args)?;
        statement.raw_execute().map_err(failed)
    }

    /// Whether the connection is in a transaction (SQLite's
    /// `sqlite3_get_autocommit`, asked without a statement).
    pub(crate) fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    /// The one row `sql` answers (an `INSERT ... RETURNING`, a read by
    /// key), as sqlx's `fetch_one`: not found without one.
    pub(crate) fn one<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        read: impl Fn(&rusqlite::Row<'_>) -> Result<T, sqlx::Error>,
    ) -> Result<T, StoreError> {
        self.rows(sql, args, read)?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)
    }

    /// Every row `sql` answers, each read by `read`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        read: impl Fn(&rusqlite::Row<'_>) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, StoreError> {
        // A write's failure (a unique value taken by an `INSERT ...
        // RETURNING`) comes with its first row: mapped as sqlx's.
        direct::select(&self.conn, sql, args, read, failed)
    }
}

impl std::fmt::Debug for OnThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnThread").finish_non_exhaustive()
    }
}

/// A statement's failure, as the store reports sqlx's: a unique value
/// taken is a conflict, a missing row not found.
pub(crate) fn failed(err: rusqlite::Error) -> StoreError {
    match &err {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        rusqlite::Error::SqliteFailure(code, message)
            if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict(message.clone().unwrap_or_else(|| err.to_string()))
        }
        _ => StoreError::Read(err),
    }
}
