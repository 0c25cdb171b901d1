//! `/api/v1` routes for the PDF documents: the result letter with the
//! assessment records, and the gateway summary. The EPA page links to the
//! same files through its own routes (`pages::reports`), on the same
//! functions, because the API authenticates by token and pages by session.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use epa_app::reports::Pdf;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::exports::attachment;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(results_pdf, gateway_pdf),
    tags((name = "reports", description = "The result letter with the assessment records, and the gateway summary, as accessible PDFs"))
)]
pub struct Api;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/epas/{id}/results.pdf", axum::routing::get(results_pdf))
        .route("/epas/{id}/gateway.pdf", axum::routing::get(gateway_pdf))
}

/// A PDF as a download.
pub fn pdf_response(pdf: Pdf) -> Response {
    attachment(pdf.bytes, "application/pdf", &pdf.filename)
}

/// The latest released result as a PDF: the result letter (each method's
/// grade, the overall grade and why, what happens next as the EPAO's
/// policy states it), then each method's assessment record (every
/// criterion met or not, with the assessor's evidence). Tagged PDF/UA-1,
/// with a title and its language.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/results.pdf", tag = "reports", operation_id = "get_results_pdf",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The result letter and assessment records, as an attachment", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, not yours to see, or (for the apprentice, employer and provider) no result released yet", body = Problem),
        (status = 409, description = "No result released yet (EPAO staff and the assessor)", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn results_pdf(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let pdf = epa_app::assessment::results_pdf(&state.app, &actor, id).await?;
    Ok(pdf_response(pdf))
}

/// The gateway summary as a PDF: each attempt with its components, the
/// decisions and their reasons, and the latest portfolio's KSB coverage.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/gateway.pdf", tag = "reports", operation_id = "get_gateway_pdf",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The gateway summary, as an attachment", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No gateway submitted yet", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn gateway_pdf(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let pdf = epa_app::gateway::summary_pdf(&state.app, &actor, id).await?;
    Ok(pdf_response(pdf))
}
