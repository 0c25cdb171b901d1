//! Scheduling everyone waiting after gateway: `POST /api/v1/schedule/proposals`
//! proposes who assesses each remaining method and when (nothing is
//! stored), and `POST /api/v1/schedule/confirmations` books the rows kept,
//! each through the booking rules (ADR 0127).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use epa_app::schedule::{self, Confirmation, ConfirmationInput, Proposal, ScheduleInput};
use utoipa::OpenApi;

use super::auth::ApiActor;
use super::input::ApiJson;
use super::problem::{ApiError, Problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(propose_schedule, confirm_schedule),
    tags((name = "schedule", description = "Proposed schedules for the apprentices waiting after gateway, and their confirmation into bookings"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/schedule/proposals", post(propose_schedule))
        .route("/schedule/confirmations", post(confirm_schedule))
}

/// Propose who assesses each waiting apprentice's remaining assessments,
/// and when, from the assessors' profiles and bookings and the
/// apprentices' dates, with the reason for anything left out. Nothing is
/// booked: post the rows to keep to `/api/v1/schedule/confirmations`.
#[utoipa::path(
    post, path = "/api/v1/schedule/proposals", tag = "schedule", operation_id = "propose_schedule",
    request_body = ScheduleInput,
    responses(
        (status = 200, description = "The proposal", body = Proposal),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO administration or operations staff", body = Problem),
        (status = 413, description = "The body is too large", body = Problem),
        (status = 415, description = "The body is not JSON", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn propose_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(schedule::propose(&state.app, &actor, input).await?))
}

/// Book the rows kept from a proposal, adjusted or not. Each row is booked
/// on its own under the booking rules, with their notifications; a row the
/// rules refuse (the proposal went stale, an adjusted date is too early)
/// comes back with the rules' messages and nothing written for it, and the
/// other rows are booked all the same. A row booked already is refused,
/// so sending the same rows twice books nothing twice.
#[utoipa::path(
    post, path = "/api/v1/schedule/confirmations", tag = "schedule", operation_id = "confirm_schedule",
    request_body = ConfirmationInput,
    responses(
        (status = 200, description = "Each row booked or refused, in the order sent", body = Confirmation),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO administration or operations staff", body = Problem),
        (status = 413, description = "The body is too large", body = Problem),
        (status = 415, description = "The body is not JSON", body = Problem),
        (status = 422, description = "No rows, or too many", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn confirm_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ConfirmationInput>,
) -> Result<Json<Confirmation>, ApiError> {
    Ok(Json(schedule::confirm(&state.app, &actor, input).await?))
}
