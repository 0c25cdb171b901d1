//! `/api/v1` routes for the Project Evidence Locator (ADR 0091): submit a
//! new version listing every annex of the project report with its project
//! KSBs, read the latest version, and its coverage as JSON or CSV.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use epa_app::locator::{
    self, CoveringAnnex, LocatorCoverageRow, LocatorCoverageView, LocatorEntryInput,
    LocatorEntryView, LocatorInput, LocatorView,
};
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(submit_locator, get_locator, locator_coverage, locator_coverage_csv),
    components(schemas(
        LocatorInput, LocatorEntryInput, LocatorView, LocatorEntryView, LocatorCoverageView,
        LocatorCoverageRow, CoveringAnnex
    )),
    tags((name = "evidence-locator", description = "The project report's annexes mapped to the project's KSBs"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/epas/{id}/evidence-locator",
            get(get_locator).post(submit_locator),
        )
        .route(
            "/epas/{id}/evidence-locator/coverage",
            get(locator_coverage),
        )
        .route(
            "/epas/{id}/evidence-locator/coverage.csv",
            get(locator_coverage_csv),
        )
}

/// Submit a new version of the locator, replacing the previous one whole.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/evidence-locator", tag = "evidence-locator", operation_id = "submit_locator",
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    request_body = LocatorInput,
    responses(
        (status = 201, description = "Kept as the latest version", body = LocatorView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Neither the apprentice's training provider nor EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The EPA's plan has no work-based project", body = Problem),
        (status = 422, description = "The locator needs fixing: every problem by field", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn submit_locator(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    Ok(idempotency::command(
        &state,
        &actor,
        &headers,
        &format!("POST /api/v1/epas/{id}/evidence-locator"),
        &body,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/evidence-locator")),
        async |input: LocatorInput| {
            locator::submit(&state.app, &actor, id, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await)
}

/// The latest version of the locator.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/evidence-locator", tag = "evidence-locator", operation_id = "get_locator",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The latest version with its entries", body = LocatorView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No locator submitted yet", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_locator(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<LocatorView>, ApiError> {
    Ok(Json(locator::get(&state.app, &actor, path_id(id)?).await?))
}

/// Each project KSB and the annexes covering it; uncovered KSBs named.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/evidence-locator/coverage", tag = "evidence-locator", operation_id = "get_locator_coverage",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The coverage of the latest version", body = LocatorCoverageView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No locator submitted yet", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn locator_coverage(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<LocatorCoverageView>, ApiError> {
    Ok(Json(
        locator::coverage(&state.app, &actor, path_id(id)?).await?,
    ))
}

/// The coverage as CSV: `ksb,statement,covered,annexes,titles`.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/evidence-locator/coverage.csv", tag = "evidence-locator", operation_id = "get_locator_coverage_csv",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "One row per project KSB, with a header row", body = String, content_type = "text/csv"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No locator submitted yet", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn locator_coverage_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let view = locator::coverage(&state.app, &actor, id).await?;
    let disposition = format!(
        "attachment; filename=\"evidence-locator-{id}-version-{}.csv\"",
        view.version
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        epa_app::render::csv::locator_coverage(&view),
    )
        .into_response())
}
