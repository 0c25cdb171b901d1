//! Uploaded documents' records: what was uploaded for which EPA, its bytes'
//! ID in the file store ([`crate::files`]), and what the checks found.
//! Append-only: a corrected file is a new upload.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub purpose: String,
    pub content_hash: String,
    pub declared_name: String,
    pub kind: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub words: Option<i64>,
    pub annex_words: Option<i64>,
    pub approximate: Option<bool>,
    pub annex_heading: Option<String>,
    pub counted_words: Option<i64>,
    pub limit_min: Option<i64>,
    pub limit_max: Option<i64>,
    pub verdict: Option<String>,
    pub summary: Option<String>,
    pub flag_for_assessor: bool,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
}

/// A document to record; `id` is made here.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub epa_id: Uuid,
    pub purpose: &'a str,
    pub content_hash: &'a str,
    pub declared_name: &'a str,
    pub kind: &'a str,
    pub media_type: &'a str,
    pub size_bytes: i64,
    pub words: Option<i64>,
    pub annex_words: Option<i64>,
    pub approximate: Option<bool>,
    pub annex_heading: Option<&'a str>,
    pub counted_words: Option<i64>,
    pub limit_min: Option<i64>,
    pub limit_max: Option<i64>,
    pub verdict: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub flag_for_assessor: bool,
    pub uploaded_by: Uuid,
}

const COLUMNS: &str = "id, epa_id, purpose, content_hash, declared_name, kind, media_type, size_bytes, \
     words, annex_words, approximate, annex_heading, counted_words, limit_min, limit_max, verdict, \
     summary, flag_for_assessor, uploaded_by, uploaded_at";

pub async fn insert(
    tx: &mut Tx,
    new: &NewDocument<'_>,
    now: DateTime<Utc>,
) -> Result<Document, StoreError> {
    let sql = format!(
        "INSERT INTO documents ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
         RETURNING {COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(new.epa_id)
        .bind(new.purpose)
        .bind(new.content_hash)
        .bind(new.declared_name)
        .bind(new.kind)
        .bind(new.media_type)
        .bind(new.size_bytes)
        .bind(new.words)
        .bind(new.annex_words)
        .bind(new.approximate)
        .bind(new.annex_heading)
        .bind(new.counted_words)
        .bind(new.limit_min)
        .bind(new.limit_max)
        .bind(new.verdict)
        .bind(new.summary)
        .bind(new.flag_for_assessor)
        .bind(new.uploaded_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

/// One document by ID.
pub async fn get(db: &Db, id: Uuid) -> Result<Document, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(pool)
        .await)?)
}

/// The EPA's documents, oldest first.
pub async fn for_epa(db: &Db, epa_id: Uuid) -> Result<Vec<Document>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE epa_id = $1 ORDER BY uploaded_at, id");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(pool)
        .await)?)
}

/// The (id, purpose) of each of `ids` that is a document of `epa_id`, read
/// inside a write transaction (a gateway submission checks its references).
pub async fn purposes_in(
    tx: &mut Tx,
    epa_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    // A handful of IDs per submission (photo ID and at most 15 evidence
    // items): one indexed lookup each keeps the SQL portable.
    for id in ids {
        let row: Option<(Uuid, String)> = on_tx!(tx, |conn| {
            sqlx::query_as("SELECT id, purpose FROM documents WHERE id = $1 AND epa_id = $2")
                .bind(id)
                .bind(epa_id)
                .fetch_optional(conn)
                .await
        })?;
        found.extend(row);
    }
    Ok(found)
}
