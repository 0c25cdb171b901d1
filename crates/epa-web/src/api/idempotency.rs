//! `Idempotency-Key` on POST: a client that retries after a lost response
//! gets the first answer back instead of the work being done twice. The same
//! key with a different body is refused, since it would be a different request.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use epa_app::{Actor, AppError};
use epa_store::idempotency::{self, Stored};
use sha2::{Digest, Sha256};

use super::problem::ApiError;
use crate::AppState;

const HEADER: &str = "idempotency-key";
const KEY_MAX: usize = 200;

pub struct Key {
    key: String,
    request_hash: String,
}

/// Reads the key; `Err` holds the answer to send now (a replay, or a refusal).
pub async fn begin(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
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
            let mut response = (status, stored.response_body).into_response();
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            );
            response.headers_mut().insert(
                "idempotent-replay",
                axum::http::HeaderValue::from_static("true"),
            );
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
pub async fn finish(
    state: &AppState,
    actor: &Actor,
    key: Option<Key>,
    status: StatusCode,
    body: &str,
) {
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
