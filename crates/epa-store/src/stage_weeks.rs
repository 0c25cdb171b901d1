//! How many EPAs entered and left each stage in each week, kept by triggers
//! on `epas` (migration 0028) in the transaction of every change of stage.
//! The dashboard draws the pipeline over time from it: a few rows per week,
//! whatever the number of EPAs.

use chrono::NaiveDate;
use epa_domain::lifecycle::Stage;
use uuid::Uuid;

use crate::{Db, StoreError};

/// One stage's movement in one week (the Monday that starts it).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StageWeek {
    pub week: NaiveDate,
    pub stage: Stage,
    pub entered: i64,
    pub exited: i64,
}

/// Every week of `epao_id`'s history up to and including the week starting
/// `last_week`, oldest first: the counts at the end of a week are the sums of
/// `entered - exited` up to it.
pub async fn up_to(
    db: &Db,
    epao_id: Uuid,
    last_week: NaiveDate,
) -> Result<Vec<StageWeek>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT week, stage, entered, exited FROM stage_weeks \
         WHERE epao_id = $1 AND week <= $2 ORDER BY week, stage"
    )
    .bind(epao_id)
    .bind(last_week)
    .fetch_all(pool)
    .await)?)
}

/// How many of `epao_id`'s EPAs stand at each stage now: the sum of every
/// week's movements, which the triggers keep equal to a count of `epas` by
/// stage (the migration began the table from every EPA's stage then). Stages
/// nobody stands at are left out. A few rows per week of history are read,
/// whatever the number of EPAs.
pub async fn now(db: &Db, epao_id: Uuid) -> Result<Vec<(Stage, i64)>, StoreError> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back to the counts' type.
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT stage, CAST(SUM(entered - exited) AS BIGINT) AS standing FROM stage_weeks \
         WHERE epao_id = $1 GROUP BY stage HAVING SUM(entered - exited) <> 0 ORDER BY stage"
    )
    .bind(epao_id)
    .fetch_all(pool)
    .await)?)
}
