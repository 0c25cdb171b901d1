//! Storage of the EPA's gateway: submission attempts, their components, the
//! portfolio's evidence items with their KSB mapping, the EPAO's reviews,
//! and the TQUK project proposal's versions and decisions.
//!
//! Everything but an attempt's outcome is append-only (database triggers
//! refuse UPDATE and DELETE): a resubmission is a new attempt, a changed
//! review a new review, a reworked proposal a new version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use epa_domain::gateway::{ComponentKind, ReviewDecision, SubmissionStatus};

use crate::{Db, StoreError, Tx};

/// One gateway attempt.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Submission {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub attempt: i32,
    pub status: SubmissionStatus,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The rejection's reasons as a JSON array of strings.
    pub decision_reasons: Option<String>,
    pub version: i64,
}

/// One component of an attempt, with the attempt number it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Component {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub attempt: i32,
    pub kind: ComponentKind,
    pub document_id: Option<Uuid>,
    /// The component's content as JSON (its shape depends on `kind`).
    pub details: String,
    pub word_count: Option<i64>,
    pub carried_from: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewComponent<'a> {
    pub submission_id: Uuid,
    pub kind: ComponentKind,
    pub document_id: Option<Uuid>,
    pub details: &'a str,
    pub word_count: Option<i64>,
    pub carried_from: Option<Uuid>,
}

/// One piece of the portfolio. Its KSB codes are read separately
/// ([`evidence_ksbs`]).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct EvidenceItem {
    pub id: Uuid,
    pub component_id: Uuid,
    pub position: i32,
    pub title: String,
    pub evidence_type: String,
    pub evidence_date: NaiveDate,
    pub description: String,
    pub link: Option<String>,
    /// Who gave the link, and when (kept when the item is carried over).
    pub link_added_by: Option<Uuid>,
    pub link_added_at: Option<DateTime<Utc>>,
    pub document_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewEvidenceItem<'a> {
    pub position: i32,
    pub title: &'a str,
    pub evidence_type: &'a str,
    pub evidence_date: NaiveDate,
    pub description: &'a str,
    pub link: Option<&'a str>,
    pub link_added_by: Option<Uuid>,
    pub link_added_at: Option<DateTime<Utc>>,
    pub document_id: Option<Uuid>,
    pub ksbs: &'a [String],
}

/// An EPAO reviewer's decision on one component. The latest counts.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Review {
    pub id: Uuid,
    pub component_id: Uuid,
    pub decision: ReviewDecision,
    /// JSON array of strings; empty for an acceptance.
    pub reasons: String,
    pub reviewed_by: Uuid,
    pub reviewed_at: DateTime<Utc>,
}

/// One version of a project proposal: 1 is the one approved at gateway.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Proposal {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub version: i32,
    pub component_id: Option<Uuid>,
    pub text: String,
    pub word_count: i64,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ProposalDecision {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub decision: ReviewDecision,
    pub feedback: String,
    pub rework_due_on: Option<NaiveDate>,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
}

const SUBMISSION_COLUMNS: &str = "id, epa_id, attempt, status, submitted_by, submitted_at, decided_by, decided_at, decision_reasons, version";

