//! `/epas/{id}/results.pdf` and `/epas/{id}/gateway.pdf`: the PDF documents
//! for the signed-in person, on the same use cases and the same answer as
//! the API's (`api::reports`), which takes a token rather than a session.

use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::error::PageError;
use super::session::SignedIn;
use crate::AppState;
use crate::api::reports::pdf_response;

pub async fn results_pdf(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let pdf = epa_app::assessment::results_pdf(&state.app, &signed_in.actor, id).await?;
    Ok(pdf_response(pdf))
}

pub async fn gateway_pdf(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let pdf = epa_app::gateway::summary_pdf(&state.app, &signed_in.actor, id).await?;
    Ok(pdf_response(pdf))
}
