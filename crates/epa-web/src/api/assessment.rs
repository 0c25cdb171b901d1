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
        release_method,
        exceptional_circumstances,
        confirm_exceptional_circumstances,
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
        AttemptStarted,
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
        .route("/epas/{id}/results/{method}/release", post(release_method))
        .route(
            "/epas/{id}/exceptional-circumstances",
            post(exceptional_circumstances),
        )
        .route(
            "/epas/{id}/exceptional-circumstances/{record_id}/confirm",
            post(confirm_exceptional_circumstances),
        )
        .route("/epas/{id}/certificate/claim", post(claim_certificate))
        .route("/epas/{id}/certificate/receive", post(receive_certificate))
        .route("/epas/{id}/resit", post(resit))
        .route("/epas/{id}/project-rework", post(project_rework))
        .route("/epas/{id}/retake", post(retake))
        .route("/epas/{id}/withdraw", post(withdraw))
}

/// The answer to starting a resit, a project rework or a retake. Its Rust
/// type is `assessment::AttemptView`, which shares its name with the
/// gateway's attempt; in the document it is `AttemptStarted`, so that each
/// schema name means one shape.
pub struct AttemptStarted;

impl utoipa::PartialSchema for AttemptStarted {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <AttemptView as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for AttemptStarted {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("AttemptStarted")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <AttemptView as utoipa::ToSchema>::schemas(schemas);
    }
}

/// An empty JSON object: the body of a command that needs no details.
#[derive(Debug, Default, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoBody {}

/// Runs one command through [`idempotency::command`]; a 201 answers with
/// `location` as its `Location`.
#[allow(clippy::too_many_arguments)]
async fn command<I, O, F, Fut>(
    state: &AppState,
    actor: Actor,
    headers: &HeaderMap,
    route: String,
    body: Bytes,
    success: StatusCode,
    location: Option<String>,
    run: F,
) -> Response
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(Actor, I) -> Fut,
    Fut: Future<Output = Result<O, AppError>>,
{
    let locate = move |_: &serde_json::Value| location.clone();
    idempotency::command(
        state,
        &actor,
        headers,
        &route,
        &body,
        success,
        &locate,
        async |input: I| {
            run(actor.clone(), input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

/// Record what happened at one sitting of a method (the allocated assessor).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/assessments", tag = "assessment", operation_id = "record_assessment",
    request_body = AssessmentInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
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
        Some(format!("/api/v1/epas/{id}/assessments")),
        async |actor, input: AssessmentInput| {
            assessment::record_assessment(app, &actor, id, input).await
        },
    )
    .await
}

/// An EPA's assessment records.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/assessments", tag = "assessment", operation_id = "list_assessments",
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
    post, path = "/api/v1/epas/{id}/assessments/{assessment_id}/judgements", tag = "assessment", operation_id = "record_judgements",
    request_body = JudgementsInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("assessment_id" = Uuid, Path, description = "The assessment's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
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
        Some(format!("/api/v1/epas/{id}/judgements")),
        async |actor, input: JudgementsInput| {
            assessment::record_judgements(app, &actor, id, assessment_id, input).await
        },
    )
    .await
}

/// Every judgement on an EPA, superseded ones marked (EPAO staff and the
/// allocated assessor).
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/judgements", tag = "assessment", operation_id = "list_judgements",
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
    get, path = "/api/v1/epas/{id}/results", tag = "assessment", operation_id = "get_results",
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
    post, path = "/api/v1/epas/{id}/results/release", tag = "assessment", operation_id = "release_results",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
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
        None,
        async |actor, _: NoBody| assessment::release_results(app, &actor, id).await,
    )
    .await
}

