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

/// The token of `Bearer TOKEN`. The scheme is case-insensitive (RFC 9110
/// section 11.1): `bearer` and `BEARER` are the same scheme.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

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
            .and_then(bearer_token)
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

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in [
            "Bearer abc",
            "bearer abc",
            "BEARER abc",
            "BeArEr   abc ",
            "Bearer\tabc",
        ] {
            assert_eq!(bearer_token(value), Some("abc"), "{value:?}");
        }
        for value in [
            "Basic abc",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "Token abc",
            "",
        ] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
    }
}
