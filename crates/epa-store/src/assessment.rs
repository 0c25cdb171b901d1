//! Assessments and what follows them: the assessor's judgements (append-only:
//! a trigger refuses UPDATE and DELETE, a correction supersedes), method
//! results, released overall results, attempts after a fail, exceptional
//! circumstances and certificate claims.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use epa_domain::attempts::{AttemptKind, ResultStatus};
use epa_domain::{Grade, MethodId};

use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
use crate::{Db, StoreError, Tx};

/// Where a read runs: on the pool, or inside a write transaction when the
/// decision it feeds and the change must see one state.
pub enum Reader<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Reader<'_> {
    /// Inside a write transaction on SQLite, its connection as driven from
    /// the request's thread (ADR 0176).
    pub(crate) fn on_thread(&self) -> Option<&crate::on_thread::OnThread> {
        match self {
            Reader::Tx(tx) => tx.on_thread(),
            Reader::Db(_) => None,
        }
    }

    /// The same place, borrowed again for one more read.
    pub fn again(&mut self) -> Reader<'_> {
        match self {
            Reader::Db(db) => Reader::Db(db),
            Reader::Tx(tx) => Reader::Tx(tx),
        }
    }

    /// The database engine the read runs on.
    pub fn backend(&self) -> crate::Backend {
        match self {
            Reader::Db(db) => db.backend(),
            Reader::Tx(tx) => tx.backend(),
        }
    }
}

// ---------------------------------------------------------------------------
// Assessments

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Assessment {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub method: MethodId,
    pub attempt: i32,
    pub attempt_kind: AttemptKind,
    pub held_on: NaiveDate,
    /// Local clock time, `HH:MM`.
    pub start_time: String,
    pub end_time: String,
    pub duration_minutes: i32,
    pub questioning_minutes: Option<i32>,
    pub interview_questions: Option<i32>,
    pub assessor_id: Uuid,
    pub recorded_at: DateTime<Utc>,
    /// The booking it was held for (none for sittings recorded before
    /// sittings needed one).
    pub booking_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    pub epa_id: Uuid,
    pub method: MethodId,
    pub attempt: i32,
    pub attempt_kind: AttemptKind,
    pub held_on: NaiveDate,
    pub start_time: &'a str,
    pub end_time: &'a str,
    pub duration_minutes: i32,
    pub questioning_minutes: Option<i32>,
    pub interview_questions: Option<i32>,
    pub assessor_id: Uuid,
    pub booking_id: Uuid,
}

const ASSESSMENT_COLUMNS: &str = "id, epa_id, method, attempt, attempt_kind, held_on, start_time, end_time, \
    duration_minutes, questioning_minutes, interview_questions, assessor_id, recorded_at, booking_id";

/// Records a sitting. A second record of the same method in the same attempt
/// is a conflict (the unique key names it).
pub async fn insert_assessment(
    tx: &mut Tx,
    new: &NewAssessment<'_>,
    now: DateTime<Utc>,
) -> Result<Assessment, StoreError> {
    let sql = format!(
        "INSERT INTO assessments ({ASSESSMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         RETURNING {ASSESSMENT_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(new.epa_id)
        .bind(new.method)
        .bind(new.attempt)
        .bind(new.attempt_kind)
        .bind(new.held_on)
        .bind(new.start_time)
        .bind(new.end_time)
        .bind(new.duration_minutes)
        .bind(new.questioning_minutes)
        .bind(new.interview_questions)
        .bind(new.assessor_id)
        .bind(now)
        .bind(new.booking_id)
        .fetch_one(conn)
        .await)?)
}

/// An EPA's assessments, by attempt and date.
pub async fn assessments(reader: Reader<'_>, epa_id: Uuid) -> Result<Vec<Assessment>, StoreError> {
    let sql = format!(
        "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE epa_id = $1 ORDER BY attempt, held_on, recorded_at, id"
    );
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(exec)
        .await)?)
}

