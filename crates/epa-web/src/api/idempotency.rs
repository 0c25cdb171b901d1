//! `Idempotency-Key` on creating POSTs: a client that retries after a lost
//! response gets the first answer back instead of the work being done
//! twice, even when both copies arrive at once. The same key with a
//! different body is refused, since it would be a different request.
//!
//! [`respond`] is the one wrapper every creating POST answers through: the
//! key is claimed in the use case's own write transaction by
//! `epa_app::idempotency` (ADR 0112), and the answer carries its
//! `Location` when it creates something (a replay included). [`command`]
//! is [`respond`] for JSON commands: it reads the body with
//! [`super::input::json`] first.

use std::future::Future;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::Actor;
use epa_app::idempotency::{Idempotency, idempotent};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::input;
use super::problem::ApiError;
use crate::AppState;

const HEADER: &str = "idempotency-key";

/// Where a created record can be read, from the answer's JSON (so a replay,
/// which has only the stored JSON, gets the same header).
pub type Locate<'a> = &'a (dyn Fn(&Value) -> Option<String> + Sync);

/// Runs one JSON command: the idempotency key, the JSON body (an empty body
/// is `{}`), `run`, and the answer as JSON with `success` (and `Location`
/// from `locate` when that is 201) or problem details.
#[allow(clippy::too_many_arguments)]
pub async fn command<I, O, F>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    success: StatusCode,
    locate: Locate<'_>,
    run: F,
) -> Response
where
    I: DeserializeOwned,
    O: Serialize,
    F: AsyncFnOnce(I) -> Result<O, Response>,
{
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    // The use case's future, boxed: it holds every future it awaits, some
    // kilobytes for a write, and unboxed it made the handler's future as
    // large, which was copied whole each time it moved (a tenth of a
    // judgement save's instructions, counted by callgrind).
    let work = Box::pin(async move {
        // Read inside the wrapper, after the key: a malformed body is
        // refused before any transaction, so nothing is claimed.
        let input: I = input::json(headers, text).map_err(|err| Refusal(err.into_response()))?;
        run(input).await.map_err(Refusal)
    });
    respond(state, actor, headers, route, body, success, locate, work).await
}

/// Runs `work` (read the input, call one use case) under the request's
/// `Idempotency-Key`, if it has one, and answers `success` with the output
/// as JSON, or the stored first answer to a repeat of the request; a 201
/// carries `Location` from `locate`, a replay too.
#[allow(clippy::too_many_arguments)]
pub async fn respond<O, E, F>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    success: StatusCode,
    locate: Locate<'_>,
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
    match idempotent(&state.app, key, success.as_u16(), work).await {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status).unwrap_or(success);
            let value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
            let mut response = (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                answer.body,
            )
                .into_response();
            if status == StatusCode::CREATED
                && let Some(location) = locate(&value).and_then(|l| HeaderValue::from_str(&l).ok())
            {
                response.headers_mut().insert(header::LOCATION, location);
            }
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

/// The value at `pointer` (`/id`, `/booking/epa_id`) as text, for a location.
pub fn text_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
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

impl From<Response> for Refusal {
    fn from(response: Response) -> Self {
        Refusal(response)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.0
    }
}
