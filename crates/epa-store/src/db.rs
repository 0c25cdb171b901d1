//! Opening the database, asserting the settings durability depends on, and
//! applying the migrations.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Transaction};

use uuid::Uuid;

use crate::StoreError;
use crate::direct::Direct;
use crate::epas::EpaRow;
use crate::on_thread::KeptOnThread;
use crate::readers::{ReadConn, Readers};
use crate::writer::{Member, Writer, WriterPool};

/// How long a request waits for a connection, or SQLite for the write lock,
/// before giving up with a clear error rather than hanging.
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// How long a PostgreSQL connection may sit idle before it is pinged on
/// its way out of the pool.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// Which database engine a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: an embedded SQLite file on one machine, PostgreSQL when
/// several `epa serve` processes share one.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// An SQLite file: the pool its write transactions begin on, and the
/// connections reads run on (see [`crate::readers`]), and those the most
/// read pages run on from the request's thread (see [`crate::direct`]).
#[derive(Debug, Clone)]
pub struct SqliteDb {
    /// What drives the pool's connection from the requests' threads, kept
    /// between groups of writes (see [`crate::on_thread`]). Declared before
    /// the pool: the last clone dropped drops it first, so the statements
    /// prepared on the connection are finalised before the pool closes it.
    on_thread: Arc<KeptOnThread>,
    pool: SqlitePool,
    pub(crate) readers: Arc<Readers>,
    pub(crate) direct: Arc<Direct>,
}

impl SqliteDb {
    /// The pool, for what runs outside the product's reads and writes
    /// (migrations, settings, tests that look at the file as found).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A connection for one read (used through `on_db!`).
    pub(crate) async fn reader(&self) -> Result<ReadConn, sqlx::Error> {
        self.readers.take().await
    }

    /// The pool writes begin on, with where its connection's statements
    /// prepared from the requests' threads are kept.
    fn writer_pool(&self) -> WriterPool {
        WriterPool {
            kept: Arc::clone(&self.on_thread),
            pool: self.pool.clone(),
        }
    }

    /// The writer's connection in this process's turn to write, for one
    /// statement outside a transaction (used through `on_writer!`).
    pub(crate) async fn writer(&self) -> Result<Writer, StoreError> {
        Writer::take(&self.writer_pool()).await
    }
}

/// One open write transaction. Every change the product makes runs in one.
/// It also notes the EPAs whose records it changed (each change to an EPA
/// is audited, and the audit notes it), so what is kept derived from an
/// EPA's records (its deadlines) can be brought up to date before commit.
pub struct Tx {
    conn: TxConn,
    touched: BTreeSet<Uuid>,
    /// EPAs this transaction created and recorded nothing else about (see
    /// [`Tx::note_new`]): what would read their records can skip the reads.
    created: BTreeSet<Uuid>,
    /// EPAs of which this transaction records only what the DfE service
    /// acknowledged (see [`Tx::note_dfe_answer`]).
    dfe_answers: BTreeSet<Uuid>,
    /// EPAs of which this transaction records only judgements that grade
    /// nothing (see [`Tx::note_judgements_only`]).
    judgements_only: BTreeSet<Uuid>,
    /// Whether this transaction claimed the `Idempotency-Key` of the
    /// request it runs in: its commit is held back for the answer.
    pub(crate) claims_key: bool,
    /// The audit chain's head as this transaction last extended it: once
    /// a transaction has appended (holding the chain's lock to its end),
    /// nobody else can, so the next append in it need not read the head
    /// again, nor take the lock again (see `audit::append`).
    pub(crate) audit_head: Option<(i64, String)>,
    /// Whether this transaction changed what a token's lookup reads (see
    /// [`Tx::changes_access`]).
    changes_access: bool,
    /// The EPAs' rows as this transaction read them, until it writes an
    /// EPA's or an apprentice's row (see [`Tx::remember_row`]).
    rows: Vec<EpaRow>,
}

