//! Running one query on either backend. The expression is written once and
//! compiled twice, once per database, so the SQL and the binds cannot drift
//! apart between SQLite and PostgreSQL.

/// `on_db!(db, |pool| expr)`: evaluates `expr`, a `Result`, with `pool`
/// bound to a read connection of the SQLite file (see [`crate::readers`])
/// or to the PostgreSQL pool.
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(sqlite) => match sqlite.reader().await {
                Ok(mut reader) => {
                    let $pool = &mut *reader;
                    let result = $body;
                    if result.is_err() {
                        reader.after_error().await;
                    }
                    result
                }
                Err(err) => Err(err.into()),
            },
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// `on_writer!(db, |conn| expr)`: evaluates `expr`, one statement that
/// writes outside any transaction of the caller's (the outbox worker's
/// claims and marks, leases, a session seen), with `conn` bound on SQLite
/// to the writer's connection in this process's turn to write, as every
/// write transaction takes it (ADR 0140, [`crate::db::SqliteDb::writer`]),
/// and answered once the commit it shares is made (ADR 0170); on
/// PostgreSQL to the pool. On a read connection such a write met
/// the writer's lock in SQLite's busy handler, which sleeps a millisecond
/// and more between tries, and so did the writer meeting its lock. Inside
/// an idempotent request whose transaction is held back for its answer
/// (on SQLite holding the turn), it is refused at once, as a second
/// transaction is (`idempotency::may_begin`).
macro_rules! on_writer {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $crate::idempotency::may_begin() {
            Err(err) => Err(err),
            Ok(()) => match $db {
                $crate::Db::Sqlite(sqlite) => match sqlite.writer().await {
                    Ok(mut writer) => {
                        // As `on_tx!`: the next member of the group joins it
                        // from its own thread only once sqlx has answered
                        // with success (ADR 0176).
                        writer.sqlx_sent();
                        let $conn = writer.conn();
                        match $body.map_err($crate::StoreError::from) {
                            Ok(done) => {
                                writer.sqlx_done();
                                writer.commit().await.map(|()| done)
                            }
                            // Dropped: its work is rolled back.
                            Err(err) => Err(err),
                        }
                    }
                    Err(err) => Err(err.into()),
                },
                $crate::Db::Postgres($conn) => $body.map_err($crate::StoreError::from),
            },
        }
    };
}

/// `on_tx!(tx, |conn| expr)`: evaluates `expr` with `conn` bound to the open
/// transaction's connection.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match ($tx).conn_mut() {
            $crate::db::TxConn::Sqlite(inner) => {
                // Until sqlx answers with success, its thread may still be
                // at the statement (reading the error of one that failed,
                // or running one whose answer was not awaited): nothing
                // runs from this thread in the transaction meanwhile, nor
                // after a failure (ADR 0176).
                inner.sqlx_sent();
                let $conn = &mut **inner;
                let done = $body;
                if done.is_ok() {
                    inner.sqlx_done();
                }
                done
            }
            $crate::db::TxConn::Postgres(inner) => {
                let $conn = &mut **inner;
                $body
            }
        }
    };
}

/// `on_reader!(reader, |executor| expr)`: `expr` with `executor` bound to a
/// read connection or to the transaction's, whichever the
/// [`crate::assessment::Reader`] holds.
macro_rules! on_reader {
    ($reader:expr, |$exec:ident| $body:expr) => {
        match $reader {
            $crate::assessment::Reader::Db(db) => on_db!(db, |$exec| $body),
            $crate::assessment::Reader::Tx(tx) => on_tx!(tx, |$exec| $body),
        }
    };
}
