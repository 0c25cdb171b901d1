//! One write transaction, timed through two SQLite drivers on the same
//! database: `BEGIN IMMEDIATE`, an EPA read by its key, its sittings
//! counted, two rows of 300 bytes inserted, `COMMIT`: six statements, as
//! many as a judgement save that grades nothing. `raw` is one insert
//! committed, the benchmark's raw commit.
//!
//!   epa-bench-driver <sqlx|rusqlite|raw> <database> [transactions]
//!
//! Prints the transactions a second, and the process's CPU and context
//! switches a transaction (`getrusage`), over the timed loop only.

use std::time::{Duration, Instant};

const INSERT: &str = "INSERT INTO bench_rows (epa_id, n, body) VALUES (?, ?, ?)";
const EPA: &str = "SELECT id, stage FROM epas WHERE id = ?";
const SITTINGS: &str = "SELECT COUNT(*) FROM assessments WHERE epa_id = ?";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(driver), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: epa-bench-driver <sqlx|rusqlite|raw> <database> [transactions]");
        std::process::exit(2);
    };
    let count: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(3000);
    let ids = epa_ids(path, count);
    let body = "an EPA's record, three hundred bytes of it. ".repeat(7);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");

    let before = Usage::now();
    let started = Instant::now();
    match driver.as_str() {
        "sqlx" => runtime.block_on(with_sqlx(path, &ids, &body)),
        "rusqlite" => with_rusqlite(path, &ids, &body),
        "raw" => raw(path, &ids, &body),
        other => {
            eprintln!("no driver {other:?}: sqlx, rusqlite or raw");
            std::process::exit(2);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let used = Usage::now().since(&before);
    let n = ids.len() as f64;
    println!(
        "{driver}: {:.0} transactions/s, {:.1} µs of CPU and {:.1} switches a transaction",
        n / seconds,
        used.cpu_micros as f64 / n,
        used.switches as f64 / n,
    );
}

/// `count` EPAs of the loaded database, and the table the transactions
/// write to.
fn epa_ids(path: &str, count: usize) -> Vec<Vec<u8>> {
    let db = rusqlite::Connection::open(path).expect("the database opens");
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, epa_id BLOB, n INTEGER, body TEXT)",
    )
    .expect("the table is made");
    let mut select = db
        .prepare("SELECT id FROM epas ORDER BY id LIMIT ?")
        .expect("EPAs are read");
    select
        .query_map([count as i64], |row| row.get(0))
        .expect("EPAs are read")
        .collect::<Result<_, _>>()
        .expect("EPAs are read")
}

/// As the product opens its writer (`epa_store`'s `db.rs`): WAL, every
/// commit synced, foreign keys, a 32 MB page cache.
fn open(path: &str) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(path).expect("the database opens");
    db.busy_timeout(Duration::from_secs(5))
        .expect("a busy timeout");
    db.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -32768;",
    )
    .expect("the pragmas are set");
    db
}

fn with_rusqlite(path: &str, ids: &[Vec<u8>], body: &str) {
    let db = open(path);
    for (i, id) in ids.iter().enumerate() {
        db.execute_batch("BEGIN IMMEDIATE").expect("begin");
        let (epa, _stage): (Vec<u8>, String) = db
            .prepare_cached(EPA)
            .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))))
            .expect("the EPA");
        let _sittings: i64 = db
            .prepare_cached(SITTINGS)
            .and_then(|mut s| s.query_row([&epa], |r| r.get(0)))
            .expect("its sittings");
        for k in 0..2 {
            db.prepare_cached(INSERT)
                .and_then(|mut s| s.execute(rusqlite::params![id, (2 * i + k) as i64, body]))
                .expect("a row");
        }
        db.execute_batch("COMMIT").expect("commit");
    }
}

fn raw(path: &str, ids: &[Vec<u8>], body: &str) {
    let db = open(path);
    for (i, id) in ids.iter().enumerate() {
        db.execute_batch("BEGIN IMMEDIATE").expect("begin");
        db.prepare_cached(INSERT)
            .and_then(|mut s| s.execute(rusqlite::params![id, i as i64, body]))
            .expect("a row");
        db.execute_batch("COMMIT").expect("commit");
    }
}

async fn with_sqlx(path: &str, ids: &[Vec<u8>], body: &str) {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    use sqlx::{Connection, Row};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .pragma("cache_size", "-32768")
        .row_buffer_size(512)
        .busy_timeout(Duration::from_secs(5));
    let mut db = sqlx::SqliteConnection::connect_with(&options)
        .await
        .expect("the database opens");
    for (i, id) in ids.iter().enumerate() {
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await.expect("begin");
        let epa: Vec<u8> = sqlx::query(EPA)
            .bind(id.as_slice())
            .fetch_one(&mut *tx)
            .await
            .expect("the EPA")
            .get(0);
        let _sittings: i64 = sqlx::query(SITTINGS)
            .bind(epa.as_slice())
            .fetch_one(&mut *tx)
            .await
            .expect("its sittings")
            .get(0);
        for k in 0..2 {
            sqlx::query(INSERT)
                .bind(id.as_slice())
                .bind((2 * i + k) as i64)
                .bind(body)
                .execute(&mut *tx)
                .await
                .expect("a row");
        }
        tx.commit().await.expect("commit");
    }
    db.close().await.expect("closed");
}

/// The process's CPU time and context switches so far.
struct Usage {
    cpu_micros: i64,
    switches: i64,
}

impl Usage {
    fn now() -> Usage {
        // SAFETY: getrusage writes the struct it is given and nothing else.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_SELF, &mut usage);
            usage
        };
        let micros = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
        Usage {
            cpu_micros: micros(usage.ru_utime) + micros(usage.ru_stime),
            switches: usage.ru_nvcsw + usage.ru_nivcsw,
        }
    }

    fn since(&self, before: &Usage) -> Usage {
        Usage {
            cpu_micros: self.cpu_micros - before.cpu_micros,
            switches: self.switches - before.switches,
        }
    }
}
