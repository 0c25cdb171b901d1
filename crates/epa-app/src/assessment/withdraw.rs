//! Withdrawing an apprentice from the EPA.

use epa_domain::lifecycle::Command;
use epa_domain::policy::Action;
use epa_store::epas::{self};
use epa_store::planning as bookings;
use serde_json::json;
use uuid::Uuid;

use super::views::*;
use crate::epas::EpaView;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};
use epa_domain::booking::BookingStatus;

/// The reason given on the bookings a withdrawal cancels.
const WITHDRAWN: &str = "withdrawn";

/// Withdraws the apprentice from the EPA, with the reason, and cancels its
/// live bookings.
pub async fn withdraw(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReasonInput,
) -> Result<EpaView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::Withdraw,
        "only EPAO staff can withdraw an apprentice",
    )
    .await?;
    if input.reason.trim().chars().count() > REASON_MAX {
        return Err(AppError::field(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    transitions::apply(
        app,
        &mut tx,
        actor,
        &ctx.row,
        &Command::Withdraw {
            reason: input.reason.clone(),
        },
        "epa.withdrawn",
        json!({"reason": input.reason.trim()}),
    )
    .await?;
    // A withdrawn apprentice sits nothing more: every live booking is
    // cancelled, with the reason "withdrawn", so none stays upcoming.
    for booking in bookings::live_bookings_in(&mut tx, epa_id).await? {
        bookings::set_status(
            &mut tx,
            booking.id,
            booking.version,
            BookingStatus::Cancelled,
            WITHDRAWN,
            actor.user_id,
            app.now(),
        )
        .await?;
        transitions::audit_epa(
            app,
            &mut tx,
            actor,
            epa_id,
            "booking.cancelled",
            Some(json!({"booking_id": booking.id, "method": booking.method, "date": booking.assessment_on, "status": booking.status})),
            json!({"booking_id": booking.id, "method": booking.method, "date": booking.assessment_on, "status": "cancelled", "reason": WITHDRAWN}),
        )
        .await?;
    }
    let row = epas::get_in(&mut tx, epa_id).await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(EpaView::from(row))
}
