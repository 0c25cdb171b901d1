//! The audit chain. Every change appends one event in the same transaction
//! as the change itself; events are numbered without gaps and each carries
//! the SHA-256 of its own content and of the event before it. Database
//! triggers refuse UPDATE and DELETE; [`verify`] walks the chain and names
//! the first event that does not match.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
use crate::{Db, StoreError, Tx};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it, to what, and how the record looked before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent<'a> {
    pub occurred_at: DateTime<Utc>,
    /// `None` for the system itself (migrations, scheduled work).
    pub actor_id: Option<Uuid>,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_role: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str = "seq, id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before_json, after_json, request_id, prev_hash, hash";

/// Appends an event inside `tx`. On PostgreSQL an advisory lock held to the
/// end of the transaction serialises appends, so two concurrent writers
/// cannot both extend the same head; SQLite's `BEGIN IMMEDIATE` already
/// gives that order. The `stage_weeks` trigger (migration 0028) takes the
/// same lock before it counts a change of stage.
pub async fn append(tx: &mut Tx, event: &NewAuditEvent<'_>) -> Result<AuditEvent, StoreError> {
    if event.entity_type == "epa"
        && let Ok(epa_id) = event.entity_id.parse()
    {
        tx.touch(epa_id);
    }
    // A transaction that has appended already holds the lock and knows the
    // head: a use case writing several events (the demo loader thousands)
    // pays the lock and the read once.
    if let Some(head) = tx.audit_head.take() {
        return insert(tx, event_after(event, Some(head))).await;
    }
    // On SQLite, the head this process's last write committed, if it is
    // still the head: the insert checks that itself, and one statement
    // does the work of two (ADR 0165). Another process that appended
    // meanwhile (the command line) makes it insert nothing; then the head
    // is read as below.
    if let Some(head) = tx.committed_audit_head() {
        let row = event_after(event, Some(head));
        let sql = format!(
            "INSERT INTO audit_events ({COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 \
             WHERE NOT EXISTS (SELECT 1 FROM audit_events WHERE seq >= $1) \
             AND EXISTS (SELECT 1 FROM audit_events WHERE seq = $1 - 1 AND hash = $12)"
        );
        let inserted = match tx.on_thread() {
            Some(conn) => conn.execute(&sql, &args(&row))? as u64,
            None => on_tx!(tx, |conn| bind_row(sqlx::query(&sql), &row)
                .execute(conn)
                .await
                .map(|done| done.rows_affected()))?,
        };
        if inserted == 1 {
            tx.audit_head = Some((row.seq, row.hash.clone()));
            return Ok(row);
        }
    }
    if let crate::db::TxConn::Postgres(inner) = tx.conn_mut() {
        sqlx::query("SELECT pg_advisory_xact_lock(7100071)")
            .execute(&mut **inner)
            .await?;
    }
    let head = on_tx!(tx, |conn| sqlx::query_as(
        "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
    )
    .fetch_optional(conn)
    .await)?;
    insert(tx, event_after(event, head)).await
}

/// The event as it follows `head` (the chain's last event's number and
/// hash, `None` for an empty chain), with its hash.
fn event_after(event: &NewAuditEvent<'_>, head: Option<(i64, String)>) -> AuditEvent {
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    // Stored and hashed at microsecond precision, which both databases keep exactly.
    let occurred_at = DateTime::<Utc>::from_timestamp_micros(event.occurred_at.timestamp_micros())
        .unwrap_or(event.occurred_at);
    let mut row = AuditEvent {
        seq,
        id: Uuid::now_v7(),
        occurred_at,
        actor_id: event.actor_id,
        actor_role: event.actor_role.to_owned(),
        action: event.action.to_owned(),
        entity_type: event.entity_type.to_owned(),
        entity_id: event.entity_id.to_owned(),
        before_json: event.before.as_ref().map(serde_json::Value::to_string),
        after_json: event.after.as_ref().map(serde_json::Value::to_string),
        request_id: event.request_id.map(str::to_owned),
        prev_hash,
        hash: String::new(),
    };
    row.hash = content_hash(&row);
    row
}

