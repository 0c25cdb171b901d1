//! The assessor's grading form for one sitting: met or not met and the
//! evidence for every criterion, saved with the same use case as the API's
//! `POST .../judgements`; the method's grade and its explanation show at
//! the top after every save. Only changed criteria are saved, so the
//! judgement history records what the assessor changed, not every save.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::assessment::{self, GradingSheet, JudgementInput, JudgementsInput};
use epa_app::{AppError, FieldError};
use uuid::Uuid;

use super::error::PageError;
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, grade_name, long_date, method_name, render, render_with};
use crate::AppState;

#[derive(Template)]
#[template(path = "grading.html")]
struct GradingPage {
    chrome: Chrome,
    epa_id: Uuid,
    sheet: GradingSheet,
    method: &'static str,
    held_on: String,
    grade: Option<String>,
    rows: Vec<Row>,
    errors: Vec<FieldError>,
}

struct Row {
    id: String,
    level: &'static str,
    text: String,
    ksbs: String,
    /// `met`, `not_met` or empty.
    choice: &'static str,
    note: String,
    error: Option<String>,
}

fn page_of(
    signed_in: &SignedIn,
    epa_id: Uuid,
    sheet: GradingSheet,
    form: Option<&FormData>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> GradingPage {
    let rows = sheet
        .criteria
        .iter()
        .map(|criterion| {
            let (choice, note) = match form {
                Some(form) => (
                    match form.get(&format!("met.{}", criterion.id)) {
                        Some("met") => "met",
                        Some("not_met") => "not_met",
                        _ => "",
                    },
                    form.get(&format!("note.{}", criterion.id))
                        .unwrap_or_default()
                        .to_owned(),
                ),
                None => (
                    match criterion.met {
                        Some(true) => "met",
                        Some(false) => "not_met",
                        None => "",
                    },
                    criterion.note.clone(),
                ),
            };
            Row {
                error: errors
                    .iter()
                    .find(|err| {
                        err.field == format!("note.{}", criterion.id)
                            || err.field == format!("met.{}", criterion.id)
                    })
                    .map(|err| err.message.clone()),
                id: criterion.id.clone(),
                level: criterion.level,
                text: criterion.text.clone(),
                ksbs: criterion.ksbs.join(", "),
                choice,
                note,
            }
        })
        .collect();
    let method = method_name(&sheet.assessment.method);
    GradingPage {
        chrome: Chrome::new(signed_in, format!("{method}: {}", sheet.apprentice), "")
            .with_notice(notice),
        epa_id,
        method,
        held_on: long_date(sheet.held_on),
        grade: sheet.grade.as_deref().map(grade_name),
        rows,
        errors,
        sheet,
    }
}

#[derive(serde::Deserialize)]
pub struct Saved {
    saved: Option<usize>,
}

/// The form; after a save (`?saved=N`), what was saved and the grade as it
/// now stands.
pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((epa_id, assessment_id)): Path<(Uuid, Uuid)>,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let sheet =
        assessment::grading_sheet(&state.app, &signed_in.actor, epa_id, assessment_id).await?;
    let (judged, of) = (sheet.judged, sheet.criteria.len());
    let notice = saved.saved.map(|count| match count {
        0 => "Nothing had changed, so nothing was saved.".to_owned(),
        1 => format!("Saved 1 judgement. {judged} of {of} criteria judged."),
        n => format!("Saved {n} judgements. {judged} of {of} criteria judged."),
    });
    Ok(render(&page_of(
        &signed_in,
        epa_id,
        sheet,
        None,
        Vec::new(),
        notice,
    )))
}

pub async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((epa_id, assessment_id)): Path<(Uuid, Uuid)>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let sheet = assessment::grading_sheet(app, actor, epa_id, assessment_id).await?;
    // Only what changed: a criterion newly judged, or its verdict or note changed.
    let mut changed = Vec::new();
    for criterion in &sheet.criteria {
        let met = match form.get(&format!("met.{}", criterion.id)) {
            Some("met") => true,
            Some("not_met") => false,
            _ => continue,
        };
        let note = form
            .get(&format!("note.{}", criterion.id))
            .unwrap_or_default()
            .to_owned();
        if criterion.met == Some(met) && criterion.note.trim() == note {
            continue;
        }
        changed.push(JudgementInput {
            criterion: criterion.id.clone(),
            met,
            note: Some(note).filter(|note| !note.is_empty()),
        });
    }
    let here = format!("/epas/{epa_id}/assessments/{assessment_id}");
    if changed.is_empty() {
        return Ok(Redirect::to(&format!("{here}?saved=0")).into_response());
    }
    let saved = changed.len();
    let input = JudgementsInput {
        judgements: changed.clone(),
    };
    match assessment::record_judgements(app, actor, epa_id, assessment_id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("{here}?saved={saved}")).into_response()),
        Err(AppError::Validation(problems)) => {
            // `judgements[i].note` is the i-th changed criterion's note field.
            let errors = problems
                .into_iter()
                .map(|problem| {
                    let field = problem
                        .field
                        .strip_prefix("judgements[")
                        .and_then(|rest| rest.split_once("]."))
                        .and_then(|(index, part)| {
                            let criterion = &changed.get(index.parse::<usize>().ok()?)?.criterion;
                            Some(match part {
                                "note" => format!("note.{criterion}"),
                                _ => format!("met.{criterion}"),
                            })
                        })
                        .unwrap_or_else(|| "form".to_owned());
                    FieldError {
                        field,
                        message: super::error::sentence(&problem.message),
                    }
                })
                .collect();
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page_of(&signed_in, epa_id, sheet, Some(&form), errors, None),
            ))
        }
        Err(err) => Err(err.into()),
    }
}
