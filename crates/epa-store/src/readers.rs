//! The SQLite connections that reads run on, outside a write transaction.
//!
//! sqlx's pool pings every connection as it goes back, unconditionally: on
//! SQLite that is one more round trip to the connection's thread and back
//! after every statement run on the pool, in a task spawned for it. A short
//! read of two statements cost four round trips. An embedded file has no
//! other end to hang up, and a read that was dropped half way leaves its
//! connection clean (sqlx resets a statement when its rows are dropped, and
//! a read opens no transaction), so these connections go back to the idle
//! list as they are, and taking one is a lock and a pop (ADR 0157).

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::db::WAIT;

/// How many reads run at once on one file: a read waits for a free
/// connection beyond this, as it would for the pool's.
const READERS: usize = 8;

/// The read connections of one SQLite file: those idle, and the right to
/// open or use one.
#[derive(Debug)]
pub struct Readers {
    options: SqliteConnectOptions,
    idle: Mutex<Vec<SqliteConnection>>,
    turns: Arc<Semaphore>,
}

/// A connection taken for one read; it goes back to the idle list when
/// dropped.
pub struct ReadConn {
    conn: Option<SqliteConnection>,
    readers: Arc<Readers>,
    _turn: OwnedSemaphorePermit,
}

impl Readers {
    pub(crate) fn new(options: SqliteConnectOptions) -> Arc<Readers> {
        Arc::new(Readers {
            options,
            idle: Mutex::new(Vec::new()),
            turns: Arc::new(Semaphore::new(READERS)),
        })
    }

    /// An idle connection, or a new one while fewer than [`READERS`] are
    /// open; waits up to [`WAIT`] for one to come back, then gives up as
    /// the pool does.
    pub(crate) async fn take(self: &Arc<Readers>) -> Result<ReadConn, sqlx::Error> {
        let turn = tokio::time::timeout(WAIT, Arc::clone(&self.turns).acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle_list().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.options.connect().await?,
        };
        Ok(ReadConn {
            conn: Some(conn),
            readers: Arc::clone(self),
            _turn: turn,
        })
    }

    /// Refuses new reads, waits up to [`WAIT`] for those under way to
    /// end, and closes every connection.
    pub(crate) async fn close(&self) {
        // Holding every turn, no read is under way; one still running at
        // the deadline has its connection dropped as it comes back.
        let _all = tokio::time::timeout(WAIT, self.turns.acquire_many(READERS as u32)).await;
        let idle = {
            let mut idle = self.idle_list();
            // Under the idle list's lock, so that a connection coming back
            // meanwhile is either drained here or dropped by its holder.
            self.turns.close();
            std::mem::take(&mut *idle)
        };
        for conn in idle {
            // A connection that fails to close cleanly is gone either way.
            let _ = sqlx::Connection::close(conn).await;
        }
    }

    fn idle_list(&self) -> std::sync::MutexGuard<'_, Vec<SqliteConnection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ReadConn {
    /// After a statement failed: keeps the connection only if it still
    /// answers. sqlx's pool pinged every connection on its way back, which
    /// also caught one whose thread had died; here only a failure asks.
    pub(crate) async fn after_error(&mut self) {
        if let Some(conn) = self.conn.as_mut()
            && sqlx::Connection::ping(conn).await.is_err()
        {
            self.conn = None;
        }
    }
}

impl Deref for ReadConn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.conn
            .as_ref()
            .expect("a read connection is held until dropped")
    }
}

impl DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn
            .as_mut()
            .expect("a read connection is held until dropped")
    }
}

