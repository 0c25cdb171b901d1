//! Booking one method of a planned EPA.

use epa_domain::policy::Action;
use serde_json::json;
use uuid::Uuid;

use super::notify::notify_booking;
use super::records::{MAY_BOOK, booking_json, insert};
use super::rules::check_rules;
use super::slot::{SlotRequest, check_bookable, check_slot};
use super::views::{Booked, BookingError, BookingInput};
use crate::gate::EpaContext;
use crate::render::email::BookingChange;
use crate::{Actor, App};

/// Books one method of a planned EPA under the plan's rules: a "must" rule
/// refuses with the earliest (or latest) allowed date; a "recommended" one
/// is returned as a warning. The first booking does not move the lifecycle.
pub async fn book(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: BookingInput,
) -> Result<Booked, BookingError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::BookAssessment,
        MAY_BOOK,
    )
    .await?;
    check_bookable(&ctx.state)?;
    let slot = check_slot(
        app,
        &mut tx,
        actor,
        &ctx,
        &SlotRequest {
            method: input.method.trim(),
            date: input.date,
            start_time: &input.start_time,
            duration_minutes: input.duration_minutes,
            mode: input.mode.trim(),
            assessor_id: input.assessor_id,
        },
    )
    .await?;
    let warnings = check_rules(app, &mut tx, &ctx, &slot, None).await?;
    let booking = insert(app, &mut tx, actor, &ctx.row, &slot, None).await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "booking.made",
        None,
        json!({"booking": booking_json(&booking), "warnings": warnings.iter().map(|w| &w.rule).collect::<Vec<_>>()}),
    )
    .await?;
    notify_booking(app, &mut tx, &ctx.row, &booking, BookingChange::Booked).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(Booked {
        booking: booking.into(),
        warnings,
    })
}
