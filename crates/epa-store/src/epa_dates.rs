//! The dates of an EPA's records that its deadlines follow from, read in
//! one statement. Every change to an EPA brings its kept deadlines up to
//! date in its own transaction (ADR 0121), so this read runs in every
//! write: one statement here in place of one per kind of record saves
//! eight round trips to the database on each (ADR 0163).
//!
//! Each kind of record is one arm of a `UNION ALL`, tagged with its kind
//! and carrying only the fields the deadlines read, in columns shared by
//! every arm; each arm is a search of its table's index on the EPA.
//!
//! No arm reads judgements: a judgement save that grades no method notes
//! the EPA's dates unmoved and is spared this read and the refresh
//! (`Tx::note_judgements_only`, ADRs 0164, 0165). A deadline that came to follow
//! from a judgement would need that note taken away.

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::attempts::AttemptKind;
use epa_domain::booking::{BookingStatus, SubmissionKind};
use epa_domain::gateway::ReviewDecision;
use epa_domain::{Grade, MethodId};
use uuid::Uuid;

use crate::StoreError;
use crate::assessment::Reader;
use crate::columns::Columns;
use crate::day::Day;
use crate::direct::Arg;

/// A sitting held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub method: MethodId,
    pub attempt: i32,
    pub attempt_kind: AttemptKind,
    pub held_on: NaiveDate,
}

/// A booking, whatever became of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booked {
    pub method: MethodId,
    pub status: BookingStatus,
    pub assessment_on: NaiveDate,
    pub booked_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// A method's result, released or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodGraded {
    pub method: MethodId,
    pub attempt: i32,
    pub grade: Grade,
    pub released_at: Option<DateTime<Utc>>,
}

/// A replacement certificate received, and the day it was asked of the DfE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplacementAsked {
    pub received_on: NaiveDate,
    pub requested_on: Option<NaiveDate>,
}

/// An overall result released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    pub attempt: i32,
    pub overall_grade: Grade,
    pub released_on: NaiveDate,
}

/// What of an EPA's records its deadlines follow from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpaDates {
    /// The day of the report submitted last (by when it was recorded).
    pub report: Option<NaiveDate>,
    /// The day of the portfolio submitted last.
    pub portfolio: Option<NaiveDate>,
    pub held: Vec<Held>,
    pub booked: Vec<Booked>,
    pub method_results: Vec<MethodGraded>,
    /// When each gateway attempt was submitted.
    pub gateway_submitted: Vec<DateTime<Utc>>,
    /// Each decision on a version of the project proposal, and when.
    pub proposal_decisions: Vec<(ReviewDecision, DateTime<Utc>)>,
    /// When each version of the project proposal was submitted.
    pub proposals_submitted: Vec<DateTime<Utc>>,
    pub claimed_on: Option<NaiveDate>,
    /// In order of receipt, then ID.
    pub replacements: Vec<ReplacementAsked>,
    pub results: Vec<Released>,
}

