//! Private calendar feeds: one per person at most, reached by a secret URL.
//! Only the secret's SHA-256 is kept, as for API tokens, so a copy of the
//! database does not reveal anyone's feed.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use epa_domain::booking::BookingStatus;
use epa_domain::{MethodId, Mode};
use uuid::Uuid;

use crate::epas::{Bind, Filter, Scope, bind_all, conditions};
use crate::{Db, StoreError, Tx};

/// Makes (or replaces) `user_id`'s feed and returns its secret, the only
/// time it exists: an earlier secret stops working.
pub async fn issue(tx: &mut Tx, user_id: Uuid, now: DateTime<Utc>) -> Result<String, StoreError> {
    let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at"
    )
    .bind(user_id)
    .bind(crate::tokens::hash(&secret))
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(secret)
}

/// Removes `user_id`'s feed; `false` when there was none.
pub async fn revoke(tx: &mut Tx, user_id: Uuid) -> Result<bool, StoreError> {
    let removed = on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM calendar_feeds WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(removed > 0)
}

/// When `user_id`'s feed was issued, if they have one.
pub async fn issued_at(db: &Db, user_id: Uuid) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT created_at FROM calendar_feeds WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?)
}

/// Whose feed `secret` opens: a live person's, or nobody's.
pub async fn owner(db: &Db, secret: &str) -> Result<Option<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id \
         WHERE f.secret_hash = $1 AND u.deactivated_at IS NULL"
    )
    .bind(crate::tokens::hash(secret))
    .fetch_optional(pool)
    .await)?)
}

/// One booking as a feed shows it, with the apprentice's name.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FeedBooking {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub method: MethodId,
    pub assessment_on: NaiveDate,
    pub starts_at: NaiveTime,
    pub duration_minutes: i32,
    pub mode: Mode,
    pub status: BookingStatus,
    pub replaces_id: Option<Uuid>,
    pub given_names: String,
    pub family_name: String,
}

/// The bookings of the EPAs in `scope` on or after `from` that are booked,
/// held or cancelled (a moved booking's old slot is left out: its
/// replacement stands for it), soonest first, at most `limit`.
pub async fn bookings_in_scope(
    db: &Db,
    scope: &Scope,
    from: NaiveDate,
    limit: i64,
) -> Result<Vec<FeedBooking>, StoreError> {
    let (mut clauses, binds) = conditions(scope, &Filter::default());
    let n = binds.len();
    clauses.push(format!("b.assessment_on >= ${}", n + 1));
    clauses.push("b.status IN ('booked', 'held', 'cancelled')".to_owned());
    let sql = format!(
        "SELECT b.id, b.epa_id, b.method, b.assessment_on, b.starts_at, b.duration_minutes, b.mode, b.status, \
         b.replaces_id, a.given_names, a.family_name FROM bookings b JOIN epas e ON e.id = b.epa_id \
         JOIN apprentices a ON a.id = e.apprentice_id WHERE {} ORDER BY b.assessment_on, b.starts_at, b.id LIMIT ${}",
        clauses.join(" AND "),
        n + 2
    );
    Ok(on_db!(db, |pool| {
        let query = bind_all!(sqlx::query_as(&sql), &binds);
        query.bind(from).bind(limit).fetch_all(pool).await
    })?)
}

/// For each of `ids`, the first booking of its chain and how many times it
/// was moved ([`chain_root_in`] for many bookings, in one query).
pub async fn chain_roots(
    db: &Db,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, (Uuid, u32)>, StoreError> {
    let mut roots = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "WITH RECURSIVE up (start, id, replaces_id, depth) AS ( \
             SELECT id, id, replaces_id, 0 FROM bookings WHERE id IN ({}) \
             UNION ALL SELECT up.start, b.id, b.replaces_id, up.depth + 1 FROM bookings b \
             JOIN up ON b.id = up.replaces_id WHERE up.depth < 1000) \
             SELECT start, id, depth FROM up WHERE replaces_id IS NULL",
            crate::placeholders::list(1, chunk.len())
        );
        let rows: Vec<(Uuid, Uuid, i32)> = on_db!(db, |pool| {
            let mut query = sqlx::query_as(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?;
        for (start, root, depth) in rows {
            roots.insert(start, (root, u32::try_from(depth).unwrap_or(0)));
        }
    }
    Ok(roots)
}

/// The first booking of the chain `booking_id` ends (each reschedule
/// replaces the one before), and how many times it was moved: a calendar
/// event's stable identity and its sequence.
pub async fn chain_root_in(tx: &mut Tx, booking_id: Uuid) -> Result<(Uuid, u32), StoreError> {
    let mut id = booking_id;
    let mut moves = 0;
    loop {
        let replaces: Option<Uuid> = on_tx!(tx, |conn| sqlx::query_scalar(
            "SELECT replaces_id FROM bookings WHERE id = $1"
        )
        .bind(id)
        .fetch_one(conn)
        .await)?;
        match replaces {
            Some(previous) if moves < 1000 => {
                id = previous;
                moves += 1;
            }
            _ => return Ok((id, moves)),
        }
    }
}

/// A person's name and email, read inside a transaction (for an invite).
pub async fn person_in(tx: &mut Tx, user_id: Uuid) -> Result<Option<(String, String)>, StoreError> {
    Ok(on_tx!(tx, |conn| sqlx::query_as(
        "SELECT display_name, email FROM users WHERE id = $1 AND deactivated_at IS NULL"
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await)?)
}
