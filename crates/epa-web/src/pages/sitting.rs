//! Recording a sitting against its booking: when it started and ended and,
//! for the observation, the minutes of questions; for the project, the
//! interview questions asked. The same use case as the API's
//! `POST .../assessments`; the plan's rules are checked there and their
//! refusals shown next to the field they concern.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::assessment::{self, AssessmentInput};
use epa_app::{AppError, FieldError, planning};
use uuid::Uuid;

use super::error::PageError;
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, Field, long_date, method_name, render, render_with, summary};
use crate::AppState;

#[derive(Template)]
#[template(path = "sitting.html")]
struct SittingPage {
    chrome: Chrome,
    epa_id: Uuid,
    booking_id: Uuid,
    heading: String,
    booked: String,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

fn fields(method: &str, form: &FormData, errors: &[FieldError]) -> Vec<Field> {
    let mut fields = vec![
        Field::new("start_time", "Started at", "time")
            .hint("The time it actually started, for example 09:30.")
            .filled(form, errors),
        Field::new("end_time", "Ended at", "time").filled(form, errors),
    ];
    match method {
        "observation" => {
            fields.push(
                Field::new("questioning_minutes", "Minutes of questions", "number")
                    .hint("The questions and answers, counted apart from the observation.")
                    .filled(form, errors),
            );
            fields.push(
                Field::new(
                    "observation_minutes",
                    "Minutes of observation (optional)",
                    "number",
                )
                .hint("Leave empty to have it worked out from the times and the policy.")
                .filled(form, errors),
            );
        }
        "project" => fields.push(
            Field::new("interview_questions", "Interview questions asked", "number")
                .filled(form, errors),
        ),
        _ => {}
    }
    fields
}

/// A whole number typed in a field: absent when empty, an error when not a number.
fn number(form: &FormData, name: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    let text = form.get(name)?;
    match text.parse::<u32>() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(FieldError::new(name, "Enter a whole number of 0 or more"));
            None
        }
    }
}

async fn booking(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
    booking_id: Uuid,
) -> Result<planning::BookingView, PageError> {
    planning::bookings(&state.app, &signed_in.actor, epa_id)
        .await?
        .into_iter()
        .find(|booking| booking.id == booking_id)
        .ok_or(PageError(AppError::NotFound))
}

fn page(
    signed_in: &SignedIn,
    booking: &planning::BookingView,
    form: &FormData,
    errors: Vec<FieldError>,
) -> SittingPage {
    let fields = fields(&booking.method, form, &errors);
    let method = method_name(&booking.method);
    SittingPage {
        chrome: Chrome::new(signed_in, format!("Record the sitting: {method}"), ""),
        epa_id: booking.epa_id,
        booking_id: booking.id,
        heading: method.to_owned(),
        booked: format!(
            "{} at {} for {} minutes",
            long_date(booking.date),
            booking.start_time,
            booking.duration_minutes
        ),
        errors: summary(&errors, &fields),
        fields,
    }
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((epa_id, booking_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    let booking = booking(&state, &signed_in, epa_id, booking_id).await?;
    let prefilled = FormData(vec![("start_time".to_owned(), booking.start_time.clone())]);
    Ok(render(&page(&signed_in, &booking, &prefilled, Vec::new())))
}

pub async fn record(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((epa_id, booking_id)): Path<(Uuid, Uuid)>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let booking = booking(&state, &signed_in, epa_id, booking_id).await?;
    let mut errors = Vec::new();
    for (name, label) in [
        ("start_time", "the start time"),
        ("end_time", "the end time"),
    ] {
        if form.get(name).is_none() {
            errors.push(FieldError::new(name, format!("Enter {label}")));
        }
    }
    let input = AssessmentInput {
        booking_id: Some(booking.id),
        method: booking.method.clone(),
        held_on: None,
        start_time: form.get("start_time").unwrap_or_default().to_owned(),
        end_time: form.get("end_time").unwrap_or_default().to_owned(),
        questioning_minutes: number(&form, "questioning_minutes", &mut errors),
        observation_minutes: number(&form, "observation_minutes", &mut errors),
        interview_questions: number(&form, "interview_questions", &mut errors),
    };
    if errors.is_empty() {
        match assessment::record_assessment(&state.app, &signed_in.actor, epa_id, input).await {
            Ok(recorded) => {
                return Ok(Redirect::to(&format!(
                    "/epas/{epa_id}/assessments/{}",
                    recorded.assessment.id
                ))
                .into_response());
            }
            Err(AppError::Validation(problems)) => errors = problems,
            Err(err) => return Err(err.into()),
        }
    }
    let errors = errors
        .into_iter()
        .map(|err| FieldError {
            message: super::error::sentence(&err.message),
            ..err
        })
        .collect();
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&signed_in, &booking, &form, errors),
    ))
}