/// `query` with the row's values bound as `$1` to `$13`, in [`COLUMNS`]' order.
fn bind_row<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    row: &'q AuditEvent,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Uuid>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(row.seq)
        .bind(row.id)
        .bind(row.occurred_at)
        .bind(row.actor_id)
        .bind(&row.actor_role)
        .bind(&row.action)
        .bind(&row.entity_type)
        .bind(&row.entity_id)
        .bind(&row.before_json)
        .bind(&row.after_json)
        .bind(&row.request_id)
        .bind(&row.prev_hash)
        .bind(&row.hash)
}

/// Inserts the event as the chain's next, and notes it as the head this
/// transaction has extended.
async fn insert(tx: &mut Tx, row: AuditEvent) -> Result<AuditEvent, StoreError> {
    let sql = format!(
        "INSERT INTO audit_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    );
    match tx.on_thread() {
        Some(conn) => {
            conn.execute(&sql, &args(&row))?;
        }
        None => on_tx!(tx, |conn| bind_row(sqlx::query(&sql), &row)
            .execute(conn)
            .await
            .map(|_| ()))?,
    }
    tx.audit_head = Some((row.seq, row.hash.clone()));
    Ok(row)
}

/// The row's values as [`bind_row`] binds them, for a statement run on the
/// request's thread.
fn args(row: &AuditEvent) -> [Arg<'_>; 13] {
    [
        Arg::Int(row.seq),
        Arg::Id(row.id),
        Arg::Time(row.occurred_at),
        Arg::opt_id(row.actor_id),
        Arg::Text(&row.actor_role),
        Arg::Text(&row.action),
        Arg::Text(&row.entity_type),
        Arg::Text(&row.entity_id),
        Arg::opt_text(row.before_json.as_deref()),
        Arg::opt_text(row.after_json.as_deref()),
        Arg::opt_text(row.request_id.as_deref()),
        Arg::Text(&row.prev_hash),
        Arg::Text(&row.hash),
    ]
}

/// The hash of an event: SHA-256 over every field but the hash itself, each
/// length-prefixed so that no two different events serialise alike.
pub fn content_hash(event: &AuditEvent) -> String {
    let mut hasher = Sha256::new();
    let actor = event.actor_id.map(|id| id.to_string()).unwrap_or_default();
    let fields: [Option<&str>; 12] = [
        Some(&event.seq.to_string()),
        Some(&event.id.to_string()),
        Some(
            &event
                .occurred_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
        ),
        Some(&actor),
        Some(&event.actor_role),
        Some(&event.action),
        Some(&event.entity_type),
        Some(&event.entity_id),
        event.before_json.as_deref(),
        event.after_json.as_deref(),
        event.request_id.as_deref(),
        Some(&event.prev_hash),
    ];
    for field in fields {
        match field {
            // A missing value and an empty one hash differently.
            None => hasher.update(b"-"),
            Some(text) => {
                hasher.update(format!("{}:", text.len()).as_bytes());
                hasher.update(text.as_bytes());
            }
        }
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// The events about one entity, oldest first: its history.
pub async fn for_entity(
    db: &Db,
    entity_type: &str,
    entity_id: &str,
) -> Result<Vec<AuditEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(entity_type)
        .bind(entity_id)
        .fetch_all(pool)
        .await)?)
}

/// One event of an entity's history as a reader is shown it: what
/// happened, when, by whom, and what it recorded. The chain's own columns
/// (hashes, ids, the state before) are verified on the stored rows and
/// never shown, so the history does not read them.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub occurred_at: DateTime<Utc>,
    pub actor_role: String,
    pub action: String,
    pub after_json: Option<String>,
}

/// The history of one entity, oldest first: [`for_entity`] with only the
/// columns a reader is shown.
pub async fn history(
    db: &Db,
    entity_type: &str,
    entity_id: &str,
) -> Result<Vec<HistoryEvent>, StoreError> {
    let sql = "SELECT occurred_at, actor_role, action, after_json FROM audit_events \
         WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq";
    if let Db::Sqlite(sqlite) = db {
        return sqlite.direct.rows(
            sql,
            &[Arg::Text(entity_type), Arg::Text(entity_id)],
            |row| HistoryEvent::read(row),
        );
    }
    Ok(on_db!(db, |pool| sqlx::query_as(sql)
        .bind(entity_type)
        .bind(entity_id)
        .fetch_all(pool)
        .await)?)
}

