//! `POST /api/v1/tokens`: sign in with an email and password for an API
//! token; `GET /api/v1/tokens/current`: whom the token sent names, and
//! `DELETE` it to sign out; `GET /api/v1/tokens`: one's tokens in force;
//! `DELETE /api/v1/tokens/{id}`: revoke one; and
//! `POST /api/v1/invitations/accept`: set a password from an invitation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::accounts::{self, IssuedToken, SignIn, SignInRefused};
use epa_app::people::accept_invitation::{self, SetPassword};
use epa_app::people::reset_password::{self, ResetRequest};
use epa_app::people::second_factor::{self, CodeInput, Enrolment, RecoveryCodes};
use epa_app::people::tokens::{self as people_tokens, TokenView};
use serde::Serialize;
use utoipa::OpenApi;
use uuid::Uuid;

use super::auth::{ApiActor, ApiToken, ClientAddress};
use super::input::{self, ApiJson};
use super::problem::{ApiError, Problem, path_id, problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        sign_in,
        current_token,
        sign_out,
        list_own_tokens,
        revoke_token,
        accept_invitation,
        request_password_reset,
        reset_password,
        start_second_factor,
        confirm_second_factor
    ),
    components(schemas(
        SignIn,
        IssuedToken,
        CurrentToken,
        MembershipView,
        TokenView,
        SetPassword,
        ResetRequest,
        Enrolment,
        CodeInput,
        RecoveryCodes
    ))
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
        (status = 429, description = "Too many wrong passwords for this account or from this address lately: wait and try again", body = Problem,
            headers(("Retry-After" = String, description = "Seconds to wait"))),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: SignIn = match input::json(&headers, &body) {
        Ok(input) => input,
        Err(err) => return err.into_response(),
    };
    match accounts::sign_in(&state.app, input, &address).await {
        Ok(issued) => {
            let mut response = (StatusCode::CREATED, Json(issued)).into_response();
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static(CURRENT));
            response
        }
        Err(SignInRefused::Throttled {
            retry_after_seconds,
        }) => {
            let mut response = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-sign-ins",
                "Too many wrong passwords: wait before trying again",
                Some(format!("Try again in {retry_after_seconds} seconds.")),
                Vec::new(),
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_seconds.max(1)),
            );
            response
        }
        Err(SignInRefused::SecondFactorRequired) => challenge(
            "second-factor-required",
            "Send the code from your authenticator (or a recovery code) as `code`",
        ),
        Err(SignInRefused::Wrong) => {
            challenge("unauthorized", "The email or password is not right")
        }
        Err(SignInRefused::Failed(err)) => ApiError(err).into_response(),
    }
}

/// A 401 for a sign-in, with its challenge.
fn challenge(kind: &str, title: &str) -> Response {
    let mut response = problem(StatusCode::UNAUTHORIZED, kind, title, None, Vec::new());
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
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

/// Sign out: the token sent stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/tokens/current", tag = "accounts", operation_id = "revoke_current_token",
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn sign_out(
    State(state): State<AppState>,
    token: ApiToken,
) -> Result<StatusCode, ApiError> {
    people_tokens::revoke_token(&state.app, &token.actor, token.token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's tokens in force, newest first (never the tokens themselves).
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "accounts", operation_id = "list_tokens",
    responses(
        (status = 200, description = "The caller's tokens", body = Vec<TokenView>),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_own_tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let id = actor.user_id;
    Ok(Json(
        people_tokens::list_tokens(&state.app, &actor, id).await?,
    ))
}

/// Revoke one token: one's own, or (EPAO admins) anyone's.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "accounts", operation_id = "revoke_token",
    params(("id" = Uuid, Path, description = "The token's ID (from the list)")),
    responses(
        (status = 204, description = "Revoked (or already was)"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not allowed", body = Problem),
        (status = 404, description = "No such token, or not yours to see", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = path_id(id)?;
    people_tokens::revoke_token(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept an invitation: the secret from the emailed link and a password
/// (at least 12 characters, not a common one). Signs the person in.
#[utoipa::path(
    post, path = "/api/v1/invitations/accept", tag = "accounts", operation_id = "accept_invitation",
    request_body = SetPassword,
    responses(
        (status = 200, description = "Password set and signed in", body = IssuedToken),
        (status = 422, description = "The link has expired or was used, or the password needs changing", body = Problem),
    )
)]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SetPassword>,
) -> Result<Json<IssuedToken>, ApiError> {
    Ok(Json(
        accept_invitation::accept_invitation(&state.app, input).await?,
    ))
}

/// Ask for a password reset: if the email belongs to an active account, a
/// link (valid one hour, single use) is emailed to it. The answer is the
/// same either way.
#[utoipa::path(
    post, path = "/api/v1/password-resets", tag = "accounts", operation_id = "request_password_reset",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "If the account exists, the email is on its way"),
    )
)]
pub async fn request_password_reset(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ResetRequest>,
) -> Result<StatusCode, ApiError> {
    reset_password::request_reset(&state.app, input).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with the secret from the reset link. Signs the
/// person in; every token they had before stops.
#[utoipa::path(
    post, path = "/api/v1/password-resets/complete", tag = "accounts", operation_id = "reset_password",
    request_body = SetPassword,
    responses(
        (status = 200, description = "Password set and signed in", body = IssuedToken),
        (status = 422, description = "The link has expired or was used, or the password needs changing", body = Problem),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SetPassword>,
) -> Result<Json<IssuedToken>, ApiError> {
    Ok(Json(
        reset_password::reset_password(&state.app, input).await?,
    ))
}

/// Start setting up a second factor (an authenticator app, RFC 6238): the
/// secret to add to it. A new one each time until confirmed.
#[utoipa::path(
    post, path = "/api/v1/second-factor", tag = "accounts", operation_id = "start_second_factor",
    responses(
        (status = 200, description = "Add this to the authenticator, then confirm with a code", body = Enrolment),
        (status = 401, description = "No valid token", body = Problem),
        (status = 409, description = "A second factor is already set up", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn start_second_factor(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(second_factor::start(&state.app, &actor).await?))
}

/// Confirm the second factor with the code the authenticator shows: the
/// answer holds ten recovery codes, shown this once.
#[utoipa::path(
    post, path = "/api/v1/second-factor/confirm", tag = "accounts", operation_id = "confirm_second_factor",
    request_body = CodeInput,
    responses(
        (status = 200, description = "Set up; keep the recovery codes safe", body = RecoveryCodes),
        (status = 401, description = "No valid token", body = Problem),
        (status = 409, description = "Not started, or already set up", body = Problem),
        (status = 422, description = "The code is not right", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn confirm_second_factor(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<CodeInput>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(
        second_factor::confirm(&state.app, &actor, input).await?,
    ))
}
