//! Storage of the EPA's planning: planning meetings, bookings of each
//! assessment method, and the dates the report and portfolio were
//! submitted. Bookings are never deleted (a trigger refuses it): a
//! cancellation, rescheduling or no-show changes the status under the
//! optimistic lock, and a rescheduled booking is a new row linked to the old.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use epa_domain::booking::{BookingStatus, SubmissionKind};
use epa_domain::{MethodId, Mode};

use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
use crate::{Backend, Db, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PlanningMeeting {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub held_on: NaiveDate,
    /// A JSON array of strings.
    pub attendees: String,
    pub assessor_id: Uuid,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

const MEETING_COLUMNS: &str =
    "id, epa_id, held_on, attendees, assessor_id, recorded_by, recorded_at";

#[derive(Debug, Clone)]
pub struct NewPlanningMeeting<'a> {
    pub epa_id: Uuid,
    pub held_on: NaiveDate,
    pub attendees: &'a str,
    pub assessor_id: Uuid,
    pub recorded_by: Uuid,
}

pub async fn insert_meeting(
    tx: &mut Tx,
    new: &NewPlanningMeeting<'_>,
    now: DateTime<Utc>,
) -> Result<PlanningMeeting, StoreError> {
    let sql = format!(
        "INSERT INTO planning_meetings ({MEETING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {MEETING_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(new.epa_id)
        .bind(new.held_on)
        .bind(new.attendees)
        .bind(new.assessor_id)
        .bind(new.recorded_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

/// The EPA's planning meetings, oldest first (a resit keeps the first).
pub async fn meetings(db: &Db, epa_id: Uuid) -> Result<Vec<PlanningMeeting>, StoreError> {
    let sql = format!(
        "SELECT {MEETING_COLUMNS} FROM planning_meetings WHERE epa_id = $1 ORDER BY recorded_at, id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(pool)
        .await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Booking {
    pub id: Uuid,
    pub epa_id: Uuid,
    /// For the project, its interview.
    pub method: MethodId,
    pub assessment_on: NaiveDate,
    pub starts_at: NaiveTime,
    pub duration_minutes: i32,
    pub mode: Mode,
    pub assessor_id: Uuid,
    pub status: BookingStatus,
    pub status_reason: Option<String>,
    pub status_changed_at: Option<DateTime<Utc>>,
    pub status_changed_by: Option<Uuid>,
    /// The booking this one replaced when it was rescheduled.
    pub replaces_id: Option<Uuid>,
    /// The day the booking was made: notice counts from here.
    pub booked_on: NaiveDate,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

const BOOKING_COLUMNS: &str = "id, epa_id, method, assessment_on, starts_at, duration_minutes, mode, assessor_id, status, \
    status_reason, status_changed_at, status_changed_by, replaces_id, booked_on, created_by, created_at, version";

read_by_position!(Booking);

impl Booking {
    /// In [`BOOKING_COLUMNS`]' order, whichever driver read it.
    fn read(row: &impl Columns) -> Result<Booking, sqlx::Error> {
        Ok(Booking {
            id: row.id(0)?,
            epa_id: row.id(1)?,
            method: row.named(2, MethodId::parse)?,
            assessment_on: row.day(3)?,
            starts_at: row.time_of_day(4)?,
            duration_minutes: row.small(5)?,
            mode: row.named(6, Mode::parse)?,
            assessor_id: row.id(7)?,
            status: row.named(8, BookingStatus::parse)?,
            status_reason: row.opt_text(9)?,
            status_changed_at: row.opt_instant(10)?,
            status_changed_by: row.opt_id(11)?,
            replaces_id: row.opt_id(12)?,
            booked_on: row.day(13)?,
            created_by: row.id(14)?,
            created_at: row.instant(15)?,
            version: row.int(16)?,
        })
    }
}

/// Bookings `sql` selects with the EPA's ID as `$1`, in the transaction.
async fn bookings_in(tx: &mut Tx, sql: &str, epa_id: Uuid) -> Result<Vec<Booking>, StoreError> {
    match tx.on_thread() {
        Some(conn) => conn.rows(sql, &[Arg::Id(epa_id)], |row| Booking::read(row)),
        None => Ok(on_tx!(tx, |conn| sqlx::query_as(sql)
            .bind(epa_id)
            .fetch_all(conn)
            .await)?),
    }
}

#[derive(Debug, Clone)]
pub struct NewBooking {
    pub epa_id: Uuid,
    pub method: MethodId,
    pub assessment_on: NaiveDate,
    pub starts_at: NaiveTime,
    pub duration_minutes: i32,
    pub mode: Mode,
    pub assessor_id: Uuid,
    pub replaces_id: Option<Uuid>,
    pub booked_on: NaiveDate,
    pub created_by: Uuid,
}

pub async fn insert_booking(
    tx: &mut Tx,
    new: &NewBooking,
    now: DateTime<Utc>,
) -> Result<Booking, StoreError> {
    let sql = format!(
        "INSERT INTO bookings (id, epa_id, method, assessment_on, starts_at, duration_minutes, mode, assessor_id, status, \
         replaces_id, booked_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, $11, $12) RETURNING {BOOKING_COLUMNS}"
    );
    let id = Uuid::now_v7();
    if let Some(conn) = tx.on_thread() {
        let args = [
            Arg::Id(id),
            Arg::Id(new.epa_id),
            Arg::Text(new.method.as_str()),
            Arg::Day(new.assessment_on),
            Arg::TimeOfDay(new.starts_at),
            Arg::Int(i64::from(new.duration_minutes)),
            Arg::Text(new.mode.as_str()),
            Arg::Id(new.assessor_id),
            Arg::opt_id(new.replaces_id),
            Arg::Day(new.booked_on),
            Arg::Id(new.created_by),
            Arg::Time(now),
        ];
        return conn.one(&sql, &args, |row| Booking::read(row));
    }
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .bind(new.epa_id)
        .bind(new.method)
        .bind(new.assessment_on)
        .bind(new.starts_at)
        .bind(new.duration_minutes)
        .bind(new.mode)
        .bind(new.assessor_id)
        .bind(new.replaces_id)
        .bind(new.booked_on)
        .bind(new.created_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

pub async fn get_booking_in(tx: &mut Tx, id: Uuid) -> Result<Booking, StoreError> {
    let sql = format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1");
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(conn)
        .await)?)
}

/// Every booking of an EPA, history included, by date then creation.
pub async fn bookings(db: &Db, epa_id: Uuid) -> Result<Vec<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE epa_id = $1 ORDER BY assessment_on, starts_at, created_at, id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(epa_id)
        .fetch_all(pool)
        .await)?)
}

/// Bookings made since the EPA's current attempt started: a booking made
/// before a resit, project rework or retake started was for a sitting of
/// an earlier attempt. Compared in the statement, not after it, which
/// would take a second read of the attempts.
const IN_ATTEMPT: &str = "created_at >= COALESCE((SELECT MAX(started_at) FROM epa_attempts a \
     WHERE a.epa_id = $1), created_at)";

/// The EPA's live bookings (status `booked`), read inside the transaction
/// that adds or changes one.
pub async fn live_bookings_in(tx: &mut Tx, epa_id: Uuid) -> Result<Vec<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE epa_id = $1 AND status = 'booked' ORDER BY assessment_on, id"
    );
    bookings_in(tx, &sql, epa_id).await
}

/// [`live_bookings_in`] for the EPA's current attempt only.
pub async fn current_live_bookings_in(
    tx: &mut Tx,
    epa_id: Uuid,
) -> Result<Vec<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE epa_id = $1 AND status = 'booked' AND {IN_ATTEMPT} \
         ORDER BY assessment_on, id"
    );
    bookings_in(tx, &sql, epa_id).await
}

