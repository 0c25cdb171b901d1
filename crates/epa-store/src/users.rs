//! Users (people who sign in) and their roles in organisations.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Membership {
    pub organisation_id: Uuid,
    pub role: Role,
}

const COLUMNS: &str = "id, email, display_name, password_hash, created_at, version";

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
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(pool)
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
    let rows: Vec<(Uuid, String)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT organisation_id, role FROM memberships WHERE user_id = $1 ORDER BY organisation_id, role"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    })?;
    rows.into_iter()
        .map(|(organisation_id, role)| {
            Role::parse(&role)
                .map(|role| Membership {
                    organisation_id,
                    role,
                })
                .ok_or_else(|| StoreError::Setup(format!("unknown role {role:?} in the database")))
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