/// One arm for each kind of record. The first arm names and types every column,
/// so each later arm's `NULL` takes its column's type on PostgreSQL.
/// Unordered: SQLite would sort each arm in a temporary B-tree of its own
/// and merge them; the rows are sorted once read, for the replacements,
/// the one kind read in order. (The latest booking is found by its day and
/// creation, which tie only for bookings made at one instant: on the same
/// day.)
const SQL: &str = "\
SELECT 'held' AS kind, method, attempt, attempt_kind AS label, held_on AS day, \
       CAST(NULL AS DATE) AS day2, CAST(NULL AS TIMESTAMPTZ) AS at, id \
  FROM assessments WHERE epa_id = $1 \
UNION ALL SELECT 'booked', method, NULL, status, assessment_on, booked_on, created_at, id \
  FROM bookings WHERE epa_id = $1 \
UNION ALL SELECT 'method_result', method, attempt, grade, NULL, NULL, released_at, id \
  FROM method_results WHERE epa_id = $1 \
UNION ALL SELECT 'gateway', NULL, NULL, NULL, NULL, NULL, submitted_at, id \
  FROM gateway_submissions WHERE epa_id = $1 \
UNION ALL SELECT 'decision', NULL, NULL, d.decision, NULL, NULL, d.decided_at, d.id \
  FROM proposal_decisions d JOIN project_proposals p ON p.id = d.proposal_id WHERE p.epa_id = $1 \
UNION ALL SELECT 'proposal', NULL, NULL, NULL, NULL, NULL, submitted_at, id \
  FROM project_proposals WHERE epa_id = $1 \
UNION ALL SELECT 'claim', NULL, NULL, NULL, claimed_on, NULL, NULL, id \
  FROM certificate_claims WHERE epa_id = $1 \
UNION ALL SELECT 'replacement', NULL, NULL, NULL, received_on, requested_on, NULL, id \
  FROM replacement_certificates WHERE epa_id = $1 \
UNION ALL SELECT 'result', NULL, attempt, overall_grade, released_on, NULL, NULL, id \
  FROM results WHERE epa_id = $1 \
UNION ALL SELECT 'submission', NULL, NULL, kind, submitted_on, NULL, NULL, id FROM \
  (SELECT kind, submitted_on, id, recorded_at FROM submissions \
    WHERE epa_id = $1 AND kind = $2 ORDER BY recorded_at DESC, id DESC LIMIT 1) AS report \
UNION ALL SELECT 'submission', NULL, NULL, kind, submitted_on, NULL, NULL, id FROM \
  (SELECT kind, submitted_on, id, recorded_at FROM submissions \
    WHERE epa_id = $1 AND kind = $3 ORDER BY recorded_at DESC, id DESC LIMIT 1) AS portfolio";

/// One row of [`SQL`]: kind, method, attempt, label, day, second day,
/// instant, and the record's ID.
type Row = (
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<Day>,
    Option<Day>,
    Option<DateTime<Utc>>,
    Uuid,
);

/// The EPA's dates, read where `reader` reads.
pub async fn read(reader: Reader<'_>, epa_id: Uuid) -> Result<EpaDates, StoreError> {
    if let Some(conn) = reader.on_thread() {
        let args = [
            Arg::Id(epa_id),
            Arg::Text(SubmissionKind::Report.as_str()),
            Arg::Text(SubmissionKind::Portfolio.as_str()),
        ];
        return EpaDates::from_rows(conn.rows(SQL, &args, |row| read_row(row))?);
    }
    let rows: Vec<Row> = on_reader!(reader, |exec| sqlx::query_as(SQL)
        .bind(epa_id)
        .bind(SubmissionKind::Report)
        .bind(SubmissionKind::Portfolio)
        .fetch_all(exec)
        .await)?;
    EpaDates::from_rows(rows)
}

/// One row of [`SQL`] read by position, as sqlx reads the tuple.
fn read_row(row: &impl Columns) -> Result<Row, sqlx::Error> {
    Ok((
        row.text(0)?,
        row.opt_text(1)?,
        row.opt_small(2)?,
        row.opt_text(3)?,
        row.opt_day(4)?.map(Day),
        row.opt_day(5)?.map(Day),
        row.opt_instant(6)?,
        row.id(7)?,
    ))
}

/// The row's label read as one of a closed set of words.
fn word<T>(label: &Option<String>, parse: fn(&str) -> Option<T>) -> Option<T> {
    label.as_deref().and_then(parse)
}

impl EpaDates {
    /// The dates the rows hold, whatever order they came in.
    fn from_rows(mut rows: Vec<Row>) -> Result<EpaDates, StoreError> {
        // By day, then ID: the replacements in order of receipt, then ID,
        // as the deadline reads them (the oldest still to ask for, or with
        // none open the latest); no other kind depends on order.
        rows.sort_by_key(|row| (row.4.as_ref().map(|d| d.0), row.7));
        let mut dates = EpaDates::default();
        for row in rows {
            dates.add(row)?;
        }
        Ok(dates)
    }

