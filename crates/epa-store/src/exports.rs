//! What the staff's spreadsheet exports read: EPAs registered and results
//! released in a period, within the caller's scope (decided by the access
//! policy, as a list's is). Reads only, each capped at `limit` rows.

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::Grade;
use epa_domain::attempts::AttemptKind;
use uuid::Uuid;

use crate::epas::{Bind, Filter, LISTED, ListedEpa, Scope, bind_all, conditions};
use crate::{Db, StoreError};

/// EPAs in the scope registered in `[from, until)`, in order of registration.
pub async fn pipeline(
    db: &Db,
    scope: &Scope,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ListedEpa>, StoreError> {
    let (mut clauses, mut binds) = conditions(scope, &Filter::default());
    binds.push(Bind::Time(from));
    clauses.push(format!("e.created_at >= ${}", binds.len()));
    binds.push(Bind::Time(until));
    clauses.push(format!("e.created_at < ${}", binds.len()));
    let sql = format!(
        "SELECT {LISTED} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id WHERE {} \
         ORDER BY e.created_at, e.id LIMIT ${}",
        clauses.join(" AND "),
        binds.len() + 1
    );
    Ok(on_db!(db, |pool| {
        let query = bind_all!(sqlx::query_as::<_, ListedEpa>(&sql), &binds);
        query.bind(limit).fetch_all(pool).await
    })?)
}

/// A released result with whose it is.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReleasedResult {
    pub epa_id: Uuid,
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
    pub policy: String,
    pub attempt: i32,
    pub attempt_kind: AttemptKind,
    pub observation_grade: Grade,
    pub project_grade: Grade,
    pub discussion_grade: Grade,
    pub overall_grade: Grade,
    pub cap_applied: bool,
    pub released_on: NaiveDate,
}

/// Results of EPAs in the scope released from `from` to `to` (both days
/// included), by release date.
pub async fn results(
    db: &Db,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<ReleasedResult>, StoreError> {
    let (mut clauses, mut binds) = conditions(scope, &Filter::default());
    let at = binds.len();
    clauses.push(format!("r.released_on >= ${}", at + 1));
    clauses.push(format!("r.released_on <= ${}", at + 2));
    let sql = format!(
        "SELECT r.epa_id, a.uln, a.given_names, a.family_name, e.policy, r.attempt, r.attempt_kind, \
         r.observation_grade, r.project_grade, r.discussion_grade, r.overall_grade, r.cap_applied, r.released_on \
         FROM results r JOIN epas e ON e.id = r.epa_id JOIN apprentices a ON a.id = e.apprentice_id \
         WHERE {} ORDER BY r.released_on, r.epa_id, r.attempt LIMIT ${}",
        clauses.join(" AND "),
        at + 3
    );
    binds.truncate(at);
    Ok(on_db!(db, |pool| {
        let query = bind_all!(sqlx::query_as::<_, ReleasedResult>(&sql), &binds);
        query.bind(from).bind(to).bind(limit).fetch_all(pool).await
    })?)
}
