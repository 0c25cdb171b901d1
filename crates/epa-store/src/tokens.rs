//! API tokens for machine clients. The token is shown once, when made; only
//! its SHA-256 is stored, so a copy of the database does not leak tokens.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::users::Membership;
use crate::{Db, StoreError, Tx};

/// The SHA-256 of a token, as stored.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes a token for `user_id` that never expires (fixtures and operators'
/// machine clients) and returns its text, the only time it exists.
pub async fn create(
    tx: &mut Tx,
    user_id: Uuid,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    create_expiring(tx, user_id, name, now, None, false).await
}

/// Makes a token for `user_id`, valid until `expires_at` (and, when
/// `restricted`, only for setting up a second factor), and returns its
/// text, the only time it exists.
pub async fn create_expiring(
    tx: &mut Tx,
    user_id: Uuid,
    name: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    restricted: bool,
) -> Result<String, StoreError> {
    // Two random v4 UUIDs: 244 bits from the operating system's generator.
    let token = format!("epa_{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, restricted) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(name)
    .bind(hash(&token))
    .bind(now)
    .bind(expires_at)
    .bind(restricted)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(token)
}

/// A live token: not revoked, not expired, its holder not deactivated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Live {
    pub token_id: Uuid,
    pub user_id: Uuid,
    /// Good only for setting up a second factor.
    pub restricted: bool,
}

/// A live token with its holder's memberships, read in one indexed
/// lookup (the token's unique hash, then the holder's key): how every API
/// request is authenticated. A lookup is remembered in `recent` for a
/// second at most, and not past a change of access its app commits (see
/// [`Recent::committing_for`]): so a revocation or a deactivation takes
/// effect on the next request on the node that made it, and within a
/// second on every other. An expiry is checked on every use.
pub async fn authenticate(
    recent: &Recent,
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Authenticated>, StoreError> {
    let hash = hash(token);
    // Read before the lookup: a change committed while it runs leaves
    // what it found already out of date.
    let commits = recent.commits();
    let asked = Instant::now();
    if let Some(found) = recent.find(&hash, commits, asked, now) {
        return Ok(Some(found));
    }
    let Some((found, expires_at)) = lookup(db, &hash, now).await? else {
        return Ok(None);
    };
    recent.keep(hash, commits, asked, expires_at, found.clone());
    Ok(Some(found))
}

/// A live token and its holder's memberships.
pub type Authenticated = (Live, Vec<Membership>);

/// The token found, and when it expires.
async fn lookup(
    db: &Db,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Authenticated, Option<DateTime<Utc>>)>, StoreError> {
    type Row = (
        Uuid,
        Uuid,
        bool,
        Option<DateTime<Utc>>,
        Option<Uuid>,
        Option<String>,
    );
    let rows: Vec<Row> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT t.id, t.user_id, t.restricted, t.expires_at, m.organisation_id, m.role FROM api_tokens t \
         JOIN users u ON u.id = t.user_id LEFT JOIN memberships m ON m.user_id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
         AND u.deactivated_at IS NULL ORDER BY m.organisation_id, m.role"
    )
    .bind(hash)
    .bind(now)
    .fetch_all(pool)
    .await
    })?;
    let Some(&(token_id, user_id, restricted, expires_at, _, _)) = rows.first() else {
        return Ok(None);
    };
    let memberships = crate::users::joined_memberships(
        rows.into_iter().map(|(_, _, _, _, org, role)| (org, role)),
    )?;
    let live = Live {
        token_id,
        user_id,
        restricted,
    };
    Ok(Some(((live, memberships), expires_at)))
}

/// Tokens authenticated in the last second, by their hash. The lookup
/// was a request's first statement, and on SQLite each statement is a
/// round trip to the connection's thread: a short read paid for it as
/// much as for what it read (ADR 0160). Only what was found is kept;
/// a token not found is looked up every time. Whatever was found before
/// a commit announced through [`Recent::committing_for`] is not used after it.
#[derive(Debug)]
pub struct Recent {
    lasting: Duration,
    /// Commits announced so far.
    commits: AtomicU64,
    found: Mutex<HashMap<String, Remembered>>,
}

/// Announces one commit when dropped: once the commit has ended, or
/// when the future that waited for it is dropped half way (a timeout, a
/// client gone), after which it may still have been made.
#[must_use = "the commit is announced when this is dropped"]
pub struct Committing<'a>(&'a Recent);

impl Drop for Committing<'_> {
    fn drop(&mut self) {
        self.0.commits.fetch_add(1, Ordering::Release);
    }
}

