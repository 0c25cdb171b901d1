//! The EPA's bookings, with their history.

use epa_domain::policy::Action;
use epa_store::planning as store;
use uuid::Uuid;

use super::views::BookingView;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// Every booking of an EPA, history included, each linked to the one that
/// replaced it.
pub async fn bookings(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<BookingView>, AppError> {
    EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    let rows = store::bookings(&app.db, epa_id).await?;
    let mut views: Vec<BookingView> = rows.into_iter().map(BookingView::from).collect();
    let links: Vec<(Uuid, Uuid)> = views
        .iter()
        .filter_map(|v| v.replaces_id.map(|old| (old, v.id)))
        .collect();
    for view in &mut views {
        view.replaced_by = links
            .iter()
            .find(|(old, _)| *old == view.id)
            .map(|(_, new)| *new);
    }
    Ok(views)
}
