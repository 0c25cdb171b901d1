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

use crate::render::email::{BookingChange, Message};
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
    what: BookingChange,
) -> Result<(), AppError> {
    let method = booking::method_word(booking.method);
    let email = Message::Booking {
        change: what,
        method,
        given_names: &row.given_names,
        family_name: &row.family_name,
        on: booking.assessment_on,
        starts_at: booking.starts_at,
        duration_minutes: booking.duration_minutes,
        remote: booking.mode == Mode::Remote,
        epa_id: row.epa.id,
    }
    .render();
    for recipient in recipients(tx, row, booking.assessor_id).await? {
        outbox::enqueue(
            tx,
            &NewMessage {
                kind: email.kind,
                recipient: &recipient,
                subject: &email.subject,
                body: &email.body,
            },
            app.now(),
        )
        .await?;
    }
    Ok(())
}