impl Drop for ReadConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let mut idle = self.readers.idle_list();
        // Once closed, a connection dropped here ends its thread and file
        // handle with it.
        if !self.readers.turns.is_closed() {
            idle.push(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Db;
    use crate::db::SqliteDb;

    async fn open() -> (tempfile::TempDir, SqliteDb) {
        let (dir, db) = crate::db::scratch_sqlite().await;
        let Db::Sqlite(sqlite) = db else {
            unreachable!("a sqlite:// URL opens SQLite")
        };
        (dir, sqlite)
    }

    async fn scalar(conn: &mut sqlx::SqliteConnection, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(conn).await.unwrap()
    }

    #[tokio::test]
    async fn a_connection_goes_back_as_it_is_with_the_settings_durability_needs() {
        let (_dir, sqlite) = open().await;
        let mut conn = sqlite.reader().await.unwrap();
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        assert_eq!(scalar(&mut conn, "PRAGMA synchronous").await, 2);
        assert_eq!(scalar(&mut conn, "PRAGMA foreign_keys").await, 1);
        assert_eq!(scalar(&mut conn, "PRAGMA cache_size").await, -32768);
        // A temporary table lives only on the connection that made it.
        sqlx::query("CREATE TEMP TABLE marker (x INTEGER)")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let mut again = sqlite.reader().await.unwrap();
        assert_eq!(scalar(&mut again, "SELECT COUNT(*) FROM marker").await, 0);
    }

    #[tokio::test]
    async fn a_read_dropped_half_way_leaves_its_connection_seeing_later_writes() {
        let (_dir, sqlite) = open().await;
        sqlx::query(
            "CREATE TABLE numbers AS WITH RECURSIVE n(x) AS \
             (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) SELECT x FROM n",
        )
        .execute(sqlite.pool())
        .await
        .unwrap();
        let mut conn = sqlite.reader().await.unwrap();
        // Polled once, so the statement is under way, then dropped.
        let read = sqlx::query_scalar::<_, i64>("SELECT x FROM numbers").fetch_all(&mut *conn);
        tokio::select! {
            biased;
            _ = read => panic!("20,000 rows are not read in one poll"),
            () = std::future::ready(()) => {}
        }
        drop(conn);
        sqlx::query("INSERT INTO numbers (x) VALUES (0)")
            .execute(sqlite.pool())
            .await
            .unwrap();
        // The one idle connection is the one whose read was dropped: had
        // its statement been left open, it would still see the old rows.
        let mut again = sqlite.reader().await.unwrap();
        assert_eq!(
            scalar(&mut again, "SELECT COUNT(*) FROM numbers").await,
            20001
        );
    }

    #[tokio::test]
    async fn a_failed_statement_keeps_a_connection_that_still_answers() {
        let (_dir, sqlite) = open().await;
        let mut conn = sqlite.reader().await.unwrap();
        sqlx::query("CREATE TEMP TABLE marker (x INTEGER)")
            .execute(&mut *conn)
            .await
            .unwrap();
        let failed = sqlx::query("SELECT * FROM no_such_table")
            .execute(&mut *conn)
            .await;
        assert!(failed.is_err());
        conn.after_error().await;
        drop(conn);
        let mut again = sqlite.reader().await.unwrap();
        assert_eq!(scalar(&mut again, "SELECT COUNT(*) FROM marker").await, 0);
    }

    #[tokio::test]
    async fn closing_waits_for_a_read_under_way() {
        let (_dir, sqlite) = open().await;
        let conn = sqlite.reader().await.unwrap();
        let readers = std::sync::Arc::clone(&sqlite.readers);
        let closing = tokio::spawn(async move { readers.close().await });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(!closing.is_finished(), "a read is under way");
        drop(conn);
        tokio::time::timeout(std::time::Duration::from_secs(2), closing)
            .await
            .expect("closed once the read ended")
            .unwrap();
        assert!(
            sqlite.readers.idle_list().is_empty(),
            "every connection closed"
        );
    }

    #[tokio::test]
    async fn once_closed_a_read_is_refused_at_once() {
        let (_dir, sqlite) = open().await;
        let db = Db::Sqlite(sqlite.clone());
        db.ping().await.unwrap();
        db.close().await;
        let refused = sqlite.reader().await.err();
        assert!(
            matches!(refused, Some(sqlx::Error::PoolClosed)),
            "{refused:?}"
        );
    }
}
