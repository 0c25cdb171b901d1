//! EPAs: one apprentice on one standard version under one EPAO policy. The
//! stage is the lifecycle state; the rules for moving it are in `epa-domain`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use epa_domain::Grade;
use epa_domain::lifecycle::Stage;

use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Epa {
    pub id: Uuid,
    pub apprentice_id: Uuid,
    pub epao_id: Uuid,
    pub standard_reference: String,
    pub standard_version: String,
    pub policy: String,
    pub stage: Stage,
    pub gateway_approved_on: Option<NaiveDate>,
    pub planning_meeting_on: Option<NaiveDate>,
    pub assessor_id: Option<Uuid>,
    pub overall_grade: Option<Grade>,
    /// The domain's lifecycle state as JSON (`epa_domain::lifecycle::Lifecycle`).
    #[serde(skip)]
    pub lifecycle: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// An EPA with the relationships access decisions need, in one read.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct EpaRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub epa: Epa,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
    pub apprentice_user_id: Option<Uuid>,
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    /// When the apprentice's training started (Innovate's minimum training).
    pub training_start: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct NewEpa<'a> {
    pub apprentice_id: Uuid,
    pub epao_id: Uuid,
    pub standard_reference: &'a str,
    pub standard_version: &'a str,
    pub policy: &'a str,
    pub stage: Stage,
    pub lifecycle: &'a str,
}

/// Which EPAs a list may show: the caller's relationships, already decided
/// by the access policy. Every field set narrows the list.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub epao_id: Option<Uuid>,
    pub employer_id: Option<Uuid>,
    pub provider_id: Option<Uuid>,
    pub assessor_id: Option<Uuid>,
    pub apprentice_user_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    pub stage: Option<Stage>,
    pub policy: Option<&'a str>,
}

const COLUMNS: &str = "e.id, e.apprentice_id, e.epao_id, e.standard_reference, e.standard_version, e.policy, e.stage, \
    e.gateway_approved_on, e.planning_meeting_on, e.assessor_id, e.overall_grade, e.lifecycle, e.created_at, e.updated_at, e.version, \
    a.employer_id, a.provider_id, a.user_id AS apprentice_user_id, a.uln, a.given_names, a.family_name, a.date_of_birth, a.start_date AS training_start";

pub async fn insert(tx: &mut Tx, new: &NewEpa<'_>, now: DateTime<Utc>) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO epas (id, apprentice_id, epao_id, standard_reference, standard_version, policy, stage, lifecycle, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
    )
    .bind(id)
    .bind(new.apprentice_id)
    .bind(new.epao_id)
    .bind(new.standard_reference)
    .bind(new.standard_version)
    .bind(new.policy)
    .bind(new.stage)
    .bind(new.lifecycle)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(id)
}

pub async fn get(db: &Db, id: Uuid) -> Result<EpaRow, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id WHERE e.id = $1"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(pool)
        .await)?)
}

/// The same read inside a write transaction, so a decision and the change it
/// allows see one state.
pub async fn get_in(tx: &mut Tx, id: Uuid) -> Result<EpaRow, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id WHERE e.id = $1"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(conn)
        .await)?)
}

/// The EPAs of the apprentice with this ULN, oldest first (none when no
/// apprentice has it).
pub async fn for_uln(db: &Db, uln: &str) -> Result<Vec<EpaRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id \
         WHERE a.uln = $1 ORDER BY e.created_at, e.id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(uln)
        .fetch_all(pool)
        .await)?)
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    filter: &Filter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<EpaRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id \
         WHERE ($1 IS NULL OR e.epao_id = $1) AND ($2 IS NULL OR a.employer_id = $2) \
         AND ($3 IS NULL OR a.provider_id = $3) AND ($4 IS NULL OR e.assessor_id = $4) \
         AND ($4 IS NULL OR NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.user_id = $4 \
              AND c.organisation_id IN (a.employer_id, a.provider_id) AND c.withdrawn_at IS NULL)) \
         AND ($5 IS NULL OR a.user_id = $5) AND ($6 IS NULL OR e.stage = $6) AND ($7 IS NULL OR e.policy = $7) \
         ORDER BY e.created_at, e.id LIMIT $8 OFFSET $9"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(scope.epao_id)
        .bind(scope.employer_id)
        .bind(scope.provider_id)
        .bind(scope.assessor_id)
        .bind(scope.apprentice_user_id)
        .bind(filter.stage)
        .bind(filter.policy)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)?)
}

