//! Apprentices: the people who go through an EPA. Personal data: names, date
//! of birth and ULN never appear in logs or URLs (records are addressed by ID).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apprentice {
    pub id: Uuid,
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
    pub user_id: Option<Uuid>,
    pub start_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A new apprentice. The ULN is checked by the caller (`epa-domain`'s
/// `Uln::parse`) before it reaches storage.
#[derive(Debug, Clone)]
pub struct NewApprentice<'a> {
    pub uln: &'a str,
    pub given_names: &'a str,
    pub family_name: &'a str,
    pub date_of_birth: NaiveDate,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
    pub user_id: Option<Uuid>,
    pub start_date: NaiveDate,
}

const COLUMNS: &str = "id, uln, given_names, family_name, date_of_birth, employer_id, provider_id, user_id, start_date, created_at, version";

read_by_position!(Apprentice);

impl Apprentice {
    /// In [`COLUMNS`]' order, whichever driver read it.
    fn read(row: &impl Columns) -> Result<Apprentice, sqlx::Error> {
        Ok(Apprentice {
            id: row.id(0)?,
            uln: row.text(1)?,
            given_names: row.text(2)?,
            family_name: row.text(3)?,
            date_of_birth: row.day(4)?,
            employer_id: row.id(5)?,
            provider_id: row.id(6)?,
            user_id: row.opt_id(7)?,
            start_date: row.day(8)?,
            created_at: row.instant(9)?,
            version: row.int(10)?,
        })
    }
}

pub async fn insert(
    tx: &mut Tx,
    new: &NewApprentice<'_>,
    now: DateTime<Utc>,
) -> Result<Apprentice, StoreError> {
    let sql = format!(
        "INSERT INTO apprentices (id, uln, given_names, family_name, date_of_birth, employer_id, provider_id, user_id, start_date, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
    );
    let id = Uuid::now_v7();
    if let Some(conn) = tx.on_thread() {
        let args = [
            Arg::Id(id),
            Arg::Text(new.uln),
            Arg::Text(new.given_names),
            Arg::Text(new.family_name),
            Arg::Day(new.date_of_birth),
            Arg::Id(new.employer_id),
            Arg::Id(new.provider_id),
            Arg::opt_id(new.user_id),
            Arg::Day(new.start_date),
            Arg::Time(now),
        ];
        return conn.one(&sql, &args, |row| Apprentice::read(row));
    }
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .bind(new.uln)
        .bind(new.given_names)
        .bind(new.family_name)
        .bind(new.date_of_birth)
        .bind(new.employer_id)
        .bind(new.provider_id)
        .bind(new.user_id)
        .bind(new.start_date)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

pub async fn get(db: &Db, id: Uuid) -> Result<Apprentice, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM apprentices WHERE id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(pool)
        .await)?)
}

/// Apprentices of one employer or provider, a page at a time, in a stable order.
pub async fn list_for_organisation(
    db: &Db,
    organisation_id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<Apprentice>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM apprentices WHERE employer_id = $1 OR provider_id = $1 \
         ORDER BY family_name, given_names, id LIMIT $2 OFFSET $3"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(organisation_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)?)
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM apprentices"
    )
    .fetch_one(pool)
    .await)?)
}

/// Links the apprentice's record to the user they sign in as, so they can
/// see their own EPA.
pub async fn link_user(tx: &mut Tx, apprentice_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
    tx.forget_rows();
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE apprentices SET user_id = $1, version = version + 1 WHERE id = $2"
    )
    .bind(user_id)
    .bind(apprentice_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The registration details EPAO staff may correct.
#[derive(Debug, Clone)]
pub struct Correction<'a> {
    pub uln: &'a str,
    pub given_names: &'a str,
    pub family_name: &'a str,
    pub date_of_birth: NaiveDate,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
}

/// Corrects the apprentice's registration if it is still at
/// `expected_version`; otherwise nothing changes and a conflict is reported.
pub async fn correct(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    correction: &Correction<'_>,
) -> Result<Apprentice, StoreError> {
    let sql = format!(
        "UPDATE apprentices SET uln = $1, given_names = $2, family_name = $3, date_of_birth = $4, \
         employer_id = $5, provider_id = $6, version = version + 1 WHERE id = $7 AND version = $8 \
         RETURNING {COLUMNS}"
    );
    tx.forget_rows();
    let row: Option<Apprentice> = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(correction.uln)
        .bind(correction.given_names)
        .bind(correction.family_name)
        .bind(correction.date_of_birth)
        .bind(correction.employer_id)
        .bind(correction.provider_id)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(conn)
        .await)?;
    let apprentice = row.ok_or_else(|| {
        StoreError::Conflict(
            "the registration was changed by someone else; reload it and try again".to_owned(),
        )
    })?;
    // Every EPA of the apprentice keeps its employer and provider for their
    // lists (ADR 0172): they move with the correction, in its transaction.
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE epas SET employer_id = $1, provider_id = $2 WHERE apprentice_id = $3"
    )
    .bind(apprentice.employer_id)
    .bind(apprentice.provider_id)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(apprentice)
}

/// The apprentice inside a write transaction.
pub async fn get_in(tx: &mut Tx, id: Uuid) -> Result<Apprentice, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM apprentices WHERE id = $1");
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(conn)
        .await)?)
}

/// Whether another apprentice already has this ULN.
pub async fn uln_taken_in(tx: &mut Tx, uln: &str, except: Uuid) -> Result<bool, StoreError> {
    let found: i64 = on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT COUNT(*) FROM apprentices WHERE uln = $1 AND id <> $2"
    )
    .bind(uln)
    .bind(except)
    .fetch_one(conn)
    .await)?;
    Ok(found > 0)
}

/// Which of `ulns` are on file already, in chunks small enough for either
/// database's limit on bound parameters.
pub async fn ulns_taken(db: &Db, ulns: &[&str]) -> Result<Vec<String>, StoreError> {
    let mut taken = Vec::new();
    for chunk in ulns.chunks(500) {
        let placeholders = crate::placeholders::list(1, chunk.len());
        let sql = format!("SELECT uln FROM apprentices WHERE uln IN ({placeholders})");
        let found: Vec<String> = on_db!(db, |pool| {
            let mut query = sqlx::query_scalar(&sql);
            for uln in chunk {
                query = query.bind(*uln);
            }
            query.fetch_all(pool).await
        })?;
        taken.extend(found);
    }
    Ok(taken)
}
