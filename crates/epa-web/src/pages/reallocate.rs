//! Moving an EPA to another assessor: the current assessor, their declared
//! conflicts of interest, and a choice of another, refused at the field if
//! they are conflicted too. The API's `reallocate_assessor` use case.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::corrections::{Reallocation, reallocate_assessor};
use epa_app::{AppError, FieldError, epas, planning};
use uuid::Uuid;

use super::choices::{assessor_choices, assessors};
use super::error::{PageError, sentences};
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, Field, render, render_with, summary};
use crate::AppState;

#[derive(Template)]
#[template(path = "reallocate.html")]
struct ReallocatePage {
    chrome: Chrome,
    epa_id: Uuid,
    apprentice: String,
    current: String,
    conflicts: Vec<String>,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
    form: &FormData,
    errors: Vec<FieldError>,
) -> Result<ReallocatePage, PageError> {
    let app = &state.app;
    let epa = epas::get(app, &signed_in.actor, epa_id).await?;
    let assessors = assessors(state, signed_in).await?;
    let name_of = |id: Uuid| {
        assessors
            .iter()
            .find(|user| user.id == id)
            .map_or_else(|| "another assessor".to_owned(), |user| user.name.clone())
    };
    let (current, conflicts) = match epa.assessor_id {
        Some(id) => (
            name_of(id),
            planning::conflicts_of(app, &signed_in.actor, id)
                .await?
                .into_iter()
                .filter(|conflict| conflict.withdrawn_at.is_none())
                .filter(|conflict| {
                    [epa.employer_id, epa.provider_id].contains(&conflict.organisation_id)
                })
                .map(|conflict| conflict.reason)
                .collect(),
        ),
        None => ("nobody yet".to_owned(), Vec::new()),
    };
    let options = assessor_choices(&assessors, epa.assessor_id);
    let fields = vec![
        Field::new("assessor_id", "New assessor", "select")
            .options(options)
            .filled(form, &errors),
        Field::new("reason", "Why the EPA moves", "textarea")
            .hint("Kept in the EPA's history, and told to the assessors and the provider.")
            .filled(form, &errors),
    ];
    Ok(ReallocatePage {
        chrome: Chrome::new(signed_in, "Change the assessor", ""),
        epa_id,
        apprentice: format!(
            "{} {}",
            epa.apprentice.given_names, epa.apprentice.family_name
        ),
        current,
        conflicts,
        errors: summary(&errors, &fields),
        fields,
    })
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
) -> Result<Response, PageError> {
    Ok(render(
        &page(&state, &signed_in, epa_id, &FormData::default(), Vec::new()).await?,
    ))
}

pub async fn reallocate(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let assessor_id = match form.get("assessor_id").map(str::parse::<Uuid>) {
        Some(Ok(id)) => Some(id),
        _ => {
            errors.push(FieldError::new("assessor_id", "Choose the new assessor"));
            None
        }
    };
    if form.get("reason").is_none() {
        errors.push(FieldError::new("reason", "Say why the EPA moves"));
    }
    if let (true, Some(assessor_id)) = (errors.is_empty(), assessor_id) {
        let input = Reallocation {
            assessor_id,
            reason: form.get("reason").unwrap_or_default().to_owned(),
        };
        match reallocate_assessor(&state.app, &signed_in.actor, epa_id, input).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/epas/{epa_id}?done=reallocated")).into_response()
                );
            }
            Err(AppError::Validation(problems)) => errors = problems,
            Err(AppError::Conflict(why)) => errors.push(FieldError::new("assessor_id", why)),
            Err(err) => return Err(err.into()),
        }
    }
    let errors = sentences(errors);
    let page = page(&state, &signed_in, epa_id, &form, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
