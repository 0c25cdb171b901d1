//! `POST /api/v1/tokens`: sign in with an email and password for an API
//! token; `GET /api/v1/tokens/current`: whom the token sent names.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::AppError;
use epa_app::accounts::{self, IssuedToken, SignIn};
use serde::Serialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::ApiActor;
use super::input;
use super::problem::{ApiError, Problem, problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(sign_in, current_token),
    components(schemas(SignIn, IssuedToken, CurrentToken, MembershipView))
)]
pub struct Api;

/// Where a new token can be read back: the token itself decides whose it is.
const CURRENT: &str = "/api/v1/tokens/current";

/// Sign in: an email and password in, an API token out.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "accounts", operation_id = "sign_in",
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in", body = IssuedToken,
            headers(("Location" = String, description = "`/api/v1/tokens/current`: read with the new token, it names its holder"))),
        (status = 401, description = "The email or password is not right", body = Problem,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 415, description = "The body is not declared as JSON", body = Problem),
        (status = 422, description = "The body is not a sign-in (a field is missing, or holds a control character)", body = Problem),
    )
)]
pub async fn sign_in(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let input: SignIn = match input::json(&headers, &body) {
        Ok(input) => input,
        Err(err) => return err.into_response(),
    };
    match accounts::sign_in(&state.app, input).await {
        Ok(issued) => {
            let mut response = (StatusCode::CREATED, Json(issued)).into_response();
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static(CURRENT));
            response
        }
        // The use case refuses a wrong email or password as bad input; to a
        // client it is a failed authentication, which is 401.
        Err(AppError::Validation(_)) => {
            let mut response = problem(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "The email or password is not right",
                None,
                Vec::new(),
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
        Err(err) => ApiError(err).into_response(),
    }
}

/// Whom a token names: the person and their roles now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CurrentToken {
    pub user_id: Uuid,
    pub memberships: Vec<MembershipView>,
}

/// One role a person holds in one organisation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MembershipView {
    pub organisation_id: Uuid,
    /// `epao_admin`, `epao_operations`, `assessor`, `quality_assurer`,
    /// `provider_user`, `employer_user` or `apprentice`.
    pub role: String,
}

/// The person the token sent names, with their roles as they are now.
#[utoipa::path(
    get, path = "/api/v1/tokens/current", tag = "accounts", operation_id = "get_current_token",
    responses(
        (status = 200, description = "The token's holder", body = CurrentToken),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn current_token(ApiActor(actor): ApiActor) -> Json<CurrentToken> {
    Json(CurrentToken {
        user_id: actor.user_id,
        memberships: actor
            .memberships
            .iter()
            .map(|m| MembershipView {
                organisation_id: m.organisation_id,
                role: m.role.as_str().to_owned(),
            })
            .collect(),
    })
}
