//! A person's own settings: which emails they get (those they must act on
//! cannot be switched off), their private calendar address, and their
//! authenticator app. The API's notification and second-factor use cases.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::notifications::calendar_feed;
use epa_app::notifications::preferences::{self, Preference, PreferenceInput};

use super::error::PageError;
use super::form::PostedForm;
use super::session::SignedIn;
use super::view::{Chrome, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    preferences: Vec<Preference>,
    /// A calendar address just made: shown this once.
    feed_url: Option<String>,
    feed_since: Option<String>,
}

async fn show(
    state: &AppState,
    signed_in: &SignedIn,
    feed_url: Option<String>,
    notice: Option<&str>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let preferences = preferences::list(app, &signed_in.actor).await?;
    let feed = calendar_feed::get(app, &signed_in.actor).await?;
    let feed_url = feed_url.or(feed.url);
    Ok(render(&AccountPage {
        chrome: Chrome::new(signed_in, "Your account", "/account")
            .with_notice(notice.map(str::to_owned)),
        preferences,
        feed_since: feed_url
            .is_none()
            .then(|| feed.issued_at.format("%-d %B %Y").to_string()),
        feed_url,
    }))
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    show(&state, &signed_in, None, None).await
}

/// Saves the email choices: every kind not required is on when ticked.
pub async fn save_emails(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let app = &state.app;
    for preference in preferences::list(app, &signed_in.actor).await? {
        if preference.required {
            continue;
        }
        let wanted = form.get(&format!("email.{}", preference.kind)) == Some("yes");
        if wanted != preference.email {
            preferences::set(
                app,
                &signed_in.actor,
                preference.kind,
                PreferenceInput { email: wanted },
            )
            .await?;
        }
    }
    show(
        &state,
        &signed_in,
        None,
        Some("Your email choices are saved."),
    )
    .await
}

/// A new calendar address (the old one stops working), or none at all.
pub async fn calendar(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(action): Path<String>,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    let app = &state.app;
    match action.as_str() {
        "renew" => {
            let feed = calendar_feed::renew(app, &signed_in.actor).await?;
            show(
                &state,
                &signed_in,
                feed.url,
                Some("Your calendar has a new address; the old one no longer works."),
            )
            .await
        }
        "revoke" => {
            match calendar_feed::revoke(app, &signed_in.actor).await {
                Ok(()) | Err(epa_app::AppError::NotFound) => {}
                Err(err) => return Err(err.into()),
            }
            Ok(Redirect::to("/account").into_response())
        }
        _ => Err(PageError(epa_app::AppError::NotFound)),
    }
}
