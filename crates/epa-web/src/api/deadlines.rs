//! `/api/v1/deadlines` (due soon and past due across the EPAs the caller may
//! see) and `/api/v1/epas/{id}/deadlines` (every deadline of one EPA).

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use epa_app::AppError;
use epa_app::deadlines::{self, DueDeadline, DueQuery};
use epa_domain::deadlines::DeadlineState;
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::input::ApiQuery;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(due, for_epa), components(schemas(DueDeadline, DuePage)))]
pub struct Api;

/// Every deadline state, as the `states` parameter takes them.
const STATES: [&str; 6] = [
    "upcoming",
    "due_soon",
    "overdue",
    "overdue_unless_done",
    "met",
    "missed",
];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DueParams {
    /// Comma-separated states: `upcoming`, `due_soon`, `overdue`,
    /// `overdue_unless_done`, `met`, `missed` (default: `due_soon,overdue,overdue_unless_done`).
    pub states: Option<String>,
    /// How many to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Where the previous page ended: pass back its `next` link as given.
    pub after: Option<String>,
}

/// A page of deadlines, most urgent first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DuePage {
    pub items: Vec<DueDeadline>,
    pub limit: i64,
    /// The next page, when there may be more: a link to follow as it is.
    pub next: Option<String>,
}

/// Deadlines across the EPAs you may see, most urgent first: by default the
/// open ones (past their date awaiting an event outside the product, due
/// soon, upcoming). Follow `next` for more.
#[utoipa::path(
    get, path = "/api/v1/deadlines", tag = "deadlines", operation_id = "list_due_deadlines",
    params(DueParams),
    responses(
        (status = 200, description = "Deadlines with their EPA", body = DuePage),
        (status = 401, description = "No valid token", body = Problem),
        (status = 422, description = "A parameter needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn due(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<DueParams>,
) -> Result<Json<DuePage>, ApiError> {
    let states = match params.states.as_deref() {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|name| {
                serde_json::from_value::<DeadlineState>(serde_json::Value::String(
                    name.trim().to_owned(),
                ))
                .map_err(|_| {
                    ApiError(AppError::field(
                        "states",
                        format!(
                            "{name:?} is not a deadline state; choose from: {}",
                            STATES.join(", ")
                        ),
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let query = DueQuery {
        states,
        limit: params.limit,
        after: params.after,
    };
    let page = deadlines::due(&state.app, &actor, &query).await?;
    let next = page.next.map(|after| {
        let mut link = format!("/api/v1/deadlines?limit={}&after={after}", page.limit);
        if let Some(states) = &params.states {
            link.push_str("&states=");
            let states: Vec<&str> = states.split(',').map(str::trim).collect();
            link.push_str(&states.join(","));
        }
        link
    });
    Ok(Json(DuePage {
        items: page.items,
        limit: page.limit,
        next,
    }))
}

/// Every deadline of one EPA, each with its rule, source and state.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/deadlines", tag = "deadlines", operation_id = "list_epa_deadlines",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The EPA's deadlines, those waiting for a date, and warnings", body = Object),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn for_epa(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<epa_domain::deadlines::DeadlinePlan>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(deadlines::for_epa(&state.app, &actor, id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_is_listed() {
        for name in STATES {
            let state: Result<DeadlineState, _> =
                serde_json::from_value(serde_json::Value::String(name.to_owned()));
            assert!(state.is_ok(), "{name}");
        }
    }
}
