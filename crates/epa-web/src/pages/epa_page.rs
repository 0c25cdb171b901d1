//! `/epas/{id}`: one EPA as the person may see it: where it stands, what
//! happens next and by when, the bookings, the results once released, the
//! documents, and the things this person can do now.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use epa_app::{assessment, deadlines, documents, epas, planning};
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use serde::Deserialize;
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
    next: &'static str,
    facts: Vec<(&'static str, String)>,
    steps: Vec<Step>,
    actions: Vec<(String, String)>,
    deadlines: Vec<DeadlineRow>,
    bookings: Vec<BookingRow>,
    results: Vec<ResultRow>,
    overall: Option<Overall>,
    documents: Vec<DocumentRow>,
}

/// What happens next at each stage, in a sentence everyone can read.
fn next_step(stage: Option<Stage>) -> &'static str {
    match stage {
        Some(Stage::Registered) => {
            "The training provider submits the gateway when the apprentice is ready: the portfolio, the project proposal and the declarations."
        }
        Some(Stage::GatewaySubmitted) => {
            "The EPAO reviews each part of the gateway and approves it, or says what to send again."
        }
        Some(Stage::GatewayApproved) => {
            "The EPAO holds the planning meeting with the apprentice, employer and provider, and allocates the assessor."
        }
        Some(Stage::Planned) => {
            "The three assessments are booked within the EPA period; each booking is shown below."
        }
        Some(Stage::InAssessment) => {
            "The assessments are taking place; the assessor judges each against the criteria."
        }
        Some(Stage::AwaitingResults) => {
            "Every assessment is graded; the EPAO checks and releases the results."
        }
        Some(Stage::Completed) => {
            "The results are released. For a pass or distinction the EPAO claims the certificate; after a fail, a resit or retake can be arranged."
        }
        Some(Stage::CertificateClaimed) => "The certificate has been claimed and is on its way.",
        Some(Stage::CertificateReceived) => {
            "The certificate has arrived: the end-point assessment is complete."
        }
        Some(Stage::Withdrawn) => {
            "The apprentice has been withdrawn from the end-point assessment."
        }
        None => "",
    }
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
const OFFERED: [Action; 7] = [
    Action::ReallocateAssessor,
    Action::SubmitGateway,
    Action::AllocateAssessor,
    Action::ReviewGateway,
    Action::BookAssessment,
    Action::RecordJudgement,
    Action::ReleaseResult,
];

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// What the action that led here did, in a line.
fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "registered" => {
                "The apprentice is registered. Submit their gateway when they are ready."
            }
            "gateway_submitted" => "The gateway is submitted. The EPAO reviews it next.",
            "gateway_approved" => "The gateway is approved: the EPA period has started.",
            "gateway_rejected" => {
                "The gateway is rejected: the provider sends the rejected parts again."
            }
            "meeting_held" => "The planning meeting is recorded.",
            "booked" => "The assessment is booked and everyone is told.",
            "released" => "The results are released and everyone is told.",
            "certificate_claimed" => "The certificate is claimed.",
            "reallocated" => "The EPA has moved to its new assessor, with its bookings to come; everyone is told.",
            _ => return None,
        }
        .to_owned(),
    )
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
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
    match stage {
        Some(Stage::Registered) if may.contains(&Action::SubmitGateway) => {
            actions.push((
                format!("/epas/{id}/gateway/submit"),
                "Submit the gateway".to_owned(),
            ));
        }
        Some(Stage::GatewaySubmitted) if may.contains(&Action::ReviewGateway) => {
            actions.push((
                format!("/epas/{id}/gateway"),
                "Review the gateway".to_owned(),
            ));
        }
        Some(Stage::Registered) => {}
        _ => actions.push((format!("/epas/{id}/gateway"), "See the gateway".to_owned())),
    }
    match stage {
        Some(Stage::GatewayApproved) if may.contains(&Action::AllocateAssessor) => {
            actions.push((
                format!("/epas/{id}/planning-meeting"),
                "Record the planning meeting".to_owned(),
            ));
        }
        Some(Stage::Planned | Stage::InAssessment) if may.contains(&Action::BookAssessment) => {
            actions.push((
                format!("/epas/{id}/bookings/new"),
                "Book an assessment".to_owned(),
            ));
        }
        _ => {}
    }
    if matches!(
        stage,
        Some(
            Stage::InAssessment
                | Stage::AwaitingResults
                | Stage::Completed
                | Stage::CertificateClaimed
                | Stage::CertificateReceived
        )
    ) {
        let label = if may.contains(&Action::ReleaseResult) {
            "Results and release"
        } else {
            "Results"
        };
        actions.push((format!("/epas/{id}/results"), label.to_owned()));
    }
    if may.contains(&Action::ReallocateAssessor)
        && epa.assessor_id.is_some()
        && !matches!(
            stage,
            Some(
                Stage::Completed
                    | Stage::CertificateClaimed
                    | Stage::CertificateReceived
                    | Stage::Withdrawn
            )
        )
    {
        actions.push((
            format!("/epas/{id}/assessor"),
            "Change the assessor".to_owned(),
        ));
    }
    // The apprentice sees only their own EPA: they upload their own work.
    if may.contains(&Action::SubmitGateway) || actor.has_role(epa_store::users::Role::Apprentice) {
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
    // The documents, as the person may read them: the gateway once one is
    // submitted, the result letter once a result is released to them.
    if !matches!(stage, Some(Stage::Registered) | None) {
        actions.push((
            format!("/epas/{id}/gateway.pdf"),
            "Download the gateway summary (PDF)".to_owned(),
        ));
    }
    if overall.is_some() {
        actions.push((
            format!("/epas/{id}/results.pdf"),
            "Download the result letter (PDF)".to_owned(),
        ));
    }
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
        chrome: Chrome::new(&signed_in, name.clone(), "").with_notice(notice(done.done.as_deref())),
        name,
        next: next_step(stage),
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
