//! The emails the gateway's steps send, through the outbox in the step's
//! own transaction.

use epa_store::Tx;
use epa_store::epas::EpaRow;
use epa_store::gateway as store;
use epa_store::outbox;
use uuid::Uuid;

use crate::render::email::Message;
use crate::{App, AppError};

/// One email to each user of `organisation` holding `role`.
pub(super) async fn notify(
    app: &App,
    tx: &mut Tx,
    organisation: Uuid,
    role: &str,
    message: Message<'_>,
) -> Result<(), AppError> {
    let email = message.render(&app.accounts.public_url);
    let recipients = store::emails_of(tx, organisation, role).await?;
    outbox::enqueue_all(tx, &email.to_each(&recipients), app.now()).await?;
    Ok(())
}

pub(super) fn apprentice_name(row: &EpaRow) -> String {
    format!("{} {}", row.given_names, row.family_name)
}
