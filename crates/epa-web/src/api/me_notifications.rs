//! A person's own notifications: `GET /api/v1/me/email-preferences` and
//! `PUT /api/v1/me/email-preferences/{kind}` (which emails they get);
//! `GET`, `POST` and `DELETE /api/v1/me/calendar` (their private calendar
//! feed: see, renew, revoke); and `GET /api/v1/calendar/{secret}.ics`,
//! the feed itself, which needs no token: its secret address is the key.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::AppError;
use epa_app::notifications::calendar_feed::{self, Feed};
use epa_app::notifications::preferences::{self, Preference, PreferenceInput};
use utoipa::OpenApi;

use super::auth::ApiActor;
use super::input::ApiJson;
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_email_preferences,
        set_email_preference,
        get_calendar_feed,
        renew_calendar_feed,
        revoke_calendar_feed,
        get_calendar
    ),
    components(schemas(Preference, PreferenceInput, Feed))
)]
pub struct Api;

/// Every kind of email, and whether you get it. Those you must act on are
/// `required` and always sent.
#[utoipa::path(
    get, path = "/api/v1/me/email-preferences", tag = "notifications", operation_id = "list_email_preferences",
    responses(
        (status = 200, description = "Each kind of email and whether you get it", body = [Preference]),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_email_preferences(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Preference>>, ApiError> {
    Ok(Json(preferences::list(&state.app, &actor).await?))
}

/// Switch one kind of email on or off. A kind you must act on cannot be
/// switched off (422).
#[utoipa::path(
    put, path = "/api/v1/me/email-preferences/{kind}", tag = "notifications", operation_id = "set_email_preference",
    params(("kind" = String, Path, description = "The kind, as the list names it")),
    request_body = PreferenceInput,
    responses(
        (status = 200, description = "Every preference, after the change", body = [Preference]),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such kind of email", body = Problem),
        (status = 422, description = "This kind must be acted on and cannot be switched off", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn set_email_preference(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    kind: Result<Path<String>, PathRejection>,
    ApiJson(input): ApiJson<PreferenceInput>,
) -> Result<Json<Vec<Preference>>, ApiError> {
    let kind = path_id(kind)?;
    Ok(Json(
        preferences::set(&state.app, &actor, &kind, input).await?,
    ))
}

/// Your private calendar feed. The first time, it is made and its secret
/// `url` given; after that only when it was issued, as only a hash of the
/// secret is kept: renew it (`POST`) to get a new address.
#[utoipa::path(
    get, path = "/api/v1/me/calendar", tag = "notifications", operation_id = "get_calendar_feed",
    responses(
        (status = 200, description = "Your feed; `url` when it was made now", body = Feed),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_calendar_feed(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Feed>, ApiError> {
    Ok(Json(calendar_feed::get(&state.app, &actor).await?))
}

/// A new secret address for your feed; the old one stops working at once.
#[utoipa::path(
    post, path = "/api/v1/me/calendar", tag = "notifications", operation_id = "renew_calendar_feed",
    responses(
        (status = 200, description = "The new address", body = Feed),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn renew_calendar_feed(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Feed>, ApiError> {
    Ok(Json(calendar_feed::renew(&state.app, &actor).await?))
}

/// Stop your feed: its address answers 404 from now on.
#[utoipa::path(
    delete, path = "/api/v1/me/calendar", tag = "notifications", operation_id = "revoke_calendar_feed",
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "You have no feed", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn revoke_calendar_feed(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<StatusCode, ApiError> {
    calendar_feed::revoke(&state.app, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A private calendar feed (`text/calendar`): every booking its owner may
/// see. No token: the secret address is the key.
#[utoipa::path(
    get, path = "/api/v1/calendar/{feed}", tag = "notifications", operation_id = "get_calendar",
    params(("feed" = String, Path, description = "The secret, then `.ics`")),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String),
        (status = 404, description = "No such feed, or it was renewed or revoked", body = Problem),
    )
)]
pub async fn get_calendar(
    State(state): State<AppState>,
    feed: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let feed = path_id(feed)?;
    let secret = feed.strip_suffix(".ics").unwrap_or(&feed);
    if secret.is_empty() || secret.len() > 128 || !secret.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(ApiError(AppError::NotFound));
    }
    let text = calendar_feed::serve(&state.app, secret).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        text,
    )
        .into_response())
}
