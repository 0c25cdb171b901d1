//! The schedule for EPAO staff: a proposal of who assesses each waiting
//! apprentice's remaining assessments, and when, as a form to adjust (the
//! assessor, the date and start time of each row, and whether to keep it),
//! the reason for anything left out, and the figures in plain English. The
//! same use cases as `POST /api/v1/schedule/proposals` and
//! `.../confirmations`: the proposal is not stored, the rows kept are
//! posted back and each is booked under the booking rules, a refusal shown
//! next to its row (ADR 0127).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::FieldError;
use epa_app::planning::BookingInput;
use epa_app::schedule::{
    self, ConfirmRow, ConfirmationInput, Figures, Proposal, ProposedBooking, ScheduleInput,
};
use epa_domain::assessor_profile::Region;
use serde::Deserialize;
use uuid::Uuid;

use super::choices::assessors;
use super::error::{PageError, sentence};
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, long_date, method_name, render, render_with, short_date};
use crate::AppState;

#[derive(Template)]
#[template(path = "schedule.html")]
struct SchedulePage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    /// The figures in plain English, one sentence each.
    figures: Vec<String>,
    rows: Vec<Row>,
    unscheduled: Vec<Left>,
    /// After a confirmation: what was booked.
    booked: Vec<String>,
}

/// One proposed booking as a row of the form.
struct Row {
    /// The prefix of its fields' names: `row-3`.
    key: String,
    epa_id: Uuid,
    apprentice: String,
    method: String,
    method_label: &'static str,
    date: String,
    start_time: String,
    mode: String,
    region: String,
    region_label: &'static str,
    needs_meeting: bool,
    keep: bool,
    assessors: Vec<(String, String, bool)>,
    errors: Vec<String>,
}

struct Left {
    apprentice: String,
    method: &'static str,
    reason: String,
}

fn region_label(region: &str) -> &'static str {
    Region::parse(region).map_or("", Region::name)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The proposal's figures as sentences people read.
fn sentences_of(figures: &Figures) -> Vec<String> {
    let mut out = vec![format!(
        "{} waiting after gateway with assessments to book, and {} with a profile.",
        plural(figures.apprentices, "apprentice is", "apprentices are"),
        plural(figures.assessors, "assessor", "assessors")
    )];
    out.push(format!(
        "The proposal books {}; {} left out, each with its reason below.",
        plural(figures.proposed, "assessment", "assessments"),
        plural(figures.unscheduled, "is", "are")
    ));
    if figures.apprentices > 0 {
        out.push(format!(
            "From the start of their EPA period to their last assessment, the apprentices wait {} in all (about {} each).",
            plural(figures.lead_time_days.max(0) as usize, "day", "days"),
            plural(
                (figures.lead_time_days.max(0) as usize).div_ceil(figures.apprentices.max(1)),
                "day",
                "days"
            )
        ));
    }
    out.push(format!(
        "Assessors travel {:.1} hours in all to the observations; {} out of the recommended order.",
        figures.travel_hours,
        plural(
            figures.order_violations as usize,
            "pair of assessments is",
            "pairs of assessments are"
        )
    ));
    out.push(format!(
        "Score {:.2} (lower is better: 1000 for each assessment left out, plus the days of waiting, the hours of travel and 50 for each pair out of order).",
        figures.total
    ));
    if !figures.complete {
        out.push("The search stopped at its time limit: every rule holds, but asking again may find a better proposal.".to_owned());
    }
    out
}

fn choices(all: &[(Uuid, String)], chosen: &str) -> Vec<(String, String, bool)> {
    all.iter()
        .map(|(id, name)| {
            let id = id.to_string();
            let selected = id == chosen;
            (id, name.clone(), selected)
        })
        .collect()
}

fn row_of(i: usize, b: &ProposedBooking, all: &[(Uuid, String)]) -> Row {
    let assessor = b.assessor_id.to_string();
    Row {
        key: format!("row-{i}"),
        epa_id: b.epa_id,
        apprentice: b.apprentice.clone(),
        method: b.method.clone(),
        method_label: method_name(&b.method),
        date: b.date.to_string(),
        start_time: b.start_time.clone(),
        mode: b.mode.clone(),
        region: b.region.clone(),
        region_label: region_label(&b.region),
        needs_meeting: b.needs_planning_meeting,
        // An EPA waiting for its planning meeting cannot be booked yet.
        keep: !b.needs_planning_meeting,
        assessors: choices(all, &assessor),
        errors: Vec::new(),
    }
}

