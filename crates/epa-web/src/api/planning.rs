//! `/api/v1` routes for the EPA's planning: conflicts of interest, the
//! planning meeting, bookings (cancel, reschedule, no-show), the report and
//! portfolio submission dates, and an assessor's allocations.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use epa_app::FieldError;
use epa_app::planning::{
    self, Allocation, Booked, BookingError, BookingInput, BookingView, ConflictInput, ConflictView,
    PlanningMeetingHeld, PlanningMeetingInput, PlanningMeetingView, ReasonInput, RescheduleInput,
    RuleFinding, SubmissionInput, SubmissionView,
};
use serde::Serialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency::{self, text_at};
use super::input::ApiJson;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        declare_conflict,
        conflicts_of,
        hold_planning_meeting,
        planning_meetings,
        book,
        bookings,
        reschedule,
        cancel,
        no_show,
        record_submission,
        my_allocations
    ),
    components(schemas(
        ConflictInput,
        ConflictView,
        PlanningMeetingInput,
        PlanningMeetingView,
        PlanningMeetingHeld,
        BookingInput,
        RescheduleInput,
        ReasonInput,
        BookingView,
        Booked,
        RuleFinding,
        RuleProblem,
        SubmissionInput,
        SubmissionView,
        Allocation
    )),
    tags((name = "planning", description = "Conflicts of interest, planning meetings, bookings and allocations"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/conflicts", post(declare_conflict))
        .route("/users/{id}/conflicts", get(conflicts_of))
        .route(
            "/epas/{id}/planning-meeting",
            get(planning_meetings).post(hold_planning_meeting),
        )
        .route("/epas/{id}/bookings", get(bookings).post(book))
        .route("/bookings/{id}/reschedule", post(reschedule))
        .route("/bookings/{id}/cancel", post(cancel))
        .route("/bookings/{id}/no-show", post(no_show))
        .route("/epas/{id}/submissions", post(record_submission))
        .route("/assessors/me/allocations", get(my_allocations))
}

/// A booking refused by the assessment plan: the problem details with each
/// rule broken, its source, and the earliest (or latest) date allowed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleProblem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Optional in the schema: the same 422 also answers plain input
    /// problems, which are ordinary problem details without the rule fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The `date` field, with each rule's message.
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// The soonest date meeting every refusing rule that sets a floor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_allowed: Option<chrono::NaiveDate>,
    /// The last date meeting every refusing rule that sets a limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_allowed: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub refusals: Vec<RuleFinding>,
    /// "Recommended" rules the booking would also not follow.
    #[serde(default)]
    pub warnings: Vec<RuleFinding>,
}

