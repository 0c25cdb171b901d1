//! Setting up a second factor in the browser: the secret to add to an
//! authenticator app, a first code to confirm it, then the recovery codes,
//! shown once. People whose organisation requires one reach no other page
//! until it is done; their session then gets a new id (a change of
//! privilege). The API's `second_factor` use cases.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use epa_app::people::second_factor::{self, CodeInput};
use epa_app::people::web_sessions;
use epa_app::{AppError, FieldError};

use super::error::{PageError, sentence};
use super::form::{FormData, PostedForm};
use super::session::{self, SignedIn};
use super::view::{Chrome, Field, render, render_with};
use crate::AppState;

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SetUpPage {
    chrome: Chrome,
    required: bool,
    secret: String,
    uri: String,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct CodesPage {
    chrome: Chrome,
    codes: Vec<String>,
}

fn set_up_page(
    signed_in: &SignedIn,
    secret: String,
    uri: String,
    form: &FormData,
    errors: Vec<FieldError>,
) -> SetUpPage {
    let fields = vec![
        Field::new("code", "Code from your authenticator app", "text")
            .hint("The six digits the app shows now.")
            .autocomplete("one-time-code")
            .filled(form, &errors),
    ];
    SetUpPage {
        chrome: Chrome::new(
            signed_in,
            "Set up your authenticator app",
            session::SETTING_UP,
        ),
        required: signed_in.restricted,
        secret,
        uri,
        errors: super::view::summary(&errors, &fields),
        fields,
    }
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let enrolment = second_factor::start(&state.app, &signed_in.actor).await?;
    Ok(render(&set_up_page(
        &signed_in,
        enrolment.secret,
        enrolment.otpauth_uri,
        &FormData::default(),
        Vec::new(),
    )))
}

pub async fn confirm(
    State(state): State<AppState>,
    signed_in: SignedIn,
    jar: CookieJar,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let app = &state.app;
    let code = form.get("code").unwrap_or_default().to_owned();
    let problem = if code.is_empty() {
        FieldError::new("code", "Enter the code from your authenticator app")
    } else {
        match second_factor::confirm(app, &signed_in.actor, CodeInput { code }).await {
            Ok(codes) => {
                // A change of privilege: the session goes on under a new id.
                let mut jar = jar;
                if let Some(old) = jar.get(session::COOKIE).map(|c| c.value().to_owned())
                    && let Some(new_id) = web_sessions::rotate(app, &old).await?
                {
                    let secure = app.accounts.public_url.starts_with("https://");
                    jar = jar.add(session::cookie(new_id, secure));
                }
                let page = CodesPage {
                    chrome: Chrome::new(&signed_in, "Your recovery codes", session::SETTING_UP),
                    codes: codes.recovery_codes,
                };
                return Ok((jar, render(&page)).into_response());
            }
            Err(AppError::Validation(mut problems)) if !problems.is_empty() => problems.remove(0),
            Err(err) => return Err(err.into()),
        }
    };
    // The same secret again: the app already holds it.
    let secret = form.get("secret").unwrap_or_default().to_owned();
    let uri = form.get("uri").unwrap_or_default().to_owned();
    let problem = FieldError {
        message: sentence(&problem.message),
        ..problem
    };
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &set_up_page(&signed_in, secret, uri, &form, vec![problem]),
    ))
}
