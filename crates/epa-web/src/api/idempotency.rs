//! `Idempotency-Key` on creating POSTs: a client that retries after a lost
//! response gets the first answer back instead of the work being done
//! twice, even when both copies arrive at once. The same key with a
//! different body is refused, since it would be a different request.
//!
//! Every creating POST answers through [`respond`]; the key is claimed in
//! the use case's own transaction by `epa_app::idempotency` (ADR 0103).

use std::future::Future;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::Actor;
use epa_app::idempotency::{Idempotency, idempotent};
use serde::Serialize;

use super::problem::ApiError;
use crate::AppState;

const HEADER: &str = "idempotency-key";

/// Runs `work` (parse the body, call one use case) under the request's
/// `Idempotency-Key`, if it has one, and answers `status` with the output
/// as JSON, or the stored first answer to a repeat of the request.
pub async fn respond<O, E, F>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    status: StatusCode,
    work: F,
) -> Response
where
    O: Serialize,
    E: From<epa_app::AppError> + IntoResponse,
    F: Future<Output = Result<O, E>>,
{
    let key = match headers.get(HEADER) {
        None => None,
        Some(value) => {
            let key = value.to_str().unwrap_or_default();
            match Idempotency::new(actor, key, route, body) {
                Ok(key) => Some(key),
                Err(err) => return E::from(err).into_response(),
            }
        }
    };
    match idempotent(&state.app, key, status.as_u16(), work).await {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status).unwrap_or(status);
            let mut response = (status, answer.body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if answer.replayed {
                response
                    .headers_mut()
                    .insert("idempotent-replay", HeaderValue::from_static("true"));
            }
            response
        }
        Err(err) => err.into_response(),
    }
}

/// A refusal already shaped as a response (such as a booking's rule
/// problem), for commands whose errors are richer than [`ApiError`].
pub struct Refusal(pub Response);

impl From<epa_app::AppError> for Refusal {
    fn from(err: epa_app::AppError) -> Self {
        Refusal(ApiError(err).into_response())
    }
}

impl From<ApiError> for Refusal {
    fn from(err: ApiError) -> Self {
        Refusal(err.into_response())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.0
    }
}
