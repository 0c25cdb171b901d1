//! Organisations: the EPAO itself, training providers (by UKPRN) and employers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Epao,
    Provider,
    Employer,
}

impl OrganisationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Epao => "epao",
            OrganisationKind::Provider => "provider",
            OrganisationKind::Employer => "employer",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "epao" => Ok(OrganisationKind::Epao),
            "provider" => Ok(OrganisationKind::Provider),
            "employer" => Ok(OrganisationKind::Employer),
            other => Err(StoreError::Setup(format!(
                "unknown organisation kind {other:?} in the database"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub kind: OrganisationKind,
    pub name: String,
    pub ukprn: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation<'a> {
    pub kind: OrganisationKind,
    pub name: &'a str,
    pub ukprn: Option<&'a str>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    kind: String,
    name: String,
    ukprn: Option<String>,
    created_at: DateTime<Utc>,
    version: i64,
}

impl TryFrom<Row> for Organisation {
    type Error = StoreError;
    fn try_from(row: Row) -> Result<Self, StoreError> {
        Ok(Organisation {
            id: row.id,
            kind: OrganisationKind::parse(&row.kind)?,
            name: row.name,
            ukprn: row.ukprn,
            created_at: row.created_at,
            version: row.version,
        })
    }
}

const COLUMNS: &str = "id, kind, name, ukprn, created_at, version";

pub async fn insert(
    tx: &mut Tx,
    new: &NewOrganisation<'_>,
    now: DateTime<Utc>,
) -> Result<Organisation, StoreError> {
    let sql = format!(
        "INSERT INTO organisations (id, kind, name, ukprn, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let row: Row = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(new.kind.as_str())
        .bind(new.name)
        .bind(new.ukprn)
        .bind(now)
        .fetch_one(conn)
        .await)?;
    row.try_into()
}

pub async fn get(db: &Db, id: Uuid) -> Result<Organisation, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM organisations WHERE id = $1");
    let row: Row = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(pool)
        .await)?;
    row.try_into()
}

pub async fn list(
    db: &Db,
    kind: Option<OrganisationKind>,
) -> Result<Vec<Organisation>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM organisations WHERE ($1 IS NULL OR kind = $1) ORDER BY name, id"
    );
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(kind.map(OrganisationKind::as_str))
        .fetch_all(pool)
        .await)?;
    rows.into_iter().map(Organisation::try_from).collect()
}

/// Renames an organisation under an optimistic lock: `expected_version` must
/// be the version the editor saw, or nothing changes and a conflict is reported.
pub async fn rename(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    name: &str,
) -> Result<Organisation, StoreError> {
    let sql = format!(
        "UPDATE organisations SET name = $1, version = version + 1 WHERE id = $2 AND version = $3 RETURNING {COLUMNS}"
    );
    let row: Option<Row> = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(name)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(conn)
        .await)?;
    match row {
        Some(row) => row.try_into(),
        None => Err(StoreError::Conflict(
            "the organisation was changed by someone else; reload and try again".to_owned(),
        )),
    }
}
