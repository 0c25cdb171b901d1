//! The gateway's reads (and the portfolio's and locator's helpers) all ask
//! the gate the same question: may the reader see the EPA at all.

use epa_domain::policy::Action;
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// The EPA, read on the pool, for anyone who may see it.
pub(crate) async fn visible(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<EpaContext, AppError> {
    EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await
}
