//! `/api/v1` routes for the EPA's assessment: assessment records,
//! judgements, results and their release, exceptional circumstances, the
//! certificate, resits, project rework, retakes and withdrawal.

use std::future::Future;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use epa_app::assessment::{
    self, AssessmentInput, AssessmentView, AttemptView, CertificateView, DueDate, ExceptionalView,
    JudgementInput, JudgementView, JudgementsInput, MethodProgress, MethodResultView, OverallView,
    ReasonInput, ReceiveInput, RecordedAssessment, ResitInput, ResultsView,
};
use epa_app::epas::EpaView;
use epa_app::{Actor, AppError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        record_assessment,
        list_assessments,
        record_judgements,
        list_judgements,
        results,
        release,
        exceptional_circumstances,
        claim_certificate,
        receive_certificate,
        resit,
        project_rework,
        retake,
        withdraw,
    ),
    components(schemas(
        AssessmentInput,
        AssessmentView,
        RecordedAssessment,
        JudgementInput,
        JudgementsInput,
        MethodProgress,
        MethodResultView,
        OverallView,
        DueDate,
        ResultsView,
        JudgementView,
        ExceptionalView,
        CertificateView,
        ReasonInput,
        ResitInput,
        ReceiveInput,
        AttemptView,
        NoBody,
    )),
    tags((name = "assessment", description = "Assessments, judgements, results, certificates, resits and retakes"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/epas/{id}/assessments",
            get(list_assessments).post(record_assessment),
        )
        .route(
            "/epas/{id}/assessments/{assessment_id}/judgements",
            post(record_judgements),
        )
        .route("/epas/{id}/judgements", get(list_judgements))
        .route("/epas/{id}/results", get(results))
        .route("/epas/{id}/results/release", post(release))
        .route(
            "/epas/{id}/exceptional-circumstances",
            post(exceptional_circumstances),
        )
        .route("/epas/{id}/certificate/claim", post(claim_certificate))
        .route("/epas/{id}/certificate/receive", post(receive_certificate))
        .route("/epas/{id}/resit", post(resit))
        .route("/epas/{id}/project-rework", post(project_rework))
        .route("/epas/{id}/retake", post(retake))
        .route("/epas/{id}/withdraw", post(withdraw))
}

/// An empty JSON object: the body of a command that needs no details.
#[derive(Debug, Default, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoBody {}

/// Runs one command: the idempotency key, the JSON body (an empty body is
/// `{}`), the use case, and the answer as JSON or problem details.
async fn command<I, O, F, Fut>(
    state: &AppState,
    actor: Actor,
    headers: &HeaderMap,
    route: String,
    body: Bytes,
    success: StatusCode,
    run: F,
) -> Response
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(Actor, I) -> Fut,
    Fut: Future<Output = Result<O, AppError>>,
{
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    idempotency::respond(state, &actor, headers, &route, &body, success, async {
        let input: I = serde_json::from_slice(text)
            .map_err(|err| ApiError::bad_request(format!("the body is not valid: {err}")))?;
        Ok::<_, ApiError>(run(actor.clone(), input).await?)
    })
    .await
}

/// Record what happened at one sitting of a method (the allocated assessor).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/assessments", tag = "assessment",
    request_body = AssessmentInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 201, description = "Recorded; the first sitting starts the assessment stage", body = RecordedAssessment),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not the allocated assessor", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Not possible at the EPA's stage, or already recorded", body = Problem),
        (status = 422, description = "The input needs fixing: a duration outside the tolerance names the allowed range", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn record_assessment(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/assessments"),
        body,
        StatusCode::CREATED,
        async |actor, input: AssessmentInput| {
            assessment::record_assessment(app, &actor, id, input).await
        },
    )
    .await
}

/// An EPA's assessment records.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/assessments", tag = "assessment",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The assessments, by attempt and date", body = Vec<AssessmentView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_assessments(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<AssessmentView>>, ApiError> {
    let id = path_id(id)?;
    assessment::assessments(&state.app, &actor, id)
        .await
        .map(Json)
        .map_err(ApiError)
}