// ---------------------------------------------------------------------------
// Judgements

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub assessment_id: Uuid,
    pub method: MethodId,
    pub criterion_id: String,
    pub met: bool,
    pub note: String,
    pub assessor_id: Uuid,
    pub recorded_at: DateTime<Utc>,
    /// The judgement this one corrects.
    pub supersedes_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewJudgement<'a> {
    pub epa_id: Uuid,
    pub assessment_id: Uuid,
    pub method: MethodId,
    pub criterion_id: &'a str,
    pub met: bool,
    pub note: &'a str,
    pub assessor_id: Uuid,
    pub supersedes_id: Option<Uuid>,
}

const JUDGEMENT_COLUMNS: &str = "id, epa_id, assessment_id, method, criterion_id, met, note, assessor_id, recorded_at, supersedes_id";

read_by_position!(Judgement);

impl Judgement {
    /// In [`JUDGEMENT_COLUMNS`]' order, whichever driver read it.
    pub(crate) fn read(row: &impl Columns) -> Result<Judgement, sqlx::Error> {
        Ok(Judgement {
            id: row.id(0)?,
            epa_id: row.id(1)?,
            assessment_id: row.id(2)?,
            method: row.named(3, MethodId::parse)?,
            criterion_id: row.text(4)?,
            met: row.flag(5)?,
            note: row.text(6)?,
            assessor_id: row.id(7)?,
            recorded_at: row.instant(8)?,
            supersedes_id: row.opt_id(9)?,
        })
    }
}

/// Corrections supersede judgements: the domain decides which stand.
impl epa_domain::replay::Superseding for Judgement {
    fn id(&self) -> u128 {
        self.id.as_u128()
    }
    fn supersedes(&self) -> Option<u128> {
        self.supersedes_id.map(|id| id.as_u128())
    }
}

/// Appends a judgement. Superseding a judgement that was already superseded
/// (two corrections racing) is a conflict: the unique key on
/// `supersedes_id` allows one correction of each.
pub async fn insert_judgement(
    tx: &mut Tx,
    new: &NewJudgement<'_>,
    now: DateTime<Utc>,
) -> Result<Judgement, StoreError> {
    let sql = format!(
        "INSERT INTO judgements ({JUDGEMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING {JUDGEMENT_COLUMNS}"
    );
    let id = Uuid::now_v7();
    if let Some(conn) = tx.on_thread() {
        let args = [
            Arg::Id(id),
            Arg::Id(new.epa_id),
            Arg::Id(new.assessment_id),
            Arg::Text(new.method.as_str()),
            Arg::Text(new.criterion_id),
            Arg::Flag(new.met),
            Arg::Text(new.note),
            Arg::Id(new.assessor_id),
            Arg::Time(now),
            Arg::opt_id(new.supersedes_id),
        ];
        return conn.one(&sql, &args, |row| Judgement::read(row));
    }
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .bind(new.epa_id)
        .bind(new.assessment_id)
        .bind(new.method)
        .bind(new.criterion_id)
        .bind(new.met)
        .bind(new.note)
        .bind(new.assessor_id)
        .bind(now)
        .bind(new.supersedes_id)
        .fetch_one(conn)
        .await)?)
}

/// The judgements that stand for an assessment: per criterion, the one no
/// later judgement supersedes.
pub async fn standing_judgements(
    reader: Reader<'_>,
    assessment_id: Uuid,
) -> Result<Vec<Judgement>, StoreError> {
    let sql = format!(
        "SELECT {JUDGEMENT_COLUMNS} FROM judgements j WHERE j.assessment_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM judgements later WHERE later.supersedes_id = j.id) \
         ORDER BY j.criterion_id"
    );
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(assessment_id)
        .fetch_all(exec)
        .await)?)
}

/// Every judgement on an EPA, superseded ones included, oldest first.
pub async fn judgements(reader: Reader<'_>, epa_id: Uuid) -> Result<Vec<Judgement>, StoreError> {
    let sql = format!(
        "SELECT {JUDGEMENT_COLUMNS} FROM judgements WHERE epa_id = $1 ORDER BY recorded_at, id"
    );
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(exec)
        .await)?)
}

