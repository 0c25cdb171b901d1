//! What the regulator's returns read: each EPA's final released result in
//! a window (the outcomes return) and its registration and gateway dates
//! (the registrations return). Reads only.

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::Grade;
use epa_domain::attempts::AttemptKind;
use uuid::Uuid;

use crate::{Db, StoreError};

/// Whose EPA a return's row is, and under which plan.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EpaOf {
    pub epa_id: Uuid,
    pub uln: String,
    pub standard_reference: String,
    pub standard_version: String,
    pub policy: String,
}

/// An EPA's latest released result.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutcomeRow {
    #[sqlx(flatten)]
    pub epa: EpaOf,
    pub attempt: i32,
    pub attempt_kind: AttemptKind,
    pub observation_grade: Grade,
    pub project_grade: Grade,
    pub discussion_grade: Grade,
    pub overall_grade: Grade,
    pub released_on: NaiveDate,
}

/// One row per EPA whose latest released result was released from `from`
/// to `to`, both days included; by release date, then ULN.
pub async fn outcomes(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<OutcomeRow>, StoreError> {
    let sql = "SELECT r.epa_id, a.uln, e.standard_reference, e.standard_version, e.policy, r.attempt, \
               r.attempt_kind, r.observation_grade, r.project_grade, r.discussion_grade, r.overall_grade, \
               r.released_on \
               FROM results r JOIN epas e ON e.id = r.epa_id JOIN apprentices a ON a.id = e.apprentice_id \
               WHERE r.released_on >= $1 AND r.released_on <= $2 \
               AND r.attempt = (SELECT MAX(later.attempt) FROM results later WHERE later.epa_id = r.epa_id) \
               ORDER BY r.released_on, a.uln";
    Ok(on_db!(db, |pool| sqlx::query_as(sql)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?)
}

/// An EPA's registration and its latest gateway submission.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RegistrationRow {
    #[sqlx(flatten)]
    pub epa: EpaOf,
    pub registered_at: DateTime<Utc>,
    pub gateway_submitted_at: Option<DateTime<Utc>>,
    pub gateway_approved_on: Option<NaiveDate>,
}

/// One row per EPA registered, submitted at gateway or signed off at
/// gateway in `[from, to)`; by registration, then ULN.
pub async fn registrations(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RegistrationRow>, StoreError> {
    let sql = "SELECT e.id AS epa_id, a.uln, e.standard_reference, e.standard_version, e.policy, \
               e.created_at AS registered_at, g.submitted_at AS gateway_submitted_at, e.gateway_approved_on \
               FROM epas e JOIN apprentices a ON a.id = e.apprentice_id \
               LEFT JOIN gateway_submissions g ON g.epa_id = e.id \
                 AND g.attempt = (SELECT MAX(later.attempt) FROM gateway_submissions later WHERE later.epa_id = e.id) \
               WHERE (e.created_at >= $1 AND e.created_at < $2) \
               OR EXISTS (SELECT 1 FROM gateway_submissions s WHERE s.epa_id = e.id \
                 AND ((s.submitted_at >= $1 AND s.submitted_at < $2) OR (s.decided_at >= $1 AND s.decided_at < $2))) \
               ORDER BY e.created_at, a.uln";
    Ok(on_db!(db, |pool| sqlx::query_as(sql)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?)
}
