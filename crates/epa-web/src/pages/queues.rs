//! EPAO staff's work queues: gateways waiting for review, results waiting
//! for release. Each is the EPA list at one stage, leading to the page
//! where the work is done.

use axum::extract::{Query, State};
use axum::response::Response;
use epa_domain::lifecycle::Stage;
use serde::Deserialize;

use super::epa_list::queue;
use super::error::PageError;
use super::session::SignedIn;
use crate::AppState;

#[derive(Deserialize)]
pub struct Page {
    after: Option<String>,
}

pub async fn gateway_reviews(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(page): Query<Page>,
) -> Result<Response, PageError> {
    queue(
        &state,
        &signed_in,
        Stage::GatewaySubmitted,
        "Gateway reviews",
        "/gateway",
        "/gateway",
        page.after,
    )
    .await
}

pub async fn results(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(page): Query<Page>,
) -> Result<Response, PageError> {
    queue(
        &state,
        &signed_in,
        Stage::AwaitingResults,
        "Results waiting for release",
        "/results",
        "/results",
        page.after,
    )
    .await
}

pub async fn certificates(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(page): Query<Page>,
) -> Result<Response, PageError> {
    queue(
        &state,
        &signed_in,
        Stage::Completed,
        "Results released: certificates to claim",
        "/certificates",
        "/results",
        page.after,
    )
    .await
}
