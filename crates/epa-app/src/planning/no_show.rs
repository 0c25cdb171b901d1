//! Recording that the apprentice did not attend a booking.

use epa_domain::booking::BookingStatus;
use uuid::Uuid;

use super::records::{check_reason, finish_booking, live_booking};
use super::views::{BookingView, ReasonInput};
use crate::{Actor, App, AppError};

/// Records that the apprentice did not attend. A no-show is not an
/// attempt: the method is booked again as a new booking.
pub async fn record_no_show(
    app: &App,
    actor: &Actor,
    booking_id: Uuid,
    input: ReasonInput,
) -> Result<BookingView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (booking, ctx) = live_booking(app, &mut tx, actor, booking_id).await?;
    if booking.assessment_on > app.clock.today() {
        return Err(AppError::Conflict(format!(
            "this booking is on {}: a no-show can be recorded from that day",
            booking.assessment_on
        )));
    }
    let reason = check_reason(&input.reason)?;
    finish_booking(
        app,
        tx,
        actor,
        &booking,
        &ctx.row,
        BookingStatus::NoShow,
        reason,
    )
    .await
}