/// The EPAO's open EPAs whose allocated assessor has a conflict of interest
/// with the apprentice's employer or provider: they need another assessor.
pub async fn needing_reallocation(db: &Db, epao_id: Uuid) -> Result<Vec<EpaRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id \
         WHERE e.epao_id = $1 AND e.assessor_id IS NOT NULL \
         AND e.stage NOT IN ('certificate_claimed', 'certificate_received', 'withdrawn') \
         AND EXISTS (SELECT 1 FROM conflicts c WHERE c.user_id = e.assessor_id \
              AND c.organisation_id IN (a.employer_id, a.provider_id) AND c.withdrawn_at IS NULL) \
         ORDER BY e.created_at, e.id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(epao_id)
        .fetch_all(pool)
        .await)?)
}

/// What a lifecycle step changes on the EPA row. `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    pub stage: Option<Stage>,
    pub gateway_approved_on: Option<NaiveDate>,
    pub planning_meeting_on: Option<NaiveDate>,
    pub assessor_id: Option<Uuid>,
    pub overall_grade: Option<Grade>,
    pub lifecycle: Option<&'a str>,
}

/// Applies `change` if the EPA is still at `expected_version`; otherwise
/// nothing changes and a conflict is reported (someone else moved it first).
pub async fn update(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    change: &Change<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE epas SET stage = COALESCE($1, stage), gateway_approved_on = COALESCE($2, gateway_approved_on), \
         planning_meeting_on = COALESCE($3, planning_meeting_on), assessor_id = COALESCE($4, assessor_id), \
         overall_grade = COALESCE($5, overall_grade), lifecycle = COALESCE($6, lifecycle), updated_at = $7, \
         version = version + 1 WHERE id = $8 AND version = $9"
    )
    .bind(change.stage)
    .bind(change.gateway_approved_on)
    .bind(change.planning_meeting_on)
    .bind(change.assessor_id)
    .bind(change.overall_grade)
    .bind(change.lifecycle)
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(conn)
    .await
    .map(|result| result.rows_affected())
    })?;
    one_row_changed(updated)
}

/// Counts by stage for one EPAO: the dashboard's figures.
pub async fn count_by_stage(db: &Db, epao_id: Uuid) -> Result<Vec<(Stage, i64)>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT stage, COUNT(*) FROM epas WHERE epao_id = $1 GROUP BY stage ORDER BY stage"
    )
    .bind(epao_id)
    .fetch_all(pool)
    .await)?)
}

/// Stores the lifecycle state the domain returned, with the columns derived
/// from it, if the EPA is still at `expected_version`.
#[allow(clippy::too_many_arguments)]
pub async fn update_lifecycle(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    stage: Stage,
    lifecycle: &str,
    overall_grade: Option<Grade>,
    gateway_approved_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE epas SET stage = $1, lifecycle = $2, overall_grade = $3, gateway_approved_on = $4, updated_at = $5, \
         version = version + 1 WHERE id = $6 AND version = $7"
    )
    .bind(stage)
    .bind(lifecycle)
    .bind(overall_grade)
    .bind(gateway_approved_on)
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(conn)
    .await
    .map(|result| result.rows_affected())
    })?;
    one_row_changed(updated)
}

/// An optimistic-lock update changed its row, or someone else got there first.
fn one_row_changed(updated: u64) -> Result<(), StoreError> {
    if updated == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "this EPA was changed by someone else; reload it and try again".to_owned(),
        ))
    }
}