read_by_position!(HistoryEvent);

impl HistoryEvent {
    /// In the order [`history`] selects it, whichever driver runs it (ADR
    /// 0171).
    fn read(row: &impl Columns) -> Result<HistoryEvent, sqlx::Error> {
        Ok(HistoryEvent {
            occurred_at: row.instant(0)?,
            actor_role: row.text(1)?,
            action: row.text(2)?,
            after_json: row.opt_text(3)?,
        })
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every event matched: how many were checked.
    Intact { events: u64 },
    /// The first event that does not match, and what is wrong with it.
    Broken { seq: i64, id: Uuid, problem: String },
}

/// How many events [`verify`] reads per query: the chain is walked in pages
/// so memory stays flat however long it grows.
const PAGE: i64 = 5_000;

/// Walks the whole chain in order, recomputing every hash.
pub async fn verify(db: &Db) -> Result<Verdict, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2");
    let mut expected_seq = 1_i64;
    let mut prev_hash = GENESIS.to_owned();
    let mut checked = 0_u64;
    loop {
        let page: Vec<AuditEvent> = on_db!(db, |pool| sqlx::query_as(&sql)
            .bind(expected_seq - 1)
            .bind(PAGE)
            .fetch_all(pool)
            .await)?;
        if page.is_empty() {
            return Ok(Verdict::Intact { events: checked });
        }
        for event in page {
            let problem = if event.seq != expected_seq {
                Some(format!(
                    "event {expected_seq} is missing (the next is {})",
                    event.seq
                ))
            } else if event.prev_hash != prev_hash {
                Some("its previous-hash does not match the event before it".to_owned())
            } else if content_hash(&event) != event.hash {
                Some(
                    "its content does not match its hash (it was changed after it was written)"
                        .to_owned(),
                )
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(Verdict::Broken {
                    seq: event.seq,
                    id: event.id,
                    problem,
                });
            }
            prev_hash = event.hash;
            expected_seq += 1;
            checked += 1;
        }
    }
}

/// The events that occurred in `[from, until)`, in chain order; at most
/// `limit`.
pub async fn between(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE occurred_at >= $1 AND occurred_at < $2 ORDER BY seq LIMIT $3"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> NewAuditEvent<'static> {
        NewAuditEvent {
            occurred_at: Utc::now(),
            actor_id: None,
            actor_role: "system",
            action: "test.appended",
            entity_type: "test",
            entity_id: "t-1",
            before: None,
            after: None,
            request_id: None,
        }
    }

    /// On SQLite a write starts from the head the last committed write
    /// left, which is what saves it the read; one rolled back leaves it.
    #[tokio::test]
    async fn the_next_write_starts_from_the_head_the_last_commit_left() {
        let (_dir, db) = crate::db::scratch_sqlite().await;

        let mut tx = db.begin_write().await.unwrap();
        assert_eq!(tx.committed_audit_head(), None, "nothing committed yet");
        let first = append(&mut tx, &event()).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.begin_write().await.unwrap();
        assert_eq!(
            tx.committed_audit_head(),
            Some((first.seq, first.hash.clone()))
        );
        let unkept = append(&mut tx, &event()).await.unwrap();
        assert_eq!(unkept.prev_hash, first.hash);
        drop(tx);

        let mut tx = db.begin_write().await.unwrap();
        assert_eq!(
            tx.committed_audit_head(),
            Some((first.seq, first.hash.clone())),
            "a rolled-back write leaves the head as it was"
        );
        let second = append(&mut tx, &event()).await.unwrap();
        assert_eq!((second.seq, &second.prev_hash), (2, &first.hash));
        tx.commit().await.unwrap();
        assert_eq!(verify(&db).await.unwrap(), Verdict::Intact { events: 2 });
    }
}
