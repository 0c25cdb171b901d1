//! Middleware every route gets: a request ID on every log line and every
//! response, a time limit, and no panic ever reaching the user as a dropped
//! connection. Body size limits are set where bodies are read: the JSON API
//! has one (`api::JSON_BODY_LIMIT`), each upload purpose its own, and the
//! extractors of any other route axum's default.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request, StatusCode};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn apply(routes: Router) -> Router {
    routes.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or("-");
                    // The path only, never the query string: it could carry personal data.
                    tracing::info_span!(
                        "request",
                        request_id,
                        method = %request.method(),
                        path = request.uri().path(),
                    )
                }),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(CatchPanicLayer::new())
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                Duration::from_secs(30),
            )),
    )
}
