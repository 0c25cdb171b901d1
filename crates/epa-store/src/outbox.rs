//! The outbox: messages (emails, calendar invites) written in the same
//! transaction as the change that caused them, and delivered afterwards by a
//! worker with retries, so a mail server being down never fails a request.
//!
//! A worker [`claim`]s due messages for a while (its lease), delivers them,
//! and marks each sent or failed under its claim; a message that keeps
//! failing is given up ([`OutboxState::Failed`]) for an EPAO admin to see
//! and [`retry`]. Two workers never hold one message: on PostgreSQL the
//! claim skips rows another claimant has locked (`FOR UPDATE SKIP LOCKED`),
//! on SQLite the claim is one statement under the database's single writer.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::columns::Columns;
use crate::direct::Arg;
use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// The same message as HTML, when it has one.
    pub html: Option<String>,
    /// An iCalendar object (RFC 5545) sent with it: an invite or its
    /// cancellation.
    pub calendar: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// When delivery was given up after the configured number of tries.
    pub failed_at: Option<DateTime<Utc>>,
}

impl OutboxMessage {
    pub fn state(&self) -> OutboxState {
        if self.sent_at.is_some() {
            OutboxState::Sent
        } else if self.failed_at.is_some() {
            OutboxState::Failed
        } else {
            OutboxState::Queued
        }
    }
}

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its first or next try.
    Queued,
    Sent,
    /// Given up after the configured number of tries.
    Failed,
}

