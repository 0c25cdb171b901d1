//! EPAs: one apprentice on one standard version under one EPAO policy. The
//! stage is the lifecycle state; the rules for moving it are in `epa-domain`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use epa_domain::Grade;
use epa_domain::lifecycle::Stage;

use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
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

impl EpaRow {
    /// In the order of [`COLUMNS`], for a read served on the request's
    /// thread (ADR 0171); sqlx reads it by name.
    pub(crate) fn read(row: &impl Columns) -> Result<EpaRow, sqlx::Error> {
        Ok(EpaRow {
            epa: Epa {
                id: row.id(0)?,
                apprentice_id: row.id(1)?,
                epao_id: row.id(2)?,
                standard_reference: row.text(3)?,
                standard_version: row.text(4)?,
                policy: row.text(5)?,
                stage: row.named(6, |text| text.parse().ok())?,
                gateway_approved_on: row.opt_day(7)?,
                planning_meeting_on: row.opt_day(8)?,
                assessor_id: row.opt_id(9)?,
                overall_grade: row.opt_named(10, Grade::parse)?,
                lifecycle: row.text(11)?,
                created_at: row.instant(12)?,
                updated_at: row.instant(13)?,
                version: row.int(14)?,
            },
            employer_id: row.id(15)?,
            provider_id: row.id(16)?,
            apprentice_user_id: row.opt_id(17)?,
            uln: row.text(18)?,
            given_names: row.text(19)?,
            family_name: row.text(20)?,
            date_of_birth: row.day(21)?,
            training_start: row.day(22)?,
        })
    }
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
    pub search: Option<Search>,
}

/// Finding an apprentice by what a person types: a ULN exactly, or the
/// start of a family name in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    Uln(String),
    FamilyNameStarting(String),
}

impl Search {
    /// Ten digits are a ULN; anything else is the start of a family name.
    pub fn from_text(text: &str) -> Option<Search> {
        let text = text.trim();
        if text.is_empty() {
            None
        } else if text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit()) {
            Some(Search::Uln(text.to_owned()))
        } else {
            Some(Search::FamilyNameStarting(text.to_lowercase()))
        }
    }
}

/// The first string after every string starting with `prefix`: the prefix
/// with its last character moved on by one (`smi` -> `smj`), so a prefix
/// match is an index range on both databases.
fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    String::from(char::MAX)
}

/// How many columns [`COLUMNS`] names, for what a read selects after them.
pub(crate) const COLUMNS_COUNT: usize = 23;

pub(crate) const COLUMNS: &str = "e.id, e.apprentice_id, e.epao_id, e.standard_reference, e.standard_version, e.policy, e.stage, \
    e.gateway_approved_on, e.planning_meeting_on, e.assessor_id, e.overall_grade, e.lifecycle, e.created_at, e.updated_at, e.version, \
    a.employer_id, a.provider_id, a.user_id AS apprentice_user_id, a.uln, a.given_names, a.family_name, a.date_of_birth, a.start_date AS training_start";

