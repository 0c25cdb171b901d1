//! Registering apprentices from a CSV file: a training provider (or EPAO
//! staff) uploads the file their MIS or spreadsheet writes, sent to the
//! same use case as `epa import apprentices` and the API's
//! `POST /api/v1/imports/apprentices`. Every problem is shown in a table by
//! row and column, and nothing is stored until the whole file is right.
//!
//! The form is multipart, so its token rides in the action (ADR 0146).

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use epa_app::import::apprentices::{self, COLUMNS, ImportSummary, Importer};
use epa_app::import::{ImportError, RowProblem};
use epa_app::{AppError, FieldError};

use super::error::PageError;
use super::form::FormData;
use super::session::SignedIn;
use super::uploads::PostedUpload;
use super::view::{Chrome, Field, render, render_with};
use crate::AppState;
use crate::api::imports::IMPORT_MAX_BYTES;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    columns: String,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
    problems: Vec<RowProblem>,
    done: Option<Done>,
}

/// What the import did, or on a check what it would do.
struct Done {
    heading: String,
    rows: Vec<DoneRow>,
}

struct DoneRow {
    row: u64,
    uln: String,
    href: Option<String>,
}

fn fields(form: &FormData, errors: &[FieldError]) -> Vec<Field> {
    vec![
        Field::new("file", "The CSV file", "file")
            .hint("Saved from Excel as CSV (either kind) or written by your MIS. At most 20,000 rows and 8 MB.")
            .filled(form, errors),
        Field::new("dry_run", "Only check the file: register no one yet", "checkbox")
            .filled(form, errors),
    ]
}

fn page(
    signed_in: &SignedIn,
    form: &FormData,
    errors: Vec<FieldError>,
    problems: Vec<RowProblem>,
    done: Option<Done>,
) -> ImportPage {
    let title = if errors.is_empty() {
        "Register apprentices from a file"
    } else {
        "Error: Register apprentices from a file"
    };
    ImportPage {
        chrome: Chrome::new(signed_in, title, "/epas/import"),
        columns: COLUMNS.join(","),
        fields: fields(form, &errors),
        errors,
        problems,
        done,
    }
}

fn may_import(signed_in: &SignedIn) -> Result<(), PageError> {
    if apprentices::may_import(&signed_in.actor) {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden(
            "apprentices are registered by their training provider or by the EPAO".to_owned(),
        )))
    }
}

pub async fn form(
    State(_state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    may_import(&signed_in)?;
    Ok(render(&page(
        &signed_in,
        &FormData::default(),
        Vec::new(),
        Vec::new(),
        None,
    )))
}

fn unreadable() -> AppError {
    AppError::field(
        "file",
        "The file could not be read, or is larger than 8 MB: choose it and send it again",
    )
}

/// The form as sent: whether only to check, and the file.
async fn read(mut multipart: Multipart) -> Result<(FormData, Option<Vec<u8>>), AppError> {
    let mut form = FormData::default();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("dry_run") => {
                let text = field.text().await.map_err(|_| unreadable())?;
                form.0.push(("dry_run".to_owned(), text));
            }
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    Ok((form, file))
}

pub async fn import(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PostedUpload(multipart): PostedUpload,
) -> Result<Response, PageError> {
    may_import(&signed_in)?;
    let (form, file) = match read(multipart).await {
        Ok(sent) => sent,
        Err(AppError::Validation(errors)) => {
            let page = page(&signed_in, &FormData::default(), errors, Vec::new(), None);
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(err) => return Err(err.into()),
    };
    let Some(bytes) = file else {
        let errors = vec![FieldError::new("file", "Choose the CSV file to upload")];
        let page = page(&signed_in, &form, errors, Vec::new(), None);
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let dry_run = form.get("dry_run") == Some("yes");
    match apprentices::import(
        &state.app,
        Importer::Person(&signed_in.actor),
        &bytes,
        dry_run,
    )
    .await
    {
        Ok(summary) => Ok(render(&page(
            &signed_in,
            &form,
            Vec::new(),
            Vec::new(),
            Some(done(&summary)),
        ))),
        Err(ImportError::Rows(problems)) => {
            let rows = {
                let mut rows: Vec<u64> = problems.iter().map(|p| p.row).collect();
                rows.dedup();
                rows.len()
            };
            let errors = vec![FieldError::new(
                "problems",
                format!(
                    "The file has {} {} in {} {}: fix {} and upload it again. No one was registered.",
                    problems.len(),
                    plural(problems.len(), "problem", "problems"),
                    rows,
                    plural(rows, "row", "rows"),
                    plural(problems.len(), "it", "them"),
                ),
            )];
            let page = page(&signed_in, &form, errors, problems, None);
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ImportError::App(err)) => Err(err.into()),
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn done(summary: &ImportSummary) -> Done {
    let n = summary.epas.len();
    let heading = if summary.dry_run {
        format!(
            "The file is ready: {n} {} would be registered. Upload it again without the check to register them.",
            plural(n, "apprentice", "apprentices")
        )
    } else {
        format!("{n} {} registered", plural(n, "apprentice", "apprentices"))
    };
    Done {
        heading,
        rows: summary
            .epas
            .iter()
            .map(|row| DoneRow {
                row: row.row,
                uln: row.uln.clone(),
                href: row.epa_id.map(|id| format!("/epas/{id}")),
            })
            .collect(),
    }
}

/// The largest body the import form may post: the file and the form.
pub const IMPORT_LIMIT: usize = IMPORT_MAX_BYTES as usize + 64 * 1024;