/// Release one method's result (EPAO staff who graded none of that
/// method's assessment). Releasing the last method also releases the
/// overall result.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/results/{method}/release", tag = "assessment",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("method" = String, Path, description = "`observation`, `project` or `discussion`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 200, description = "Released; the overall result too when it was the last method", body = ResultsView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff, or a grader of this method (or, for the last method, of any method the overall result stands on)", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "The method has no provisional result to release", body = Problem),
        (status = 422, description = "Not a method", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn release_method(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    path: Result<Path<(Uuid, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (id, method) = match path_id(path) {
        Ok(path) => path,
        Err(answer) => return answer.into_response(),
    };
    let app = &state.app;
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/results/{method}/release"),
        body,
        StatusCode::OK,
        None,
        async |actor, _: NoBody| assessment::release_method_result(app, &actor, id, &method).await,
    )
    .await
}

/// Record exceptional circumstances accounting for a fail, which lift the
/// resit/retake grade cap where the policy allows: decided by EPAO staff who
/// did not grade the EPA (TQUK), or identified by the EPA's assessor and
/// then confirmed (Innovate).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/exceptional-circumstances", tag = "assessment", operation_id = "record_exceptional_circumstances",
    request_body = ReasonInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Recorded", body = ExceptionalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not the person the policy names: EPAO staff who did not grade the EPA (TQUK), the EPA's assessor (Innovate)", body = Problem),
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
        Some(format!("/api/v1/epas/{id}/results")),
        async |actor, input: ReasonInput| {
            assessment::record_exceptional_circumstances(app, &actor, id, input).await
        },
    )
    .await
}

/// Confirm exceptional circumstances the EPA's assessor identified, where
/// the policy asks for a second person (Innovate: EPAO staff who graded no
/// part of the EPA). Only a confirmed record lifts the cap there.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/exceptional-circumstances/{record_id}/confirm", tag = "assessment",
    operation_id = "confirm_exceptional_circumstances",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("record_id" = Uuid, Path, description = "The exceptional circumstances' ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 200, description = "Confirmed", body = ExceptionalView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not EPAO staff independent of the grading, or the person who identified them", body = Problem),
        (status = 404, description = "No such EPA or record, or not yours to see", body = Problem),
        (status = 409, description = "Confirmed already, the result is settled, or the policy asks for no confirmation", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn confirm_exceptional_circumstances(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    path: Result<Path<(Uuid, Uuid)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (id, record_id) = match path_id(path) {
        Ok(path) => path,
        Err(answer) => return answer.into_response(),
    };
    let app = &state.app;
    command(
        &state,
        actor,
        &headers,
        format!("POST /api/v1/epas/{id}/exceptional-circumstances/{record_id}/confirm"),
        body,
        StatusCode::OK,
        None,
        async |actor, _: NoBody| {
            assessment::confirm_exceptional_circumstances(app, &actor, id, record_id).await
        },
    )
    .await
}

/// Claim the certificate for an achieved EPA (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/certificate/claim", tag = "assessment", operation_id = "claim_certificate",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
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
        Some(format!("/api/v1/epas/{id}/results")),
        async |actor, _: NoBody| assessment::claim_certificate(app, &actor, id).await,
    )
    .await
}

/// Record the claimed certificate as received (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/certificate/receive", tag = "assessment", operation_id = "receive_certificate",
    request_body = ReceiveInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
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
        None,
        async |actor, input: ReceiveInput| {
            assessment::receive_certificate(app, &actor, id, input).await
        },
    )
    .await
}

/// After a fail: resit the failed methods (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/resit", tag = "assessment", operation_id = "start_resit",
    request_body = ResitInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Resit started; the EPA is planned again", body = AttemptStarted),
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
        Some(format!("/api/v1/epas/{id}")),
        async |actor, input: ResitInput| assessment::start_resit(app, &actor, id, input).await,
    )
    .await
}

/// After a failed project: rework it within the policy's rework period (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/project-rework", tag = "assessment", operation_id = "start_project_rework",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Rework started, with its due date", body = AttemptStarted),
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
        Some(format!("/api/v1/epas/{id}")),
        async |actor, _: NoBody| assessment::start_project_rework(app, &actor, id).await,
    )
    .await
}

/// After a fail: further learning and a new gateway (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/retake", tag = "assessment", operation_id = "start_retake",
    request_body(content = NoBody, description = "Empty, or `{}`"),
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Retake started; the EPA is registered for a new gateway", body = AttemptStarted),
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
        Some(format!("/api/v1/epas/{id}")),
        async |actor, _: NoBody| assessment::start_retake(app, &actor, id).await,
    )
    .await
}

/// Withdraw the apprentice, with the reason (EPAO staff).
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/withdraw", tag = "assessment", operation_id = "withdraw_apprentice",
    request_body = ReasonInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
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
        None,
        async |actor, input: ReasonInput| assessment::withdraw(app, &actor, id, input).await,
    )
    .await
}
