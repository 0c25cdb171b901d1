//! One person's conflicts of interest.

use epa_store::conflicts;
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
        let epaos = staff_epaos(actor);
        let mut tx = app.db.begin_write().await?;
        let visible = !epaos.is_empty() && assesses_in(&mut tx, user_id, &epaos).await?;
        drop(tx);
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