pub async fn insert(tx: &mut Tx, new: &NewEpa<'_>, now: DateTime<Utc>) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    // The apprentice's employer and provider go with the EPA, for their
    // lists' indexes (migration 0037). Its deadlines are kept under the
    // current reading of the rules from the start: they are worked out
    // before this transaction commits (the EPA is touched below), so the
    // row is not written again to say so.
    const SQL: &str = "INSERT INTO epas (id, apprentice_id, epao_id, standard_reference, standard_version, policy, stage, lifecycle, created_at, updated_at, \
         employer_id, provider_id, deadlines_version) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, a.employer_id, a.provider_id, $10 FROM apprentices a WHERE a.id = $2";
    let inserted = match tx.on_thread() {
        Some(conn) => conn.execute(
            SQL,
            &[
                Arg::Id(id),
                Arg::Id(new.apprentice_id),
                Arg::Id(new.epao_id),
                Arg::Text(new.standard_reference),
                Arg::Text(new.standard_version),
                Arg::Text(new.policy),
                Arg::Text(new.stage.as_str()),
                Arg::Text(new.lifecycle),
                Arg::Time(now),
                Arg::Int(i64::from(crate::deadlines::VERSION)),
            ],
        )? as u64,
        None => on_tx!(tx, |conn| {
            sqlx::query(SQL)
                .bind(id)
                .bind(new.apprentice_id)
                .bind(new.epao_id)
                .bind(new.standard_reference)
                .bind(new.standard_version)
                .bind(new.policy)
                .bind(new.stage)
                .bind(new.lifecycle)
                .bind(now)
                .bind(crate::deadlines::VERSION)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?,
    };
    // No such apprentice: nothing was written.
    if inserted != 1 {
        return Err(StoreError::NotFound);
    }
    tx.touch(id);
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
/// allows see one state. On SQLite the row the transaction last read, if
/// it has written no EPA's or apprentice's row since, is not read again
/// ([`Tx::remember_row`]).
pub async fn get_in(tx: &mut Tx, id: Uuid) -> Result<EpaRow, StoreError> {
    if let Some(row) = tx.remembered_row(id) {
        return Ok(row.clone());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id WHERE e.id = $1"
    );
    let row: EpaRow = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(conn)
        .await)?;
    tx.remember_row(&row);
    Ok(row)
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

/// `bind_all!(query, binds)`: the query with every [`Bind`] bound in order,
/// on whichever backend it was built for.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                Bind::Id(id) => query.bind(*id),
                Bind::Text(text) => query.bind(text.as_str()),
                Bind::Time(at) => query.bind(*at),
            };
        }
        query
    }};
}

pub(crate) use bind_all;

/// A value bound to a list's query, in the order its placeholders appear.
pub(crate) enum Bind {
    Id(Uuid),
    Text(String),
    Time(DateTime<Utc>),
}

impl Bind {
    /// The same value for a read served on the request's thread.
    pub(crate) fn arg(&self) -> Arg<'_> {
        match self {
            Bind::Id(id) => Arg::Id(*id),
            Bind::Text(text) => Arg::Text(text),
            Bind::Time(at) => Arg::Time(*at),
        }
    }
}

/// The WHERE conditions of a list: only those the scope and the filter
/// set, each on a column an index starts with (no `($1 IS NULL OR ...)`,
/// which no index serves), with their binds from `$1`.
pub(crate) fn conditions(scope: &Scope, filter: &Filter<'_>) -> (Vec<String>, Vec<Bind>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    let mut add = |clause: &str, bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        clauses.push(clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(id) = scope.epao_id {
        add("e.epao_id = ?", Bind::Id(id), &mut binds);
    }
    if let Some(id) = scope.employer_id {
        add("e.employer_id = ?", Bind::Id(id), &mut binds);
    }
    if let Some(id) = scope.provider_id {
        add("e.provider_id = ?", Bind::Id(id), &mut binds);
    }
    if let Some(id) = scope.assessor_id {
        // An assessor's list leaves out EPAs they have a conflict with.
        add(
            "e.assessor_id = ? AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.user_id = e.assessor_id \
             AND c.organisation_id IN (a.employer_id, a.provider_id) AND c.withdrawn_at IS NULL)",
            Bind::Id(id),
            &mut binds,
        );
    }
    if let Some(id) = scope.apprentice_user_id {
        add("a.user_id = ?", Bind::Id(id), &mut binds);
    }
    if let Some(stage) = filter.stage {
        add(
            "e.stage = ?",
            Bind::Text(stage.as_str().to_owned()),
            &mut binds,
        );
    }
    if let Some(policy) = filter.policy {
        add("e.policy = ?", Bind::Text(policy.to_owned()), &mut binds);
    }
    match &filter.search {
        Some(Search::Uln(uln)) => add("a.uln = ?", Bind::Text(uln.clone()), &mut binds),
        Some(Search::FamilyNameStarting(prefix)) => {
            add(
                "lower(a.family_name) >= ?",
                Bind::Text(prefix.clone()),
                &mut binds,
            );
            add(
                "lower(a.family_name) < ?",
                Bind::Text(prefix_end(prefix)),
                &mut binds,
            );
        }
        None => {}
    }
    (clauses, binds)
}

