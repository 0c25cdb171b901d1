//! Signing in and out of the web application. A refusal never says which
//! of the email or the password was wrong.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use epa_app::FieldError;
use epa_app::accounts::{SignIn, SignInRefused};
use epa_app::people::web_sessions;
use serde::Deserialize;

use super::error::PageError;
use super::form::{FormData, PostedForm, PublicForm};
use super::session::{self, MaybeSignedIn};
use super::view::{Chrome, Field, render, render_with, summary};
use crate::AppState;
use crate::api::ClientAddress;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
    next: String,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path on this site: never an address elsewhere (`//evil`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn fields(form: &FormData, errors: &[FieldError], ask_code: bool) -> Vec<Field> {
    let mut fields = vec![
        Field::new("email", "Email address", "email")
            .autocomplete("username")
            .filled(form, errors),
        // A password is never sent back to the page.
        Field {
            value: String::new(),
            ..Field::new("password", "Password", "password")
                .autocomplete("current-password")
                .filled(form, errors)
        },
    ];
    if ask_code {
        fields.push(
            Field::new("code", "Code from your authenticator app", "text")
                .hint("The six digits your app shows now, or one of your recovery codes.")
                .autocomplete("one-time-code")
                .filled(form, errors),
        );
    }
    fields
}

pub async fn form(MaybeSignedIn(signed_in): MaybeSignedIn, Query(query): Query<Next>) -> Response {
    let next = safe_next(query.next.as_deref());
    if signed_in.is_some() {
        return Redirect::to(&next).into_response();
    }
    render(&LoginPage {
        chrome: Chrome::anonymous("Sign in"),
        errors: Vec::new(),
        fields: fields(&FormData::default(), &[], false),
        next,
    })
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    PublicForm(form): PublicForm,
) -> Response {
    let next = safe_next(form.get("next"));
    let mut errors = Vec::new();
    let email = form.get("email").unwrap_or_default().to_owned();
    let password = form
        .0
        .iter()
        .find(|(key, _)| key == "password")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    if email.is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    }
    if password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    let mut ask_code = form.get("code").is_some();
    if errors.is_empty() {
        let previous = jar.get(session::COOKIE).map(|c| c.value().to_owned());
        let input = SignIn {
            email,
            password,
            code: form.get("code").map(str::to_owned),
        };
        match web_sessions::sign_in(&state.app, input, &address, previous.as_deref()).await {
            Ok(started) => {
                let secure = state.app.accounts.public_url.starts_with("https://");
                let jar = jar.add(session::cookie(started.session_id, secure));
                let to = if started.second_factor_setup_required {
                    session::SETTING_UP
                } else {
                    &next
                };
                return (jar, Redirect::to(to)).into_response();
            }
            Err(SignInRefused::Wrong) => errors.push(FieldError::new(
                "email",
                "The email address or password is not right",
            )),
            Err(SignInRefused::SecondFactorRequired) => {
                ask_code = true;
                errors.push(FieldError::new(
                    "code",
                    "Enter the code from your authenticator app",
                ));
            }
            Err(SignInRefused::Throttled {
                retry_after_seconds,
            }) => errors.push(FieldError::new(
                "email",
                format!(
                    "Too many wrong attempts: wait {} and try again",
                    wait(retry_after_seconds)
                ),
            )),
            Err(SignInRefused::Failed(err)) => return PageError(err).into_response(),
        }
    }
    let fields = fields(&form, &errors, ask_code);
    render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &LoginPage {
            chrome: Chrome::anonymous("Sign in"),
            errors: summary(&errors, &fields),
            fields,
            next,
        },
    )
}

fn wait(seconds: i64) -> String {
    match seconds {
        ..=60 => "a minute".to_owned(),
        _ => format!("{} minutes", (seconds + 59) / 60),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    PostedForm(_): PostedForm,
) -> Result<Response, PageError> {
    if let Some(session_id) = jar.get(session::COOKIE).map(|c| c.value().to_owned()) {
        web_sessions::sign_out(&state.app, &session_id).await?;
    }
    let jar = jar.remove(session::removal());
    Ok((jar, Redirect::to("/login")).into_response())
}
