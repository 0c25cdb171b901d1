//! An EPA's sittings with their judgements and method results, and its
//! attempts, read in one statement. Every judgement save and every sitting
//! recorded reads them in its transaction, and the EPA's assessment pages
//! read them too: one statement here in place of four saves three round
//! trips to the database on each (ADR 0165).
//!
//! Each kind of row is one arm of a `UNION ALL`, tagged with its kind, its
//! fields in columns shared by every arm: four of IDs, five of text, four
//! of whole numbers, one each of a large number, a yes or no and a day, and
//! two of instants. Which field each arm puts in which column is written
//! once, in [`SQL`] and in the matching `from_slots` below; the tests read
//! every field back on both databases.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use epa_domain::attempts::{AttemptKind, ResultStatus};
use epa_domain::{Grade, MethodId};

use crate::StoreError;
use crate::assessment::{Assessment, AttemptRow, Judgement, MethodResult, Reader};
use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;

/// What one EPA's assessment holds of sittings, judgements, method results
/// and attempts, each in the order of its own read in
/// [`crate::assessment`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sittings {
    pub assessments: Vec<Assessment>,
    pub judgements: Vec<Judgement>,
    pub method_results: Vec<MethodResult>,
    pub attempts: Vec<AttemptRow>,
}

/// One arm a kind. The first arm names and types every column, so each
/// later arm's `NULL` takes its column's type on PostgreSQL. Unordered:
/// each kind is sorted once read, as its own read orders it.
const SQL: &str = "\
SELECT 'assessment' AS kind, id, assessor_id AS u1, booking_id AS u2, \
       CAST(NULL AS UUID) AS u3, CAST(NULL AS UUID) AS u4, \
       method AS t1, attempt_kind AS t2, start_time AS t3, end_time AS t4, CAST(NULL AS TEXT) AS t5, \
       attempt AS i1, duration_minutes AS i2, questioning_minutes AS i3, interview_questions AS i4, \
       CAST(NULL AS BIGINT) AS n, CAST(NULL AS BOOLEAN) AS b, held_on AS d, \
       recorded_at AS at1, CAST(NULL AS TIMESTAMPTZ) AS at2 \
  FROM assessments WHERE epa_id = $1 \
UNION ALL SELECT 'judgement', id, assessment_id, assessor_id, supersedes_id, NULL, \
       method, criterion_id, note, NULL, NULL, NULL, NULL, NULL, NULL, \
       NULL, met, NULL, recorded_at, NULL \
  FROM judgements WHERE epa_id = $1 \
UNION ALL SELECT 'method_result', id, assessment_id, graded_by, result_id, moderation_id, \
       method, grade, explanation, unmet, status, attempt, NULL, NULL, NULL, \
       version, sampled, NULL, computed_at, released_at \
  FROM method_results WHERE epa_id = $1 \
UNION ALL SELECT 'attempt', id, started_by, NULL, NULL, NULL, \
       kind, methods, NULL, NULL, NULL, attempt, NULL, NULL, NULL, \
       NULL, NULL, due_on, started_at, NULL \
  FROM epa_attempts WHERE epa_id = $1";

/// One row of [`SQL`], read by position: a judgement save reads every
/// row of its EPA's assessment, and sqlx's reading by name looked each
/// of the twenty columns up by its name in every row.
struct Slots {
    kind: String,
    id: Uuid,
    u1: Option<Uuid>,
    u2: Option<Uuid>,
    u3: Option<Uuid>,
    u4: Option<Uuid>,
    t1: Option<String>,
    t2: Option<String>,
    t3: Option<String>,
    t4: Option<String>,
    t5: Option<String>,
    i1: Option<i32>,
    i2: Option<i32>,
    i3: Option<i32>,
    i4: Option<i32>,
    n: Option<i64>,
    b: Option<bool>,
    d: Option<NaiveDate>,
    at1: Option<DateTime<Utc>>,
    at2: Option<DateTime<Utc>>,
}

impl Slots {
    fn read(row: &impl Columns) -> Result<Slots, sqlx::Error> {
        Ok(Slots {
            kind: row.text(0)?,
            id: row.id(1)?,
            u1: row.opt_id(2)?,
            u2: row.opt_id(3)?,
            u3: row.opt_id(4)?,
            u4: row.opt_id(5)?,
            t1: row.opt_text(6)?,
            t2: row.opt_text(7)?,
            t3: row.opt_text(8)?,
            t4: row.opt_text(9)?,
            t5: row.opt_text(10)?,
            i1: row.opt_small(11)?,
            i2: row.opt_small(12)?,
            i3: row.opt_small(13)?,
            i4: row.opt_small(14)?,
            n: row.opt_int(15)?,
            b: row.opt_flag(16)?,
            d: row.opt_day(17)?,
            at1: row.opt_instant(18)?,
            at2: row.opt_instant(19)?,
        })
    }
}

