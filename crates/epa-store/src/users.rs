//! Users (people who sign in) and their roles in organisations.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::assessment::Reader;
use crate::{Db, StoreError, Tx};

/// A role a user holds in one organisation: the access policy's own type,
/// stored by its snake_case name.
pub use epa_domain::policy::Role;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
    /// Set while the person may not sign in.
    pub deactivated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Membership {
    pub organisation_id: Uuid,
    pub role: Role,
}

const COLUMNS: &str = "id, email, display_name, password_hash, created_at, version, deactivated_at";

/// Emails are compared without case: the same person types them both ways.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn insert(
    tx: &mut Tx,
    email: &str,
    display_name: &str,
    password_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<User, StoreError> {
    let sql = format!(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let email = normalise_email(email);
    let user: User = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(&email)
        .bind(display_name)
        .bind(password_hash)
        .bind(now)
        .fetch_one(conn)
        .await)?;
    Ok(user)
}

pub async fn get(db: &Db, id: Uuid) -> Result<User, StoreError> {
    get_from(Reader::Db(db), id).await
}

/// The person as the write transaction sees them, with the writes before
/// it in its group of commits (ADR 0169): for what the change writes.
pub async fn get_in(tx: &mut Tx, id: Uuid) -> Result<User, StoreError> {
    get_from(Reader::Tx(tx), id).await
}

async fn get_from(reader: Reader<'_>, id: Uuid) -> Result<User, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(exec)
        .await)?)
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    let email = normalise_email(email);
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(&email)
        .fetch_optional(pool)
        .await)?)
}

pub async fn grant(
    tx: &mut Tx,
    user_id: Uuid,
    organisation_id: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.note_access_change();
    // Granting a role the user already holds is not an error: it changes nothing.
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, organisation_id, role) DO NOTHING"
    )
    .bind(user_id)
    .bind(organisation_id)
    .bind(role.as_str())
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

pub async fn memberships(db: &Db, user_id: Uuid) -> Result<Vec<Membership>, StoreError> {
    memberships_from(Reader::Db(db), user_id).await
}

/// The person's memberships as the write transaction sees them, with the
/// writes before it in its group of commits (ADR 0169): for a decision
/// the change must agree with.
pub async fn memberships_in(tx: &mut Tx, user_id: Uuid) -> Result<Vec<Membership>, StoreError> {
    memberships_from(Reader::Tx(tx), user_id).await
}

async fn memberships_from(
    reader: Reader<'_>,
    user_id: Uuid,
) -> Result<Vec<Membership>, StoreError> {
    let rows: Vec<(Uuid, String)> = on_reader!(reader, |exec| {
        sqlx::query_as(
        "SELECT organisation_id, role FROM memberships WHERE user_id = $1 ORDER BY organisation_id, role"
    )
    .bind(user_id)
    .fetch_all(exec)
    .await
    })?;
    rows.into_iter()
        .map(|(organisation_id, role)| membership(organisation_id, &role))
        .collect()
}

/// A stored membership row as the policy's type.
pub(crate) fn membership(organisation_id: Uuid, role: &str) -> Result<Membership, StoreError> {
    Role::parse(role)
        .map(|role| Membership {
            organisation_id,
            role,
        })
        .ok_or_else(|| StoreError::Setup(format!("unknown role {role:?} in the database")))
}

/// The memberships of rows read with a `LEFT JOIN memberships`: a row
/// without one (NULLs) stands for a person with no role.
pub(crate) fn joined_memberships(
    rows: impl IntoIterator<Item = (Option<Uuid>, Option<String>)>,
) -> Result<Vec<Membership>, StoreError> {
    rows.into_iter()
        .filter_map(|row| match row {
            (Some(organisation_id), Some(role)) => Some(membership(organisation_id, &role)),
            _ => None,
        })
        .collect()
}

/// Sets (or replaces) a user's password hash.
pub async fn set_password_hash(
    tx: &mut Tx,
    user_id: Uuid,
    password_hash: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2"
    )
    .bind(password_hash)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(pool)
    .await)?)
}

/// Stops the person signing in (and, with their tokens revoked in the same
/// transaction, using the API). `false` when they already were deactivated.
pub async fn deactivate(
    tx: &mut Tx,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    tx.note_access_change();
    let done = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE users SET deactivated_at = $1, version = version + 1 WHERE id = $2 AND deactivated_at IS NULL"
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// Lets a deactivated person sign in again. `false` when they were active.
pub async fn reactivate(tx: &mut Tx, user_id: Uuid) -> Result<bool, StoreError> {
    tx.note_access_change();
    let done = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE users SET deactivated_at = NULL, version = version + 1 WHERE id = $1 AND deactivated_at IS NOT NULL"
    )
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// Names `user_id` as an administrator of `organisation_id` (a provider or
/// employer): they manage its people.
pub async fn make_organisation_admin(
    tx: &mut Tx,
    user_id: Uuid,
    organisation_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO organisation_admins (user_id, organisation_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, organisation_id) DO NOTHING"
    )
    .bind(user_id)
    .bind(organisation_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// The organisations whose people `user_id` administers.
pub async fn administers(db: &Db, user_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar(
        "SELECT organisation_id FROM organisation_admins WHERE user_id = $1 ORDER BY organisation_id"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    })?)
}

/// What a list of people is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub organisation: Option<Uuid>,
    /// Part of the name or email, any case.
    pub search: Option<String>,
    /// Only people with a role in one of these organisations, or an
    /// employer-user role at an employer of one of these providers' apprentices
    /// (what an organisation's administrator may see); `None` for everyone.
    pub within: Option<Vec<Uuid>>,
    /// Keyset cursor: the name and ID of the last person already listed.
    pub after: Option<(String, Uuid)>,
}

/// People in name order, `limit` at most, by keyset on (name, ID).
pub async fn list(db: &Db, filter: &UserFilter, limit: i64) -> Result<Vec<User>, StoreError> {
    let mut sql = format!(
        "SELECT {COLUMNS} FROM users WHERE \
         ($1 IS NULL OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.role = $1)) \
         AND ($2 IS NULL OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.organisation_id = $2)) \
         AND ($3 IS NULL OR LOWER(display_name) LIKE $3 OR email LIKE $3) \
         AND ($4 IS NULL OR display_name > $4 OR (display_name = $4 AND id > $5))"
    );
    let within = filter.within.clone().unwrap_or_default();
    if filter.within.is_some() {
        // One placeholder per organisation: a list cannot be bound as one
        // value on both databases.
        let places = if within.is_empty() {
            "NULL".to_owned()
        } else {
            crate::placeholders::list(7, within.len())
        };
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND \
             (m.organisation_id IN ({places}) OR (m.role = 'employer_user' AND m.organisation_id IN \
             (SELECT a.employer_id FROM apprentices a WHERE a.provider_id IN ({places})))))"
        ));
    }
    sql.push_str(" ORDER BY display_name, id LIMIT $6");
    let search = filter
        .search
        .as_ref()
        .map(|text| format!("%{}%", escape_like(&text.to_lowercase())));
    let (after_name, after_id) = match &filter.after {
        Some((name, id)) => (Some(name.as_str()), Some(*id)),
        None => (None, None),
    };
    let role = filter.role.map(Role::as_str);
    Ok(on_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql)
            .bind(role)
            .bind(filter.organisation)
            .bind(search.as_deref())
            .bind(after_name)
            .bind(after_id)
            .bind(limit);
        for id in &within {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?)
}

/// `text` with LIKE's wildcards taken literally (no ESCAPE clause is
/// portable without one, so they are dropped instead).
fn escape_like(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\'))
        .collect()
}
