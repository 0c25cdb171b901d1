//! Withdrawing an apprentice from the EPA.

use epa_domain::lifecycle::Command;
use epa_domain::policy::Action;
use epa_store::epas::{self};
use serde_json::json;
use uuid::Uuid;

use super::views::*;
use crate::epas::EpaView;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};

/// Withdraws the apprentice from the EPA, with the reason.
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
    let row = epas::get_in(&mut tx, epa_id).await?;
    tx.commit().await?;
    Ok(EpaView::from(row))
}
