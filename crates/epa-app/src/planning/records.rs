//! The booking records: writing one, finding a live one to change, closing
//! one, and how the audit trail shows them.

use epa_domain::booking::BookingStatus;
use epa_domain::policy::Action;
use epa_store::Tx;
use epa_store::epas::EpaRow;
use epa_store::planning::{self as store, Booking, NewBooking};
use serde_json::{Value, json};
use uuid::Uuid;

use super::REASON_MAX;
use super::notify::notify_booking;
use super::slot::Slot;
use super::views::BookingView;
use crate::gate::EpaContext;
use crate::render::email::BookingChange;
use crate::{Actor, App, AppError};

/// Why booking, moving or cancelling an assessment is refused to someone
/// who may see the EPA.
pub(super) const MAY_BOOK: &str =
    "only EPAO staff or the allocated assessor can book, move or cancel assessments";

/// A booking as the audit trail records it.
pub(super) fn booking_json(b: &Booking) -> Value {
    json!({
        "booking_id": b.id,
        "method": b.method,
        "date": b.assessment_on,
        "start_time": b.starts_at.format("%H:%M").to_string(),
        "duration_minutes": b.duration_minutes,
        "mode": b.mode,
        "assessor_id": b.assessor_id,
        "status": b.status,
        "replaces_id": b.replaces_id,
    })
}

/// Writes the booking `slot` describes, replacing `replaces` if moved.
pub(super) async fn insert(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    row: &EpaRow,
    slot: &Slot,
    replaces: Option<Uuid>,
) -> Result<Booking, AppError> {
    let duration =
        i32::try_from(slot.duration).map_err(|err| AppError::Internal(err.to_string()))?;
    Ok(store::insert_booking(
        tx,
        &NewBooking {
            epa_id: row.epa.id,
            method: slot.method,
            assessment_on: slot.date,
            starts_at: slot.starts_at,
            duration_minutes: duration,
            mode: slot.mode,
            assessor_id: slot.assessor,
            replaces_id: replaces,
            booked_on: app.clock.today(),
            created_by: actor.user_id,
        },
        app.now(),
    )
    .await?)
}

/// The reason given for a change, trimmed, or the field's error.
pub(super) fn check_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(AppError::field("reason", "give the reason"))
    } else if reason.chars().count() > REASON_MAX {
        Err(AppError::field(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ))
    } else {
        Ok(reason)
    }
}

/// A live booking and its EPA, for a change the caller may make.
pub(super) async fn live_booking(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    booking_id: Uuid,
) -> Result<(Booking, EpaContext), AppError> {
    let booking = store::get_booking_in(tx, booking_id).await?;
    let ctx = EpaContext::write(
        app,
        tx,
        actor,
        booking.epa_id,
        Action::BookAssessment,
        MAY_BOOK,
    )
    .await?;
    if booking.status != BookingStatus::Booked {
        return Err(AppError::Conflict(format!(
            "this booking is already {}: only a live booking can be changed",
            booking.status.as_str().replace('_', "-")
        )));
    }
    Ok((booking, ctx))
}

/// Closes a live booking as `cancelled` or `no_show`, with the reason.
pub(super) async fn finish_booking(
    app: &App,
    mut tx: Tx,
    actor: &Actor,
    booking: &Booking,
    row: &EpaRow,
    status: BookingStatus,
    reason: &str,
) -> Result<BookingView, AppError> {
    store::set_status(
        &mut tx,
        booking.id,
        booking.version,
        status,
        reason,
        actor.user_id,
        app.now(),
    )
    .await?;
    let after = store::get_booking_in(&mut tx, booking.id).await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        row.epa.id,
        if status == BookingStatus::NoShow {
            "booking.no_show"
        } else {
            "booking.cancelled"
        },
        Some(booking_json(booking)),
        // A no-show is recorded against the booking and never counts as an attempt.
        json!({"booking": booking_json(&after), "reason": reason, "counts_as_attempt": false}),
    )
    .await?;
    if status == BookingStatus::Cancelled {
        notify_booking(app, &mut tx, row, &after, BookingChange::Cancelled).await?;
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(after.into())
}
