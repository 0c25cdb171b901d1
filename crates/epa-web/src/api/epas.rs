//! `/api/v1/epas`: register an apprentice's EPA, list EPAs, read one, and its timeline.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use epa_app::epas::{self, EpaView, ListQuery, Page};
use epa_app::registration::{self, Registration};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

/// Register an apprentice and open their EPA.
#[utoipa::path(
    post, path = "/api/v1/epas", tag = "epas",
    request_body = Registration,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer")),
    responses(
        (status = 201, description = "Registered", body = EpaView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn register(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    idempotency::respond(
        &state,
        &actor,
        &headers,
        "POST /api/v1/epas",
        &body,
        StatusCode::CREATED,
        async {
            let input: Registration = serde_json::from_slice(&body).map_err(|err| {
                ApiError::bad_request(format!("the body is not a valid registration: {err}"))
            })?;
            Ok::<_, ApiError>(registration::register(&state.app, &actor, input).await?)
        },
    )
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only EPAs at this stage, such as `registered` or `gateway_submitted`.
    pub stage: Option<String>,
    /// Only EPAs under this EPAO policy (`tquk`, `innovate`).
    pub policy: Option<String>,
    /// How many to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// How many to skip (default 0).
    pub offset: Option<i64>,
}

/// EPAs the caller may see, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/epas", tag = "epas",
    params(ListParams),
    responses(
        (status = 200, description = "A page of EPAs", body = Page<EpaView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 422, description = "A parameter needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Page<EpaView>>, ApiError> {
    let Query(params) = params.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let query = ListQuery {
        stage: params.stage,
        policy: params.policy,
        limit: params.limit,
        offset: params.offset,
    };
    Ok(Json(epas::list(&state.app, &actor, &query).await?))
}

/// One EPA.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}", tag = "epas",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The EPA", body = EpaView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Result<Json<EpaView>, ApiError> {
    // A malformed ID cannot name a visible EPA: answer as for any unknown one.
    let id = path_id(id)?;
    Ok(Json(epas::get(&state.app, &actor, id).await?))
}

/// One event in an EPA's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub actor_role: String,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Everything that has happened to an EPA, oldest first.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/timeline", tag = "epas",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The EPA's history", body = Vec<TimelineEntry>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn timeline(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let id = path_id(id)?;
    let events = epas::timeline(&state.app, &actor, id).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|event| TimelineEntry {
                at: event.occurred_at,
                action: event.action,
                actor_role: event.actor_role,
                after: event
                    .after_json
                    .and_then(|text| serde_json::from_str(&text).ok()),
            })
            .collect(),
    ))
}
