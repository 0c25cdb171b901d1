//! Who hears about an EPA's planning, and the emails about its bookings.

use std::collections::BTreeSet;

use epa_domain::booking;
use epa_plan::Mode;
use epa_store::Tx;
use epa_store::epas::EpaRow;
use epa_store::outbox::{self, NewMessage};
use epa_store::planning::{self as store, Booking};
use epa_store::users::Role;
use uuid::Uuid;

use crate::{App, AppError};

/// Who hears about the EPA's planning: the provider's and employer's users,
/// the apprentice when they sign in, and the assessor; each once.
pub(super) async fn recipients(
    tx: &mut Tx,
    row: &EpaRow,
    assessor: Uuid,
) -> Result<Vec<String>, AppError> {
    let mut emails = BTreeSet::new();
    emails.extend(
        store::emails_with_role_in(tx, row.provider_id, Role::ProviderUser.as_str()).await?,
    );
    emails.extend(
        store::emails_with_role_in(tx, row.employer_id, Role::EmployerUser.as_str()).await?,
    );
    for user in row.apprentice_user_id.into_iter().chain([assessor]) {
        emails.extend(store::email_of_in(tx, user).await?);
    }
    Ok(emails.into_iter().collect())
}

/// Emails the people who must turn up about a booking change.
pub(super) async fn notify_booking(
    app: &App,
    tx: &mut Tx,
    row: &EpaRow,
    booking: &Booking,
    what: &str,
) -> Result<(), AppError> {
    let method = booking::method_word(booking.method);
    let subject = format!("EPA {method} {what}");
    let mode = if booking.mode == Mode::Remote {
        "by video call"
    } else {
        "in person"
    };
    let body = format!(
        "The {method} for {} {} is {what}: {} at {} (UK time), {} minutes, {mode}.\nEPA reference: {}\n",
        row.given_names,
        row.family_name,
        booking.assessment_on,
        booking.starts_at.format("%H:%M"),
        booking.duration_minutes,
        row.epa.id,
    );
    for recipient in recipients(tx, row, booking.assessor_id).await? {
        outbox::enqueue(
            tx,
            &NewMessage {
                kind: "email",
                recipient: &recipient,
                subject: &subject,
                body: &body,
            },
            app.now(),
        )
        .await?;
    }
    Ok(())
}
