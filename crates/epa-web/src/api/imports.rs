//! `POST /api/v1/imports/apprentices`: a provider's or the EPAO's CSV file
//! of apprentices, registered all or none by the same use case as
//! `epa import apprentices` and the import page.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use epa_app::import::apprentices::{self, ImportSummary, ImportedRow, Importer};
use epa_app::import::{ImportError, RowProblem};
use epa_app::{AppError, FieldError};
use serde::Deserialize;
use utoipa::OpenApi;

use super::auth::ApiActor;
use super::documents::read_file;
use super::idempotency;
use super::input::ApiQuery;
use super::problem::{ApiError, Problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(import_apprentices),
    components(schemas(ImportSummary, ImportedRow)),
    tags((name = "imports", description = "Registering many apprentices from one CSV file"))
)]
pub struct Api;

/// The most bytes an import may have: the most rows a file may hold, at a
/// generous length each.
pub const IMPORT_MAX_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Check every row and answer what would be registered; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A refused row as the problem's field error: `row 3, uln`.
pub fn field_error(problem: RowProblem) -> FieldError {
    let field = if problem.column.is_empty() {
        format!("row {}", problem.row)
    } else {
        format!("row {}, {}", problem.row, problem.column)
    };
    FieldError {
        field,
        message: problem.message,
    }
}

/// The import's refusal as the use case's own.
pub fn app_error(err: ImportError) -> AppError {
    match err {
        ImportError::Rows(problems) => {
            AppError::Validation(problems.into_iter().map(field_error).collect())
        }
        ImportError::App(err) => err,
    }
}

/// Register the apprentices of a CSV file (the body): columns `uln`,
/// `given_names`, `family_name`, `date_of_birth`, `employer_id`,
/// `provider_id` (each organisation by ID, exact name or UKPRN),
/// `standard`, `policy`, `start_date`, and optionally `version`. UTF-8
/// with or without a byte-order mark, or Windows-1252, as Excel saves it.
/// All or nothing: any problem in any row (including a ULN twice in the
/// file, or already registered) stores nothing, and the 422 names every
/// one by row (as the file numbers it, the header being row 1) and column.
#[utoipa::path(
    post, path = "/api/v1/imports/apprentices", tag = "imports", operation_id = "import_apprentices",
    params(
        ImportParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat an import safely: the same key with the same file returns the first answer for at least 24 hours"),
    ),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "The CSV file: at most 8 MB and 20,000 rows"),
    responses(
        (status = 200, description = "Dry run: every row checked, nothing stored", body = ImportSummary),
        (status = 201, description = "Every row registered, each with its EPA", body = ImportSummary),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "Not a training provider or EPAO staff", body = Problem),
        (status = 409, description = "No EPAO is set up yet", body = Problem),
        (status = 413, description = "Larger than 8 MB", body = Problem),
        (status = 415, description = "Sent as a multipart form rather than the file's bytes", body = Problem),
        (status = 422, description = "Nothing stored: each problem is named in errors as `row N, column`", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn import_apprentices(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    // Who may import is decided before a byte of the body is read.
    if !apprentices::may_import(&actor) {
        return Err(ApiError(AppError::Forbidden(
            "apprentices are registered by their training provider or by the EPAO".to_owned(),
        ))
        .into_response());
    }
    let bytes = read_file(&headers, body, IMPORT_MAX_BYTES, "an import").await?;
    let app = &state.app;
    let run = async {
        apprentices::import(app, Importer::Person(&actor), &bytes, params.dry_run)
            .await
            .map_err(|err| ApiError(app_error(err)))
    };
    if params.dry_run {
        // Nothing is created: a check answers 200 and needs no key.
        return Ok(match run.await {
            Ok(summary) => (StatusCode::OK, axum::Json(summary)).into_response(),
            Err(err) => err.into_response(),
        });
    }
    Ok(idempotency::respond(
        &state,
        &actor,
        &headers,
        "POST /api/v1/imports/apprentices",
        &bytes,
        StatusCode::CREATED,
        &|_| Some("/api/v1/epas".to_owned()),
        run,
    )
    .await)
}