read_by_position!(Slots);

/// The EPA's sittings, read where `reader` reads.
pub async fn read(reader: Reader<'_>, epa_id: Uuid) -> Result<Sittings, StoreError> {
    let rows: Vec<Slots> = match reader.on_thread() {
        Some(conn) => conn.rows(SQL, &[Arg::Id(epa_id)], |row| Slots::read(row))?,
        None => on_reader!(reader, |exec| sqlx::query_as(SQL)
            .bind(epa_id)
            .fetch_all(exec)
            .await)?,
    };
    let mut sittings = Sittings::default();
    for row in rows {
        sittings.add(epa_id, row)?;
    }
    sittings.sort();
    Ok(sittings)
}

/// A field every row of its kind has.
fn required<T>(value: Option<T>, kind: &str, field: &str) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Corrupt(format!("{kind} without {field}")))
}

/// A field stored as one of a closed set of words.
fn word<T>(
    value: Option<String>,
    parse: fn(&str) -> Option<T>,
    kind: &str,
    field: &str,
) -> Result<T, StoreError> {
    let text = required(value, kind, field)?;
    parse(&text).ok_or_else(|| StoreError::Corrupt(format!("{kind} with {field} {text:?}")))
}

impl Sittings {
    fn add(&mut self, epa_id: Uuid, row: Slots) -> Result<(), StoreError> {
        let kind = row.kind.as_str();
        match kind {
            "assessment" => self.assessments.push(Assessment {
                id: row.id,
                epa_id,
                method: word(row.t1, MethodId::parse, kind, "method")?,
                attempt: required(row.i1, kind, "attempt")?,
                attempt_kind: word(row.t2, AttemptKind::parse, kind, "attempt kind")?,
                held_on: required(row.d, kind, "day")?,
                start_time: required(row.t3, kind, "start")?,
                end_time: required(row.t4, kind, "end")?,
                duration_minutes: required(row.i2, kind, "duration")?,
                questioning_minutes: row.i3,
                interview_questions: row.i4,
                assessor_id: required(row.u1, kind, "assessor")?,
                recorded_at: required(row.at1, kind, "time recorded")?,
                booking_id: row.u2,
            }),
            "judgement" => self.judgements.push(Judgement {
                id: row.id,
                epa_id,
                assessment_id: required(row.u1, kind, "assessment")?,
                method: word(row.t1, MethodId::parse, kind, "method")?,
                criterion_id: required(row.t2, kind, "criterion")?,
                met: required(row.b, kind, "met")?,
                note: required(row.t3, kind, "note")?,
                assessor_id: required(row.u2, kind, "assessor")?,
                recorded_at: required(row.at1, kind, "time recorded")?,
                supersedes_id: row.u3,
            }),
            "method_result" => self.method_results.push(MethodResult {
                id: row.id,
                epa_id,
                assessment_id: required(row.u1, kind, "assessment")?,
                method: word(row.t1, MethodId::parse, kind, "method")?,
                attempt: required(row.i1, kind, "attempt")?,
                grade: word(row.t2, Grade::parse, kind, "grade")?,
                explanation: required(row.t3, kind, "explanation")?,
                unmet: required(row.t4, kind, "unmet criteria")?,
                graded_by: required(row.u2, kind, "grader")?,
                computed_at: required(row.at1, kind, "time computed")?,
                status: word(row.t5, ResultStatus::parse, kind, "status")?,
                result_id: row.u3,
                released_at: row.at2,
                sampled: row.b,
                moderation_id: row.u4,
                version: required(row.n, kind, "version")?,
            }),
            "attempt" => self.attempts.push(AttemptRow {
                id: row.id,
                epa_id,
                attempt: required(row.i1, kind, "attempt")?,
                kind: word(row.t1, AttemptKind::parse, kind, "kind")?,
                methods: required(row.t2, kind, "methods")?,
                due_on: row.d,
                started_by: required(row.u1, kind, "starter")?,
                started_at: required(row.at1, kind, "time started")?,
            }),
            other => {
                return Err(StoreError::Corrupt(format!(
                    "an EPA's sittings: unknown kind {other:?}"
                )));
            }
        }
        Ok(())
    }

    /// Each kind in the order its own read in [`crate::assessment`] gives.
    fn sort(&mut self) {
        self.assessments
            .sort_by_key(|a| (a.attempt, a.held_on, a.recorded_at, a.id));
        self.judgements.sort_by_key(|j| (j.recorded_at, j.id));
        self.method_results
            .sort_by(|a, b| (a.attempt, a.method.as_str()).cmp(&(b.attempt, b.method.as_str())));
        self.attempts.sort_by_key(|a| a.attempt);
    }
}
