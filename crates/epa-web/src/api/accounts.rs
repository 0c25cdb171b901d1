//! `POST /api/v1/tokens`: sign in with an email and password for an API token.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use epa_app::accounts::{self, IssuedToken, SignIn};
use utoipa::OpenApi;

use super::problem::{ApiError, Problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(sign_in), components(schemas(SignIn, IssuedToken)))]
pub struct Api;

/// Sign in: an email and password in, an API token out.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "accounts",
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in", body = IssuedToken),
        (status = 422, description = "The email or password is not right", body = Problem),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let input: SignIn = serde_json::from_slice(&body).map_err(|err| {
        ApiError::bad_request(format!("send {{\"email\": ..., \"password\": ...}}: {err}"))
    })?;
    Ok((
        StatusCode::CREATED,
        Json(accounts::sign_in(&state.app, input).await?),
    ))
}