/// Where a page of EPAs ends: the list is in order of registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

/// What a list of EPAs shows of each: no lifecycle, nothing else.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedEpa {
    pub id: Uuid,
    pub apprentice_id: Uuid,
    pub standard_reference: String,
    pub standard_version: String,
    pub policy: String,
    pub stage: Stage,
    pub gateway_approved_on: Option<NaiveDate>,
    pub planning_meeting_on: Option<NaiveDate>,
    pub assessor_id: Option<Uuid>,
    pub overall_grade: Option<Grade>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
}

/// Read by position, in the order of [`LISTED`], not by name: a page of
/// the list decodes 51 rows of 18 columns, and sqlx finds a column by name
/// through a hash of the name each time, a twentieth of the list's whole
/// cost; its dates as [`Day`](crate::day::Day)s (ADR 0162). One reading
/// for every driver (ADR 0171).
impl ListedEpa {
    fn read(row: &impl Columns) -> Result<ListedEpa, sqlx::Error> {
        Ok(ListedEpa {
            id: row.id(0)?,
            apprentice_id: row.id(1)?,
            standard_reference: row.text(2)?,
            standard_version: row.text(3)?,
            policy: row.text(4)?,
            stage: row.named(5, |text| text.parse().ok())?,
            gateway_approved_on: row.opt_day(6)?,
            planning_meeting_on: row.opt_day(7)?,
            assessor_id: row.opt_id(8)?,
            overall_grade: row.opt_named(9, Grade::parse)?,
            created_at: row.instant(10)?,
            updated_at: row.instant(11)?,
            version: row.int(12)?,
            employer_id: row.id(13)?,
            provider_id: row.id(14)?,
            uln: row.text(15)?,
            given_names: row.text(16)?,
            family_name: row.text(17)?,
        })
    }
}

read_by_position!(ListedEpa);

