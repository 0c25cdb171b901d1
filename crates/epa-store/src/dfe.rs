//! What the DfE Apprenticeship assessment service has acknowledged, per
//! EPA ([`DfeRecord`]), what there is to send it ([`candidates`],
//! [`attempts`]), the refusals EPAO staff fix and resend ([`refused`],
//! [`resend`]), and the lease that keeps two servers from pushing at once.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use epa_domain::Grade;
use epa_domain::attempts::AttemptKind;
use epa_domain::lifecycle::Stage;
use serde::Serialize;
use uuid::Uuid;

use crate::direct::Arg;
use crate::{Db, StoreError, Tx};

/// Which item of an EPA the service refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusedItem {
    /// The EPA record (its attempts and outcomes).
    Epa,
    /// The certificate request.
    Certificate,
    /// Submitting the certificate for printing.
    Submission,
}

impl RefusedItem {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusedItem::Epa => "epa",
            RefusedItem::Certificate => "certificate",
            RefusedItem::Submission => "submission",
        }
    }

    pub fn parse(text: &str) -> Option<RefusedItem> {
        [
            RefusedItem::Epa,
            RefusedItem::Certificate,
            RefusedItem::Submission,
        ]
        .into_iter()
        .find(|i| i.as_str() == text)
    }
}

/// What the service holds of one EPA, as last acknowledged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DfeRecord {
    pub epa_reference: Option<String>,
    /// SHA-256 of the EPA record as last accepted.
    pub epa_fingerprint: Option<String>,
    pub certificate_reference: Option<String>,
    /// SHA-256 of the certificate request as last accepted.
    pub certificate_fingerprint: Option<String>,
    /// The certificate's state in the service, as last heard.
    pub certificate_status: Option<String>,
    pub submitted_on: Option<NaiveDate>,
    /// `epa`, `certificate` or `submission`, when the last try was refused.
    pub refused_item: Option<String>,
    /// SHA-256 of what was refused: it is not sent again unchanged.
    pub refused_fingerprint: Option<String>,
    /// JSON array of the service's reasons.
    pub refusal_reasons: Option<String>,
    pub refused_at: Option<DateTime<Utc>>,
}

impl DfeRecord {
    /// The service's reasons for the last refusal.
    pub fn reasons(&self) -> Vec<String> {
        self.refusal_reasons
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }
}

/// An EPA with something the service may need: a released result, or a
/// withdrawal after the EPA period began.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Candidate {
    pub epa_id: Uuid,
    pub epao_id: Uuid,
    pub policy: String,
    pub standard_reference: String,
    pub standard_version: String,
    pub stage: Stage,
    pub updated_at: DateTime<Utc>,
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
    pub employer_name: String,
    pub contact_name: Option<String>,
    pub contact_organisation: Option<String>,
    pub address_line_1: Option<String>,
    pub address_line_2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    #[sqlx(flatten)]
    pub record: DfeRecord,
    /// The EPA's mark in `dfe_pending`, when it has one: a push settles it
    /// only if it is still this version.
    pub pending_version: Option<i64>,
}

/// One released result, an attempt as the service counts it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Attempt {
    pub epa_id: Uuid,
    pub attempt: i32,
    pub attempt_kind: AttemptKind,
    pub overall_grade: Grade,
    pub released_on: NaiveDate,
    /// The last day a method of this attempt was assessed.
    pub held_on: Option<NaiveDate>,
}

const RECORD_COLUMNS: &str = "d.epa_reference, d.epa_fingerprint, d.certificate_reference, d.certificate_fingerprint, \
    d.certificate_status, d.submitted_on, d.refused_item, d.refused_fingerprint, d.refusal_reasons, d.refused_at";

const WANTED: &str = "(EXISTS (SELECT 1 FROM results r WHERE r.epa_id = e.id) \
    OR (e.stage = 'withdrawn' AND e.gateway_approved_on IS NOT NULL))";

