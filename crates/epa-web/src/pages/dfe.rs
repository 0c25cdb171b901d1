//! The DfE queue, beside the other staff queues: EPAs whose record or
//! certificate the DfE service refused, with its reasons and what to fix,
//! and a button to send one again once the DfE's data is put right. The
//! same use cases as `/api/v1/dfe/refusals`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::AppError;
use epa_app::dfe::queue::{self, RefusalView};
use epa_app::dfe::replacements;
use epa_store::dfe::Replacement;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{PageError, sentence, with_error};
use super::form::PostedForm;
use super::session::SignedIn;
use super::view::{Chrome, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "dfe.html")]
struct DfePage {
    chrome: Chrome,
    error: Option<String>,
    refusals: Vec<RefusalView>,
    next: Option<String>,
    /// Replacement certificates not yet asked of the DfE, soonest due first.
    replacements: Vec<Replacement>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    after: Option<String>,
    /// What the last action did (a fixed word, never text to show).
    #[serde(default)]
    done: Option<String>,
    /// Why the last action was refused.
    #[serde(default)]
    error: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let page = queue::refusals(&state.app, &signed_in.actor, shown.after.as_deref()).await?;
    let replacements = replacements::open(&state.app, &signed_in.actor).await?;
    let next = page.next.map(|after| {
        let after: String = form_urlencoded::byte_serialize(after.as_bytes()).collect();
        format!("/dfe?after={after}")
    });
    Ok(render(&DfePage {
        chrome: Chrome::new(&signed_in, "Refused by the DfE", "/dfe").with_notice(
            match shown.done.as_deref() {
                Some("resent") => {
                    Some("It will be sent to the DfE again at the next push".to_owned())
                }
                _ => None,
            },
        ),
        error: shown.error.map(|error| sentence(&error)),
        refusals: page.refusals,
        next,
        replacements,
    }))
}

pub async fn resend(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    let to = match queue::resend(&state.app, &signed_in.actor, epa_id).await {
        Ok(_) => "/dfe?done=resent".to_owned(),
        Err(AppError::Conflict(why)) => with_error("/dfe", &why),
        Err(err) => return Err(err.into()),
    };
    Ok(Redirect::to(&to).into_response())
}