impl ListedEpa {
    pub fn cursor(&self) -> ListCursor {
        ListCursor {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

impl From<EpaRow> for ListedEpa {
    fn from(row: EpaRow) -> ListedEpa {
        ListedEpa {
            id: row.epa.id,
            apprentice_id: row.epa.apprentice_id,
            standard_reference: row.epa.standard_reference,
            standard_version: row.epa.standard_version,
            policy: row.epa.policy,
            stage: row.epa.stage,
            gateway_approved_on: row.epa.gateway_approved_on,
            planning_meeting_on: row.epa.planning_meeting_on,
            assessor_id: row.epa.assessor_id,
            overall_grade: row.epa.overall_grade,
            created_at: row.epa.created_at,
            updated_at: row.epa.updated_at,
            version: row.epa.version,
            employer_id: row.employer_id,
            provider_id: row.provider_id,
            uln: row.uln,
            given_names: row.given_names,
            family_name: row.family_name,
        }
    }
}

/// What [`ListedEpa`] is read from, in the order it reads it.
pub(crate) const LISTED: &str = "e.id, e.apprentice_id, e.standard_reference, e.standard_version, e.policy, e.stage, \
    e.gateway_approved_on, e.planning_meeting_on, e.assessor_id, e.overall_grade, e.created_at, e.updated_at, e.version, \
    a.employer_id, a.provider_id, a.uln, a.given_names, a.family_name";

/// Up to `limit` EPAs in the scope and filter after `after`, in order of
/// registration: an index range scan on `(scope, [stage | policy],
/// created_at, id)`, whatever the number of EPAs before it.
pub async fn page(
    db: &Db,
    scope: &Scope,
    filter: &Filter<'_>,
    after: Option<ListCursor>,
    limit: i64,
) -> Result<Vec<ListedEpa>, StoreError> {
    let (mut clauses, mut binds) = conditions(scope, filter);
    if let Some(after) = after {
        binds.push(Bind::Time(after.created_at));
        binds.push(Bind::Id(after.id));
        clauses.push(format!(
            "(e.created_at, e.id) > (${}, ${})",
            binds.len() - 1,
            binds.len()
        ));
    }
    let sql = format!(
        "SELECT {LISTED} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id {} \
         ORDER BY e.created_at, e.id LIMIT ${}",
        where_of(&clauses),
        binds.len() + 1
    );
    if let Db::Sqlite(sqlite) = db {
        let mut args: Vec<Arg<'_>> = binds.iter().map(Bind::arg).collect();
        args.push(Arg::Int(limit));
        return sqlite.direct.rows(&sql, &args, |row| ListedEpa::read(row));
    }
    Ok(on_db!(db, |pool| {
        let query = bind_all!(sqlx::query_as::<_, ListedEpa>(&sql), &binds);
        query.bind(limit).fetch_all(pool).await
    })?)
}

/// Whole rows of the EPAs in the scope and filter, in order of
/// registration, for use cases that decide with them (an assessor's
/// allocations); `limit` at most, skipping `offset`.
pub async fn list(
    db: &Db,
    scope: &Scope,
    filter: &Filter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<EpaRow>, StoreError> {
    let (clauses, binds) = conditions(scope, filter);
    let sql = format!(
        "SELECT {COLUMNS} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id {} \
         ORDER BY e.created_at, e.id LIMIT ${} OFFSET ${}",
        where_of(&clauses),
        binds.len() + 1,
        binds.len() + 2
    );
    Ok(on_db!(db, |pool| {
        let query = bind_all!(sqlx::query_as::<_, EpaRow>(&sql), &binds);
        query.bind(limit).bind(offset).fetch_all(pool).await
    })?)
}

fn where_of(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

/// The EPAO's open EPAs whose allocated assessor has a conflict of interest
/// with the apprentice's employer or provider: they need another assessor.
/// Read from the conflicts (few) outwards, through the indexes on the
/// apprentices' organisations, so the number of EPAs does not matter; at
/// most `limit`, oldest first.
pub async fn needing_reallocation(
    db: &Db,
    epao_id: Uuid,
    limit: i64,
) -> Result<Vec<EpaRow>, StoreError> {
    let sql = format!(
        // CROSS JOIN keeps SQLite's planner to this order (PostgreSQL
        // plans it as the inner join it is): without it SQLite starts from
        // every EPA of the EPAO.
        "SELECT {COLUMNS} FROM conflicts c CROSS JOIN apprentices a CROSS JOIN epas e \
         WHERE (a.employer_id = c.organisation_id OR a.provider_id = c.organisation_id) \
         AND e.apprentice_id = a.id AND e.assessor_id = c.user_id \
         AND c.withdrawn_at IS NULL AND e.epao_id = $1 \
         AND e.stage NOT IN ('certificate_claimed', 'certificate_received', 'withdrawn') \
         ORDER BY e.created_at, e.id LIMIT $2"
    );
    let mut rows: Vec<EpaRow> = match db {
        Db::Sqlite(sqlite) => {
            sqlite
                .direct
                .rows(&sql, &[Arg::Id(epao_id), Arg::Int(limit)], |row| {
                    EpaRow::read(row)
                })?
        }
        Db::Postgres(pool) => {
            sqlx::query_as(&sql)
                .bind(epao_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
    };
    // An assessor conflicted with both the employer and the provider is
    // found twice.
    rows.dedup_by_key(|row| row.epa.id);
    Ok(rows)
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
    tx.forget_rows();
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
    tx.forget_rows();
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

#[cfg(test)]
mod tests {
    use super::{COLUMNS, COLUMNS_COUNT, LISTED};

    /// The gate reads its adjustment after the EPA's columns, by position.
    #[test]
    fn the_count_of_columns_is_the_count_named() {
        assert_eq!(COLUMNS.split(',').count(), COLUMNS_COUNT);
        assert_eq!(LISTED.split(',').count(), 18);
    }
}
