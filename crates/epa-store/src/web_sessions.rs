//! Sessions of the web application, kept in the database so every node
//! behind a load balancer shares them. Only a SHA-256 of the session id
//! (the cookie's value) is stored.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::users::Membership;
use crate::{Db, StoreError, Tx, tokens};

/// One live session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebSession {
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Good only for setting up a second factor.
    pub restricted: bool,
}

/// Makes a session for `user_id` and returns its id, the only time it exists.
pub async fn create(
    tx: &mut Tx,
    user_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    restricted: bool,
) -> Result<String, StoreError> {
    let id = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO web_sessions (id_hash, user_id, created_at, last_seen_at, expires_at, restricted) VALUES ($1, $2, $3, $3, $4, $5)"
    )
    .bind(tokens::hash(&id))
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(restricted)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(id)
}

/// The session `id` names, if it is live at `now` (not expired, seen
/// since `idle_since`, its holder not deactivated).
pub async fn live(
    db: &Db,
    id: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> Result<Option<WebSession>, StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.restricted FROM web_sessions s \
         JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.deactivated_at IS NULL"
    )
    .bind(tokens::hash(id))
    .bind(now)
    .bind(idle_since)
    .fetch_optional(pool)
    .await
    })?)
}

/// The live session `id` names with its holder's memberships, in one
/// indexed lookup (the session's hashed id, then the holder's key): how
/// each request of the web application finds who is asking. Nothing is
/// cached, so ending a session or deactivating its holder takes effect on
/// the next request on every node.
pub async fn authenticate(
    db: &Db,
    id: &str,
    now: DateTime<Utc>,
    idle_since: DateTime<Utc>,
) -> Result<Option<(WebSession, Vec<Membership>)>, StoreError> {
    type Row = (
        Uuid,
        DateTime<Utc>,
        DateTime<Utc>,
        DateTime<Utc>,
        bool,
        Option<Uuid>,
        Option<String>,
    );
    let rows: Vec<Row> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.restricted, m.organisation_id, m.role \
         FROM web_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN memberships m ON m.user_id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.deactivated_at IS NULL \
         ORDER BY m.organisation_id, m.role"
    )
    .bind(tokens::hash(id))
    .bind(now)
    .bind(idle_since)
    .fetch_all(pool)
    .await
    })?;
    let Some(&(user_id, created_at, last_seen_at, expires_at, restricted, _, _)) = rows.first()
    else {
        return Ok(None);
    };
    let memberships = crate::users::joined_memberships(
        rows.into_iter()
            .map(|(_, _, _, _, _, org, role)| (org, role)),
    )?;
    Ok(Some((
        WebSession {
            user_id,
            created_at,
            last_seen_at,
            expires_at,
            restricted,
        },
        memberships,
    )))
}

/// Marks the session seen at `now`.
pub async fn touch(db: &Db, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_writer!(db, |pool| sqlx::query(
        "UPDATE web_sessions SET last_seen_at = $1 WHERE id_hash = $2"
    )
    .bind(now)
    .bind(tokens::hash(id))
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Ends one session; `false` when there was none.
pub async fn delete(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    let done = on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM web_sessions WHERE id_hash = $1"
    )
    .bind(tokens::hash(id))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Ends every session of a person; returns how many there were.
pub async fn delete_for_user(tx: &mut Tx, user_id: Uuid) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM web_sessions WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Forgets at most `limit` of the sessions that ended by `before` and
/// returns how many (see [`crate::sweep`]).
pub async fn delete_expired(db: &Db, before: DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    crate::sweep::delete_batch(
        db,
        "web_sessions",
        "id_hash",
        "expires_at <= $1",
        before,
        limit,
    )
    .await
}

/// Lifts the restriction from every session of the person: they have set
/// up their second factor.
pub async fn unrestrict_all(tx: &mut Tx, user_id: Uuid) -> Result<(), StoreError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE web_sessions SET restricted = FALSE WHERE user_id = $1 AND restricted"
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}