fn candidate_sql(filter: &str) -> String {
    format!(
        "SELECT e.id AS epa_id, e.epao_id, e.policy, e.standard_reference, e.standard_version, e.stage, e.updated_at, \
         a.uln, a.given_names, a.family_name, o.name AS employer_name, o.contact_name, o.contact_organisation, \
         o.address_line_1, o.address_line_2, o.city, o.postcode, {RECORD_COLUMNS}, p.version AS pending_version \
         FROM epas e JOIN apprentices a ON a.id = e.apprentice_id JOIN organisations o ON o.id = a.employer_id \
         LEFT JOIN dfe_records d ON d.epa_id = e.id LEFT JOIN dfe_pending p ON p.epa_id = e.id \
         WHERE {filter} ORDER BY e.id"
    )
}

/// The EPAs marked due in `dfe_pending` by `today` that the service may
/// need to hear about, with what it holds: what a push reads, through the
/// index on the marks, rather than every released EPA.
pub async fn due_candidates(db: &Db, today: NaiveDate) -> Result<Vec<Candidate>, StoreError> {
    let sql = candidate_sql(&format!("p.due_on <= $1 AND {WANTED}"));
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(today)
        .fetch_all(pool)
        .await)?)
}

/// The released results of [`due_candidates`], oldest attempt first.
pub async fn due_attempts(db: &Db, today: NaiveDate) -> Result<Vec<Attempt>, StoreError> {
    let sql = "SELECT r.epa_id, r.attempt, r.attempt_kind, r.overall_grade, r.released_on, \
         (SELECT MAX(s.held_on) FROM assessments s WHERE s.epa_id = r.epa_id AND s.attempt = r.attempt) AS held_on \
         FROM dfe_pending p JOIN results r ON r.epa_id = p.epa_id WHERE p.due_on <= $1 \
         ORDER BY r.epa_id, r.attempt";
    Ok(on_db!(db, |pool| sqlx::query_as(sql)
        .bind(today)
        .fetch_all(pool)
        .await)?)
}

/// Marks the EPA due for the next push from `today`, in the transaction
/// of the change, if it is one the service may need to hear about; a mark
/// it had (a later day, or one a push is settling) is brought forward.
pub async fn mark(tx: &mut Tx, epa_id: Uuid, today: NaiveDate) -> Result<(), StoreError> {
    mark_where(tx, "FROM epas e WHERE e.id = $1", epa_id, today).await
}

/// Marks every EPA of the employer's apprentices due from `today` (its
/// postal contact goes on their certificates).
pub async fn mark_employer(
    tx: &mut Tx,
    employer_id: Uuid,
    today: NaiveDate,
) -> Result<(), StoreError> {
    mark_where(
        tx,
        "FROM epas e JOIN apprentices a ON a.id = e.apprentice_id WHERE a.employer_id = $1",
        employer_id,
        today,
    )
    .await
}

/// Marks due from `today` the EPAs `chosen` picks by `$1 = id` (a `FROM`
/// with its `WHERE`, over `epas e`), of those the service may need to hear
/// about: one statement for one EPA or an employer's many.
async fn mark_where(
    tx: &mut Tx,
    chosen: &str,
    id: Uuid,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO dfe_pending (epa_id, due_on) SELECT e.id, $2 {chosen} AND {WANTED} \
         ON CONFLICT (epa_id) DO UPDATE SET due_on = excluded.due_on, version = dfe_pending.version + 1"
    );
    match tx.on_thread() {
        Some(conn) => {
            conn.execute(&sql, &[Arg::Id(id), Arg::Day(today)])?;
        }
        None => on_tx!(tx, |conn| sqlx::query(&sql)
            .bind(id)
            .bind(today)
            .execute(conn)
            .await
            .map(|_| ()))?,
    }
    Ok(())
}