impl OutboxState {
    pub const ALL: [OutboxState; 3] = [OutboxState::Queued, OutboxState::Sent, OutboxState::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<OutboxState> {
        OutboxState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn condition(self) -> &'static str {
        match self {
            OutboxState::Queued => "sent_at IS NULL AND failed_at IS NULL",
            OutboxState::Sent => "sent_at IS NOT NULL",
            OutboxState::Failed => "failed_at IS NOT NULL",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub html: Option<&'a str>,
    pub calendar: Option<&'a str>,
}

const COLUMNS: &str = "id, created_at, kind, recipient, subject, body, html, calendar, attempts, next_attempt_at, \
    sent_at, last_error, failed_at";

/// Writes a message to send, unless its recipient has switched this kind
/// of message off (see [`crate::email_preferences`]); `None` then.
pub async fn enqueue(
    tx: &mut Tx,
    message: &NewMessage<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    Ok(enqueue_all(tx, std::slice::from_ref(message), now)
        .await?
        .first()
        .copied())
}

/// Writes messages to send in one statement (a few hundred at a time),
/// leaving out each whose recipient has switched its kind off; returns the
/// IDs of those written, in the order given. One statement for the several
/// emails of one event (a booking tells four or five people): on SQLite
/// each statement is a round trip to the connection's thread (ADR 0160).
pub async fn enqueue_all(
    tx: &mut Tx,
    messages: &[NewMessage<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut written = Vec::new();
    // An organisation with thousands of users would pass SQLite's limit
    // on parameters (32,766) in one statement: a few hundred at a time.
    for chunk in messages.chunks(ENQUEUED_AT_ONCE) {
        written.extend(enqueue_chunk(tx, chunk, now).await?);
    }
    Ok(written)
}

/// How many messages one statement writes at most.
const ENQUEUED_AT_ONCE: usize = 500;

async fn enqueue_chunk(
    tx: &mut Tx,
    messages: &[NewMessage<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<Uuid> = messages.iter().map(|_| Uuid::now_v7()).collect();
    let sql = enqueue_sql(messages.len());
    let written: Vec<Uuid> = if let Some(conn) = tx.on_thread() {
        let args: Vec<Arg<'_>> = ids
            .iter()
            .zip(messages)
            .flat_map(|(id, message)| {
                [
                    Arg::Id(*id),
                    Arg::Time(now),
                    Arg::Text(message.kind),
                    Arg::Text(message.recipient),
                    Arg::Text(message.subject),
                    Arg::Text(message.body),
                    Arg::opt_text(message.html),
                    Arg::opt_text(message.calendar),
                ]
            })
            .collect();
        conn.rows(&sql, &args, |row| row.id(0))?
    } else {
        on_tx!(tx, |conn| {
            let mut query = sqlx::query_scalar(&sql);
            for (id, message) in ids.iter().zip(messages) {
                query = query
                    .bind(*id)
                    .bind(now)
                    .bind(message.kind)
                    .bind(message.recipient)
                    .bind(message.subject)
                    .bind(message.body)
                    .bind(message.html)
                    .bind(message.calendar);
            }
            query.fetch_all(conn).await
        })?
    };
    // `RETURNING` promises no order: the order given is kept.
    Ok(ids.into_iter().filter(|id| written.contains(id)).collect())
}

/// The values of one message in [`enqueue_sql`]'s rows.
const ENQUEUED: usize = 8;

/// `INSERT ... SELECT` from `rows` rows of `VALUES`, less those opted out
/// of. Both databases name the columns of `VALUES` `column1`, `column2`...
fn enqueue_sql(rows: usize) -> String {
    format!(
        "INSERT INTO outbox_messages (id, created_at, kind, recipient, subject, body, html, calendar, next_attempt_at) \
         SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column2 \
         FROM (VALUES {}) AS v WHERE NOT EXISTS (SELECT 1 FROM email_opt_outs o \
         JOIN users u ON u.id = o.user_id WHERE u.email = v.column4 AND o.kind = v.column3) RETURNING id",
        crate::placeholders::rows(rows, ENQUEUED)
    )
}

/// Claims up to `limit` due messages for `worker` until `now + lease`,
/// oldest first. A message claimed by another worker whose lease has not
/// run out is left alone.
pub async fn claim(
    db: &Db,
    worker: Uuid,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let due = "SELECT id FROM outbox_messages WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3 \
         AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY next_attempt_at, id LIMIT $4";
    // PostgreSQL: concurrent claimants skip the rows another has locked.
    // SQLite has no row locks: the one statement runs under the single
    // writer lock, so claims are taken one at a time.
    let lock = match db {
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        Db::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE outbox_messages SET claimed_by = $1, claimed_until = $2 WHERE id IN ({due}{lock}) RETURNING {COLUMNS}"
    );
    let mut claimed: Vec<OutboxMessage> = on_writer!(db, |pool| sqlx::query_as(&sql)
        .bind(worker)
        .bind(now + lease)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
    claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
    Ok(claimed)
}

/// Marks claimed messages sent, in one statement (one commit): how many
/// were still held by `worker`. A message whose claim was lost (its lease
/// ran out and another worker took it) is not counted.
pub async fn mark_sent(
    db: &Db,
    ids: &[Uuid],
    worker: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE outbox_messages SET sent_at = $1, attempts = attempts + 1, last_error = NULL, \
         claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $2 AND sent_at IS NULL AND id IN ({})",
        crate::placeholders::list(3, ids.len())
    );
    on_writer!(db, |pool| {
        let mut query = sqlx::query(&sql).bind(now).bind(worker);
        for id in ids {
            query = query.bind(*id);
        }
        query.execute(pool).await.map(|done| done.rows_affected())
    })
}

/// How long to wait after the `attempts`-th failed try: 1, 2, 4 ...
/// minutes, at most six hours apart, so a long outage is retried without a
/// storm.
pub fn backoff(attempts: i32) -> Duration {
    Duration::minutes(1_i64 << attempts.clamp(0, 9)).min(Duration::hours(6))
}

/// What became of a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Tried again at this time.
    RetryAt(DateTime<Utc>),
    /// The last allowed try: given up.
    GivenUp,
    /// The claim was lost; nothing recorded.
    NotHeld,
}

/// Records a failed try of a claimed message: tried again after
/// [`backoff`], or given up once `max_attempts` tries have failed.
pub async fn mark_failed(
    db: &Db,
    message: &OutboxMessage,
    worker: Uuid,
    error: &str,
    now: DateTime<Utc>,
    max_attempts: i32,
) -> Result<Failure, StoreError> {
    let attempts = message.attempts + 1;
    let give_up = attempts >= max_attempts;
    let next = now + backoff(message.attempts);
    let updated = on_writer!(db, |pool| {
        sqlx::query(
        "UPDATE outbox_messages SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
         failed_at = $3, claimed_by = NULL, claimed_until = NULL WHERE id = $4 AND claimed_by = $5 AND sent_at IS NULL"
    )
    .bind(error)
    .bind(next)
    .bind(give_up.then_some(now))
    .bind(message.id)
    .bind(worker)
    .execute(pool)
    .await
    .map(|done| done.rows_affected())
    })?;
    Ok(match (updated, give_up) {
        (0, _) => Failure::NotHeld,
        (_, true) => Failure::GivenUp,
        (_, false) => Failure::RetryAt(next),
    })
}

/// Messages in `state`, newest first, before `before` (the last ID of the
/// previous page) when given.
pub async fn list(
    db: &Db,
    state: OutboxState,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let after = if before.is_some() { "AND id < $2" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox_messages WHERE {} {after} ORDER BY id DESC LIMIT $1",
        state.condition()
    );
    Ok(on_db!(db, |pool| {
        let query = sqlx::query_as(&sql).bind(limit);
        match before {
            Some(id) => query.bind(id).fetch_all(pool).await,
            None => query.fetch_all(pool).await,
        }
    })?)
}

/// One message.
pub async fn get(db: &Db, id: Uuid) -> Result<OutboxMessage, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM outbox_messages WHERE id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(pool)
        .await)?)
}

/// Puts a given-up message back in the queue, due at `now`, with its tries
/// counted afresh. `NotFound` unless it was given up.
pub async fn retry(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<OutboxMessage, StoreError> {
    let sql = format!(
        "UPDATE outbox_messages SET failed_at = NULL, attempts = 0, next_attempt_at = $1, claimed_by = NULL, \
         claimed_until = NULL WHERE id = $2 AND failed_at IS NOT NULL AND sent_at IS NULL RETURNING {COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(now)
        .bind(id)
        .fetch_one(conn)
        .await)?)
}

/// Messages to one recipient, newest first (what a person was sent).
pub async fn for_recipient(db: &Db, recipient: &str) -> Result<Vec<OutboxMessage>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox_messages WHERE recipient = $1 ORDER BY created_at DESC, id DESC"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(recipient)
        .fetch_all(pool)
        .await)?)
}

/// How many messages are in each state.
pub async fn counts(db: &Db) -> Result<Vec<(OutboxState, i64)>, StoreError> {
    let mut counts = Vec::new();
    for state in OutboxState::ALL {
        let sql = format!(
            "SELECT COUNT(*) FROM outbox_messages WHERE {}",
            state.condition()
        );
        let n: i64 = on_db!(db, |pool| sqlx::query_scalar(&sql).fetch_one(pool).await)?;
        counts.push((state, n));
    }
    Ok(counts)
}
