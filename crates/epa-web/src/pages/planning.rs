//! Planning and booking as pages for EPAO staff: the planning meeting that
//! allocates the assessor, and booking each method with the plan's rules
//! and the EPA's dates shown before anything is chosen. The same use cases
//! as the API's `POST .../planning-meeting` and `POST .../bookings`: a "must"
//! rule refuses with its earliest or latest allowed date, next to the date.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::planning::{self, BookingError, BookingInput, PlanningMeetingInput, RuleFinding};
use epa_app::{AppError, FieldError, deadlines, epas};
use uuid::Uuid;

use super::choices::{assessor_choices, assessors};
use super::error::{PageError, sentence, sentences};
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{
    Chrome, Field, long_date, method_name, render, render_with, short_date, summary,
};
use crate::AppState;

#[derive(Template)]
#[template(path = "planning.html")]
struct PlanningPage {
    chrome: Chrome,
    epa_id: Uuid,
    heading: &'static str,
    intro: String,
    action: String,
    button: &'static str,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
    rules: Vec<RuleRow>,
    warnings: Vec<String>,
}

/// A rule of the plan as it stands for this EPA: what, by or from when, and
/// where it comes from.
struct RuleRow {
    rule: String,
    date: String,
    source: String,
}

async fn rules_of(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
) -> Result<Vec<RuleRow>, PageError> {
    let plan = deadlines::for_epa(&state.app, &signed_in.actor, epa_id).await?;
    Ok(plan
        .deadlines
        .iter()
        .filter(|deadline| deadline.state.is_open())
        .map(|deadline| RuleRow {
            rule: deadline.rule.clone(),
            date: short_date(deadline.date),
            source: deadline.source.to_string(),
        })
        .collect())
}

// ---------------------------------------------------------------------------
// The planning meeting.

async fn meeting_page(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
    form: &FormData,
    errors: Vec<FieldError>,
) -> Result<PlanningPage, PageError> {
    let epa = epas::get(&state.app, &signed_in.actor, epa_id).await?;
    let fields = vec![
        Field::new("held_on", "Date of the meeting", "date").filled(form, &errors),
        Field::new("attendees", "Who attended", "textarea")
            .hint(
                "One person per line, with their role: for example, Sam Tutor (training provider).",
            )
            .filled(form, &errors),
        Field::new("assessor_id", "Independent assessor", "select")
            .options(assessor_choices(&assessors(state, signed_in).await?, None))
            .hint("People with a conflict of interest with the employer or provider are refused.")
            .filled(form, &errors),
    ];
    Ok(PlanningPage {
        chrome: Chrome::new(signed_in, "Record the planning meeting", ""),
        epa_id,
        heading: "Record the planning meeting",
        intro: format!(
            "{} {}: the meeting agrees the assessment dates and allocates the assessor.",
            epa.apprentice.given_names, epa.apprentice.family_name
        ),
        action: format!("/epas/{epa_id}/planning-meeting"),
        button: "Record the meeting",
        errors: summary(&errors, &fields),
        fields,
        rules: rules_of(state, signed_in, epa_id).await?,
        warnings: Vec::new(),
    })
}

pub async fn meeting_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
) -> Result<Response, PageError> {
    Ok(render(
        &meeting_page(&state, &signed_in, epa_id, &FormData::default(), Vec::new()).await?,
    ))
}

pub async fn hold_meeting(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let held_on = form.date("held_on", "the date of the meeting", &mut errors);
    let attendees: Vec<String> = form
        .get("attendees")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    let assessor_id = match form.get("assessor_id").map(str::parse::<Uuid>) {
        Some(Ok(id)) => Some(id),
        _ => {
            errors.push(FieldError::new("assessor_id", "Choose the assessor"));
            None
        }
    };
    if let (true, Some(held_on), Some(assessor_id)) = (errors.is_empty(), held_on, assessor_id) {
        let input = PlanningMeetingInput {
            held_on,
            attendees,
            assessor_id,
        };
        match planning::hold_planning_meeting(&state.app, &signed_in.actor, epa_id, input).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/epas/{epa_id}?done=meeting_held")).into_response()
                );
            }
            Err(AppError::Validation(problems)) => errors = problems,
            Err(err) => return Err(err.into()),
        }
    }
    let page = meeting_page(&state, &signed_in, epa_id, &form, sentences(errors)).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---------------------------------------------------------------------------
