//! Security headers on every page: no script or style but our own files
//! (no inline script at all), no framing, no type sniffing, no referrer
//! leaving the site, and nothing a signed-in person saw kept in a cache.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Added to every page answer (not to `/static`, which is cached).
pub async fn on_pages(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    signed_in_page(headers);
    response
}

/// A page with personal data: not stored by the browser or any proxy.
pub fn signed_in_page(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
