//! Errors as RFC 9457 problem details (`application/problem+json`): a
//! title a person can read, the status, and for bad input every field with
//! what to fix. Internals are logged, never sent.

use axum::Json;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use epa_app::{AppError, FieldError};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For bad input: each field and what to fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error answer from the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError(err)
    }
}

impl ApiError {
    /// 401, with the scheme to use (RFC 9110 asks every 401 for one).
    pub fn unauthorized() -> Response {
        let mut response = problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in or send a valid API token",
            None,
            Vec::new(),
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, bearer_challenge());
        response
    }

    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError(AppError::Validation(vec![FieldError::new("body", detail)]))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::NotFound => problem(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                None,
                Vec::new(),
            ),
            AppError::Forbidden(detail) => problem(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                Some(detail),
                Vec::new(),
            ),
            AppError::Conflict(detail) => problem(
                StatusCode::CONFLICT,
                "conflict",
                "Not possible now",
                Some(detail),
                Vec::new(),
            ),
            AppError::Stale(detail) => problem(
                StatusCode::PRECONDITION_FAILED,
                "stale",
                "Changed since you read it",
                Some(detail),
                Vec::new(),
            ),
            AppError::Validation(errors) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The input needs fixing",
                None,
                errors,
            ),
            AppError::Unavailable(detail) => problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Not available now",
                Some(detail),
                Vec::new(),
            ),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side; try again",
                    None,
                    Vec::new(),
                )
            }
        }
    }
}

pub fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: Option<String>,
    errors: Vec<FieldError>,
) -> Response {
    let body = Problem {
        kind: format!("https://openepa.org/problems/{kind}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn bearer_challenge() -> header::HeaderValue {
    header::HeaderValue::from_static("Bearer")
}

/// Every error answer of the API as problem details, whoever made it: axum
/// answers 405 for a method a path does not have, the body limit answers
/// 413, an extractor 415, each with a plain-text body of its own. Those
/// bodies are replaced here, once, keeping the other headers (`Allow` on a
/// 405); a 401 always gets its `WWW-Authenticate`.
pub async fn problems_only(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/problem+json"));
    let mut response = if is_problem {
        response
    } else {
        let (mut parts, _) = response.into_parts();
        let (title, detail) = plain_title(status);
        let replacement = problem(status, &kind_of(status), title, detail, Vec::new());
        let (replacement_parts, body) = replacement.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.extend(replacement_parts.headers);
        Response::from_parts(parts, body)
    };
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .entry(header::WWW_AUTHENTICATE)
            .or_insert_with(bearer_challenge);
    }
    response
}

/// `method-not-allowed` for 405, and so on: the reason phrase as a slug.
fn kind_of(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase()
        .replace(' ', "-")
}

fn plain_title(status: StatusCode) -> (&'static str, Option<String>) {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "This path does not take that method",
            Some("the Allow header lists the methods it takes".to_owned()),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "The request body is too large",
            Some(format!(
                "a JSON body may be at most {} MB",
                super::JSON_BODY_LIMIT / (1024 * 1024)
            )),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Send JSON",
            Some("send the body as JSON, with Content-Type: application/json".to_owned()),
        ),
        StatusCode::UNAUTHORIZED => ("Sign in or send a valid API token", None),
        status if status.is_server_error() => ("Something went wrong on our side; try again", None),
        _ => ("The request cannot be answered", None),
    }
}

/// The ID in a route's path. A malformed ID cannot name a visible record, so
/// it answers 404 exactly as an unknown one does (no existence oracle).
pub fn path_id<T>(id: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|_| ApiError(AppError::NotFound))
}
