//! An EPA's gateway as a page: what was sent at each attempt, the KSB
//! coverage of the portfolio (a chart with its table), and for EPAO staff a
//! decision per component, then approval or rejection of the whole. Each
//! decision is the API's use case (`review`, `approve`, `reject`), one
//! transaction each.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::gateway::{self, ComponentView, Decision, ReviewInput};
use epa_app::{AppError, epas};
use epa_domain::gateway::ComponentKind;
use epa_domain::policy::Action;
use serde::Deserialize;
use uuid::Uuid;

use super::chart::coverage_matrix;
use super::error::{PageError, sentence, with_error};
use super::form::PostedForm;
use super::session::SignedIn;
use super::view::{Chrome, render, short_date};
use crate::AppState;

#[derive(Template)]
#[template(path = "gateway.html")]
struct GatewayPage {
    chrome: Chrome,
    epa_id: Uuid,
    may_review: bool,
    may_submit: bool,
    attempt: Option<Attempt>,
    coverage: Option<Coverage>,
    error: Option<String>,
}

struct Attempt {
    number: i32,
    status: String,
    submitted: String,
    reasons: Vec<String>,
    components: Vec<Component>,
}

struct Component {
    kind: String,
    name: String,
    status: String,
    facts: Vec<(String, String)>,
    evidence: Vec<(i32, String, String, String, String)>,
    reasons: Vec<String>,
}

struct Coverage {
    chart: String,
    rows: Vec<(String, String, String)>,
    uncovered: Vec<String>,
}

#[derive(Deserialize)]
pub struct Shown {
    error: Option<String>,
}

fn facts_of(component: &ComponentView) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    if let Some(words) = component.word_count {
        facts.push(("Words".to_owned(), words.to_string()));
    }
    if let Some(object) = component.details.as_object() {
        for (key, value) in object {
            let shown = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Bool(true) => "yes".to_owned(),
                serde_json::Value::Bool(false) => "no".to_owned(),
                serde_json::Value::Number(number) => number.to_string(),
                _ => continue,
            };
            facts.push((key.replace('_', " "), shown));
        }
    }
    facts
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let view = gateway::get(app, actor, epa_id).await?;
    let may = epas::permitted(
        app,
        actor,
        epa_id,
        &[Action::ReviewGateway, Action::SubmitGateway],
    )
    .await?;
    let latest = view.attempts.last();
    let coverage = match latest {
        Some(attempt) => gateway::coverage(app, actor, epa_id, Some(attempt.attempt))
            .await
            .ok(),
        None => None,
    };
    let coverage = coverage.map(|coverage| Coverage {
        chart: coverage_matrix(
            &coverage
                .ksbs
                .iter()
                .map(|row| {
                    (
                        row.ksb.clone(),
                        row.evidence.iter().map(|item| item.number).collect(),
                    )
                })
                .collect::<Vec<_>>(),
        ),
        rows: coverage
            .ksbs
            .iter()
            .map(|row| {
                (
                    row.ksb.clone(),
                    row.statement.clone(),
                    if row.evidence.is_empty() {
                        "None".to_owned()
                    } else {
                        row.evidence
                            .iter()
                            .map(|item| format!("{}. {}", item.number, item.title))
                            .collect::<Vec<_>>()
                            .join("; ")
                    },
                )
            })
            .collect(),
        uncovered: coverage.uncovered,
    });
    let attempt = latest.map(|attempt| Attempt {
        number: attempt.attempt,
        status: attempt.status.replace('_', " "),
        submitted: short_date(attempt.submitted_at.date_naive()),
        reasons: attempt.reasons.clone(),
        components: attempt
            .components
            .iter()
            .map(|component| Component {
                kind: component.kind.clone(),
                name: component.name.clone(),
                status: component.status.clone(),
                facts: facts_of(component),
                evidence: component
                    .evidence_items
                    .iter()
                    .map(|item| {
                        (
                            item.number,
                            item.title.clone(),
                            item.evidence_type.clone(),
                            short_date(item.date),
                            item.ksbs.join(", "),
                        )
                    })
                    .collect(),
                reasons: component
                    .reviews
                    .last()
                    .map(|review| review.reasons.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    });
    let under_review = view.stage == "gateway_submitted";
    Ok(render(&GatewayPage {
        chrome: Chrome::new(&signed_in, "Gateway", ""),
        epa_id,
        may_review: under_review && may.contains(&Action::ReviewGateway),
        may_submit: view.stage == "registered" && may.contains(&Action::SubmitGateway),
        attempt,
        coverage,
        error: shown.error.map(|error| sentence(&error)),
    }))
}

/// Back to the gateway page, saying what stopped the action when it failed.
fn back(epa_id: Uuid, result: Result<(), AppError>) -> Result<Response, PageError> {
    let to = match result {
        Ok(()) => format!("/epas/{epa_id}/gateway"),
        Err(AppError::Validation(problems)) => {
            let text = problems
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            with_error(&format!("/epas/{epa_id}/gateway"), &text)
        }
        Err(AppError::Conflict(why)) => with_error(&format!("/epas/{epa_id}/gateway"), &why),
        Err(err) => return Err(err.into()),
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn decide_component(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((epa_id, kind)): Path<(Uuid, String)>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let component = ComponentKind::parse(&kind).ok_or(PageError(AppError::NotFound))?;
    let decision = match form.get("decision") {
        Some("accepted") => Decision::Accepted,
        Some("rejected") => Decision::Rejected,
        _ => {
            return back(
                epa_id,
                Err(AppError::field("decision", "choose accept or reject")),
            );
        }
    };
    let reasons = form
        .get("reasons")
        .map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let input = ReviewInput {
        component,
        decision,
        reasons,
    };
    let result = gateway::review(&state.app, &signed_in.actor, epa_id, input).await;
    back(epa_id, result.map(|_| ()))
}

pub async fn approve(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    match gateway::approve(&state.app, &signed_in.actor, epa_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/epas/{epa_id}?done=gateway_approved")).into_response()),
        Err(err) => back(epa_id, Err(err)),
    }
}

pub async fn reject(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    match gateway::reject(&state.app, &signed_in.actor, epa_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/epas/{epa_id}?done=gateway_rejected")).into_response()),
        Err(err) => back(epa_id, Err(err)),
    }
}