/// After a push looked at the EPA: its mark moves to `next` (the day it
/// should be looked at again), or goes when there is nothing more to do;
/// unless it was marked again since the push read it at `version`.
pub async fn settle(
    tx: &mut Tx,
    epa_id: Uuid,
    version: i64,
    next: Option<NaiveDate>,
) -> Result<(), StoreError> {
    on_tx!(tx, |conn| match next {
        Some(day) =>
            sqlx::query("UPDATE dfe_pending SET due_on = $3 WHERE epa_id = $1 AND version = $2")
                .bind(epa_id)
                .bind(version)
                .bind(day)
                .execute(conn)
                .await
                .map(|_| ()),
        None => sqlx::query("DELETE FROM dfe_pending WHERE epa_id = $1 AND version = $2")
            .bind(epa_id)
            .bind(version)
            .execute(conn)
            .await
            .map(|_| ()),
    })?;
    Ok(())
}

/// The day the EPA is next due for a push, if it is marked.
pub async fn due_on(db: &Db, epa_id: Uuid) -> Result<Option<NaiveDate>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT due_on FROM dfe_pending WHERE epa_id = $1"
    )
    .bind(epa_id)
    .fetch_optional(pool)
    .await)?)
}

/// Every EPA the service may need to hear about, with what it holds.
pub async fn candidates(db: &Db) -> Result<Vec<Candidate>, StoreError> {
    let sql = candidate_sql(WANTED);
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .fetch_all(pool)
        .await)?)
}

/// One EPA as [`candidates`] reads it, wanted or not.
pub async fn candidate(db: &Db, epa_id: Uuid) -> Result<Option<Candidate>, StoreError> {
    let sql = candidate_sql("e.id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_optional(pool)
        .await)?)
}

/// Every released result of the wanted EPAs, oldest attempt first.
pub async fn attempts(db: &Db) -> Result<Vec<Attempt>, StoreError> {
    let sql = format!(
        "SELECT r.epa_id, r.attempt, r.attempt_kind, r.overall_grade, r.released_on, \
         (SELECT MAX(s.held_on) FROM assessments s WHERE s.epa_id = r.epa_id AND s.attempt = r.attempt) AS held_on \
         FROM results r JOIN epas e ON e.id = r.epa_id WHERE {WANTED} ORDER BY r.epa_id, r.attempt"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .fetch_all(pool)
        .await)?)
}

/// What the service acknowledged of one EPA: any of the fields given, the
/// others kept.
#[derive(Debug, Clone, Default)]
pub struct Acknowledged<'a> {
    pub epa_reference: Option<&'a str>,
    pub epa_fingerprint: Option<&'a str>,
    pub certificate_reference: Option<&'a str>,
    pub certificate_fingerprint: Option<&'a str>,
    pub certificate_status: Option<&'a str>,
    pub submitted_on: Option<NaiveDate>,
}

