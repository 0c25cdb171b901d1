//! An EPA's results as a page: each method's result (provisional ones only
//! for those who may see them), the overall grade with the policy's
//! explanation, and for EPAO staff the release of each method (Innovate
//! releases per method), of the whole, and the certificate claim. Every
//! action is the API's use case; a refusal says why at the top.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::assessment::{self, ResultsView};
use epa_app::{AppError, epas};
use epa_domain::policy::Action;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{PageError, sentence, with_error};
use super::form::PostedForm;
use super::session::SignedIn;
use super::view::{Chrome, grade_name, long_date, method_name, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    chrome: Chrome,
    epa_id: Uuid,
    methods: Vec<MethodRow>,
    overall: Option<OverallBlock>,
    provisional: Option<OverallBlock>,
    may_release: bool,
    may_claim: bool,
    /// EPAO staff, for an achieved EPA: its replacement certificates.
    may_replace: bool,
    certificate: Option<String>,
    error: Option<String>,
}

struct MethodRow {
    method: String,
    name: &'static str,
    status: String,
    grade: String,
    explanation: String,
    releasable: bool,
}

struct OverallBlock {
    grade: String,
    lines: Vec<String>,
}

#[derive(Deserialize)]
pub struct Shown {
    error: Option<String>,
}

fn page_of(
    view: ResultsView,
    may_release: bool,
    may_claim: bool,
) -> (
    Vec<MethodRow>,
    Option<OverallBlock>,
    Option<OverallBlock>,
    bool,
    bool,
    Option<String>,
) {
    let awaiting = view.stage == "awaiting_results";
    let methods = view
        .methods
        .iter()
        .map(|method| MethodRow {
            method: method.method.clone(),
            name: method_name(&method.method),
            status: match method.status.as_str() {
                "released" => "Released".to_owned(),
                "provisional" => "Provisional: not yet released".to_owned(),
                _ => "Not yet graded".to_owned(),
            },
            grade: method.grade.as_deref().map(grade_name).unwrap_or_default(),
            explanation: method.explanation.clone().unwrap_or_default(),
            releasable: may_release && method.status == "provisional",
        })
        .collect();
    let block = |overall: &epa_app::assessment::OverallView| OverallBlock {
        grade: grade_name(&overall.grade),
        lines: overall.explanation.clone(),
    };
    let certificate = view.certificate.as_ref().map(|claim| {
        let mut text = format!("Claimed on {}", long_date(claim.claimed_on));
        if let Some(received) = claim.received_on {
            text.push_str(&format!("; received on {}", long_date(received)));
        }
        text
    });
    (
        methods,
        view.overall.as_ref().map(block),
        view.provisional_overall.as_ref().map(block),
        may_release && awaiting,
        may_claim
            && view.stage == "completed"
            && view.certificate.is_none()
            && view.overall.as_ref().is_some_and(|o| o.grade != "fail"),
        certificate,
    )
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let view = assessment::results(app, actor, epa_id).await?;
    let may = epas::permitted(
        app,
        actor,
        epa_id,
        &[Action::ReleaseResult, Action::ClaimCertificate],
    )
    .await?;
    let achieved = view.overall.as_ref().is_some_and(|o| o.grade != "fail");
    let may_replace = achieved && may.contains(&Action::ClaimCertificate);
    let (methods, overall, provisional, may_release, may_claim, certificate) = page_of(
        view,
        may.contains(&Action::ReleaseResult),
        may.contains(&Action::ClaimCertificate),
    );
    Ok(render(&ResultsPage {
        chrome: Chrome::new(&signed_in, "Results", ""),
        epa_id,
        methods,
        overall,
        provisional,
        may_release,
        may_claim,
        may_replace,
        certificate,
        error: shown.error.map(|error| sentence(&error)),
    }))
}

/// Back to the results, saying what stopped the action when it failed.
fn back(epa_id: Uuid, done: &str, result: Result<(), AppError>) -> Result<Response, PageError> {
    let to = match result {
        Ok(()) => format!("/epas/{epa_id}?done={done}"),
        Err(AppError::Conflict(why) | AppError::Forbidden(why)) => {
            with_error(&format!("/epas/{epa_id}/results"), &why)
        }
        Err(err) => return Err(err.into()),
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn release(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    let result = assessment::release_results(&state.app, &signed_in.actor, epa_id).await;
    back(epa_id, "released", result.map(|_| ()))
}

pub async fn release_method(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((epa_id, method)): Path<(Uuid, String)>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    let result =
        assessment::release_method_result(&state.app, &signed_in.actor, epa_id, &method).await;
    back(epa_id, "released", result.map(|_| ()))
}

pub async fn claim_certificate(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    let result = assessment::claim_certificate(&state.app, &signed_in.actor, epa_id).await;
    back(epa_id, "certificate_claimed", result.map(|_| ()))
}
