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
    pub fn unauthorized() -> Response {
        problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in or send a valid API token",
            None,
            Vec::new(),
        )
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

/// The ID in a route's path. A malformed ID cannot name a visible record, so
/// it answers 404 exactly as an unknown one does (no existence oracle).
pub fn path_id<T>(id: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|_| ApiError(AppError::NotFound))
}
