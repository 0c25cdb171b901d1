//! Storage of the Project Evidence Locator (ADR 0091): whole versions of an
//! EPA's list of report annexes, each entry with its KSB codes.
//!
//! Append-only (database triggers refuse UPDATE and DELETE): a correction is
//! a new version listing every entry again; the latest version stands.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

/// One version of an EPA's locator.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Locator {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub version: i32,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
}

/// One annex of a version. Its KSB codes are read with [`entry_ksbs`].
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: Uuid,
    pub locator_id: Uuid,
    pub position: i32,
    pub annex: String,
    pub title: String,
    pub description: String,
    pub document_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub position: i32,
    pub annex: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub document_id: Option<Uuid>,
    pub ksbs: &'a [String],
}

const LATEST: &str = "SELECT id, epa_id, version, submitted_by, submitted_at FROM evidence_locators \
     WHERE epa_id = $1 ORDER BY version DESC LIMIT 1";

/// The EPA's latest locator version, if any.
pub async fn latest(db: &Db, epa_id: Uuid) -> Result<Option<Locator>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_as(LATEST)
        .bind(epa_id)
        .fetch_optional(pool)
        .await)?)
}

/// The same, inside a transaction that is about to add a version.
pub async fn latest_in(tx: &mut Tx, epa_id: Uuid) -> Result<Option<Locator>, StoreError> {
    Ok(on_tx!(tx, |conn| sqlx::query_as(LATEST)
        .bind(epa_id)
        .fetch_optional(conn)
        .await)?)
}

/// The entries of one version, in position order.
pub async fn entries(db: &Db, locator_id: Uuid) -> Result<Vec<Entry>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, locator_id, position, annex, title, description, document_id \
         FROM evidence_locator_entries WHERE locator_id = $1 ORDER BY position"
    )
    .bind(locator_id)
    .fetch_all(pool)
    .await)?)
}

/// (entry, KSB code) pairs of one version.
pub async fn entry_ksbs(db: &Db, locator_id: Uuid) -> Result<Vec<(Uuid, String)>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT k.entry_id, k.ksb_code FROM evidence_locator_entry_ksbs k \
         JOIN evidence_locator_entries e ON e.id = k.entry_id \
         WHERE e.locator_id = $1 ORDER BY e.position, k.ksb_code"
    )
    .bind(locator_id)
    .fetch_all(pool)
    .await)?)
}

/// Adds version `version` of the EPA's locator with its entries. Two
/// writers racing for the same version number meet the unique key.
pub async fn insert(
    tx: &mut Tx,
    epa_id: Uuid,
    version: i32,
    submitted_by: Uuid,
    entries: &[NewEntry<'_>],
    now: DateTime<Utc>,
) -> Result<Locator, StoreError> {
    let locator = Locator {
        id: Uuid::now_v7(),
        epa_id,
        version,
        submitted_by,
        submitted_at: now,
    };
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO evidence_locators (id, epa_id, version, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(locator.id)
        .bind(epa_id)
        .bind(version)
        .bind(submitted_by)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    for entry in entries {
        let id = Uuid::now_v7();
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO evidence_locator_entries (id, locator_id, position, annex, title, description, document_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(locator.id)
            .bind(entry.position)
            .bind(entry.annex)
            .bind(entry.title)
            .bind(entry.description)
            .bind(entry.document_id)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        for code in entry.ksbs {
            on_tx!(tx, |conn| {
                sqlx::query(
                    "INSERT INTO evidence_locator_entry_ksbs (entry_id, ksb_code) VALUES ($1, $2) \
                     ON CONFLICT (entry_id, ksb_code) DO NOTHING",
                )
                .bind(id)
                .bind(code)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        }
    }
    Ok(locator)
}

/// How many locator versions and entries are stored: for tests that check
/// a refusal wrote nothing.
pub async fn counts(db: &Db) -> Result<(i64, i64), StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM evidence_locators), (SELECT COUNT(*) FROM evidence_locator_entries)"
    )
    .fetch_one(pool)
    .await
    })?)
}
