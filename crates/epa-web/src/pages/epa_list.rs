//! `/epas`: the apprentices a person may see, searched by family name or
//! ULN, a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use epa_app::AppError;
use epa_app::epas::{self, ListQuery};
use epa_domain::lifecycle::Stage;
use serde::Deserialize;

use super::error::PageError;
use super::session::SignedIn;
use super::view::{Chrome, policy_name, render, render_with, stage_name};
use crate::AppState;

#[derive(Deserialize)]
pub struct ListParams {
    search: Option<String>,
    stage: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "epa_list.html")]
struct EpaList {
    chrome: Chrome,
    search: String,
    stage: String,
    stages: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    next: Option<String>,
    error: Option<String>,
    may_register: bool,
    /// Where a row leads under the EPA's page (`/gateway` from the gateway
    /// queue), and the queue's own heading and address.
    suffix: &'static str,
    heading: &'static str,
    here: &'static str,
}

struct Row {
    id: uuid::Uuid,
    name: String,
    uln: String,
    stage: &'static str,
    epao: &'static str,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let search = params.search.clone().unwrap_or_default();
    let stage = params.stage.clone().filter(|stage| !stage.is_empty());
    let query = ListQuery {
        stage: stage.clone(),
        search: Some(search.clone()).filter(|s| !s.trim().is_empty()),
        after: params.after.clone(),
        limit: Some(50),
        ..ListQuery::default()
    };
    let page = EpaList {
        chrome: Chrome::new(&signed_in, "Apprentices", "/epas"),
        search,
        stage: stage.clone().unwrap_or_default(),
        stages: epa_domain::lifecycle::Stage::ALL
            .into_iter()
            .map(|stage| (stage.as_str(), stage_name(stage.as_str())))
            .collect(),
        rows: Vec::new(),
        next: None,
        error: None,
        may_register: super::register::registers(&signed_in),
        suffix: "",
        heading: "Apprentices",
        here: "/epas",
    };
    show(&state, &signed_in, query, page).await
}

/// A work queue: the EPAs at one stage, each leading to the page where the
/// work is done.
pub async fn queue(
    state: &AppState,
    signed_in: &SignedIn,
    stage: Stage,
    heading: &'static str,
    here: &'static str,
    suffix: &'static str,
    after: Option<String>,
) -> Result<Response, PageError> {
    let query = ListQuery {
        stage: Some(stage.as_str().to_owned()),
        after,
        limit: Some(50),
        ..ListQuery::default()
    };
    let page = EpaList {
        chrome: Chrome::new(signed_in, heading, here),
        search: String::new(),
        stage: stage.as_str().to_owned(),
        stages: Vec::new(),
        rows: Vec::new(),
        next: None,
        error: None,
        may_register: false,
        suffix,
        heading,
        here,
    };
    show(state, signed_in, query, page).await
}

async fn show(
    state: &AppState,
    signed_in: &SignedIn,
    query: ListQuery,
    mut page: EpaList,
) -> Result<Response, PageError> {
    match epas::list(&state.app, &signed_in.actor, &query).await {
        Ok(found) => {
            page.rows = found
                .items
                .into_iter()
                .map(|epa| Row {
                    id: epa.id,
                    name: format!(
                        "{} {}",
                        epa.apprentice.given_names, epa.apprentice.family_name
                    ),
                    uln: epa.apprentice.uln,
                    stage: stage_name(&epa.stage),
                    epao: policy_name(&epa.policy),
                })
                .collect();
            page.next = found.next.map(|after| {
                let query = form_urlencoded::Serializer::new(String::new())
                    .append_pair("search", &page.search)
                    .append_pair("stage", &page.stage)
                    .append_pair("after", &after)
                    .finish();
                format!("{}?{query}", page.here)
            });
            Ok(render(&page))
        }
        Err(AppError::Validation(errors)) => {
            page.error = errors
                .first()
                .map(|err| super::error::sentence(&err.message));
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(err) => Err(err.into()),
    }
}