/// Record judgements on criteria of one assessment's method (the allocated
/// assessor). A criterion judged again is superseded, never changed.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/assessments/{assessment_id}/judgements", tag = "assessment",
    request_body = JudgementsInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("assessment_id" = Uuid, Path, description = "The assessment's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 201, description = "Saved; the method's progress and, once fully judged, its provisional grade", body = MethodProgress),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not the allocated assessor", body = Problem),
        (status = 404, description = "No such EPA or assessment, or not yours to see", body = Problem),
        (status = 409, description = "Not possible at the EPA's stage", body = Problem),
        (status = 422, description = "The input needs fixing: an unknown criterion, or one of another method, is named", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn record_judgements(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ids: Result<Path<(Uuid, Uuid)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (id, assessment_id) = match path_id(ids) {
        Ok(ids) => ids,
        Err(answer) => return answer.into_response(),
    };
    let app = &state.app;
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/assessments/{assessment_id}/judgements"),
        body,
        StatusCode::CREATED,
        async |actor, input: JudgementsInput| {
            assessment::record_judgements(app, &actor, id, assessment_id, input).await
        },
    )
    .await
}

/// Every judgement on an EPA, superseded ones marked (EPAO staff and the
/// allocated assessor).
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/judgements", tag = "assessment",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The judgements, oldest first", body = Vec<JudgementView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not for the apprentice's side", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_judgements(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<JudgementView>>, ApiError> {
    let id = path_id(id)?;
    assessment::judgements(&state.app, &actor, id)
        .await
        .map(Json)
        .map_err(ApiError)
}

/// An EPA's results: method grades with explanations and graders, the
/// overall result, release state and due dates.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/results", tag = "assessment",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "The results", body = ResultsView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn results(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<ResultsView>, ApiError> {
    let id = path_id(id)?;
    assessment::results(&state.app, &actor, id)
        .await
        .map(Json)
        .map_err(ApiError)
}

/// Release the overall result (EPAO staff who graded none of its methods).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/results/release", tag = "assessment",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 200, description = "Released", body = ResultsView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff, or a grader of this result", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Not every method has a result, or already released", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn release(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/results/release"),
        body,
        StatusCode::OK,
        async |actor, _: NoBody| assessment::release_results(app, &actor, id).await,
    )
    .await
}

/// Record exceptional circumstances, which lift the resit/retake grade cap
/// where the policy allows (EPAO staff who did not grade the EPA).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/exceptional-circumstances", tag = "assessment",
    request_body = ReasonInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 201, description = "Recorded", body = ExceptionalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff, or a grader of the EPA", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The result is settled, or the policy has no such lift", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn exceptional_circumstances(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/exceptional-circumstances"),
        body,
        StatusCode::CREATED,
        async |actor, input: ReasonInput| {
            assessment::record_exceptional_circumstances(app, &actor, id, input).await
        },
    )
    .await
}

/// Claim the certificate for an achieved EPA (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/certificate/claim", tag = "assessment",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 201, description = "Claimed, with the policy's due date where it states one", body = CertificateView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Not achieved, or already claimed", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn claim_certificate(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/certificate/claim"),
        body,
        StatusCode::CREATED,
        async |actor, _: NoBody| assessment::claim_certificate(app, &actor, id).await,
    )
    .await
}

/// Record the claimed certificate as received (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/certificate/receive", tag = "assessment",
    request_body = ReceiveInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 200, description = "Received", body = CertificateView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "No certificate claimed", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn receive_certificate(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/certificate/receive"),
        body,
        StatusCode::OK,
        async |actor, input: ReceiveInput| {
            assessment::receive_certificate(app, &actor, id, input).await
        },
    )
    .await
}

/// After a fail: resit the failed methods (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/resit", tag = "assessment",
    request_body = ResitInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 201, description = "Resit started; the EPA is planned again", body = AttemptView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The EPA has not failed", body = Problem),
        (status = 422, description = "A method was passed (no resit to improve a grade), or outside a required window", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn resit(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/resit"),
        body,
        StatusCode::CREATED,
        async |actor, input: ResitInput| assessment::start_resit(app, &actor, id, input).await,
    )
    .await
}

/// After a failed project: rework it within the policy's rework period (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/project-rework", tag = "assessment",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 201, description = "Rework started, with its due date", body = AttemptView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The EPA has not failed", body = Problem),
        (status = 422, description = "The project did not fail, or the rework period is over", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn project_rework(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/project-rework"),
        body,
        StatusCode::CREATED,
        async |actor, _: NoBody| assessment::start_project_rework(app, &actor, id).await,
    )
    .await
}

/// After a fail: further learning and a new gateway (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/retake", tag = "assessment",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 201, description = "Retake started; the EPA is registered for a new gateway", body = AttemptView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The EPA has not failed", body = Problem),
        (status = 422, description = "Outside a required window", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn retake(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/retake"),
        body,
        StatusCode::CREATED,
        async |actor, _: NoBody| assessment::start_retake(app, &actor, id).await,
    )
    .await
}

/// Withdraw the apprentice, with the reason (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/withdraw", tag = "assessment",
    request_body = ReasonInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer"),
    ),
    responses(
        (status = 200, description = "Withdrawn", body = EpaView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The EPA's outcome is settled", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn withdraw(
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
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/withdraw"),
        body,
        StatusCode::OK,
        async |actor, input: ReasonInput| assessment::withdraw(app, &actor, id, input).await,
    )
    .await
}
