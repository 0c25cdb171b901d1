//! EPAO staff putting an EPA's records right: `POST /api/v1/epas/{id}/assessor`
//! (reallocate), `POST /api/v1/conflicts/{id}/withdraw`, and
//! `PATCH /api/v1/epas/{id}/apprentice` (correct the registration, with
//! `If-Match` or `record_version`).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use epa_app::adjustments::{self, AdjustmentInput, AdjustmentView};
use epa_app::corrections::{
    self, ConflictWithdrawal, Reallocated, Reallocation, RegistrationCorrection,
};
use epa_app::epas::EpaView;
use epa_app::planning::ConflictView;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency;
use super::input::ApiJson;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(
    reallocate_assessor,
    withdraw_conflict,
    correct_registration,
    decide_adjustment,
    get_adjustment
))]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epas/{id}/assessor", post(reallocate_assessor))
        .route("/conflicts/{id}/withdraw", post(withdraw_conflict))
        .route("/epas/{id}/apprentice", patch(correct_registration))
        .route(
            "/epas/{id}/adjustment",
            get(get_adjustment).post(decide_adjustment),
        )
}

/// Move the EPA to another assessor, with the reason. Bookings still to
/// come move too; the assessors and the provider are told.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/assessor", tag = "planning",
    operation_id = "reallocate_assessor",
    request_body = Reallocation,
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "Reallocated", body = Reallocated),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Nothing to reallocate at this stage", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn reallocate_assessor(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<Reallocation>,
) -> Result<Json<Reallocated>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        corrections::reallocate_assessor(&state.app, &actor, id, input).await?,
    ))
}

/// Withdraw a conflict of interest declared in error, with the reason. It
/// stays on record and no longer counts.
#[utoipa::path(
    post, path = "/api/v1/conflicts/{id}/withdraw", tag = "planning",
    operation_id = "withdraw_conflict",
    request_body = ConflictWithdrawal,
    params(("id" = Uuid, Path, description = "The conflict's ID")),
    responses(
        (status = 200, description = "Withdrawn", body = ConflictView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such conflict, or not yours to see", body = Problem),
        (status = 409, description = "Already withdrawn", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn withdraw_conflict(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<ConflictWithdrawal>,
) -> Result<Json<ConflictView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        corrections::withdraw_conflict(&state.app, &actor, id, input).await?,
    ))
}

/// Correct the apprentice's registration (names, date of birth, ULN,
/// employer, provider), with the reason. Send the EPA's `record_version`
/// as `If-Match` (or in the body): a stale one is refused with 412.
#[utoipa::path(
    patch, path = "/api/v1/epas/{id}/apprentice", tag = "epas",
    operation_id = "correct_registration",
    request_body = RegistrationCorrection,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("If-Match" = Option<String>, Header, description = "The EPA's record_version as last read"),
    ),
    responses(
        (status = 200, description = "Corrected", body = EpaView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Changed by someone else meanwhile", body = Problem),
        (status = 412, description = "The record_version is not the stored one", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn correct_registration(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    ApiJson(mut input): ApiJson<RegistrationCorrection>,
) -> Result<Json<EpaView>, ApiError> {
    let id = path_id(id)?;
    if let Some(value) = headers.get(axum::http::header::IF_MATCH) {
        // An entity tag, quoted or not, weak or not: `"7"`, `W/"7"`, `7`.
        let text = value.to_str().unwrap_or_default().trim();
        let tag = text.trim_start_matches("W/").trim_matches('"');
        match tag.parse::<i64>() {
            Ok(version) => input.record_version = Some(version),
            Err(_) => {
                return Err(ApiError(epa_app::AppError::field(
                    "If-Match",
                    "send the EPA's record_version, such as \"7\"",
                )));
            }
        }
    }
    Ok(Json(
        corrections::correct_registration(&state.app, &actor, id, input).await?,
    ))
}

/// Decide the EPA's reasonable adjustment: extra time (minutes or a
/// percentage of each method's duration) and other arrangements, with the
/// reason. Bookings and sittings then allow the adjusted window.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/adjustment", tag = "planning",
    operation_id = "decide_adjustment",
    request_body = AdjustmentInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Decided; it replaces any earlier adjustment", body = AdjustmentView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn decide_adjustment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    idempotency::command(
        &state,
        &actor,
        &headers,
        &format!("POST /api/v1/epas/{id}/adjustment"),
        &body,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/adjustment")),
        async |input: AdjustmentInput| {
            adjustments::decide(&state.app, &actor, id, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

/// The reasonable adjustment that stands for the EPA (`null` when none),
/// with the window each method allows.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/adjustment", tag = "planning",
    operation_id = "get_adjustment",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The standing adjustment, or null", body = Option<AdjustmentView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_adjustment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Option<AdjustmentView>>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(adjustments::get(&state.app, &actor, id).await?))
}
