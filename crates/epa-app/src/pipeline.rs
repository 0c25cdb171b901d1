//! The EPAO's pipeline: how many EPAs stand at each stage now, for the
//! dashboard. One grouped count on the EPAO's index.

use epa_domain::lifecycle::Stage;
use epa_store::epas;
use epa_store::users::Role;
use serde::Serialize;

use crate::{Actor, App, AppError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageCount {
    pub stage: Stage,
    pub count: i64,
}

/// Every stage in lifecycle order with its count (zero included), for EPAO
/// staff; anyone else is refused.
pub async fn pipeline(app: &App, actor: &Actor) -> Result<Vec<StageCount>, AppError> {
    let epao = [Role::EpaoAdmin, Role::EpaoOperations, Role::QualityAssurer]
        .into_iter()
        .find_map(|role| actor.organisations_as(role).next())
        .ok_or_else(|| AppError::Forbidden("the pipeline is for EPAO staff".to_owned()))?;
    let counts = epas::count_by_stage(&app.db, epao).await?;
    Ok(Stage::ALL
        .into_iter()
        .map(|stage| StageCount {
            stage,
            count: counts
                .iter()
                .find(|(counted, _)| *counted == stage)
                .map_or(0, |(_, count)| *count),
        })
        .collect())
}