#[derive(Debug)]
struct Remembered {
    asked: Instant,
    commits: u64,
    /// Checked against the request's time on every use, as the lookup
    /// does: a token expires when it says, remembered or not.
    expires_at: Option<DateTime<Utc>>,
    found: Authenticated,
}

/// How many tokens are remembered before those out of date are let go.
const REMEMBERED_MOST: usize = 4_096;

impl Default for Recent {
    fn default() -> Recent {
        Recent::lasting(Duration::from_secs(1))
    }
}

impl Recent {
    /// Remembers each lookup for `lasting` (a second in the product).
    pub fn lasting(lasting: Duration) -> Recent {
        Recent {
            lasting,
            commits: AtomicU64::new(0),
            found: Mutex::new(HashMap::new()),
        }
    }

    /// To hold while `tx` commits, when it changed what a lookup reads
    /// ([`Tx::changes_access`]: a token revoked or unrestricted, a user
    /// deactivated or reactivated, a role granted): nothing found before
    /// the commit ends is used after it, so the change holds from the next
    /// request here. Any other commit leaves what is remembered, as it
    /// leaves what the lookup would find (before ADR 0164 every commit
    /// ended it, and every write after a write looked its token up again).
    pub fn committing_for(&self, tx: &Tx) -> Option<Committing<'_>> {
        // Not `then_some`: its argument is made whether or not it is
        // kept, and a guard dropped unkept would announce a commit.
        tx.changes_access().then(|| Committing(self))
    }

    fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    fn find(
        &self,
        hash: &str,
        commits: u64,
        asked: Instant,
        now: DateTime<Utc>,
    ) -> Option<Authenticated> {
        let found = self.remembered();
        let kept = found.get(hash)?;
        (kept.fresh(commits, asked, self.lasting) && kept.expires_at.is_none_or(|at| at > now))
            .then(|| kept.found.clone())
    }

    fn keep(
        &self,
        hash: String,
        commits: u64,
        asked: Instant,
        expires_at: Option<DateTime<Utc>>,
        found: Authenticated,
    ) {
        let mut remembered = self.remembered();
        if remembered.len() >= REMEMBERED_MOST {
            let now = self.commits();
            remembered.retain(|_, kept| kept.fresh(now, asked, self.lasting));
        }
        // Still full of fresh ones (that many tokens in one second): this
        // one is simply looked up again next time.
        if remembered.len() < REMEMBERED_MOST {
            remembered.insert(
                hash,
                Remembered {
                    asked,
                    commits,
                    expires_at,
                    found,
                },
            );
        }
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<String, Remembered>> {
        self.found.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Remembered {
    fn fresh(&self, commits: u64, now: Instant, lasting: Duration) -> bool {
        self.commits == commits && now.saturating_duration_since(self.asked) < lasting
    }
}

/// One of a person's tokens, as listed to them (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const RECORD: &str = "id, user_id, name, created_at, expires_at, revoked_at";

/// A person's tokens still in force at `now`, newest first.
pub async fn list_live(
    db: &Db,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<TokenRecord>, StoreError> {
    let sql = format!(
        "SELECT {RECORD} FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at DESC, id DESC"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(user_id)
        .bind(now)
        .fetch_all(pool)
        .await)?)
}

pub async fn get(db: &Db, id: Uuid) -> Result<Option<TokenRecord>, StoreError> {
    let sql = format!("SELECT {RECORD} FROM api_tokens WHERE id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// Revokes one token; `false` when it already was.
pub async fn revoke(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
    tx.note_access_change();
    let done = on_tx!(tx, |conn| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Revokes every token of a person; returns how many were live.
pub async fn revoke_all(tx: &mut Tx, user_id: Uuid, now: DateTime<Utc>) -> Result<u64, StoreError> {
    tx.note_access_change();
    Ok(on_tx!(tx, |conn| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Lifts the second-factor restriction from a person's tokens.
pub async fn unrestrict_all(tx: &mut Tx, user_id: Uuid) -> Result<(), StoreError> {
    tx.note_access_change();
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE api_tokens SET restricted = FALSE WHERE user_id = $1 AND restricted"
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets at most `limit` of the tokens that expired by `before` and
/// returns how many (see [`crate::sweep`]). Nothing lists or accepts an
/// expired token; one made without an expiry is kept.
pub async fn delete_expired(db: &Db, before: DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    crate::sweep::delete_batch(db, "api_tokens", "id", "expires_at <= $1", before, limit).await
}
