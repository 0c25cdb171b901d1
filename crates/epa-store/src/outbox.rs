//! The outbox: messages (emails, calendar invites) written in the same
//! transaction as the change that caused them, and delivered afterwards by a
//! worker with retries, so a mail server being down never fails a request.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

const COLUMNS: &str = "id, created_at, kind, recipient, subject, body, attempts, next_attempt_at, sent_at, last_error";

pub async fn enqueue(
    tx: &mut Tx,
    message: &NewMessage<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO outbox_messages (id, created_at, kind, recipient, subject, body, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $2)"
    )
    .bind(id)
    .bind(now)
    .bind(message.kind)
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.body)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(id)
}

/// Messages due for a delivery attempt, oldest first.
pub async fn due(
    db: &Db,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox_messages WHERE sent_at IS NULL AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
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

pub async fn mark_sent(db: &Db, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE outbox_messages SET sent_at = $1, attempts = attempts + 1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records a failed attempt and when to try again: 1, 2, 4 ... minutes, at
/// most six hours apart, so a long outage is retried without a storm.
pub async fn mark_failed(
    db: &Db,
    message: &OutboxMessage,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let wait = Duration::minutes(1_i64 << message.attempts.clamp(0, 9)).min(Duration::hours(6));
    on_db!(db, |pool| {
        sqlx::query(
        "UPDATE outbox_messages SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3"
    )
    .bind(error)
    .bind(now + wait)
    .bind(message.id)
    .execute(pool)
    .await
    .map(|_| ())
    })?;
    Ok(())
}