/// Defines `$name(&Db, epa_id)` and `$name_in(&mut Tx, epa_id)` running the
/// same query: pages read without a transaction, decisions read inside
/// theirs.
macro_rules! read_for_epa {
    ($(#[$doc:meta])* $name:ident, $name_in:ident, $row:ty, $sql:expr) => {
        $(#[$doc])*
        pub async fn $name(db: &Db, epa_id: Uuid) -> Result<Vec<$row>, StoreError> {
            let sql: &str = &$sql;
            Ok(on_db!(db, |pool| sqlx::query_as(sql)
                .bind(epa_id)
                .fetch_all(pool)
                .await)?)
        }

        $(#[$doc])*
        pub async fn $name_in(tx: &mut Tx, epa_id: Uuid) -> Result<Vec<$row>, StoreError> {
            let sql: &str = &$sql;
            Ok(on_tx!(tx, |conn| sqlx::query_as(sql)
                .bind(epa_id)
                .fetch_all(conn)
                .await)?)
        }
    };
}

read_for_epa!(
    /// The EPA's gateway attempts, first to last.
    submissions,
    submissions_in,
    Submission,
    format!("SELECT {SUBMISSION_COLUMNS} FROM gateway_submissions WHERE epa_id = $1 ORDER BY attempt")
);

read_for_epa!(
    /// Every component of every attempt, by attempt then kind.
    components,
    components_in,
    Component,
    "SELECT c.id, c.submission_id, s.attempt, c.kind, c.document_id, c.details, c.word_count, c.carried_from, c.created_at \
     FROM gateway_components c JOIN gateway_submissions s ON s.id = c.submission_id \
     WHERE s.epa_id = $1 ORDER BY s.attempt, c.created_at, c.id"
);

read_for_epa!(
    /// Every evidence item of every attempt's portfolio, in position order.
    evidence_items,
    evidence_items_in,
    EvidenceItem,
    "SELECT e.id, e.component_id, e.position, e.title, e.evidence_type, e.evidence_date, e.description, e.link, e.link_added_by, e.link_added_at, e.document_id \
     FROM evidence_items e JOIN gateway_components c ON c.id = e.component_id \
     JOIN gateway_submissions s ON s.id = c.submission_id \
     WHERE s.epa_id = $1 ORDER BY s.attempt, e.position"
);

read_for_epa!(
    /// (evidence item, KSB code) pairs of every attempt.
    evidence_ksbs,
    evidence_ksbs_in,
    (Uuid, String),
    "SELECT k.evidence_item_id, k.ksb_code FROM evidence_item_ksbs k \
     JOIN evidence_items e ON e.id = k.evidence_item_id \
     JOIN gateway_components c ON c.id = e.component_id \
     JOIN gateway_submissions s ON s.id = c.submission_id \
     WHERE s.epa_id = $1 ORDER BY k.evidence_item_id, k.ksb_code"
);

read_for_epa!(
    /// Every review of every component, oldest first: the last one of a
    /// component is its standing decision.
    reviews,
    reviews_in,
    Review,
    "SELECT r.id, r.component_id, r.decision, r.reasons, r.reviewed_by, r.reviewed_at \
     FROM gateway_reviews r JOIN gateway_components c ON c.id = r.component_id \
     JOIN gateway_submissions s ON s.id = c.submission_id \
     WHERE s.epa_id = $1 ORDER BY r.reviewed_at, r.id"
);

read_for_epa!(
    /// The proposal's versions, first to last.
    proposals,
    proposals_in,
    Proposal,
    "SELECT id, epa_id, version, component_id, text, word_count, submitted_by, submitted_at \
     FROM project_proposals WHERE epa_id = $1 ORDER BY version"
);

read_for_epa!(
    /// The decisions on the proposal's versions.
    proposal_decisions,
    proposal_decisions_in,
    ProposalDecision,
    "SELECT d.id, d.proposal_id, d.decision, d.feedback, d.rework_due_on, d.decided_by, d.decided_at \
     FROM proposal_decisions d JOIN project_proposals p ON p.id = d.proposal_id \
     WHERE p.epa_id = $1 ORDER BY p.version"
);

pub async fn insert_submission(
    tx: &mut Tx,
    epa_id: Uuid,
    attempt: i32,
    submitted_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Submission, StoreError> {
    let sql = format!(
        "INSERT INTO gateway_submissions (id, epa_id, attempt, status, submitted_by, submitted_at) \
         VALUES ($1, $2, $3, 'under_review', $4, $5) RETURNING {SUBMISSION_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(epa_id)
        .bind(attempt)
        .bind(submitted_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

/// Records the attempt's outcome if it is still under review at
/// `expected_version`; otherwise someone decided it first: a conflict.
pub async fn decide_submission(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    status: SubmissionStatus,
    decided_by: Uuid,
    reasons: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE gateway_submissions SET status = $1, decided_by = $2, decided_at = $3, decision_reasons = $4, \
             version = version + 1 WHERE id = $5 AND version = $6 AND status = 'under_review'",
        )
        .bind(status)
        .bind(decided_by)
        .bind(now)
        .bind(reasons)
        .bind(id)
        .bind(expected_version)
        .execute(conn)
        .await
        .map(|result| result.rows_affected())
    })?;
    if updated == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "this gateway attempt was decided by someone else; reload it".to_owned(),
        ))
    }
}

/// Marks the attempt as changed (a component was reviewed) if it is still
/// under review at `expected_version`. A decision taken meanwhile on the
/// old state then fails its own version check instead of approving over a
/// rejection it did not see.
pub async fn touch_submission(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE gateway_submissions SET version = version + 1 \
             WHERE id = $1 AND version = $2 AND status = 'under_review'",
        )
        .bind(id)
        .bind(expected_version)
        .execute(conn)
        .await
        .map(|result| result.rows_affected())
    })?;
    if updated == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "this gateway attempt changed meanwhile; reload it and review again".to_owned(),
        ))
    }
}

