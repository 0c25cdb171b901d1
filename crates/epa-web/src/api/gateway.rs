//! `/api/v1` routes for the EPA's gateway: submit (every attempt kept),
//! review each component, approve or reject, the portfolio's KSB coverage
//! as JSON, CSV or an SVG picture, and the project proposal's decision and rework.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epa_app::gateway::{
    self, AttemptView, ComponentView, CoverageRowView, CoverageView, CoveringItem, Decision,
    DeclarationInput, EvidenceInput, EvidenceView, GatewayInput, GatewayView, PhotoIdInput,
    PortfolioInput, ProposalDecisionInput, ProposalDecisionView, ProposalInput,
    ProposalVersionView, ProposalView, ReviewInput, ReviewView,
};
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency;
use super::input::{ApiJson, ApiQuery};
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        submit, get_gateway, review, approve, reject, coverage, coverage_csv, coverage_svg,
        get_proposal,
        rework_proposal, decide_proposal
    ),
    components(schemas(
        GatewayInput, PhotoIdInput, PortfolioInput, EvidenceInput, ProposalInput,
        DeclarationInput, ReviewInput, Decision, ProposalDecisionInput, GatewayView, AttemptView,
        ComponentView, EvidenceView, ReviewView, CoverageView, CoverageRowView, CoveringItem,
        ProposalView, ProposalVersionView, ProposalDecisionView
    )),
    tags((name = "gateway", description = "Gateway submissions, their review, the portfolio mapping and the project proposal"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/epas/{id}/gateway", get(get_gateway).post(submit))
        .route("/epas/{id}/gateway/reviews", post(review))
        .route("/epas/{id}/gateway/approve", post(approve))
        .route("/epas/{id}/gateway/reject", post(reject))
        .route("/epas/{id}/gateway/coverage", get(coverage))
        .route("/epas/{id}/gateway/coverage.csv", get(coverage_csv))
        .route("/epas/{id}/gateway/coverage.svg", get(coverage_svg))
        .route(
            "/epas/{id}/proposal",
            get(get_proposal).post(rework_proposal),
        )
        .route("/epas/{id}/proposal/decision", post(decide_proposal))
}

/// Submit the gateway: a new attempt with its components.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/gateway", tag = "gateway", operation_id = "submit_gateway",
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    request_body = GatewayInput,
    responses(
        (status = 201, description = "Submitted: the EPA is at gateway_submitted", body = GatewayView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not the apprentice's training provider", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The EPA is not waiting for a gateway submission", body = Problem),
        (status = 422, description = "The submission needs fixing: every problem by field", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn submit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    idempotency::command(
        &state,
        &actor,
        &headers,
        &format!("POST /api/v1/epas/{id}/gateway"),
        &raw,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/gateway")),
        async |input: GatewayInput| {
            gateway::submit(&state.app, &actor, id, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

/// The EPA's gateway: every attempt with its components and decisions.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/gateway", tag = "gateway", operation_id = "get_gateway",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The gateway", body = GatewayView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_gateway(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<GatewayView>, ApiError> {
    Ok(Json(gateway::get(&state.app, &actor, path_id(id)?).await?))
}

/// Accept or reject one component of the attempt under review.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/gateway/reviews", tag = "gateway", operation_id = "review_gateway_component",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    request_body = ReviewInput,
    responses(
        (status = 200, description = "Recorded", body = GatewayView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No gateway is under review", body = Problem),
        (status = 422, description = "The review needs fixing (a rejection needs reasons)", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<GatewayView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(gateway::review(&state.app, &actor, id, input).await?))
}

/// Approve the attempt under review (every component accepted): the EPA
/// period starts today.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/gateway/approve", tag = "gateway", operation_id = "approve_gateway",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "Approved: the EPA is at gateway_approved", body = GatewayView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Not every component is accepted, or nothing is under review", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn approve(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<GatewayView>, ApiError> {
    Ok(Json(
        gateway::approve(&state.app, &actor, path_id(id)?).await?,
    ))
}

/// Reject the attempt under review (every component reviewed, one or more
/// rejected): the EPA returns to registered and the provider is emailed.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/gateway/reject", tag = "gateway", operation_id = "reject_gateway",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "Rejected: the EPA is back at registered", body = GatewayView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "A component is unreviewed, none is rejected, or nothing is under review", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn reject(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<GatewayView>, ApiError> {
    Ok(Json(
        gateway::reject(&state.app, &actor, path_id(id)?).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CoverageParams {
    /// The gateway attempt; the latest when absent.
    pub attempt: Option<i32>,
}

/// The portfolio mapping: each KSB of the portfolio's method and the
/// evidence covering it, with those uncovered.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/gateway/coverage", tag = "gateway", operation_id = "get_portfolio_coverage",
    params(("id" = Uuid, Path, description = "The EPA's ID"), CoverageParams),
    responses(
        (status = 200, description = "The coverage matrix", body = CoverageView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No gateway submitted yet", body = Problem),
        (status = 422, description = "No such attempt", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn coverage(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiQuery(params): ApiQuery<CoverageParams>,
) -> Result<Json<CoverageView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        gateway::coverage(&state.app, &actor, id, params.attempt).await?,
    ))
}

/// The portfolio mapping as CSV for the Portfolio Mapping and Tracking
/// Form: `ksb,statement,covered,evidence_numbers,evidence_titles`.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/gateway/coverage.csv", tag = "gateway", operation_id = "get_portfolio_coverage_csv",
    params(("id" = Uuid, Path, description = "The EPA's ID"), CoverageParams),
    responses(
        (status = 200, description = "One row per KSB, with a header row", body = String, content_type = "text/csv"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No gateway submitted yet", body = Problem),
        (status = 422, description = "No such attempt", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn coverage_csv(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiQuery(params): ApiQuery<CoverageParams>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let view = gateway::coverage(&state.app, &actor, id, params.attempt).await?;
    let disposition = format!(
        "attachment; filename=\"portfolio-mapping-{id}-attempt-{}.csv\"",
        view.attempt
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        epa_app::render::csv::gateway_coverage(&view),
    )
        .into_response())
}

/// The portfolio mapping as an SVG picture: the method's KSBs down, the
/// evidence items across, a tick where an item covers a KSB, uncovered KSBs
/// named, and a key of the evidence titles; with a title and description
/// for screen readers and no script.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/gateway/coverage.svg", tag = "gateway", operation_id = "get_portfolio_coverage_svg",
    params(("id" = Uuid, Path, description = "The EPA's ID"), CoverageParams),
    responses(
        (status = 200, description = "The coverage matrix as a picture", body = String, content_type = "image/svg+xml"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No gateway submitted yet", body = Problem),
        (status = 422, description = "No such attempt", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn coverage_svg(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiQuery(params): ApiQuery<CoverageParams>,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    let view = gateway::coverage(&state.app, &actor, id, params.attempt).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // Opened on its own, the picture may show itself and nothing else.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        epa_app::render::svg::gateway_coverage(&view),
    )
        .into_response())
}

/// The project proposal (a policy that decides it after gateway, such as
/// TQUK's): every version and decision, and any rework due date.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/proposal", tag = "gateway", operation_id = "get_proposal",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The proposal", body = ProposalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The policy agrees a synopsis at gateway instead", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<ProposalView>, ApiError> {
    Ok(Json(
        gateway::proposal(&state.app, &actor, path_id(id)?).await?,
    ))
}

/// Submit a reworked proposal after a rejection: a new version.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/proposal", tag = "gateway", operation_id = "rework_proposal",
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    request_body = ProposalInput,
    responses(
        (status = 201, description = "The new version", body = ProposalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not the apprentice's training provider", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The latest version is not rejected, or the policy has no proposal decision", body = Problem),
        (status = 422, description = "Over the word limit, or blank", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn rework_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response, ApiError> {
    let id = path_id(id)?;
    Ok(idempotency::command(
        &state,
        &actor,
        &headers,
        &format!("POST /api/v1/epas/{id}/proposal"),
        &raw,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/proposal")),
        async |input: ProposalInput| {
            gateway::rework_proposal(&state.app, &actor, id, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await)
}

/// Accept the latest version of the proposal, or reject it with feedback
/// and a rework deadline from the policy.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/proposal/decision", tag = "gateway", operation_id = "decide_proposal",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    request_body = ProposalDecisionInput,
    responses(
        (status = 200, description = "Decided", body = ProposalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Nothing to decide, already decided, or the policy agrees a synopsis at gateway", body = Problem),
        (status = 422, description = "A rejection needs feedback", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn decide_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<ProposalDecisionInput>,
) -> Result<Json<ProposalView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        gateway::decide_proposal(&state.app, &actor, id, input).await?,
    ))
}