// Booking a method.

async fn booking_page(
    state: &AppState,
    signed_in: &SignedIn,
    epa_id: Uuid,
    form: &FormData,
    errors: Vec<FieldError>,
    warnings: Vec<String>,
) -> Result<PlanningPage, PageError> {
    let epa = epas::get(&state.app, &signed_in.actor, epa_id).await?;
    let methods = ["observation", "project", "discussion"]
        .into_iter()
        .map(|method| (method.to_owned(), method_name(method).to_owned()));
    let fields = vec![
        Field::new("method", "Assessment", "select")
            .options(std::iter::once((String::new(), "Choose one".to_owned())).chain(methods))
            .filled(form, &errors),
        Field::new("date", "Date", "date")
            .hint("A working day; the rules below give the earliest and latest allowed.")
            .filled(form, &errors),
        Field::new("start_time", "Start time", "time").filled(form, &errors),
        Field::new("mode", "How", "select")
            .options([
                (String::new(), "Choose one".to_owned()),
                ("in_person".to_owned(), "In person".to_owned()),
                ("remote".to_owned(), "Remote (video)".to_owned()),
            ])
            .hint("The observation is in person; the interview and discussion may be remote.")
            .filled(form, &errors),
        Field::new("duration_minutes", "Length in minutes (optional)", "number")
            .hint("Leave empty for the plan's length, with any reasonable adjustment.")
            .filled(form, &errors),
    ];
    Ok(PlanningPage {
        chrome: Chrome::new(signed_in, "Book an assessment", ""),
        epa_id,
        heading: "Book an assessment",
        intro: format!(
            "{} {}, with the allocated assessor.",
            epa.apprentice.given_names, epa.apprentice.family_name
        ),
        action: format!("/epas/{epa_id}/bookings/new"),
        button: "Book",
        errors: summary(&errors, &fields),
        fields,
        rules: rules_of(state, signed_in, epa_id).await?,
        warnings,
    })
}

pub async fn booking_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
) -> Result<Response, PageError> {
    let form = FormData(vec![("start_time".to_owned(), "09:30".to_owned())]);
    Ok(render(
        &booking_page(&state, &signed_in, epa_id, &form, Vec::new(), Vec::new()).await?,
    ))
}

/// A refused rule next to the date, with the date it allows.
fn refusal(finding: &RuleFinding) -> FieldError {
    let mut message = sentence(&finding.message);
    if let Some(earliest) = finding.earliest_allowed {
        message.push_str(&format!(
            " The earliest allowed is {}.",
            long_date(earliest)
        ));
    }
    if let Some(latest) = finding.latest_allowed {
        message.push_str(&format!(" The latest allowed is {}.", long_date(latest)));
    }
    FieldError::new("date", message)
}

pub async fn book(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let date = form.date("date", "the date", &mut errors);
    for (name, what) in [
        ("method", "Choose the assessment"),
        ("start_time", "Enter the start time"),
        ("mode", "Choose in person or remote"),
    ] {
        if form.get(name).is_none() {
            errors.push(FieldError::new(name, what));
        }
    }
    let duration_minutes = match form.get("duration_minutes").map(str::parse::<u32>) {
        None => None,
        Some(Ok(minutes)) => Some(minutes),
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "duration_minutes",
                "Enter a whole number of minutes",
            ));
            None
        }
    };
    if let (true, Some(date)) = (errors.is_empty(), date) {
        let input = BookingInput {
            method: form.get("method").unwrap_or_default().to_owned(),
            date,
            start_time: form.get("start_time").unwrap_or_default().to_owned(),
            duration_minutes,
            mode: form.get("mode").unwrap_or_default().to_owned(),
            assessor_id: None,
        };
        match planning::book(&state.app, &signed_in.actor, epa_id, input).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/epas/{epa_id}?done=booked")).into_response());
            }
            Err(BookingError::Refused {
                refusals,
                warnings: advised,
            }) => {
                errors.extend(refusals.iter().map(refusal));
                warnings = advised
                    .iter()
                    .map(|finding| sentence(&finding.message))
                    .collect();
            }
            Err(BookingError::App(AppError::Validation(problems))) => errors = problems,
            Err(BookingError::App(err)) => return Err(err.into()),
        }
    }
    let page = booking_page(
        &state,
        &signed_in,
        epa_id,
        &form,
        sentences(errors),
        warnings,
    )
    .await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
