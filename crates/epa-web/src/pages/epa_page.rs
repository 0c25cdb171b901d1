//! `/epas/{id}`: one EPA as the person may see it: where it stands, what
//! happens next and by when, the bookings, the results once released, the
//! documents, and the things this person can do now.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use epa_app::{assessment, deadlines, documents, epas, planning};
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use uuid::Uuid;

use super::deadline_rows::{DeadlineRow, row_of_own};
use super::error::PageError;
use super::session::SignedIn;
use super::view::{Chrome, grade_name, long_date, method_name, policy_name, render, stage_name};
use crate::AppState;

#[derive(Template)]
#[template(path = "epa.html")]
struct EpaPage {
    chrome: Chrome,
    name: String,
    facts: Vec<(&'static str, String)>,
    steps: Vec<Step>,
    actions: Vec<(String, String)>,
    deadlines: Vec<DeadlineRow>,
    bookings: Vec<BookingRow>,
    results: Vec<ResultRow>,
    overall: Option<Overall>,
    documents: Vec<DocumentRow>,
}

struct Step {
    label: &'static str,
    /// `done`, `current` or `todo`.
    state: &'static str,
}

struct BookingRow {
    method: &'static str,
    when: String,
    length: String,
    mode: String,
    status: String,
}

struct ResultRow {
    method: &'static str,
    outcome: String,
    explanation: Option<String>,
}

struct Overall {
    grade: String,
    explanation: Vec<String>,
}

struct DocumentRow {
    id: Uuid,
    purpose: String,
    name: String,
    words: Option<i64>,
}

/// What a page may offer, asked of the gate in one go.
const OFFERED: [Action; 5] = [
    Action::SubmitGateway,
    Action::ReviewGateway,
    Action::BookAssessment,
    Action::RecordJudgement,
    Action::ReleaseResult,
];

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let epa = epas::get(app, actor, id).await?;
    let may = epas::permitted(app, actor, id, &OFFERED).await?;
    let plan = deadlines::for_epa(app, actor, id).await?;
    let bookings = planning::bookings(app, actor, id).await?;
    let results = assessment::results(app, actor, id).await.ok();
    let documents = documents::list(app, actor, id).await.unwrap_or_default();
    let assessments = if may.contains(&Action::RecordJudgement) {
        assessment::assessments(app, actor, id).await?
    } else {
        Vec::new()
    };
    let today = app.clock.today();

    let name = format!(
        "{} {}",
        epa.apprentice.given_names, epa.apprentice.family_name
    );
    let mut facts = vec![
        ("ULN", epa.apprentice.uln.clone()),
        (
            "Standard",
            format!(
                "Customer service specialist, {} version {}",
                epa.standard, epa.version
            ),
        ),
        (
            "End-point assessment organisation",
            policy_name(&epa.policy).to_owned(),
        ),
        ("Stage", stage_name(&epa.stage).to_owned()),
    ];
    if let Some(born) = epa.apprentice.date_of_birth {
        facts.push(("Date of birth", long_date(born)));
    }
    if let Some(on) = epa.gateway_approved_on {
        facts.push(("Gateway passed", long_date(on)));
    }
    if let Some(on) = epa.planning_meeting_on {
        facts.push(("Planning meeting", long_date(on)));
    }

    let stage: Option<Stage> = epa.stage.parse().ok();
    let steps = steps(stage);
    let mut actions = Vec::new();
    if may.contains(&Action::SubmitGateway) {
        actions.push((format!("/epas/{id}/upload"), "Upload a document".to_owned()));
    }
    if may.contains(&Action::RecordJudgement) {
        // A sitting is recorded on or after its day, against its booking.
        for booking in bookings
            .iter()
            .filter(|b| b.status == "booked" && b.date <= today)
        {
            actions.push((
                format!("/epas/{id}/bookings/{}/sitting", booking.id),
                format!("Record the sitting: {}", method_name(&booking.method)),
            ));
        }
        for held in &assessments {
            actions.push((
                format!("/epas/{id}/assessments/{}", held.id),
                format!(
                    "Grade: {} (attempt {})",
                    method_name(&held.method),
                    held.attempt
                ),
            ));
        }
    }
    let bookings = bookings
        .into_iter()
        .filter(|booking| booking.status != "rescheduled")
        .map(|booking| BookingRow {
            method: method_name(&booking.method),
            when: format!("{} at {}", long_date(booking.date), booking.start_time),
            length: format!("{} minutes", booking.duration_minutes),
            mode: booking.mode.replace('_', " "),
            status: booking.status.replace('_', " "),
        })
        .collect();
    let (results, overall) = match results {
        Some(view) => (
            view.methods
                .iter()
                .map(|method| ResultRow {
                    method: method_name(&method.method),
                    outcome: match (&method.grade, method.status.as_str()) {
                        (Some(grade), "released") => grade_name(grade),
                        (Some(grade), _) => format!("{} (not yet released)", grade_name(grade)),
                        (None, "pending") => "Not yet assessed".to_owned(),
                        (None, _) => "Waiting for release".to_owned(),
                    },
                    explanation: method.explanation.clone(),
                })
                .collect(),
            view.overall.map(|overall| Overall {
                grade: grade_name(&overall.grade),
                explanation: overall.explanation,
            }),
        ),
        None => (Vec::new(), None),
    };
    let documents = documents
        .into_iter()
        .map(|document| DocumentRow {
            id: document.id,
            purpose: document.purpose.replace('_', " "),
            name: document.declared_name,
            words: document.words.map(|words| words.words),
        })
        .collect();
    Ok(render(&EpaPage {
        chrome: Chrome::new(&signed_in, name.clone(), ""),
        name,
        facts,
        steps,
        actions,
        deadlines: plan.open().into_iter().map(row_of_own).collect(),
        bookings,
        results,
        overall,
        documents,
    }))
}

/// The journey, with where the EPA stands on it.
fn steps(stage: Option<Stage>) -> Vec<Step> {
    let journey = [
        Stage::Registered,
        Stage::GatewaySubmitted,
        Stage::GatewayApproved,
        Stage::Planned,
        Stage::InAssessment,
        Stage::AwaitingResults,
        Stage::Completed,
        Stage::CertificateClaimed,
        Stage::CertificateReceived,
    ];
    let at = stage.and_then(|stage| journey.iter().position(|s| *s == stage));
    journey
        .iter()
        .enumerate()
        .map(|(index, step)| Step {
            label: stage_name(step.as_str()),
            state: match at {
                Some(at) if index < at => "done",
                Some(at) if index == at => "current",
                _ => "todo",
            },
        })
        .collect()
}