    fn add(
        &mut self,
        (kind, method, attempt, label, day, day2, at, _): Row,
    ) -> Result<(), StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("{kind} dates: {what}"));
        let method = || {
            method
                .as_deref()
                .and_then(MethodId::parse)
                .ok_or_else(|| corrupt("no known method"))
        };
        let attempt = || attempt.ok_or_else(|| corrupt("no attempt"));
        let day = day.map(|d| d.0).ok_or_else(|| corrupt("no date"));
        let at_required = || at.ok_or_else(|| corrupt("no instant"));
        match kind.as_str() {
            "held" => self.held.push(Held {
                method: method()?,
                attempt: attempt()?,
                attempt_kind: word(&label, AttemptKind::parse)
                    .ok_or_else(|| corrupt("an unknown word"))?,
                held_on: day?,
            }),
            "booked" => self.booked.push(Booked {
                method: method()?,
                status: word(&label, BookingStatus::parse)
                    .ok_or_else(|| corrupt("an unknown word"))?,
                assessment_on: day?,
                booked_on: day2.map(|d| d.0).ok_or_else(|| corrupt("no booking day"))?,
                created_at: at_required()?,
            }),
            "method_result" => self.method_results.push(MethodGraded {
                method: method()?,
                attempt: attempt()?,
                grade: word(&label, Grade::parse).ok_or_else(|| corrupt("an unknown word"))?,
                released_at: at,
            }),
            "gateway" => self.gateway_submitted.push(at_required()?),
            "decision" => self.proposal_decisions.push((
                word(&label, ReviewDecision::parse).ok_or_else(|| corrupt("an unknown word"))?,
                at_required()?,
            )),
            "proposal" => self.proposals_submitted.push(at_required()?),
            "claim" => self.claimed_on = Some(day?),
            "replacement" => self.replacements.push(ReplacementAsked {
                received_on: day?,
                requested_on: day2.map(|d| d.0),
            }),
            "result" => self.results.push(Released {
                attempt: attempt()?,
                overall_grade: word(&label, Grade::parse)
                    .ok_or_else(|| corrupt("an unknown word"))?,
                released_on: day?,
            }),
            "submission" => match word(&label, SubmissionKind::parse)
                .ok_or_else(|| corrupt("an unknown word"))?
            {
                SubmissionKind::Report => self.report = Some(day?),
                SubmissionKind::Portfolio => self.portfolio = Some(day?),
            },
            _ => return Err(corrupt("an unknown kind")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Option<Day> {
        NaiveDate::from_ymd_opt(2026, 10, d).map(Day)
    }

    fn replacement(received: u32, requested: Option<u32>, id: u128) -> Row {
        let (label, method, attempt, at) = (None, None, None, None);
        let requested = requested.and_then(day);
        let kind = "replacement".to_owned();
        (
            kind,
            method,
            attempt,
            label,
            day(received),
            requested,
            at,
            Uuid::from_u128(id),
        )
    }

    #[test]
    fn replacements_are_in_order_of_receipt_then_id_whatever_order_they_came_in() {
        let rows = vec![
            replacement(20, None, 9),
            replacement(5, Some(6), 7),
            replacement(20, Some(21), 3),
        ];
        let dates = EpaDates::from_rows(rows).unwrap();
        let asked = |received, requested: Option<u32>| ReplacementAsked {
            received_on: day(received).unwrap().0,
            requested_on: requested.and_then(day).map(|d| d.0),
        };
        assert_eq!(
            dates.replacements,
            [asked(5, Some(6)), asked(20, Some(21)), asked(20, None)]
        );
    }

    #[test]
    fn a_damaged_row_is_refused_never_skipped() {
        let held = |method: &str, label: &str, on: Option<Day>| -> Row {
            let (method, label) = (Some(method.to_owned()), Some(label.to_owned()));
            (
                "held".to_owned(),
                method,
                Some(1),
                label,
                on,
                None,
                None,
                Uuid::nil(),
            )
        };
        assert!(EpaDates::from_rows(vec![held("observation", "first", day(1))]).is_ok());
        for (row, what) in [
            (held("juggling", "first", day(1)), "no known method"),
            (held("observation", "fifth", day(1)), "an unknown word"),
            (held("observation", "first", None), "no date"),
        ] {
            match EpaDates::from_rows(vec![row]) {
                Err(StoreError::Corrupt(text)) => assert!(text.contains(what), "{text}"),
                other => panic!("{what}: {other:?}"),
            }
        }
        let mut unknown = held("observation", "first", day(1));
        unknown.0 = "rumour".to_owned();
        assert!(matches!(
            EpaDates::from_rows(vec![unknown]),
            Err(StoreError::Corrupt(_))
        ));
    }
}
