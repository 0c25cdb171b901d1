//! Reading the gateway: every attempt, for anyone who may see the EPA.

use uuid::Uuid;

use super::stored::Stored;
use super::views::GatewayView;
use super::visible::visible;
use crate::{Actor, App, AppError};

/// The EPA's gateway, every attempt, for anyone who may see the EPA.
pub async fn get(app: &App, actor: &Actor, epa_id: Uuid) -> Result<GatewayView, AppError> {
    let ctx = visible(app, actor, epa_id).await?;
    Stored::read(app, epa_id)
        .await?
        .view(&ctx.row, &ctx.plan, app.clock.today())
}