pub async fn insert_component(
    tx: &mut Tx,
    new: &NewComponent<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO gateway_components (id, submission_id, kind, document_id, details, word_count, carried_from, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(new.submission_id)
        .bind(new.kind)
        .bind(new.document_id)
        .bind(new.details)
        .bind(new.word_count)
        .bind(new.carried_from)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    Ok(id)
}

/// Inserts one evidence item of the portfolio `component_id` with its KSB
/// codes (duplicates collapse to one).
pub async fn insert_evidence_item(
    tx: &mut Tx,
    component_id: Uuid,
    item: &NewEvidenceItem<'_>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO evidence_items (id, component_id, position, title, evidence_type, evidence_date, description, link, link_added_by, link_added_at, document_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(component_id)
        .bind(item.position)
        .bind(item.title)
        .bind(item.evidence_type)
        .bind(item.evidence_date)
        .bind(item.description)
        .bind(item.link)
        .bind(item.link_added_by)
        .bind(item.link_added_at)
        .bind(item.document_id)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    for code in item.ksbs {
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO evidence_item_ksbs (evidence_item_id, ksb_code) VALUES ($1, $2) \
                 ON CONFLICT (evidence_item_id, ksb_code) DO NOTHING",
            )
            .bind(id)
            .bind(code)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
    }
    Ok(id)
}

pub async fn insert_review(
    tx: &mut Tx,
    component_id: Uuid,
    decision: ReviewDecision,
    reasons: &str,
    reviewed_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Review, StoreError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "INSERT INTO gateway_reviews (id, component_id, decision, reasons, reviewed_by, reviewed_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, component_id, decision, reasons, reviewed_by, reviewed_at",
        )
        .bind(Uuid::now_v7())
        .bind(component_id)
        .bind(decision)
        .bind(reasons)
        .bind(reviewed_by)
        .bind(now)
        .fetch_one(conn)
        .await
    })?)
}

#[derive(Debug, Clone)]
pub struct NewProposal<'a> {
    pub epa_id: Uuid,
    pub version: i32,
    pub component_id: Option<Uuid>,
    pub text: &'a str,
    pub word_count: i64,
    pub submitted_by: Uuid,
}

pub async fn insert_proposal(
    tx: &mut Tx,
    new: &NewProposal<'_>,
    now: DateTime<Utc>,
) -> Result<Proposal, StoreError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "INSERT INTO project_proposals (id, epa_id, version, component_id, text, word_count, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING id, epa_id, version, component_id, text, word_count, submitted_by, submitted_at",
        )
        .bind(Uuid::now_v7())
        .bind(new.epa_id)
        .bind(new.version)
        .bind(new.component_id)
        .bind(new.text)
        .bind(new.word_count)
        .bind(new.submitted_by)
        .bind(now)
        .fetch_one(conn)
        .await
    })?)
}

/// One decision per version: a second answers a conflict.
pub async fn insert_proposal_decision(
    tx: &mut Tx,
    proposal_id: Uuid,
    decision: ReviewDecision,
    feedback: &str,
    rework_due_on: Option<NaiveDate>,
    decided_by: Uuid,
    now: DateTime<Utc>,
) -> Result<ProposalDecision, StoreError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "INSERT INTO proposal_decisions (id, proposal_id, decision, feedback, rework_due_on, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             RETURNING id, proposal_id, decision, feedback, rework_due_on, decided_by, decided_at",
        )
        .bind(Uuid::now_v7())
        .bind(proposal_id)
        .bind(decision)
        .bind(feedback)
        .bind(rework_due_on)
        .bind(decided_by)
        .bind(now)
        .fetch_one(conn)
        .await
    })?)
}

/// The emails of an organisation's users holding `role`: who to tell.
pub async fn emails_of(
    tx: &mut Tx,
    organisation_id: Uuid,
    role: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE m.organisation_id = $1 AND m.role = $2 ORDER BY u.email",
        )
        .bind(organisation_id)
        .bind(role)
        .fetch_all(conn)
        .await
    })?)
}

/// How many gateway attempts, components and evidence items exist: for
/// tests that prove a refusal wrote nothing.
pub async fn counts(db: &Db) -> Result<(i64, i64, i64), StoreError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM gateway_submissions), (SELECT COUNT(*) FROM gateway_components), \
         (SELECT COUNT(*) FROM evidence_items)"
    )
    .fetch_one(pool)
    .await
    })?)
}