async fn ensure(tx: &mut Tx, epa_id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO dfe_records (epa_id, updated_at) VALUES ($1, $2) ON CONFLICT (epa_id) DO NOTHING"
    )
    .bind(epa_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Records what the service accepted; clears the refusal of that item.
pub async fn acknowledge(
    tx: &mut Tx,
    epa_id: Uuid,
    ack: &Acknowledged<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ensure(tx, epa_id, now).await?;
    // A sent item stamps its time; a status read alone does not.
    let epa_sent = ack.epa_fingerprint.map(|_| now);
    let certificate_sent = ack.certificate_fingerprint.map(|_| now);
    let status_read = ack.certificate_status.map(|_| now);
    on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE dfe_records SET \
         epa_reference = COALESCE($2, epa_reference), epa_fingerprint = COALESCE($3, epa_fingerprint), \
         epa_sent_at = COALESCE($4, epa_sent_at), \
         certificate_reference = COALESCE($5, certificate_reference), \
         certificate_fingerprint = COALESCE($6, certificate_fingerprint), \
         certificate_sent_at = COALESCE($7, certificate_sent_at), \
         certificate_status = COALESCE($8, certificate_status), status_read_at = COALESCE($9, status_read_at), \
         submitted_on = COALESCE($10, submitted_on), \
         refused_item = NULL, refused_fingerprint = NULL, refusal_reasons = NULL, refused_at = NULL, \
         updated_at = $11, version = version + 1 WHERE epa_id = $1"
    )
    .bind(epa_id)
    .bind(ack.epa_reference)
    .bind(ack.epa_fingerprint)
    .bind(epa_sent)
    .bind(ack.certificate_reference)
    .bind(ack.certificate_fingerprint)
    .bind(certificate_sent)
    .bind(ack.certificate_status)
    .bind(status_read)
    .bind(ack.submitted_on)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Records the certificate's state as read back, without touching a refusal.
pub async fn record_status(
    tx: &mut Tx,
    epa_id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ensure(tx, epa_id, now).await?;
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE dfe_records SET certificate_status = $2, status_read_at = $3, updated_at = $3, \
         version = version + 1 WHERE epa_id = $1"
    )
    .bind(epa_id)
    .bind(status)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records a refusal with the service's reasons.
pub async fn refuse(
    tx: &mut Tx,
    epa_id: Uuid,
    item: RefusedItem,
    fingerprint: &str,
    reasons: &[String],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ensure(tx, epa_id, now).await?;
    let reasons = serde_json::to_string(reasons).map_err(|e| StoreError::Setup(e.to_string()))?;
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE dfe_records SET refused_item = $2, refused_fingerprint = $3, refusal_reasons = $4, \
         refused_at = $5, updated_at = $5, version = version + 1 WHERE epa_id = $1"
    )
    .bind(epa_id)
    .bind(item.as_str())
    .bind(fingerprint)
    .bind(reasons)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Lets a refused item go again unchanged (staff checked it with the
/// service). `false` when the EPA has no refusal.
pub async fn resend(tx: &mut Tx, epa_id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE dfe_records SET refused_fingerprint = NULL, updated_at = $2, version = version + 1 \
         WHERE epa_id = $1 AND refused_at IS NOT NULL"
    )
    .bind(epa_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
    })?;
    Ok(updated == 1)
}

/// A refused EPA in the queue.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Refusal {
    pub epa_id: Uuid,
    pub policy: String,
    pub uln: String,
    pub given_names: String,
    pub family_name: String,
    pub refused_item: String,
    pub refusal_reasons: String,
    pub refused_at: DateTime<Utc>,
    /// Staff asked for it to go again.
    pub resend_requested: bool,
}

const REFUSAL_SQL: &str = "SELECT d.epa_id, e.policy, a.uln, a.given_names, a.family_name, d.refused_item, \
    d.refusal_reasons, d.refused_at, (d.refused_fingerprint IS NULL) AS resend_requested \
    FROM dfe_records d JOIN epas e ON e.id = d.epa_id JOIN apprentices a ON a.id = e.apprentice_id \
    WHERE d.refused_at IS NOT NULL";

/// The queue: refused EPAs of `epao_id`, oldest refusal first, after
/// `after` (the last of the previous page) when given.
pub async fn refused(
    db: &Db,
    epao_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Refusal>, StoreError> {
    let page = if after.is_some() {
        "AND (d.refused_at > $3 OR (d.refused_at = $3 AND d.epa_id > $4))"
    } else {
        ""
    };
    let sql =
        format!("{REFUSAL_SQL} AND e.epao_id = $1 {page} ORDER BY d.refused_at, d.epa_id LIMIT $2");
    Ok(on_db!(db, |pool| {
        let query = sqlx::query_as(&sql).bind(epao_id).bind(limit);
        match after {
            Some((at, id)) => query.bind(at).bind(id).fetch_all(pool).await,
            None => query.fetch_all(pool).await,
        }
    })?)
}

/// Every refusal not yet let go again, across EPAOs, oldest first: what a
/// push reports as still refused without reading the EPAs themselves.
pub async fn standing_refusals(db: &Db) -> Result<Vec<Refusal>, StoreError> {
    let sql = format!(
        "{REFUSAL_SQL} AND d.refused_fingerprint IS NOT NULL ORDER BY d.refused_at, d.epa_id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .fetch_all(pool)
        .await)?)
}