/// The EPA's live and held bookings (status `booked` or `held`) for its
/// current attempt: what is going to happen and what took place, read
/// inside the transaction.
pub async fn current_standing_bookings_in(
    tx: &mut Tx,
    epa_id: Uuid,
) -> Result<Vec<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE epa_id = $1 AND status IN ('booked', 'held') \
         AND {IN_ATTEMPT} ORDER BY assessment_on, id"
    );
    bookings_in(tx, &sql, epa_id).await
}

/// An assessor's live bookings on or after `from`, soonest first: a held
/// (sat), cancelled, moved or missed booking is not upcoming.
pub async fn upcoming_for_assessor(
    db: &Db,
    assessor_id: Uuid,
    from: NaiveDate,
) -> Result<Vec<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE assessor_id = $1 AND status = 'booked' AND assessment_on >= $2 \
         ORDER BY assessment_on, starts_at, id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(assessor_id)
        .bind(from)
        .fetch_all(pool)
        .await)?)
}

/// Moves a live booking to `status` with the reason, if it is still at
/// `expected_version` and still booked; otherwise a conflict.
pub async fn set_status(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    status: BookingStatus,
    reason: &str,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let updated = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE bookings SET status = $1, status_reason = $2, status_changed_by = $3, status_changed_at = $4, \
             version = version + 1 WHERE id = $5 AND version = $6 AND status = 'booked'",
        )
        .bind(status)
        .bind(reason)
        .bind(by)
        .bind(now)
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
            "this booking was changed by someone else; reload it and try again".to_owned(),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Submission {
    pub id: Uuid,
    pub epa_id: Uuid,
    pub kind: SubmissionKind,
    pub submitted_on: NaiveDate,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

const SUBMISSION_COLUMNS: &str = "id, epa_id, kind, submitted_on, recorded_by, recorded_at";

pub async fn insert_submission(
    tx: &mut Tx,
    epa_id: Uuid,
    kind: SubmissionKind,
    submitted_on: NaiveDate,
    recorded_by: Uuid,
    now: DateTime<Utc>,
) -> Result<Submission, StoreError> {
    let sql = format!(
        "INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {SUBMISSION_COLUMNS}"
    );
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(epa_id)
        .bind(kind)
        .bind(submitted_on)
        .bind(recorded_by)
        .bind(now)
        .fetch_one(conn)
        .await)?)
}

