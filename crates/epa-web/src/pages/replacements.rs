//! An EPA's replacement certificates, for EPAO staff: the requests on
//! record with the policy's deadline for asking the DfE and when staff
//! did, a form to record a new request (refused at the field when it needs
//! fixing), and a button to record one as asked of the DfE. The API's
//! `replacements` use cases.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::dfe::replacements::{self, ReplacementInput, ReplacementView};
use epa_app::{AppError, FieldError, epas};
use serde::Deserialize;
use uuid::Uuid;

use super::error::{PageError, sentence, sentences, with_error};
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, Field, long_date, render, render_with, summary};
use crate::AppState;

#[derive(Template)]
#[template(path = "replacements.html")]
struct ReplacementsPage {
    chrome: Chrome,
    epa_id: Uuid,
    apprentice: String,
    rows: Vec<Row>,
    error: Option<String>,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

/// One request as the table shows it.
struct Row {
    id: Uuid,
    received_on: String,
    reason: String,
    due_on: String,
    /// When it was asked of the DfE, and whether in time; `None` while
    /// it is still to do.
    requested: Option<String>,
}

impl From<ReplacementView> for Row {
    fn from(view: ReplacementView) -> Row {
        Row {
            id: view.id,
            received_on: long_date(view.received_on),
            reason: view.reason,
            due_on: view
                .due_on
                .map_or_else(|| "No deadline".to_owned(), long_date),
            requested: view.requested_on.map(|on| {
                let timing = match view.on_time {
                    Some(true) => ", in time",
                    Some(false) => ", late",
                    None => "",
                };
                format!("Asked on {}{timing}", long_date(on))
            }),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    /// What the last action did (a fixed word, never text to show).
    #[serde(default)]
    done: Option<String>,
    /// Why the last action was refused.
    #[serde(default)]
    error: Option<String>,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
    form: &FormData,
    errors: Vec<FieldError>,
) -> Result<ReplacementsPage, PageError> {
    let app = &state.app;
    let epa = epas::get(app, &signed_in.actor, epa_id).await?;
    let rows = replacements::list(app, &signed_in.actor, epa_id)
        .await?
        .into_iter()
        .map(Row::from)
        .collect();
    let fields = vec![
        Field::new("received_on", "Date the request arrived", "date")
            .hint("Leave it empty for today. The policy's deadline for asking the DfE counts from this day.")
            .filled(form, &errors),
        Field::new("reason", "Why a replacement is needed", "textarea")
            .hint("For example: lost in a house move, damaged, a name corrected.")
            .filled(form, &errors),
    ];
    Ok(ReplacementsPage {
        chrome: Chrome::new(signed_in, "Replacement certificates", ""),
        epa_id,
        apprentice: format!(
            "{} {}",
            epa.apprentice.given_names, epa.apprentice.family_name
        ),
        rows,
        error: None,
        errors: summary(&errors, &fields),
        fields,
    })
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &signed_in, epa_id, &FormData::default(), Vec::new()).await?;
    page.chrome = page.chrome.with_notice(match shown.done.as_deref() {
        Some("recorded") => Some("The replacement request is recorded".to_owned()),
        Some("requested") => Some("Recorded as asked of the DfE today".to_owned()),
        _ => None,
    });
    page.error = shown.error.map(|error| sentence(&error));
    Ok(render(&page))
}

pub async fn record(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let received_on = match form.get("received_on") {
        None => None,
        Some(_) => form.date("received_on", "the date the request arrived", &mut errors),
    };
    if errors.is_empty() {
        let input = ReplacementInput {
            received_on,
            reason: form.get("reason").unwrap_or_default().to_owned(),
        };
        match replacements::record(&state.app, &signed_in.actor, epa_id, input).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/epas/{epa_id}/replacements?done=recorded"))
                        .into_response(),
                );
            }
            Err(AppError::Validation(problems)) => errors = problems,
            Err(AppError::Conflict(why)) => errors.push(FieldError::new("form", why)),
            Err(err) => return Err(err.into()),
        }
    } else if form.get("reason").is_none() {
        errors.push(FieldError::new(
            "reason",
            "say why a replacement is needed (lost, damaged, a name corrected)",
        ));
    }
    let errors = sentences(errors);
    let page = page(&state, &signed_in, epa_id, &form, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub async fn requested(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((epa_id, replacement_id)): Path<(Uuid, Uuid)>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    let back = format!("/epas/{epa_id}/replacements");
    let to =
        match replacements::requested(&state.app, &signed_in.actor, epa_id, replacement_id).await {
            Ok(_) => format!("{back}?done=requested"),
            Err(AppError::Conflict(why)) => with_error(&back, &why),
            Err(err) => return Err(err.into()),
        };
    Ok(Redirect::to(&to).into_response())
}
