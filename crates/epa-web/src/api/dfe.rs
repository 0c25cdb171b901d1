//! `GET /api/v1/dfe/refusals` (EPAO staff: what the DfE service refused,
//! with its reasons), `POST /api/v1/dfe/refusals/{epa_id}/resend` (send
//! a refused item again at the next push), and an EPA's replacement
//! certificate requests at `/api/v1/epas/{id}/certificate/replacements`.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epa_app::dfe::queue::{self, QueuePage, RefusalView};
use epa_app::dfe::replacements::{self, ReplacementInput, ReplacementView};
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency;
use super::input::ApiQuery;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_dfe_refusals,
        resend_dfe_refusal,
        list_replacement_certificates,
        record_replacement_certificate,
        record_replacement_requested
    ),
    components(schemas(QueuePage, RefusalView, ReplacementInput, ReplacementView))
)]
pub struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RefusalsQuery {
    /// The `next` value of the previous page.
    after: Option<String>,
}

/// EPAs whose record, certificate request or submission the DfE refused,
/// oldest first, with the service's reasons (a ULN or family name that
/// does not match the service's is the usual cause). EPAO staff only.
#[utoipa::path(
    get, path = "/api/v1/dfe/refusals", tag = "dfe", operation_id = "list_dfe_refusals",
    params(RefusalsQuery),
    responses(
        (status = 200, description = "A page of refusals", body = QueuePage),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 422, description = "A parameter needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_dfe_refusals(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<RefusalsQuery>,
) -> Result<Json<QueuePage>, ApiError> {
    Ok(Json(
        queue::refusals(&state.app, &actor, query.after.as_deref()).await?,
    ))
}

/// Send the refused item of an EPA again, unchanged, at the next push
/// (after the service's data was put right). A fix made here goes by
/// itself.
#[utoipa::path(
    post, path = "/api/v1/dfe/refusals/{epa_id}/resend", tag = "dfe", operation_id = "resend_dfe_refusal",
    params(("epa_id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "It goes again at the next push", body = RefusalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA", body = Problem),
        (status = 409, description = "Nothing of this EPA is refused", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn resend_dfe_refusal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    epa_id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<RefusalView>, ApiError> {
    let epa_id = path_id(epa_id)?;
    Ok(Json(queue::resend(&state.app, &actor, epa_id).await?))
}

/// An EPA's replacement certificate requests, oldest first, each with the
/// policy's deadline for asking the DfE and when staff did (EPAO staff).
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/certificate/replacements", tag = "dfe", operation_id = "list_replacement_certificates",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The EPA's replacement requests", body = [ReplacementView]),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_replacement_certificates(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<ReplacementView>>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(replacements::list(&state.app, &actor, id).await?))
}

/// Record a request for a replacement certificate of an achieved EPA
/// (lost, damaged, a name corrected), due to be asked of the DfE by the
/// policy's deadline (Innovate: within two days). EPAO staff.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/certificate/replacements", tag = "dfe", operation_id = "record_replacement_certificate",
    request_body = ReplacementInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Recorded, with the day it is due to be asked of the DfE", body = ReplacementView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The EPA has no certificate to replace", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn record_replacement_certificate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(answer) => return answer.into_response(),
    };
    let app = &state.app;
    let location = format!("/api/v1/epas/{id}/certificate/replacements");
    let locate = move |_: &serde_json::Value| Some(location.clone());
    let by = actor.clone();
    idempotency::command(
        &state,
        &actor,
        &headers,
        &format!("POST /api/v1/epas/{id}/certificate/replacements"),
        &body,
        StatusCode::CREATED,
        &locate,
        async |input: ReplacementInput| {
            replacements::record(app, &by, id, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

/// Record that a replacement was asked of the DfE today (EPAO staff);
/// once only.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/certificate/replacements/{replacement_id}/requested", tag = "dfe",
    operation_id = "record_replacement_requested",
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("replacement_id" = Uuid, Path, description = "The replacement request's ID"),
    ),
    responses(
        (status = 200, description = "Recorded as asked of the DfE today", body = ReplacementView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Requested already, or not this EPA's", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn record_replacement_requested(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ids: Result<Path<(Uuid, Uuid)>, PathRejection>,
) -> Result<Json<ReplacementView>, ApiError> {
    let (id, replacement_id) = path_id(ids)?;
    Ok(Json(
        replacements::requested(&state.app, &actor, id, replacement_id).await?,
    ))
}

/// The DfE routes, relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dfe/refusals", get(list_dfe_refusals))
        .route("/dfe/refusals/{epa_id}/resend", post(resend_dfe_refusal))
        .route(
            "/epas/{id}/certificate/replacements",
            get(list_replacement_certificates).post(record_replacement_certificate),
        )
        .route(
            "/epas/{id}/certificate/replacements/{replacement_id}/requested",
            post(record_replacement_requested),
        )
}