// ---------------------------------------------------------------------------
// Method results

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct MethodResult {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub assessment_id: Uuid,
    pub method: MethodId,
    pub attempt: i32,
    pub grade: Grade,
    pub explanation: String,
    /// JSON array of the unmet criterion IDs.
    pub unmet: String,
    pub graded_by: Uuid,
    pub computed_at: DateTime<Utc>,
    pub status: ResultStatus,
    pub result_id: Option<Uuid>,
    pub released_at: Option<DateTime<Utc>>,
    /// Quality-assurance sampling: not decided yet (NULL) until that work adds it.
    pub sampled: Option<bool>,
    /// The moderation record, once quality assurance moderates this result.
    pub moderation_id: Option<Uuid>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewMethodResult<'a> {
    pub epa_id: Uuid,
    pub assessment_id: Uuid,
    pub method: MethodId,
    pub attempt: i32,
    pub grade: Grade,
    pub explanation: &'a str,
    pub unmet: &'a str,
    pub graded_by: Uuid,
}

const METHOD_RESULT_COLUMNS: &str = "id, epa_id, assessment_id, method, attempt, grade, explanation, unmet, graded_by, \
    computed_at, status, result_id, released_at, sampled, moderation_id, version";

/// Stores the grade computed for an assessment, replacing the provisional
/// one. A released result is never recomputed: that is a conflict.
pub async fn save_method_result(
    tx: &mut Tx,
    new: &NewMethodResult<'_>,
    now: DateTime<Utc>,
) -> Result<MethodResult, StoreError> {
    let sql = format!(
        "INSERT INTO method_results (id, epa_id, assessment_id, method, attempt, grade, explanation, unmet, graded_by, computed_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'provisional') \
         ON CONFLICT (assessment_id) DO UPDATE SET grade = excluded.grade, explanation = excluded.explanation, \
         unmet = excluded.unmet, graded_by = excluded.graded_by, computed_at = excluded.computed_at, \
         version = method_results.version + 1 WHERE method_results.status = 'provisional' \
         RETURNING {METHOD_RESULT_COLUMNS}"
    );
    let row: Option<MethodResult> = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(new.epa_id)
        .bind(new.assessment_id)
        .bind(new.method)
        .bind(new.attempt)
        .bind(new.grade)
        .bind(new.explanation)
        .bind(new.unmet)
        .bind(new.graded_by)
        .bind(now)
        .fetch_optional(conn)
        .await)?;
    row.ok_or_else(|| {
        StoreError::Conflict("this method's result is released and cannot change".to_owned())
    })
}

/// An EPA's method results, by attempt.
pub async fn method_results(
    reader: Reader<'_>,
    epa_id: Uuid,
) -> Result<Vec<MethodResult>, StoreError> {
    let sql = format!(
        "SELECT {METHOD_RESULT_COLUMNS} FROM method_results WHERE epa_id = $1 ORDER BY attempt, method"
    );
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(exec)
        .await)?)
}

/// Marks a provisional method result released with the overall result it
/// went out in.
pub async fn release_method_result(
    tx: &mut Tx,
    id: Uuid,
    result_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE method_results SET status = 'released', result_id = $1, released_at = $2, version = version + 1 \
         WHERE id = $3 AND status = 'provisional'"
    )
    .bind(result_id)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    if updated == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "a method result was released by someone else meanwhile; reload and try again"
                .to_owned(),
        ))
    }
}

/// Marks a provisional method result released on its own, before the
/// overall result exists (per-method release); the overall release links
/// it later with [`link_method_result`].
pub async fn release_method_alone(
    tx: &mut Tx,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE method_results SET status = 'released', released_at = $1, version = version + 1 \
             WHERE id = $2 AND status = 'provisional'",
        )
        .bind(now)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if updated == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "this method's result was released by someone else meanwhile; reload and try again"
                .to_owned(),
        ))
    }
}

/// Links a method result released on its own to the overall result it
/// stands in, keeping its own release time.
pub async fn link_method_result(tx: &mut Tx, id: Uuid, result_id: Uuid) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE method_results SET result_id = $1, version = version + 1 \
             WHERE id = $2 AND status = 'released' AND result_id IS NULL",
        )
        .bind(result_id)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if updated == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "a method result was linked to another overall result meanwhile; reload and try again"
                .to_owned(),
        ))
    }
}

