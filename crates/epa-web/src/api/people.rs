//! People and organisations: `/api/v1/organisations` (add, list, read,
//! edit) and `/api/v1/users` (invite, list, read, deactivate, reactivate,
//! and their tokens).

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use epa_app::people::assessor_profile::{self, ProfileInput, ProfileView};
use epa_app::people::create_organisation::{self, NewOrganisationInput};
use epa_app::people::deactivate::{self, Reason};
use epa_app::people::edit_organisation::{self, OrganisationEdit};
use epa_app::people::invite::{self, Invitation};
use epa_app::people::tokens::{self as people_tokens, TokenView};
use epa_app::people::users::{self, UserPage, UserQuery};
use epa_app::people::{OrganisationView, UserView, organisations};
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::idempotency::{self, text_at};
use super::input::{ApiJson, ApiQuery};
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        create_organisation,
        list_organisations,
        get_organisation,
        edit_organisation,
        invite_user,
        list_users,
        get_user,
        deactivate_user,
        reactivate_user,
        list_user_tokens,
        revoke_user_tokens,
        get_assessor_profile,
        set_assessor_profile
    ),
    components(schemas(
        NewOrganisationInput,
        OrganisationEdit,
        OrganisationView,
        Invitation,
        UserView,
        UserPage,
        Reason,
        TokenView,
        ProfileInput,
        ProfileView
    )),
    tags((name = "people", description = "Organisations and the people who sign in"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations",
            get(list_organisations).post(create_organisation),
        )
        .route(
            "/organisations/{id}",
            get(get_organisation).patch(edit_organisation),
        )
        .route("/users", get(list_users).post(invite_user))
        .route("/users/{id}", get(get_user))
        .route("/users/{id}/deactivate", post(deactivate_user))
        .route("/users/{id}/reactivate", post(reactivate_user))
        .route(
            "/users/{id}/tokens",
            get(list_user_tokens).delete(revoke_user_tokens),
        )
        .route(
            "/users/{id}/assessor-profile",
            get(get_assessor_profile).put(set_assessor_profile),
        )
        .route("/tokens", get(super::accounts::list_own_tokens))
        .route(
            "/tokens/{id}",
            axum::routing::delete(super::accounts::revoke_token),
        )
        .route(
            "/invitations/accept",
            post(super::accounts::accept_invitation),
        )
        .route("/second-factor", post(super::accounts::start_second_factor))
        .route(
            "/second-factor/confirm",
            post(super::accounts::confirm_second_factor),
        )
        .route(
            "/password-resets",
            post(super::accounts::request_password_reset),
        )
        .route(
            "/password-resets/complete",
            post(super::accounts::reset_password),
        )
}