/// The transaction's connection, per backend (used through `on_tx!`).
#[doc(hidden)]
pub enum TxConn {
    /// On SQLite, this process's turn to write and the group of writes the
    /// transaction's work commits with (see [`crate::writer`]).
    Sqlite(Member),
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// Opens `url` (`sqlite://PATH` or `postgres://...`), checks its settings
    /// and applies any migrations not yet applied.
    pub async fn open(url: &str) -> Result<Db, StoreError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens `url` without migrating (for `epa audit verify` and tests that
    /// inspect a database as found).
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Db::connect_postgres(url).await?
        } else if url.starts_with("sqlite:") {
            Db::connect_sqlite(url).await?
        } else {
            return Err(StoreError::Setup(format!(
                "database URL {} is not understood: use sqlite://PATH or postgres://USER@HOST/NAME",
                redact(url)
            )));
        };
        db.assert_settings().await?;
        Ok(db)
    }

    async fn connect_sqlite(url: &str) -> Result<Db, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|err| {
                StoreError::Setup(format!("database URL {} is not valid: {err}", redact(url)))
            })?
            .create_if_missing(true)
            // WAL + synchronous=FULL: a committed write survives kill -9 and
            // power loss; readers never block the writer.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // SQLite's own page cache is 2 MB a connection by default: at
            // 100,000 apprentices a write's five indexes of the kept
            // deadlines alone outgrew it, and each page missed was read
            // from the file again. 32 MB a connection, filled only as used.
            .pragma("cache_size", "-32768")
            // Rows come back from the connection's thread through a
            // channel of this many; sqlx's 50 made the 51st row of a page
            // of 50 (the one that says there is more) wait for the request
            // to take the first, a round trip more for every list. The
            // largest page (two arms of 200 open deadlines) never waits;
            // the rows are allocated as they come, not ahead.
            .row_buffer_size(512)
            .busy_timeout(WAIT);
        let options_for_readers = options.clone();
        // Write transactions take turns (see `crate::writer`) and reads use
        // `Readers`, so the pool is the one writer. One connection, not
        // several: under WAL a connection drops its whole page cache when
        // it finds that another connection has written since it last
        // looked, so writers that took turns on four connections each
        // began cold and read back every page they touched.
        // Serialized: SQLite locks the connection in each call on it, as
        // statements run on it from the requests' threads besides sqlx's
        // own (ADR 0176). The readers' connections are not.
        let options = options.serialized(true);
        let on_thread: Arc<KeptOnThread> = Arc::default();
        // Weak: the pool must not keep it past the database (see
        // `SqliteDb`), which drops it before the pool closes the connection.
        let kept = Arc::downgrade(&on_thread);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            // Kept open for as long as the pool: statements are prepared on
            // it from the requests' threads, and finalised before the pool
            // is closed (`Db::close`), whereas sqlx closes a connection it
            // retires with nothing else prepared on it, or panics.
            .max_lifetime(None)
            .idle_timeout(None)
            // A connection opened in place of one the pool closed on its
            // own (its thread gone): what was kept drove that one.
            .after_connect(move |_, _| {
                if let Some(kept) = kept.upgrade() {
                    drop(
                        kept.lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .take(),
                    );
                }
                Box::pin(async { Ok(()) })
            })
            // An embedded file has no other end to hang up: a ping before
            // every statement was a round trip to the connection's thread
            // and back, nearly doubling the cost of a short read (ADR 0156).
            .test_before_acquire(false)
            .acquire_timeout(WAIT)
            .connect_with(options)
            .await
            .map_err(|err| {
                StoreError::Setup(format!("cannot open database {}: {err}", redact(url)))
            })?;
        Ok(Db::Sqlite(SqliteDb {
            on_thread,
            pool,
            direct: Direct::new(options_for_readers.get_filename()),
            readers: Readers::new(options_for_readers),
        }))
    }

    async fn connect_postgres(url: &str) -> Result<Db, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // A ping only for a connection that sat idle: a server restarted
            // meanwhile leaves it dead, and the ping replaces it before a
            // request meets it. One in steady use has just answered; pinging
            // it before every statement was a round trip each (ADR 0156).
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > IDLE_BEFORE_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(WAIT)
            .connect(url)
            .await
            .map_err(|err| {
                StoreError::Setup(format!("cannot connect to database {}: {err}", redact(url)))
            })?;
        Ok(Db::Postgres(pool))
    }

    /// Refuses to run on settings that would lose acknowledged writes.
    async fn assert_settings(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(sqlite) => {
                let pool = sqlite.pool();
                let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(pool)
                    .await?;
                let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(pool)
                    .await?;
                let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                    .fetch_one(pool)
                    .await?;
                // synchronous: 2 is FULL.
                if journal.to_lowercase() != "wal" || synchronous != 2 || foreign_keys != 1 {
                    return Err(StoreError::Setup(format!(
                        "SQLite settings are unsafe (journal_mode={journal}, synchronous={synchronous}, foreign_keys={foreign_keys}); expected wal, 2 (full), 1"
                    )));
                }
            }
            Db::Postgres(pool) => {
                let commit: String = sqlx::query_scalar("SHOW synchronous_commit")
                    .fetch_one(pool)
                    .await?;
                if commit == "off" {
                    return Err(StoreError::Setup(
                        "PostgreSQL has synchronous_commit=off, which can lose acknowledged writes; set it to on".to_owned(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(sqlite) => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(sqlite.pool())
                    .await?
            }
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// After a bulk load, brings PostgreSQL's statistics up to date, so the
    /// planner knows the tables' sizes before the first request (autovacuum
    /// would, later). SQLite plans without statistics and is left alone.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        if let Db::Postgres(pool) = self {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    /// Answers whether the database responds: the readiness check.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, which
    /// takes the write lock up front: a deferred transaction that reads
    /// before it writes can fail to upgrade under WAL's single writer.
    ///
    /// Inside [`crate::idempotency::within`] it also claims the request's
    /// `Idempotency-Key` before anything else is written, so the claim
    /// commits or rolls back with the change (and its answer, ADR 0141).
    ///
    /// On SQLite the process's writers take turns in order before they
    /// begin, rather than in SQLite's busy handler, and a writer that comes
    /// while a commit is still to be made shares it (see [`crate::writer`]).
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        crate::idempotency::may_begin()?;
        let conn = match self {
            Db::Sqlite(sqlite) => TxConn::Sqlite(Member::begin(&sqlite.writer_pool()).await?),
            Db::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        let mut tx = Tx {
            conn,
            touched: BTreeSet::new(),
            created: BTreeSet::new(),
            dfe_answers: BTreeSet::new(),
            judgements_only: BTreeSet::new(),
            claims_key: false,
            audit_head: None,
            changes_access: false,
            rows: Vec::new(),
        };
        crate::idempotency::claim_in(self, &mut tx).await?;
        Ok(tx)
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(sqlite) => {
                sqlite.readers.close().await;
                sqlite.direct.close();
                // What is kept is finalised, then the pool marked closed,
                // under the lock a group settles under: a group settled
                // from now on keeps nothing prepared on the writer's
                // connection, and a connection on its way back to the pool
                // (which closes it once the pool is marked) has nothing
                // prepared on it any more.
                let closing = {
                    let mut kept = sqlite
                        .on_thread
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    drop(kept.take());
                    sqlite.pool.close()
                };
                closing.await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Commits; except that the transaction which claimed a request's
    /// `Idempotency-Key` is held back until the answer is written into it
    /// (`idempotency::answer_and_commit`, ADR 0141).
    pub async fn commit(self) -> Result<(), StoreError> {
        let Some(tx) = crate::idempotency::park(self) else {
            return Ok(());
        };
        match tx.conn {
            // The head it extended is the chain's, for the next write's
            // append to start from.
            TxConn::Sqlite(member) => member.commit(tx.audit_head).await,
            TxConn::Postgres(conn) => Ok(conn.commit().await?),
        }
    }

    /// The audit chain's head as this process's writer on this SQLite file
    /// last left it (see [`crate::writer::AuditHead`]); `None` on
    /// PostgreSQL, where other nodes append too.
    pub(crate) fn committed_audit_head(&self) -> Option<(i64, String)> {
        match &self.conn {
            TxConn::Sqlite(member) => member.audit_head(),
            TxConn::Postgres(_) => None,
        }
    }

    /// On SQLite, the writer's connection driven from the request's own
    /// thread (ADR 0176): a statement run through it is in this
    /// transaction, without a round trip to sqlx's thread. `None` on
    /// PostgreSQL.
    pub(crate) fn on_thread(&self) -> Option<&crate::on_thread::OnThread> {
        match &self.conn {
            TxConn::Sqlite(member) => member.on_thread(),
            TxConn::Postgres(_) => None,
        }
    }

    /// Before the transaction has written anything, on SQLite: commits
    /// the group of writes it joined and goes on alone, so that what it
    /// reads next is committed (see [`crate::writer`]). Answers whether
    /// there was such a group; on an error the transaction is void.
    pub(crate) async fn begin_alone(&mut self) -> Result<bool, StoreError> {
        match &mut self.conn {
            TxConn::Sqlite(member) => member.begin_alone().await,
            TxConn::Postgres(_) => Ok(false),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Notes that this transaction changed the EPA's records.
    pub fn touch(&mut self, epa_id: Uuid) {
        self.touched.insert(epa_id);
    }

    /// Notes that this transaction created the EPA and records nothing
    /// else about it (a registration): no bookings, sittings, judgements,
    /// submissions or results can exist for it, so the kept deadlines do
    /// not read them, nor the DfE push mark it. A caller that goes on to record more
    /// about the EPA (the demo loader) must not note it.
    pub fn note_new(&mut self, epa_id: Uuid) {
        self.created.insert(epa_id);
    }

    /// Whether the EPA was noted new by [`Tx::note_new`].
    pub fn is_new(&self, epa_id: Uuid) -> bool {
        self.created.contains(&epa_id)
    }

    /// Notes that what this transaction records about the EPA is the DfE
    /// service's answer to a push (an acknowledgement, a refusal, the claim
    /// it completed): nothing the service needs to hear about changed, so
    /// the EPA is not marked for the next push.
    pub fn note_dfe_answer(&mut self, epa_id: Uuid) {
        self.dfe_answers.insert(epa_id);
    }

    /// Whether the EPA was noted by [`Tx::note_dfe_answer`].
    pub fn is_dfe_answer(&self, epa_id: Uuid) -> bool {
        self.dfe_answers.contains(&epa_id)
    }

    /// Notes that what this transaction records about the EPA is
    /// judgements that grade no method and move no stage. Nothing else
    /// follows from them before a method is graded: no deadline is worked
    /// out from a judgement (its row and `epa_dates` read none), and the
    /// DfE is sent results, never judgements. So at commit the kept
    /// deadlines are not worked out again and the EPA is not marked for
    /// the DfE's push. A caller that records anything else about the EPA
    /// in the transaction must not note it.
    pub fn note_judgements_only(&mut self, epa_id: Uuid) {
        self.judgements_only.insert(epa_id);
    }

    /// Whether the EPA was noted by [`Tx::note_judgements_only`].
    pub fn judgements_only(&self, epa_id: Uuid) -> bool {
        self.judgements_only.contains(&epa_id)
    }

    /// Notes that this transaction changes what a token's lookup reads: a
    /// token revoked or unrestricted, a user deactivated or reactivated, a
    /// role granted (every store function that does so notes it).
    pub(crate) fn note_access_change(&mut self) {
        self.changes_access = true;
    }

    /// Whether the transaction changed what a token's lookup reads, so
    /// that tokens remembered on this node must be looked up again once it
    /// commits (`tokens::Recent::committing_for`).
    pub fn changes_access(&self) -> bool {
        self.changes_access
    }

    /// Keeps the EPA's row as this transaction just read it, on SQLite.
    /// Most writes read it through the gate first and again when their
    /// EPA's kept deadlines are worked out at commit (`epas::get_in`),
    /// which is answered from here: a statement fewer. Every statement
    /// that writes what the row holds (an EPA's or an apprentice's row)
    /// forgets them all ([`Tx::forget_rows`]).
    ///
    /// Only on SQLite, where the transaction holds the one writer's turn
    /// from its start, so no one else changes the row while it runs. A
    /// PostgreSQL transaction reads what others committed since its last
    /// statement (read committed), and writes are put in order only from
    /// the audit chain's lock, taken at the first append: the row the
    /// gate read before it may have been changed by then, and the
    /// deadlines worked out from it would be another's.
    pub(crate) fn remember_row(&mut self, row: &EpaRow) {
        if self.backend() != Backend::Sqlite {
            return;
        }
        self.rows.retain(|kept| kept.epa.id != row.epa.id);
        self.rows.push(row.clone());
    }

    /// The EPA's row as this transaction last read it, if it has written
    /// no EPA's or apprentice's row since.
    pub(crate) fn remembered_row(&self, epa_id: Uuid) -> Option<&EpaRow> {
        self.rows.iter().find(|row| row.epa.id == epa_id)
    }

    /// Forgets the rows read: this transaction is writing an EPA's or an
    /// apprentice's row.
    pub(crate) fn forget_rows(&mut self) {
        self.rows.clear();
    }

    /// The EPAs changed since the last call, each once.
    pub fn take_touched(&mut self) -> BTreeSet<Uuid> {
        std::mem::take(&mut self.touched)
    }

    #[doc(hidden)]
    pub fn conn_mut(&mut self) -> &mut TxConn {
        &mut self.conn
    }
}

/// A database URL with any password replaced, fit for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A new SQLite file, migrated, in a directory of its own that lasts as
/// long as the returned guard: what the store's unit tests write to.
#[cfg(test)]
pub(crate) async fn scratch_sqlite() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("epa.db").display());
    let db = Db::open(&url).await.expect("a new SQLite file opens");
    (dir, db)
}

#[cfg(test)]
impl Db {
    /// The SQLite database a test opened with [`scratch_sqlite`].
    pub(crate) fn as_sqlite(&self) -> &SqliteDb {
        match self {
            Db::Sqlite(sqlite) => sqlite,
            Db::Postgres(_) => unreachable!("a sqlite:// URL opens SQLite"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(
            redact("postgres://epa:secret@db.example/epa"),
            "postgres://epa:***@db.example/epa"
        );
        assert_eq!(redact("postgres://epa@db/epa"), "postgres://epa@db/epa");
        assert_eq!(
            redact("sqlite://./epa-data/epa.db"),
            "sqlite://./epa-data/epa.db"
        );
    }

    /// A statement written outside a transaction (`on_writer!`) holds this
    /// process's turn to write while it runs, as a transaction does, and
    /// gives it back when it is put into its group.
    #[tokio::test]
    async fn a_write_outside_a_transaction_takes_the_turn_to_write() {
        let (_dir, db) = super::scratch_sqlite().await;
        let sqlite = db.as_sqlite();
        let mut writer = sqlite.writer().await.unwrap();
        sqlx::query(
            "UPDATE dfe_leases SET held_until = '2026-11-28T09:00:00Z' WHERE name = 'push'",
        )
        .execute(writer.conn())
        .await
        .unwrap();
        assert!(
            crate::writer::turn_of(sqlite.pool()).try_lock().is_err(),
            "the turn is held while the statement's connection is"
        );
        tokio::time::timeout(Duration::from_secs(2), writer.commit())
            .await
            .expect("committed")
            .unwrap();
        assert!(
            crate::writer::turn_of(sqlite.pool()).try_lock().is_ok(),
            "and given back"
        );
        let held_until: Option<String> = on_db!(&db, |conn| sqlx::query_scalar(
            "SELECT held_until FROM dfe_leases WHERE name = 'push'"
        )
        .fetch_one(conn)
        .await)
        .unwrap();
        assert_eq!(
            held_until.as_deref(),
            Some("2026-11-28T09:00:00Z"),
            "committed when answered"
        );
        let tx = tokio::time::timeout(Duration::from_secs(2), db.begin_write())
            .await
            .expect("the turn given back")
            .unwrap();
        drop(tx);
    }
}
