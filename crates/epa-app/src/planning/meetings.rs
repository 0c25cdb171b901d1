//! The EPA's planning meetings.

use epa_domain::policy::Action;
use epa_store::planning as store;
use uuid::Uuid;

use super::views::PlanningMeetingView;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// The EPA's planning meetings, for those who may see the EPA.
pub async fn planning_meetings(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<PlanningMeetingView>, AppError> {
    EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    Ok(store::meetings(&app.db, epa_id)
        .await?
        .into_iter()
        .map(PlanningMeetingView::from)
        .collect())
}
