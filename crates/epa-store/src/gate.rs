//! What the access gate reads about an EPA before it decides: the EPA's row
//! with its standing adjustment, then the people a decision about it turns
//! on. Two statements, whatever the EPA holds: every read and write of an
//! EPA passes the gate, so each statement saved here is saved on all of them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreError;
use crate::adjustments::Adjustment;
use crate::assessment::Reader;
use crate::epas::EpaRow;

/// The EPA's row and the adjustment that stands for it, if any (the latest
/// decided: see [`crate::adjustments::standing`]), read together.
#[derive(Debug, Clone, sqlx::FromRow)]
struct RowWithAdjustment {
    #[sqlx(flatten)]
    row: EpaRow,
    adjustment_id: Option<Uuid>,
    adjustment_extra_minutes: Option<i32>,
    adjustment_extra_percent: Option<i32>,
    adjustment_arrangements: Option<String>,
    adjustment_reason: Option<String>,
    adjustment_decided_by: Option<Uuid>,
    adjustment_decided_at: Option<DateTime<Utc>>,
}

impl RowWithAdjustment {
    fn split(self) -> (EpaRow, Option<Adjustment>) {
        let adjustment = match (
            self.adjustment_id,
            self.adjustment_arrangements,
            self.adjustment_reason,
            self.adjustment_decided_by,
            self.adjustment_decided_at,
        ) {
            (Some(id), Some(arrangements), Some(reason), Some(decided_by), Some(decided_at)) => {
                Some(Adjustment {
                    id,
                    epa_id: self.row.epa.id,
                    extra_minutes: self.adjustment_extra_minutes,
                    extra_percent: self.adjustment_extra_percent,
                    arrangements,
                    reason,
                    decided_by,
                    decided_at,
                })
            }
            _ => None,
        };
        (self.row, adjustment)
    }
}

/// The EPA's row and its standing adjustment in one statement: the
/// adjustment is the one `adjustments::standing` would read, found by the
/// same order on the same index.
pub async fn row(
    reader: Reader<'_>,
    epa_id: Uuid,
) -> Result<(EpaRow, Option<Adjustment>), StoreError> {
    let sql = format!(
        "SELECT {}, adj.id AS adjustment_id, adj.extra_minutes AS adjustment_extra_minutes, \
         adj.extra_percent AS adjustment_extra_percent, adj.arrangements AS adjustment_arrangements, \
         adj.reason AS adjustment_reason, adj.decided_by AS adjustment_decided_by, \
         adj.decided_at AS adjustment_decided_at \
         FROM epas e JOIN apprentices a ON a.id = e.apprentice_id \
         LEFT JOIN adjustments adj ON adj.id = (SELECT s.id FROM adjustments s WHERE s.epa_id = e.id \
         ORDER BY s.decided_at DESC, s.id DESC LIMIT 1) \
         WHERE e.id = $1",
        crate::epas::COLUMNS
    );
    let found: RowWithAdjustment = match reader {
        Reader::Db(db) => on_db!(db, |pool| sqlx::query_as(&sql)
            .bind(epa_id)
            .fetch_one(pool)
            .await),
        Reader::Tx(tx) => on_tx!(tx, |conn| sqlx::query_as(&sql)
            .bind(epa_id)
            .fetch_one(conn)
            .await),
    }?;
    Ok(found.split())
}

/// The people an access decision about the EPA turns on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    /// Who has a conflict of interest with the employer or the provider,
    /// and has not withdrawn it.
    pub conflicted: Vec<Uuid>,
    /// Who graded any of the EPA's assessments: the assessor of each
    /// sitting and whoever recorded a judgement in it. Segregation of
    /// duties keeps them from releasing, confirming exceptional
    /// circumstances or deciding an appeal on it.
    pub graders: Vec<Uuid>,
}

/// Both lists in one statement: each arm an indexed read, tagged with the
/// list it belongs to, rid of repeats by the `UNION` (an EPA's sittings
/// and judgements name its assessor sixty times over, each a row sent
/// from SQLite's thread) and sorted here: with `ORDER BY` SQLite sorted
/// each arm in a temporary B-tree of its own to merge them, on every read
/// and write of an EPA, for a row or two.
pub async fn people(
    reader: Reader<'_>,
    epa_id: Uuid,
    employer: Uuid,
    provider: Uuid,
) -> Result<People, StoreError> {
    const SQL: &str = "SELECT 'c' AS list, user_id AS person FROM conflicts \
         WHERE (organisation_id = $1 OR organisation_id = $2) AND withdrawn_at IS NULL \
         UNION SELECT 'g', assessor_id FROM assessments WHERE epa_id = $3 \
         UNION SELECT 'g', assessor_id FROM judgements WHERE epa_id = $3";
    let rows: Vec<(String, Uuid)> = match reader {
        Reader::Db(db) => on_db!(db, |pool| sqlx::query_as(SQL)
            .bind(employer)
            .bind(provider)
            .bind(epa_id)
            .fetch_all(pool)
            .await),
        Reader::Tx(tx) => on_tx!(tx, |conn| sqlx::query_as(SQL)
            .bind(employer)
            .bind(provider)
            .bind(epa_id)
            .fetch_all(conn)
            .await),
    }?;
    let mut people = People::default();
    for (list, person) in rows {
        match list.as_str() {
            "c" => people.conflicted.push(person),
            _ => people.graders.push(person),
        }
    }
    people.conflicted.sort_unstable();
    people.graders.sort_unstable();
    Ok(people)
}