async fn assessor_names(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Vec<(Uuid, String)>, PageError> {
    Ok(assessors(state, signed_in)
        .await?
        .into_iter()
        .map(|user| (user.id, user.name))
        .collect())
}

fn proposal_page(
    signed_in: &SignedIn,
    proposal: &Proposal,
    all: &[(Uuid, String)],
    notice: Option<String>,
) -> SchedulePage {
    SchedulePage {
        chrome: Chrome::new(signed_in, "Schedule", "/schedule").with_notice(notice),
        errors: Vec::new(),
        figures: sentences_of(&proposal.figures),
        rows: proposal
            .bookings
            .iter()
            .enumerate()
            .map(|(i, b)| row_of(i, b, all))
            .collect(),
        unscheduled: proposal
            .unscheduled
            .iter()
            .map(|u| Left {
                apprentice: u.apprentice.clone(),
                method: method_name(&u.method),
                reason: sentence(&u.reason),
            })
            .collect(),
        booked: Vec::new(),
    }
}

#[derive(Debug, Deserialize)]
pub struct Done {
    booked: Option<usize>,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let proposal =
        schedule::propose(&state.app, &signed_in.actor, ScheduleInput::default()).await?;
    let all = assessor_names(&state, &signed_in).await?;
    let notice = done.booked.map(|n| {
        format!(
            "{} booked. Everyone concerned has been told.",
            plural(n, "assessment", "assessments")
        )
    });
    Ok(render(&proposal_page(&signed_in, &proposal, &all, notice)))
}

/// The rows as posted, each read field by field; a row whose own fields
/// cannot be read (a date that is not a date) carries its problem.
fn posted_rows(form: &FormData, all: &[(Uuid, String)]) -> Vec<(Row, Option<ConfirmRow>)> {
    let mut out = Vec::new();
    for i in 0.. {
        let key = format!("row-{i}");
        let field = |name: &str| form.get(&format!("{key}-{name}")).unwrap_or_default();
        let Ok(epa_id) = field("epa").parse::<Uuid>() else {
            break;
        };
        let mut errors = Vec::new();
        let date = field("date").parse::<chrono::NaiveDate>().ok();
        if date.is_none() {
            errors.push("Enter the date as a real date".to_owned());
        }
        let start_time = field("start_time").to_owned();
        if start_time.is_empty() {
            errors.push("Enter the start time".to_owned());
        }
        let assessor = field("assessor").to_owned();
        let assessor_id = assessor.parse::<Uuid>().ok();
        if assessor_id.is_none() {
            errors.push("Choose the assessor".to_owned());
        }
        let method = field("method").to_owned();
        let region = field("region").to_owned();
        let row = Row {
            epa_id,
            apprentice: field("apprentice").to_owned(),
            method_label: method_name(&method),
            date: field("date").to_owned(),
            start_time: start_time.clone(),
            mode: field("mode").to_owned(),
            region_label: region_label(&region),
            region,
            needs_meeting: field("meeting") == "yes",
            keep: field("keep") == "yes",
            assessors: choices(all, &assessor),
            errors,
            method,
            key,
        };
        let confirm = match (date, assessor_id, row.errors.is_empty()) {
            (Some(date), Some(assessor_id), true) => Some(ConfirmRow {
                epa_id,
                booking: BookingInput {
                    method: row.method.clone(),
                    date,
                    start_time,
                    duration_minutes: None,
                    mode: row.mode.clone(),
                    assessor_id: Some(assessor_id),
                },
            }),
            _ => None,
        };
        out.push((row, confirm));
    }
    out
}

pub async fn confirm(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let all = assessor_names(&state, &signed_in).await?;
    let posted = posted_rows(&form, &all);
    let mut kept: Vec<usize> = Vec::new();
    let mut input = ConfirmationInput::default();
    for (i, (row, confirm)) in posted.iter().enumerate() {
        if let (true, Some(confirm)) = (row.keep, confirm) {
            kept.push(i);
            input.bookings.push(confirm.clone());
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut booked = Vec::new();
    let mut errors = Vec::new();
    let outcomes = if input.bookings.is_empty() {
        if !posted
            .iter()
            .any(|(row, _)| row.keep && !row.errors.is_empty())
        {
            errors.push(FieldError::new(
                "rows",
                "Choose at least one assessment to book: tick Keep on its row",
            ));
        }
        Vec::new()
    } else {
        schedule::confirm(&state.app, &signed_in.actor, input)
            .await?
            .rows
    };
    for (i, (mut row, _)) in posted.into_iter().enumerate() {
        // A row left out is not checked.
        if !row.keep {
            row.errors.clear();
        }
        let outcome = kept
            .iter()
            .position(|k| *k == i)
            .and_then(|n| outcomes.get(n));
        match outcome {
            Some(outcome) if outcome.booking.is_some() => {
                let date = outcome
                    .booking
                    .as_ref()
                    .map_or_else(String::new, |b| long_date(b.date));
                booked.push(format!(
                    "{}: {}, {date}",
                    row.apprentice,
                    method_name(&row.method)
                ));
                continue;
            }
            Some(outcome) => row.errors.extend(
                outcome
                    .errors
                    .iter()
                    .map(|e| sentence(&e.message))
                    .collect::<Vec<_>>(),
            ),
            None => {}
        }
        // Rows that were kept but not booked stay on the form, with why.
        if row.keep && !row.errors.is_empty() {
            for message in &row.errors {
                errors.push(FieldError::new(
                    &row.key,
                    format!(
                        "{}, {} on {}: {message}",
                        row.apprentice,
                        row.method_label.to_lowercase(),
                        row.date
                            .parse()
                            .map_or_else(|_| row.date.clone(), short_date)
                    ),
                ));
            }
        }
        rows.push(row);
    }
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/schedule?booked={}", booked.len())).into_response());
    }
    let page = SchedulePage {
        chrome: Chrome::new(&signed_in, "Schedule", "/schedule"),
        errors,
        figures: Vec::new(),
        rows,
        unscheduled: Vec::new(),
        booked,
    };
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