/// Add a training provider or an employer (EPAO admins).
#[utoipa::path(
    post, path = "/api/v1/organisations", tag = "people", operation_id = "create_organisation",
    request_body = NewOrganisationInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours")),
    responses(
        (status = 201, description = "Added", body = OrganisationView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn create_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    idempotency::command(
        &state,
        &actor,
        &headers,
        "POST /api/v1/organisations",
        &body,
        StatusCode::CREATED,
        &|view| text_at(view, "/id").map(|id| format!("/api/v1/organisations/{id}")),
        async |input: NewOrganisationInput| {
            create_organisation::create_organisation(&state.app, &actor, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrganisationParams {
    /// Only organisations of this kind: `epao`, `provider` or `employer`.
    pub kind: Option<String>,
}

/// The organisations the caller may see, by name.
#[utoipa::path(
    get, path = "/api/v1/organisations", tag = "people", operation_id = "list_organisations",
    params(OrganisationParams),
    responses(
        (status = 200, description = "Organisations", body = Vec<OrganisationView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 422, description = "A parameter needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_organisations(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<OrganisationParams>,
) -> Result<Json<Vec<OrganisationView>>, ApiError> {
    Ok(Json(
        organisations::list_organisations(&state.app, &actor, params.kind.as_deref()).await?,
    ))
}

/// One organisation.
#[utoipa::path(
    get, path = "/api/v1/organisations/{id}", tag = "people", operation_id = "get_organisation",
    params(("id" = Uuid, Path, description = "The organisation's ID")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such organisation, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<OrganisationView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        organisations::get_organisation(&state.app, &actor, id).await?,
    ))
}

/// The version an `If-Match` header names: `"7"`, `W/"7"` or `7`.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let tag = text.trim_start_matches("W/").trim_matches('"');
    tag.parse::<i64>().map(Some).map_err(|_| {
        ApiError(epa_app::AppError::field(
            "If-Match",
            "send the record_version, such as \"7\"",
        ))
    })
}

/// Edit an organisation (EPAO admins): send its `record_version` as
/// `If-Match` (or in the body); a stale one is refused with 412.
#[utoipa::path(
    patch, path = "/api/v1/organisations/{id}", tag = "people", operation_id = "edit_organisation",
    request_body = OrganisationEdit,
    params(
        ("id" = Uuid, Path, description = "The organisation's ID"),
        ("If-Match" = Option<String>, Header, description = "The record_version as last read"),
    ),
    responses(
        (status = 200, description = "Edited", body = OrganisationView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such organisation, or not yours to see", body = Problem),
        (status = 409, description = "Changed by someone else meanwhile", body = Problem),
        (status = 412, description = "The record_version is not the stored one", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn edit_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    ApiJson(mut input): ApiJson<OrganisationEdit>,
) -> Result<Json<OrganisationView>, ApiError> {
    let id = path_id(id)?;
    if let Some(version) = if_match(&headers)? {
        input.record_version = Some(version);
    }
    Ok(Json(
        edit_organisation::edit_organisation(&state.app, &actor, id, input).await?,
    ))
}

/// Invite someone to a role in an organisation: they are emailed a link
/// (valid 7 days, single use) to set their password.
#[utoipa::path(
    post, path = "/api/v1/users", tag = "people", operation_id = "invite_user",
    request_body = Invitation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a POST safely: the same key returns the first answer for at least 24 hours")),
    responses(
        (status = 201, description = "Invited", body = UserView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such organisation, or not yours to see", body = Problem),
        (status = 409, description = "Someone with this email already has an account", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn invite_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    idempotency::command(
        &state,
        &actor,
        &headers,
        "POST /api/v1/users",
        &body,
        StatusCode::CREATED,
        &|view| text_at(view, "/id").map(|id| format!("/api/v1/users/{id}")),
        async |input: Invitation| {
            invite::invite(&state.app, &actor, input)
                .await
                .map_err(|err| ApiError(err).into_response())
        },
    )
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserParams {
    /// Only people holding this role.
    pub role: Option<String>,
    /// Only people with a role in this organisation.
    pub organisation_id: Option<Uuid>,
    /// Part of a name or email.
    pub q: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// How many to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// The people the caller manages or may see, in name order, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "people", operation_id = "list_users",
    params(UserParams),
    responses(
        (status = 200, description = "A page of people", body = UserPage),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 422, description = "A parameter needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<UserParams>,
) -> Result<Json<UserPage>, ApiError> {
    let query = UserQuery {
        role: params.role,
        organisation_id: params.organisation_id,
        q: params.q,
        cursor: params.cursor,
        limit: params.limit,
    };
    Ok(Json(users::list_users(&state.app, &actor, query).await?))
}

/// One person.
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "people", operation_id = "get_user",
    params(("id" = Uuid, Path, description = "The person's ID")),
    responses(
        (status = 200, description = "The person", body = UserView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<UserView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(users::get_user(&state.app, &actor, id).await?))
}

/// Deactivate someone, with the reason: their tokens stop at once.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/deactivate", tag = "people", operation_id = "deactivate_user",
    request_body = Reason,
    params(("id" = Uuid, Path, description = "The person's ID")),
    responses(
        (status = 200, description = "Deactivated", body = UserView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
        (status = 409, description = "Already deactivated", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn deactivate_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<Reason>,
) -> Result<Json<UserView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        deactivate::deactivate(&state.app, &actor, id, input).await?,
    ))
}

/// Reactivate someone, with the reason: they sign in again (their old
/// tokens stay revoked).
#[utoipa::path(
    post, path = "/api/v1/users/{id}/reactivate", tag = "people", operation_id = "reactivate_user",
    request_body = Reason,
    params(("id" = Uuid, Path, description = "The person's ID")),
    responses(
        (status = 200, description = "Reactivated", body = UserView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
        (status = 409, description = "Not deactivated", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn reactivate_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    ApiJson(input): ApiJson<Reason>,
) -> Result<Json<UserView>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        deactivate::reactivate(&state.app, &actor, id, input).await?,
    ))
}

/// A person's tokens in force (their own, or anyone's for EPAO admins).
#[utoipa::path(
    get, path = "/api/v1/users/{id}/tokens", tag = "people", operation_id = "list_user_tokens",
    params(("id" = Uuid, Path, description = "The person's ID")),
    responses(
        (status = 200, description = "Their tokens", body = Vec<TokenView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_user_tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        people_tokens::list_tokens(&state.app, &actor, id).await?,
    ))
}

/// Revoke every token of a person (their own, or anyone's for EPAO admins).
#[utoipa::path(
    delete, path = "/api/v1/users/{id}/tokens", tag = "people", operation_id = "revoke_user_tokens",
    params(("id" = Uuid, Path, description = "The person's ID")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn revoke_user_tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = path_id(id)?;
    people_tokens::revoke_all_tokens(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An assessor's profile (regions, capacity, unavailable days from today,
/// conflicts of interest); `null` before one is set.
#[utoipa::path(
    get, path = "/api/v1/users/{id}/assessor-profile", tag = "people", operation_id = "get_assessor_profile",
    params(("id" = Uuid, Path, description = "The assessor's ID")),
    responses(
        (status = 200, description = "The profile, or null", body = Option<ProfileView>),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
        (status = 409, description = "The person is not an assessor", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_assessor_profile(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Option<ProfileView>>, ApiError> {
    let id = path_id(id)?;
    Ok(Json(
        assessor_profile::get_profile(&state.app, &actor, id).await?,
    ))
}

/// Set an assessor's profile (the assessor, or EPAO admin and operations):
/// send its `record_version` as `If-Match` (or in the body) once it exists.
#[utoipa::path(
    put, path = "/api/v1/users/{id}/assessor-profile", tag = "people", operation_id = "set_assessor_profile",
    request_body = ProfileInput,
    params(
        ("id" = Uuid, Path, description = "The assessor's ID"),
        ("If-Match" = Option<String>, Header, description = "The record_version as last read"),
    ),
    responses(
        (status = 200, description = "Saved", body = ProfileView),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such person, or not yours to see", body = Problem),
        (status = 409, description = "Not an assessor, or changed by someone else meanwhile", body = Problem),
        (status = 412, description = "The record_version is not the stored one", body = Problem),
        (status = 422, description = "The input needs fixing", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn set_assessor_profile(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
    headers: HeaderMap,
    ApiJson(mut input): ApiJson<ProfileInput>,
) -> Result<Json<ProfileView>, ApiError> {
    let id = path_id(id)?;
    if let Some(version) = if_match(&headers)? {
        input.record_version = Some(version);
    }
    Ok(Json(
        assessor_profile::set_profile(&state.app, &actor, id, input).await?,
    ))
}
