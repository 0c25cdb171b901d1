//! Cancelling a booking.

use epa_domain::booking::BookingStatus;
use uuid::Uuid;

use super::records::{check_reason, finish_booking, live_booking};
use super::views::{BookingView, ReasonInput};
use crate::{Actor, App, AppError};

/// Cancels a live booking with the reason; the booking is kept.
pub async fn cancel(
    app: &App,
    actor: &Actor,
    booking_id: Uuid,
    input: ReasonInput,
) -> Result<BookingView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (booking, ctx) = live_booking(app, &mut tx, actor, booking_id).await?;
    let reason = check_reason(&input.reason)?;
    finish_booking(
        app,
        tx,
        actor,
        &booking,
        &ctx.row,
        BookingStatus::Cancelled,
        reason,
    )
    .await
}
