//! What a page shows when a use case says no: the same errors as the API,
//! in words for a person, with a way on. Nothing about our internals is
//! shown; those go to the log with the request id.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::{AppError, FieldError};

use super::view::{Chrome, render_with};

/// An error a page handler gives up with.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(err: AppError) -> Self {
        PageError(err)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    detail: String,
}

/// A page that says what went wrong and what to do.
pub fn refusal(status: StatusCode, heading: &str, detail: &str) -> Response {
    let mut response = render_with(
        status,
        &ErrorPage {
            chrome: Chrome::anonymous(heading),
            heading: heading.to_owned(),
            detail: detail.to_owned(),
        },
    );
    super::headers::signed_in_page(response.headers_mut());
    response
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::NotFound => {
                refusal(StatusCode::NOT_FOUND, "Page not found", NOT_FOUND_DETAIL)
            }
            AppError::Forbidden(why) => {
                refusal(StatusCode::FORBIDDEN, "You cannot do this", &sentence(&why))
            }
            AppError::Conflict(why) | AppError::Stale(why) => refusal(
                StatusCode::CONFLICT,
                "This cannot be done now",
                &sentence(&why),
            ),
            AppError::Validation(errors) => {
                let detail = errors
                    .iter()
                    .map(|err| sentence(&err.message))
                    .collect::<Vec<_>>()
                    .join(" ");
                refusal(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "There is a problem",
                    &detail,
                )
            }
            AppError::Unavailable(why) => refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "This is not available at the moment",
                &sentence(&why),
            ),
            AppError::Internal(cause) => {
                tracing::error!(%cause, "a page failed");
                refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    "Try again in a moment. Nothing you sent was saved.",
                )
            }
        }
    }
}

/// The answers axum gives on its own before a page handler runs: a path no
/// route has (an empty 404), an address whose id or query cannot be read, a
/// form that cannot be read, a body over its limit, a method the page does
/// not take. Each is plain text naming Rust types, or nothing at all, so a
/// person gets the same styled page as any refusal, with the status kept.
/// Our own pages always answer HTML and pass through untouched.
pub async fn styled_rejections(response: Response) -> Response {
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("text/html"));
    if !status.is_client_error() || is_html {
        return response;
    }
    let (heading, detail) = match status {
        StatusCode::NOT_FOUND => ("Page not found", NOT_FOUND_DETAIL),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "What you sent is too large",
            "Nothing was saved. Go back, choose a smaller file or shorten the text, and send it again.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "This page cannot be used this way",
            "Go back to the page and use its links and buttons.",
        ),
        _ => (
            "This web address or form could not be read",
            "Nothing was saved. If you typed the web address, check it is correct; otherwise go back to the page and try again.",
        ),
    };
    let mut styled = refusal(status, heading, detail);
    // A 405 must still say which methods the page takes.
    if let Some(allow) = response.headers().get(header::ALLOW) {
        styled.headers_mut().insert(header::ALLOW, allow.clone());
    }
    styled
}

const NOT_FOUND_DETAIL: &str = "If you typed the web address, check it is correct. If you followed a link, the record may have been removed, or it is not yours to see.";

/// A use case's message as a sentence: capital first, full stop last.
pub fn sentence(text: &str) -> String {
    let mut text = text.trim().to_owned();
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    if !text.ends_with(['.', '?', '!']) {
        text.push('.');
    }
    text
}

/// Every problem's message as a sentence, for the error summary.
pub fn sentences(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|err| FieldError {
            message: sentence(&err.message),
            ..err
        })
        .collect()
}

/// `path` again with a refusal to show at its top (`?error=`), for actions
/// posted from a page that has no form of its own to send back.
pub fn with_error(path: &str, why: &str) -> String {
    let why: String = form_urlencoded::byte_serialize(why.as_bytes()).collect();
    format!("{path}?error={why}")
}
