//! API authentication: `Authorization: Bearer TOKEN`. The token names a
//! user; their roles come from the database with it, remembered for a
//! second at most and not past a change this node commits, so a revoked
//! role takes effect at once here and within a second on every node.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use epa_app::Actor;
use epa_store::tokens;
use uuid::Uuid;

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

/// The caller, with the ID of the token they sent (to revoke it).
pub struct ApiToken {
    pub actor: Actor,
    pub token_id: Uuid,
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = ApiToken::from_request_parts(parts, state).await?;
        Ok(ApiActor(token.actor))
    }
}

/// Where the request came from: the peer's IP address (`unknown` when the
/// server was not told).
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string());
        Ok(ClientAddress(address))
    }
}

impl FromRequestParts<AppState> for ApiToken {
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
        // Revoked, expired, or its holder deactivated: not a token any more.
        // One lookup finds the token and its holder's roles.
        let (live, memberships) =
            tokens::authenticate(&state.app.recent_tokens, db, token, state.app.now())
                .await
                .map_err(|err| ApiError(err.into()).into_response())?
                .ok_or_else(ApiError::unauthorized)?;
        // A token limited to setting up a second factor works there only.
        let path = parts.uri.path();
        let setting_up = [
            "/second-factor",
            "/second-factor/confirm",
            "/tokens/current",
        ]
        .iter()
        .any(|allowed| path.ends_with(allowed));
        if live.restricted && !setting_up {
            return Err(ApiError(epa_app::AppError::Forbidden(
                "set up your second factor first: POST /api/v1/second-factor, then /api/v1/second-factor/confirm"
                    .to_owned(),
            ))
            .into_response());
        }
        let user_id = live.user_id;
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Ok(ApiToken {
            actor: Actor {
                user_id,
                memberships,
                request_id,
            },
            token_id: live.token_id,
        })
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
