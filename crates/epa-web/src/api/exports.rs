//! `GET /api/v1/exports/{file}?from=&to=`: the pipeline, results,
//! deadlines or audit log of a period as CSV or xlsx, with only what the
//! caller may see (`epa_app::exports`). The staff pages link to the same
//! files through their own route, on the same function.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use epa_app::exports::{self, Kind};
use epa_app::{Actor, AppError, render};
use serde::Deserialize;
use utoipa::OpenApi;

use super::auth::ApiActor;
use super::input::ApiQuery;
use super::problem::{ApiError, Problem};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(download_export),
    tags((name = "exports", description = "Spreadsheets of the pipeline, results, deadlines and audit log for a period"))
)]
pub struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The period's first day, YYYY-MM-DD.
    pub from: NaiveDate,
    /// The period's last day, YYYY-MM-DD (included).
    pub to: NaiveDate,
}

/// CSV or an Excel workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// `pipeline.csv` as its kind and format.
pub fn parse_file(file: &str) -> Result<(Kind, Format), AppError> {
    let refused = || {
        AppError::field(
            "file",
            "ask for pipeline, results, deadlines or audit, as .csv or .xlsx (such as results.xlsx)",
        )
    };
    let (name, extension) = file.rsplit_once('.').ok_or_else(refused)?;
    let format = match extension {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        _ => return Err(refused()),
    };
    Ok((Kind::parse(name).ok_or_else(refused)?, format))
}

/// The export as a download, named for its kind and period.
pub async fn download(
    state: &AppState,
    actor: &Actor,
    file: &str,
    period: &Period,
) -> Result<Response, AppError> {
    let (kind, format) = parse_file(file)?;
    let table = exports::export(&state.app, actor, kind, period.from, period.to).await?;
    let (bytes, media_type, extension) = match format {
        Format::Csv => (
            render::csv::sheet(&table).into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => (
            render::xlsx::sheet(&table)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let name = format!(
        "{}-{}-to-{}.{extension}",
        kind.as_str(),
        period.from,
        period.to
    );
    Ok(attachment(bytes, media_type, &name))
}

/// A file to save as `name`, never sniffed or cached: downloads hold
/// personal data. `name` is ours (plain ASCII), never the user's.
pub fn attachment(bytes: Vec<u8>, media_type: &str, name: &str) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(headers, header::CONTENT_TYPE, media_type);
    set(
        headers,
        header::CONTENT_DISPOSITION,
        &format!("attachment; filename=\"{name}\""),
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::CACHE_CONTROL, "private, no-store");
    response
}

/// Download the pipeline (EPAs registered), results released, deadlines
/// falling due or the audit log (EPAO administrators) of a period, as
/// `.csv` or `.xlsx`: `pipeline.csv`, `results.xlsx`, `deadlines.csv`,
/// `audit.xlsx`. Only what the caller may see is included. In CSV a cell
/// starting `=`, `+`, `-` or `@` is written with a leading `'`; in xlsx
/// every cell is text, never a formula.
#[utoipa::path(
    get, path = "/api/v1/exports/{file}", tag = "exports", operation_id = "download_export",
    params(
        ("file" = String, Path, description = "`pipeline`, `results`, `deadlines` or `audit`, then `.csv` or `.xlsx`"),
        Period,
    ),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "text/csv"),
        (status = 401, description = "No valid token", body = Problem),
        (status = 403, description = "The audit log, asked by someone who is not an EPAO administrator", body = Problem),
        (status = 422, description = "An unknown file, a period backwards, or too long a period", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn download_export(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    file: Result<Path<String>, PathRejection>,
    ApiQuery(period): ApiQuery<Period>,
) -> Result<Response, ApiError> {
    let Path(file) = file.map_err(|_| ApiError(AppError::field("file", "name the file")))?;
    Ok(download(&state, &actor, &file, &period).await?)
}
