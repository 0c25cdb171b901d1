//! Downloading spreadsheets from the pages: a period chosen (this month by
//! default), then the pipeline, results, deadlines and (for EPAO
//! administrators) the audit log as CSV or xlsx, through the same function
//! as the API's `GET /api/v1/exports/{file}`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use epa_app::FieldError;
use epa_app::exports::Kind;
use epa_store::users::Role;
use serde::Deserialize;

use super::error::PageError;
use super::form::FormData;
use super::session::SignedIn;
use super::view::{Chrome, Field, render, render_with};
use crate::AppState;
use crate::api::exports::{Period, download as download_export};

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
    links: Vec<Link>,
}

struct Link {
    title: &'static str,
    csv: String,
    xlsx: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Chosen {
    from: Option<String>,
    to: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(chosen): Query<Chosen>,
) -> Result<Response, PageError> {
    let today = state.app.clock.today();
    let first = today.with_day(1).unwrap_or(today);
    let mut errors = Vec::new();
    let mut day = |name: &str, text: &Option<String>, default: NaiveDate| match text {
        None => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(name, "Enter a real date"));
            default
        }),
    };
    let from = day("from", &chosen.from, first);
    let to = day("to", &chosen.to, today);
    if errors.is_empty() && from > to {
        errors.push(FieldError::new(
            "to",
            "The last day must be on or after the first",
        ));
    }
    let form = FormData(vec![
        ("from".to_owned(), from.to_string()),
        ("to".to_owned(), to.to_string()),
    ]);
    let fields = vec![
        Field::new("from", "First day", "date").filled(&form, &errors),
        Field::new("to", "Last day", "date").filled(&form, &errors),
    ];
    let links = if errors.is_empty() {
        Kind::ALL
            .into_iter()
            .filter(|kind| *kind != Kind::Audit || signed_in.actor.has_role(Role::EpaoAdmin))
            .map(|kind| {
                let href = |extension: &str| {
                    format!("/exports/{}.{extension}?from={from}&to={to}", kind.as_str())
                };
                Link {
                    title: kind.title(),
                    csv: href("csv"),
                    xlsx: href("xlsx"),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let title = if errors.is_empty() {
        "Download spreadsheets"
    } else {
        "Error: Download spreadsheets"
    };
    let page = ExportsPage {
        chrome: Chrome::new(&signed_in, title, "/exports"),
        errors: super::view::summary(&errors, &fields),
        fields,
        links,
    };
    Ok(if page.errors.is_empty() {
        render(&page)
    } else {
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    })
}

/// One file, for the signed-in person.
pub async fn file(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(file): Path<String>,
    Query(period): Query<Period>,
) -> Result<Response, PageError> {
    Ok(download_export(&state, &signed_in.actor, &file, &period).await?)
}
