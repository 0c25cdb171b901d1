//! Running one query on either backend. The expression is written once and
//! compiled twice, once per database, so the SQL and the binds cannot drift
//! apart between SQLite and PostgreSQL.

/// `on_db!(db, |pool| expr)`: evaluates `expr` with `pool` bound to the
/// SQLite or PostgreSQL pool.
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// `on_tx!(tx, |conn| expr)`: evaluates `expr` with `conn` bound to the open
/// transaction's connection.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match ($tx).conn_mut() {
            $crate::db::TxConn::Sqlite(inner) => {
                let $conn = &mut **inner;
                $body
            }
            $crate::db::TxConn::Postgres(inner) => {
                let $conn = &mut **inner;
                $body
            }
        }
    };
}
