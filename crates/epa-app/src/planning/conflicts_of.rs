//! One person's conflicts of interest.

use epa_store::conflicts;
use epa_store::users;
use uuid::Uuid;

use super::people::{assesses_in, staff_epaos};
use super::views::ConflictView;
use crate::{Actor, App, AppError};

/// One person's conflicts: for themselves, or for EPAO admin and operations
/// of their EPAO. Anyone else is told nothing (404).
pub async fn conflicts_of(
    app: &App,
    actor: &Actor,
    user_id: Uuid,
) -> Result<Vec<ConflictView>, AppError> {
    if user_id != actor.user_id {
        // A read only: on a reader's connection, not in a write transaction
        // that would take the writer's turn to read.
        let epaos = staff_epaos(actor);
        let visible =
            !epaos.is_empty() && assesses_in(&users::memberships(&app.db, user_id).await?, &epaos);
        if !visible {
            return Err(AppError::NotFound);
        }
    }
    Ok(conflicts::of_user(&app.db, user_id)
        .await?
        .into_iter()
        .map(ConflictView::from)
        .collect())
}