fn booking_error(err: BookingError) -> Response {
    match err {
        BookingError::App(err) => ApiError(err).into_response(),
        BookingError::Refused { refusals, warnings } => {
            let earliest_allowed = refusals.iter().filter_map(|r| r.earliest_allowed).max();
            let latest_allowed = refusals.iter().filter_map(|r| r.latest_allowed).min();
            let body = RuleProblem {
                kind: "https://openepa.org/problems/booking-rule".to_owned(),
                title: "The booking does not meet the assessment plan's rules".to_owned(),
                status: StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
                detail: Some(
                    refusals
                        .iter()
                        .map(|r| r.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                errors: refusals
                    .iter()
                    .map(|r| FieldError::new("date", r.message.clone()))
                    .collect(),
                earliest_allowed,
                latest_allowed,
                refusals,
                warnings,
            };
            let mut response = (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/problem+json"),
            );
            response
        }
    }
}

/// Declare a conflict of interest with an employer or training provider.
#[utoipa::path(
    post, path = "/api/v1/conflicts", tag = "planning", operation_id = "declare_conflict",
    request_body = ConflictInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours")),
    responses(
        (status = 201, description = "Declared", body = ConflictView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 409, description = "Already declared", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn declare_conflict(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    idempotency::command(
        &state,
        &actor,
        &headers,
        "POST /api/v1/conflicts",
        &body,
        StatusCode::CREATED,
        &|view| text_at(view, "/user_id").map(|user| format!("/api/v1/users/{user}/conflicts")),
        async |input: ConflictInput| {
            planning::declare_conflict(&state.app, &actor, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

/// One person's conflicts of interest.
#[utoipa::path(
    get, path = "/api/v1/users/{id}/conflicts", tag = "planning", operation_id = "list_user_conflicts",
    params(("id" = Uuid, Path, description = "The user's ID")),
    responses(
        (status = 200, description = "Their conflicts, oldest first", body = Vec<ConflictView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn conflicts_of(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    match planning::conflicts_of(&state.app, &actor, id).await {
        Ok(list) => Json(list).into_response(),
        Err(err) => ApiError(err).into_response(),
    }
}

/// Record the planning meeting: allocates the assessor and moves the EPA to `planned`.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/planning-meeting", tag = "planning", operation_id = "hold_planning_meeting",
    request_body = PlanningMeetingInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Held; the EPA is planned", body = PlanningMeetingHeld),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Not at this stage: says what is allowed next", body = Problem),
        (status = 422, description = "The input needs fixing (a conflicted assessor among it)", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn hold_planning_meeting(
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
        &format!("POST /api/v1/epas/{id}/planning-meeting"),
        &body,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/planning-meeting")),
        async |input: PlanningMeetingInput| {
            planning::hold_planning_meeting(&state.app, &actor, id, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

/// The EPA's planning meetings.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/planning-meeting", tag = "planning", operation_id = "list_planning_meetings",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "Its planning meetings, oldest first", body = Vec<PlanningMeetingView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn planning_meetings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    match planning::planning_meetings(&state.app, &actor, id).await {
        Ok(list) => Json(list).into_response(),
        Err(err) => ApiError(err).into_response(),
    }
}

/// Book the observation, the project interview or the discussion.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/bookings", tag = "planning", operation_id = "book_assessment",
    request_body = BookingInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Booked, with any recommended rule not followed", body = Booked),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Not at this stage, or the method is already booked", body = Problem),
        (status = 422, description = "The input needs fixing, or a plan rule refuses the date", body = RuleProblem),
    ),
    security(("token" = []))
)]
pub async fn book(
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
        &format!("POST /api/v1/epas/{id}/bookings"),
        &body,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/bookings")),
        async |input: BookingInput| {
            planning::book(&state.app, &actor, id, input)
                .await
                .map_err(booking_error)
        },
    )
    .await
}

/// Every booking of the EPA, history included.
#[utoipa::path(
    get, path = "/api/v1/epas/{id}/bookings", tag = "planning", operation_id = "list_bookings",
    params(("id" = Uuid, Path, description = "The EPA's ID")),
    responses(
        (status = 200, description = "Its bookings by date", body = Vec<BookingView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn bookings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    match planning::bookings(&state.app, &actor, id).await {
        Ok(list) => Json(list).into_response(),
        Err(err) => ApiError(err).into_response(),
    }
}

/// Move a booking: the old one is kept as rescheduled, a new one replaces it.
#[utoipa::path(
    post, path = "/api/v1/bookings/{id}/reschedule", tag = "planning", operation_id = "reschedule_booking",
    request_body = RescheduleInput,
    params(
        ("id" = Uuid, Path, description = "The booking's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "The new booking", body = Booked),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such booking, or not yours to see", body = Problem),
        (status = 409, description = "The booking is no longer live", body = Problem),
        (status = 422, description = "The input needs fixing, or a plan rule refuses the date", body = RuleProblem),
    ),
    security(("token" = []))
)]
pub async fn reschedule(
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
        &format!("POST /api/v1/bookings/{id}/reschedule"),
        &body,
        StatusCode::CREATED,
        &|view| text_at(view, "/booking/epa_id").map(|epa| format!("/api/v1/epas/{epa}/bookings")),
        async |input: RescheduleInput| {
            planning::reschedule(&state.app, &actor, id, input)
                .await
                .map_err(booking_error)
        },
    )
    .await
}

/// Cancel a booking, with the reason. The booking is kept.
#[utoipa::path(
    post, path = "/api/v1/bookings/{id}/cancel", tag = "planning", operation_id = "cancel_booking",
    request_body = ReasonInput,
    params(("id" = Uuid, Path, description = "The booking's ID")),
    responses(
        (status = 200, description = "Cancelled", body = BookingView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such booking, or not yours to see", body = Problem),
        (status = 409, description = "The booking is no longer live", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn cancel(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    match planning::cancel(&state.app, &actor, id, input).await {
        Ok(view) => Json(view).into_response(),
        Err(err) => ApiError(err).into_response(),
    }
}

/// Record that the apprentice did not attend (not an attempt).
#[utoipa::path(
    post, path = "/api/v1/bookings/{id}/no-show", tag = "planning", operation_id = "record_no_show",
    request_body = ReasonInput,
    params(("id" = Uuid, Path, description = "The booking's ID")),
    responses(
        (status = 200, description = "Recorded", body = BookingView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such booking, or not yours to see", body = Problem),
        (status = 409, description = "The booking is not live, or its day has not come", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn no_show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Response {
    let id = match path_id(id) {
        Ok(id) => id,
        Err(err) => return err.into_response(),
    };
    match planning::record_no_show(&state.app, &actor, id, input).await {
        Ok(view) => Json(view).into_response(),
        Err(err) => ApiError(err).into_response(),
    }
}

/// Record when the project report or the portfolio was submitted.
#[utoipa::path(
    post, path = "/api/v1/epas/{id}/submissions", tag = "planning", operation_id = "record_submission",
    request_body = SubmissionInput,
    params(
        ("id" = Uuid, Path, description = "The EPA's ID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours"),
    ),
    responses(
        (status = 201, description = "Recorded, with bookings it puts at odds with the plan", body = SubmissionView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such EPA, or not yours to see", body = Problem),
        (status = 409, description = "Not at this stage", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn record_submission(
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
        &format!("POST /api/v1/epas/{id}/submissions"),
        &body,
        StatusCode::CREATED,
        &|_| Some(format!("/api/v1/epas/{id}/deadlines")),
        async |input: SubmissionInput| {
            planning::record_submission(&state.app, &actor, id, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

/// The signed-in assessor's allocated EPAs and their upcoming bookings.
#[utoipa::path(
    get, path = "/api/v1/assessors/me/allocations", tag = "planning", operation_id = "list_my_allocations",
    responses(
        (status = 200, description = "Allocated EPAs with upcoming bookings", body = Vec<Allocation>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not an assessor", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn my_allocations(State(state): State<AppState>, ApiActor(actor): ApiActor) -> Response {
    match planning::my_allocations(&state.app, &actor).await {
        Ok(list) => Json(list).into_response(),
        Err(err) => ApiError(err).into_response(),
    }
}
