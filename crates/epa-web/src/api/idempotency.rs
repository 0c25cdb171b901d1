//! `Idempotency-Key` on POST: a client that retries after a lost response
//! gets the first answer back instead of the work being done twice. The same
//! key with a different body is refused, since it would be a different request.
//!
//! [`command`] is the one wrapper every JSON command runs through: the key,
//! the body (read by [`super::input::json`]), the use case, and the answer,
//! with its `Location` when it creates something (a replay included).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::{Actor, AppError};
use epa_store::idempotency::{self, Stored};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::input;
use super::problem::ApiError;
use crate::AppState;

const HEADER: &str = "idempotency-key";
const KEY_MAX: usize = 200;

pub struct Key {
    key: String,
    request_hash: String,
}

/// Where a created record can be read, from the answer's JSON (so a replay,
/// which has only the stored JSON, gets the same header).
pub type Locate<'a> = &'a (dyn Fn(&Value) -> Option<String> + Sync);

/// Runs one command: the idempotency key, the JSON body (an empty body is
/// `{}`), `run`, and the answer as JSON with `success` (and `Location` from
/// `locate` when that is 201) or problem details.
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
    let key = match begin(state, actor, headers, route, body, locate).await {
        Ok(key) => key,
        Err(answer) => return answer,
    };
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let input: I = match input::json(headers, text) {
        Ok(input) => input,
        Err(err) => return err.into_response(),
    };
    match run(input).await {
        Ok(output) => {
            let body = serde_json::to_string(&output).unwrap_or_default();
            let value = serde_json::from_str(&body).unwrap_or(Value::Null);
            finish(state, actor, key, success, &body).await;
            answer(success, body, &value, locate)
        }
        Err(answer) => answer,
    }
}

/// The JSON answer, with `Location` on a 201.
fn answer(status: StatusCode, body: String, value: &Value, locate: Locate<'_>) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if status == StatusCode::CREATED
        && let Some(location) = locate(value).and_then(|l| HeaderValue::from_str(&l).ok())
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Reads the key; `Err` holds the answer to send now (a replay, or a refusal).
async fn begin(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    locate: Locate<'_>,
) -> Result<Option<Key>, Response> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|key| !key.is_empty() && key.len() <= KEY_MAX)
        .ok_or_else(|| {
            ApiError(AppError::field(
                "Idempotency-Key",
                format!("use 1 to {KEY_MAX} visible characters"),
            ))
            .into_response()
        })?
        .to_owned();
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    let request_hash = hex::encode(hasher.finalize());
    match idempotency::find(&state.app.db, actor.user_id, &key).await {
        Ok(None) => Ok(Some(Key { key, request_hash })),
        Ok(Some(stored)) if stored.request_hash == request_hash => {
            let status =
                StatusCode::from_u16(stored.response_status as u16).unwrap_or(StatusCode::OK);
            let value = serde_json::from_str(&stored.response_body).unwrap_or(Value::Null);
            let mut response = answer(status, stored.response_body, &value, locate);
            response
                .headers_mut()
                .insert("idempotent-replay", HeaderValue::from_static("true"));
            Err(response)
        }
        Ok(Some(_)) => Err(ApiError(AppError::field(
            "Idempotency-Key",
            "this key was already used for a different request; use a new key",
        ))
        .into_response()),
        Err(err) => Err(ApiError(err.into()).into_response()),
    }
}

/// Keeps a successful answer under the key. A failure to keep it is logged,
/// not returned: the work itself is done and committed.
async fn finish(state: &AppState, actor: &Actor, key: Option<Key>, status: StatusCode, body: &str) {
    let Some(key) = key else { return };
    let mut tx = match state.app.db.begin_write().await {
        Ok(tx) => tx,
        Err(err) => {
            tracing::warn!(error = %err, "could not keep the idempotent answer");
            return;
        }
    };
    let stored = Stored {
        request_hash: key.request_hash,
        response_status: i32::from(status.as_u16()),
        response_body: body.to_owned(),
    };
    let result =
        match idempotency::record(&mut tx, actor.user_id, &key.key, &stored, state.app.now()).await
        {
            Ok(()) => tx.commit().await,
            Err(err) => Err(err),
        };
    if let Err(err) = result {
        tracing::warn!(error = %err, "could not keep the idempotent answer");
    }
}

/// The value at `pointer` (`/id`, `/booking/epa_id`) as text, for a location.
pub fn text_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}
