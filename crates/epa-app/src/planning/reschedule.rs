//! Moving a booking to another day, time, mode or assessor.

use epa_domain::booking::BookingStatus;
use epa_store::planning as store;
use serde_json::json;
use uuid::Uuid;

use super::notify::notify_booking;
use super::records::{booking_json, check_reason, insert, live_booking};
use super::rules::check_rules;
use super::slot::{SlotRequest, check_bookable, check_slot};
use super::views::{Booked, BookingError, RescheduleInput};
use crate::render::email::BookingChange;
use crate::{Actor, App};

/// Moves a booking: the old one is kept as `rescheduled` with the reason,
/// and a new booking, linked to it, is checked against the plan's rules
/// as any new booking is (notice counts from today).
pub async fn reschedule(
    app: &App,
    actor: &Actor,
    booking_id: Uuid,
    input: RescheduleInput,
) -> Result<Booked, BookingError> {
    let mut tx = app.db.begin_write().await?;
    let (old, ctx) = live_booking(app, &mut tx, actor, booking_id).await?;
    check_bookable(&ctx.state)?;
    let reason = check_reason(&input.reason)?;
    let slot = check_slot(
        app,
        &mut tx,
        actor,
        &ctx,
        &SlotRequest {
            method: old.method.as_str(),
            date: input.date,
            start_time: &input.start_time,
            duration_minutes: input
                .duration_minutes
                .or(u32::try_from(old.duration_minutes).ok()),
            mode: input.mode.as_deref().unwrap_or(old.mode.as_str()).trim(),
            assessor_id: input.assessor_id.or(Some(old.assessor_id)),
        },
    )
    .await?;
    let warnings = check_rules(app, &mut tx, &ctx, &slot, Some(old.id)).await?;
    let now = app.now();
    store::set_status(
        &mut tx,
        old.id,
        old.version,
        BookingStatus::Rescheduled,
        reason,
        actor.user_id,
        now,
    )
    .await?;
    let booking = insert(app, &mut tx, actor, &ctx.row, &slot, Some(old.id)).await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        ctx.id(),
        "booking.rescheduled",
        Some(booking_json(&old)),
        json!({"booking": booking_json(&booking), "reason": reason, "warnings": warnings.iter().map(|w| &w.rule).collect::<Vec<_>>()}),
    )
    .await?;
    notify_booking(app, &mut tx, &ctx.row, &booking, BookingChange::Moved).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(Booked {
        booking: booking.into(),
        warnings,
    })
}