// ---------------------------------------------------------------------------
// Released overall results

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ResultRow {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub attempt: i32,
    pub attempt_kind: AttemptKind,
    pub observation_grade: Grade,
    pub project_grade: Grade,
    pub discussion_grade: Grade,
    pub uncapped_grade: Grade,
    pub overall_grade: Grade,
    pub cap_applied: bool,
    pub exceptional_circumstances: bool,
    /// JSON array of the explanation's lines.
    pub explanation: String,
    pub released_on: NaiveDate,
    pub released_by: Uuid,
    pub released_at: DateTime<Utc>,
}

const RESULT_COLUMNS: &str = "id, epa_id, attempt, attempt_kind, observation_grade, project_grade, discussion_grade, \
    uncapped_grade, overall_grade, cap_applied, exceptional_circumstances, explanation, released_on, released_by, released_at";

/// Stores a released result; the row's `id` is made here.
pub async fn insert_result(tx: &mut Tx, row: &ResultRow) -> Result<ResultRow, StoreError> {
    let sql = format!(
        "INSERT INTO results ({RESULT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         RETURNING {RESULT_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(row.epa_id)
        .bind(row.attempt)
        .bind(row.attempt_kind)
        .bind(row.observation_grade)
        .bind(row.project_grade)
        .bind(row.discussion_grade)
        .bind(row.uncapped_grade)
        .bind(row.overall_grade)
        .bind(row.cap_applied)
        .bind(row.exceptional_circumstances)
        .bind(&row.explanation)
        .bind(row.released_on)
        .bind(row.released_by)
        .bind(row.released_at)
        .fetch_one(conn)
        .await)?)
}

/// An EPA's released results, oldest first.
pub async fn results(reader: Reader<'_>, epa_id: Uuid) -> Result<Vec<ResultRow>, StoreError> {
    let sql = format!("SELECT {RESULT_COLUMNS} FROM results WHERE epa_id = $1 ORDER BY attempt");
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(exec)
        .await)?)
}

// ---------------------------------------------------------------------------
// Attempts after a fail

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub attempt: i32,
    /// A resit, retake or project rework (never a first attempt).
    pub kind: AttemptKind,
    /// The methods, comma-separated in plan order.
    pub methods: String,
    pub due_on: Option<NaiveDate>,
    pub started_by: Uuid,
    pub started_at: DateTime<Utc>,
}

const ATTEMPT_COLUMNS: &str = "id, epa_id, attempt, kind, methods, due_on, started_by, started_at";