/// Whether `user_id` holds `role` in `organisation_id`.
pub async fn holds_role_in(
    tx: &mut Tx,
    user_id: Uuid,
    organisation_id: Uuid,
    role: &str,
) -> Result<bool, StoreError> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND organisation_id = $2 AND role = $3";
    if let Some(conn) = tx.on_thread() {
        let args = [Arg::Id(user_id), Arg::Id(organisation_id), Arg::Text(role)];
        let found = conn.rows(SQL, &args, |row| row.int(0))?;
        return Ok(found.first().is_some_and(|n| *n > 0));
    }
    // COUNT is BIGINT on both databases, where a bare literal is not.
    let found: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(SQL)
            .bind(user_id)
            .bind(organisation_id)
            .bind(role)
            .fetch_one(conn)
            .await
    })?;
    Ok(found > 0)
}

/// The emails of the people holding `role` in `organisation_id`: who the
/// planning emails go to.
pub async fn emails_with_role_in(
    tx: &mut Tx,
    organisation_id: Uuid,
    role: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id \
         WHERE m.organisation_id = $1 AND m.role = $2 ORDER BY u.email"
    )
    .bind(organisation_id)
    .bind(role)
    .fetch_all(conn)
    .await)?)
}

pub async fn email_of_in(tx: &mut Tx, user_id: Uuid) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT email FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await)?)
}

/// One person told about an EPA's planning by name (see [`told_in`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: Uuid,
    pub display_name: String,
    pub email: String,
    /// Not deactivated.
    pub active: bool,
}

/// Who an EPA's planning emails go to, read in one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Told {
    /// The emails of the provider's and the employer's users holding the
    /// roles given, in no order.
    pub organisations: Vec<String>,
    /// Each of the people asked for who exists, in no order.
    pub named: Vec<Named>,
}

/// The users holding `provider.1` in `provider.0` and `employer.1` in
/// `employer.0`, and the people `named` (the assessor, the apprentice
/// when they sign in): what [`emails_with_role_in`] twice and
/// [`email_of_in`] for each person read in as many statements. A booking
/// asked all of them on every change; on SQLite each statement is a round
/// trip to the connection's thread (ADR 0160).
pub async fn told_in(
    tx: &mut Tx,
    provider: (Uuid, &str),
    employer: (Uuid, &str),
    named: [Option<Uuid>; 2],
) -> Result<Told, StoreError> {
    const SQL: &str = "SELECT 0 AS part, u.id, u.display_name, u.email, u.deactivated_at IS NULL AS active \
         FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organisation_id = $1 AND m.role = $2 \
         UNION ALL SELECT 1, u.id, u.display_name, u.email, u.deactivated_at IS NULL \
         FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.organisation_id = $3 AND m.role = $4 \
         UNION ALL SELECT 2, u.id, u.display_name, u.email, u.deactivated_at IS NULL \
         FROM users u WHERE u.id = $5 OR u.id = $6";
    type Row = (i32, Uuid, String, String, bool);
    let rows: Vec<Row> = match tx.on_thread() {
        Some(conn) => {
            let args = [
                Arg::Id(provider.0),
                Arg::Text(provider.1),
                Arg::Id(employer.0),
                Arg::Text(employer.1),
                Arg::opt_id(named[0]),
                Arg::opt_id(named[1]),
            ];
            conn.rows(SQL, &args, |row| {
                Ok((
                    row.small(0)?,
                    row.id(1)?,
                    row.text(2)?,
                    row.text(3)?,
                    row.flag(4)?,
                ))
            })?
        }
        None => on_tx!(tx, |conn| sqlx::query_as(SQL)
            .bind(provider.0)
            .bind(provider.1)
            .bind(employer.0)
            .bind(employer.1)
            .bind(named[0])
            .bind(named[1])
            .fetch_all(conn)
            .await)?,
    };
    let mut told = Told::default();
    for (part, id, display_name, email, active) in rows {
        if part < 2 {
            told.organisations.push(email);
        } else {
            told.named.push(Named {
                id,
                display_name,
                email,
                active,
            });
        }
    }
    Ok(told)
}