/// One EPA's refusal, when it has one.
pub async fn refusal(db: &Db, epa_id: Uuid) -> Result<Option<Refusal>, StoreError> {
    let sql = format!("{REFUSAL_SQL} AND d.epa_id = $1");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_optional(pool)
        .await)?)
}

/// Takes the push lease for `holder` until `now + lease`, unless another
/// holder's has not run out. One statement: the row is updated only when
/// free, so two servers never both hold it.
pub async fn take_lease(
    db: &Db,
    holder: Uuid,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<bool, StoreError> {
    let taken = on_writer!(db, |pool| sqlx::query(
        "UPDATE dfe_leases SET held_by = $1, held_until = $2 WHERE name = 'push' \
         AND (held_by IS NULL OR held_by = $1 OR held_until <= $3)"
    )
    .bind(holder)
    .bind(now + lease)
    .bind(now)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(taken == 1)
}

/// Gives the lease back.
pub async fn release_lease(db: &Db, holder: Uuid) -> Result<(), StoreError> {
    on_writer!(db, |pool| {
        sqlx::query(
        "UPDATE dfe_leases SET held_by = NULL, held_until = NULL WHERE name = 'push' AND held_by = $1"
    )
    .bind(holder)
    .execute(pool)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// A replacement certificate asked for, and whether it has been requested
/// from the DfE yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Replacement {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub received_on: NaiveDate,
    pub reason: String,
    pub due_on: Option<NaiveDate>,
    pub requested_on: Option<NaiveDate>,
    pub version: i64,
}

const REPLACEMENT_COLUMNS: &str = "id, epa_id, received_on, reason, due_on, requested_on, version";

/// Records a replacement certificate request received on `received_on`.
#[allow(clippy::too_many_arguments)]
pub async fn insert_replacement(
    tx: &mut Tx,
    epa_id: Uuid,
    received_on: NaiveDate,
    reason: &str,
    due_on: Option<NaiveDate>,
    recorded_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Replacement, StoreError> {
    let sql = format!(
        "INSERT INTO replacement_certificates (id, epa_id, received_on, reason, due_on, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {REPLACEMENT_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(epa_id)
        .bind(received_on)
        .bind(reason)
        .bind(due_on)
        .bind(recorded_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

/// Records that the replacement was requested from the DfE. `None` when
/// it is not this EPA's, was requested already, or changed meanwhile.
pub async fn mark_replacement_requested(
    tx: &mut Tx,
    id: Uuid,
    epa_id: Uuid,
    requested_on: NaiveDate,
    requested_by: Uuid,
) -> Result<Option<Replacement>, StoreError> {
    let sql = format!(
        "UPDATE replacement_certificates SET requested_on = $1, requested_by = $2, version = version + 1 \
         WHERE id = $3 AND epa_id = $4 AND requested_on IS NULL RETURNING {REPLACEMENT_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(requested_on)
        .bind(requested_by)
        .bind(id)
        .bind(epa_id)
        .fetch_optional(conn)
        .await)?)
}

/// Every replacement of one EPA, as received, read where `reader` reads.
pub async fn replacements_of(
    reader: crate::assessment::Reader<'_>,
    epa_id: Uuid,
) -> Result<Vec<Replacement>, StoreError> {
    let sql = format!(
        "SELECT {REPLACEMENT_COLUMNS} FROM replacement_certificates WHERE epa_id = $1 \
         ORDER BY received_on, id"
    );
    Ok(on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(exec)
        .await)?)
}

/// The EPAO's replacements not yet requested from the DfE, soonest due first.
pub async fn open_replacements(db: &Db, epao_id: Uuid) -> Result<Vec<Replacement>, StoreError> {
    let sql = "SELECT r.id, r.epa_id, r.received_on, r.reason, r.due_on, r.requested_on, r.version \
         FROM replacement_certificates r JOIN epas e ON e.id = r.epa_id \
         WHERE r.requested_on IS NULL AND e.epao_id = $1 ORDER BY r.due_on, r.id LIMIT 500";
    Ok(on_db!(db, |pool| sqlx::query_as(sql)
        .bind(epao_id)
        .fetch_all(pool)
        .await)?)
}
