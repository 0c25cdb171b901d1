//! `/`: each person's own starting page; the sign-in page for anyone else.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::epas::{self, ListQuery};
use epa_store::users::Role;

use super::error::PageError;
use super::session::MaybeSignedIn;
use crate::AppState;

pub async fn home(
    State(state): State<AppState>,
    MaybeSignedIn(signed_in): MaybeSignedIn,
) -> Result<Response, PageError> {
    let Some(signed_in) = signed_in else {
        return Ok(Redirect::to("/login").into_response());
    };
    let to = match signed_in.main_role() {
        Some(Role::EpaoAdmin | Role::EpaoOperations | Role::QualityAssurer) => {
            "/dashboard".to_owned()
        }
        Some(Role::Assessor) => "/assessor".to_owned(),
        Some(Role::ProviderUser | Role::EmployerUser) => "/epas".to_owned(),
        Some(Role::Apprentice) => {
            // An apprentice's home is their EPA (the latest, after a retake).
            let query = ListQuery {
                limit: Some(200),
                ..ListQuery::default()
            };
            let page = epas::list(&state.app, &signed_in.actor, &query).await?;
            match page.items.last() {
                Some(epa) => format!("/epas/{}", epa.id),
                None => "/epas".to_owned(),
            }
        }
        None => "/epas".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}
