//! API authentication: `Authorization: Bearer TOKEN`. The token names a
//! user; their roles come from the database on every request, so a revoked
//! role takes effect at once.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use epa_app::Actor;
use epa_store::{tokens, users};

use super::problem::ApiError;
use crate::AppState;

/// The caller of an API route.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let db = &state.app.db;
        let user_id = tokens::user_for(db, token)
            .await
            .map_err(|err| ApiError(err.into()).into_response())?
            .ok_or_else(ApiError::unauthorized)?;
        let memberships = users::memberships(db, user_id)
            .await
            .map_err(|err| ApiError(err.into()).into_response())?;
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Ok(ApiActor(Actor {
            user_id,
            memberships,
            request_id,
        }))
    }
}