#[allow(clippy::too_many_arguments)]
pub async fn insert_attempt(
    tx: &mut Tx,
    epa_id: Uuid,
    attempt: i32,
    kind: AttemptKind,
    methods: &str,
    due_on: Option<NaiveDate>,
    started_by: Uuid,
    now: DateTime<Utc>,
) -> Result<AttemptRow, StoreError> {
    let sql = format!(
        "INSERT INTO epa_attempts ({ATTEMPT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ATTEMPT_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(epa_id)
        .bind(attempt)
        .bind(kind)
        .bind(methods)
        .bind(due_on)
        .bind(started_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

pub async fn attempts(reader: Reader<'_>, epa_id: Uuid) -> Result<Vec<AttemptRow>, StoreError> {
    let sql =
        format!("SELECT {ATTEMPT_COLUMNS} FROM epa_attempts WHERE epa_id = $1 ORDER BY attempt");
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(exec)
        .await)?)
}

// ---------------------------------------------------------------------------
// Exceptional circumstances

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ExceptionalCircumstances {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub reason: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
    /// The second person, where the policy asks for one (Innovate).
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

const EXCEPTIONAL_COLUMNS: &str =
    "id, epa_id, reason, recorded_by, recorded_at, confirmed_by, confirmed_at";

pub async fn insert_exceptional(
    tx: &mut Tx,
    epa_id: Uuid,
    reason: &str,
    recorded_by: Uuid,
    now: DateTime<Utc>,
) -> Result<ExceptionalCircumstances, StoreError> {
    let sql = format!(
        "INSERT INTO exceptional_circumstances (id, epa_id, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING {EXCEPTIONAL_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(epa_id)
        .bind(reason)
        .bind(recorded_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

/// Confirms a record not yet confirmed; `None` when it was meanwhile.
pub async fn confirm_exceptional(
    tx: &mut Tx,
    id: Uuid,
    confirmed_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<ExceptionalCircumstances>, StoreError> {
    let sql = format!(
        "UPDATE exceptional_circumstances SET confirmed_by = $2, confirmed_at = $3 \
         WHERE id = $1 AND confirmed_by IS NULL RETURNING {EXCEPTIONAL_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .bind(confirmed_by)
        .bind(now)
        .fetch_optional(conn)
        .await)?)
}

pub async fn exceptional(
    reader: Reader<'_>,
    epa_id: Uuid,
) -> Result<Vec<ExceptionalCircumstances>, StoreError> {
    let sql = format!(
        "SELECT {EXCEPTIONAL_COLUMNS} FROM exceptional_circumstances WHERE epa_id = $1 ORDER BY recorded_at, id"
    );
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(exec)
        .await)?)
}

// ---------------------------------------------------------------------------
// Certificate claims

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CertificateClaim {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub result_id: Uuid,
    pub due_on: Option<NaiveDate>,
    pub claimed_on: NaiveDate,
    /// The person who claimed it; empty when the DfE integration did.
    pub claimed_by: Option<Uuid>,
    /// The DfE's reference of the certificate, when the integration
    /// claimed it.
    pub dfe_certificate_reference: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<Uuid>,
    pub version: i64,
}

const CLAIM_COLUMNS: &str = "id, epa_id, result_id, due_on, claimed_on, claimed_by, dfe_certificate_reference, \
     received_on, received_by, version";

/// Who claimed a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimant<'a> {
    /// EPAO staff, through the lifecycle command.
    Person(Uuid),
    /// The DfE integration, once the service accepted the submission.
    Dfe { certificate_reference: &'a str },
}

pub async fn insert_claim(
    tx: &mut Tx,
    epa_id: Uuid,
    result_id: Uuid,
    due_on: Option<NaiveDate>,
    claimed_on: NaiveDate,
    claimant: Claimant<'_>,
) -> Result<CertificateClaim, StoreError> {
    let (claimed_by, reference) = match claimant {
        Claimant::Person(id) => (Some(id), None),
        Claimant::Dfe {
            certificate_reference,
        } => (None, Some(certificate_reference)),
    };
    let sql = format!(
        "INSERT INTO certificate_claims (id, epa_id, result_id, due_on, claimed_on, claimed_by, \
         dfe_certificate_reference) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {CLAIM_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(epa_id)
        .bind(result_id)
        .bind(due_on)
        .bind(claimed_on)
        .bind(claimed_by)
        .bind(reference)
        .fetch_one(conn)
        .await)?)
}

pub async fn claim(
    reader: Reader<'_>,
    epa_id: Uuid,
) -> Result<Option<CertificateClaim>, StoreError> {
    let sql = format!("SELECT {CLAIM_COLUMNS} FROM certificate_claims WHERE epa_id = $1");
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_optional(exec)
        .await)?)
}

/// Records the certificate as received, if the claim is still at `version`.
pub async fn receive_claim(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    received_on: NaiveDate,
    received_by: Uuid,
) -> Result<CertificateClaim, StoreError> {
    let sql = format!(
        "UPDATE certificate_claims SET received_on = $1, received_by = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 RETURNING {CLAIM_COLUMNS}"
    );
    let row: Option<CertificateClaim> = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(received_on)
        .bind(received_by)
        .bind(id)
        .bind(version)
        .fetch_optional(conn)
        .await)?;
    row.ok_or_else(|| {
        StoreError::Conflict(
            "the certificate claim was changed by someone else; reload it and try again".to_owned(),
        )
    })
}

// ---------------------------------------------------------------------------
// People

/// The email addresses of the provider's and the employer's users: who is
/// told when a result is released.
pub async fn contact_emails(
    reader: Reader<'_>,
    provider: Uuid,
    employer: Uuid,
) -> Result<Vec<String>, StoreError> {
    Ok(on_reader!(reader, |exec| sqlx::query_scalar(
        "SELECT DISTINCT u.email FROM users u JOIN memberships m ON m.user_id = u.id \
         WHERE (m.organisation_id = $1 AND m.role = 'provider_user') \
         OR (m.organisation_id = $2 AND m.role = 'employer_user') ORDER BY u.email"
    )
    .bind(provider)
    .bind(employer)
    .fetch_all(exec)
    .await)?)
}