/// The latest report and the latest portfolio submitted, in one statement:
/// each the one recorded last (by `recorded_at`, then ID).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct LatestSubmissions {
    pub report: Option<NaiveDate>,
    pub portfolio: Option<NaiveDate>,
}

pub async fn latest_submissions(
    reader: crate::assessment::Reader<'_>,
    epa_id: Uuid,
) -> Result<LatestSubmissions, StoreError> {
    const SQL: &str = "SELECT \
         (SELECT submitted_on FROM submissions WHERE epa_id = $1 AND kind = $2 \
          ORDER BY recorded_at DESC, id DESC LIMIT 1) AS report, \
         (SELECT submitted_on FROM submissions WHERE epa_id = $1 AND kind = $3 \
          ORDER BY recorded_at DESC, id DESC LIMIT 1) AS portfolio";
    if let Some(conn) = reader.on_thread() {
        let args = [
            Arg::Id(epa_id),
            Arg::Text(SubmissionKind::Report.as_str()),
            Arg::Text(SubmissionKind::Portfolio.as_str()),
        ];
        return conn.one(SQL, &args, |row| {
            Ok(LatestSubmissions {
                report: row.opt_day(0)?,
                portfolio: row.opt_day(1)?,
            })
        });
    }
    Ok(on_reader!(reader, |exec| sqlx::query_as(SQL)
        .bind(epa_id)
        .bind(SubmissionKind::Report)
        .bind(SubmissionKind::Portfolio)
        .fetch_one(exec)
        .await)?)
}

/// Moves the EPA's bookings still to come (booked, on or after `from`) to
/// another assessor; answers the IDs moved. Past and closed bookings keep
/// the assessor who held them.
pub async fn move_future_bookings(
    tx: &mut Tx,
    epa_id: Uuid,
    from: NaiveDate,
    assessor_id: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "UPDATE bookings SET assessor_id = $1, version = version + 1 \
         WHERE epa_id = $2 AND status = 'booked' AND assessment_on >= $3 RETURNING id"
    )
    .bind(assessor_id)
    .bind(epa_id)
    .bind(from)
    .fetch_all(conn)
    .await)?)
}

/// The assessor's bookings that still stand (booked or held) and share a
/// minute with `[from, to)` on `on`: the only part of the diary a new
/// booking can clash with. Read through the `(assessor_id, assessment_on,
/// starts_at)` index: a busy assessor's whole day is never read, only what
/// starts before the new slot ends and is still running when it starts.
/// Touching ends (one ending at 10:00, the next starting then) do not
/// overlap. A booking's end is its start plus its minutes, computed the
/// same way on both databases (neither crosses midnight: booking refuses
/// a slot that would).
pub async fn assessor_overlapping_in(
    tx: &mut Tx,
    assessor_id: Uuid,
    on: NaiveDate,
    from: NaiveTime,
    to: NaiveTime,
) -> Result<Vec<Booking>, StoreError> {
    let ends = match tx.backend() {
        Backend::Sqlite => "time(starts_at, '+' || duration_minutes || ' minutes') > time($4)",
        Backend::Postgres => "starts_at + make_interval(mins => duration_minutes) > $4",
    };
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE assessor_id = $1 AND assessment_on = $2 \
         AND starts_at < $3 AND {ends} AND status IN ('booked', 'held') ORDER BY starts_at, id"
    );
    if let Some(conn) = tx.on_thread() {
        let args = [
            Arg::Id(assessor_id),
            Arg::Day(on),
            Arg::TimeOfDay(to),
            Arg::TimeOfDay(from),
        ];
        return conn.rows(&sql, &args, |row| Booking::read(row));
    }
    Ok(on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(assessor_id)
        .bind(on)
        .bind(to)
        .bind(from)
        .fetch_all(conn)
        .await)?)
}
