//! `GET /api/v1/outbox` (EPAO admins: the emails given up, or queued, or
//! sent) and `POST /api/v1/outbox/{id}/retry` (send a given-up one again).

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use epa_app::notifications::outbox::{self, OutboxPage, OutboxQuery, OutboxView};
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::input::ApiQuery;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_outbox, retry_outbox_message),
    components(schemas(OutboxPage, OutboxView))
)]
pub struct Api;

/// Emails by delivery state, newest first: by default those given up after
/// the configured number of tries, with the last error. EPAO admins only.
#[utoipa::path(
    get, path = "/api/v1/outbox", tag = "notifications", operation_id = "list_outbox",
    params(OutboxQuery),
    responses(
        (status = 200, description = "A page of emails, and how many are in each state", body = OutboxPage),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not an EPAO administrator", body = Problem),
        (status = 422, description = "A parameter needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_outbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> Result<Json<OutboxPage>, ApiError> {
    Ok(Json(outbox::list(&state.app, &actor, query).await?))
}

/// Send a given-up email again: it is queued at once with its tries
/// counted afresh.
#[utoipa::path(
    post, path = "/api/v1/outbox/{id}/retry", tag = "notifications", operation_id = "retry_outbox_message",
    params(("id" = Uuid, Path, description = "The email's ID")),
    responses(
        (status = 200, description = "Queued again", body = OutboxView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not an EPAO administrator", body = Problem),
        (status = 404, description = "No such email", body = Problem),
        (status = 409, description = "The email was not given up (it is queued or sent)", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn retry_outbox_message(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<OutboxView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(outbox::retry(&state.app, &actor, id).await?))
}
