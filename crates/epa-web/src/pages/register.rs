//! Registering an apprentice: the form a training provider (or EPAO staff)
//! fills in, sent to the same use case as the API's `POST /api/v1/epas`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::people::OrganisationView;
use epa_app::people::organisations::list_organisations;
use epa_app::registration::{self, Registration};
use epa_app::{AppError, FieldError};
use epa_store::users::Role;

use super::error::{PageError, sentences};
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, Field, policy_name, render, render_with, summary};
use crate::AppState;

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

fn choices(organisations: &[OrganisationView], kind: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), "Choose one".to_owned())];
    options.extend(
        organisations
            .iter()
            .filter(|org| org.kind == kind)
            .map(|org| (org.id.to_string(), org.name.clone())),
    );
    options
}

fn fields(
    state: &AppState,
    organisations: &[OrganisationView],
    form: &FormData,
    errors: &[FieldError],
) -> Vec<Field> {
    let policies = state
        .app
        .plans
        .all_epaos()
        .into_iter()
        .map(|epao| (epao.clone(), policy_name(&epao).to_owned()));
    vec![
        Field::new("uln", "Unique learner number (ULN)", "text")
            .hint("10 digits, from the learner's record.")
            .filled(form, errors),
        Field::new("given_names", "Given names", "text")
            .autocomplete("off")
            .filled(form, errors),
        Field::new("family_name", "Family name", "text")
            .autocomplete("off")
            .filled(form, errors),
        Field::new("date_of_birth", "Date of birth", "date").filled(form, errors),
        Field::new("employer_id", "Employer", "select")
            .options(choices(organisations, "employer"))
            .filled(form, errors),
        Field::new("provider_id", "Training provider", "select")
            .options(choices(organisations, "provider"))
            .filled(form, errors),
        Field::new("policy", "End-point assessment organisation", "select")
            .options(std::iter::once((String::new(), "Choose one".to_owned())).chain(policies))
            .hint("Whose assessment plan and rules the EPA runs under.")
            .filled(form, errors),
        Field::new("start_date", "Start date on programme", "date").filled(form, errors),
    ]
}

async fn organisations(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Vec<OrganisationView>, PageError> {
    Ok(list_organisations(&state.app, &signed_in.actor, None).await?)
}

/// Who registers apprentices: their training provider and EPAO staff (the
/// use case asks the access policy again on every registration).
pub fn registers(signed_in: &SignedIn) -> bool {
    let actor = &signed_in.actor;
    actor.has_role(Role::ProviderUser)
        || actor.has_role(Role::EpaoAdmin)
        || actor.has_role(Role::EpaoOperations)
}

fn may_register(signed_in: &SignedIn) -> Result<(), PageError> {
    if registers(signed_in) {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden(
            "apprentices are registered by their training provider or by the EPAO".to_owned(),
        )))
    }
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    may_register(&signed_in)?;
    let organisations = organisations(&state, &signed_in).await?;
    // A provider registers their own apprentices: their organisation is chosen.
    let mut form = FormData::default();
    if let Some(provider) = signed_in.actor.organisations_as(Role::ProviderUser).next() {
        form.0
            .push(("provider_id".to_owned(), provider.to_string()));
    }
    let fields = fields(&state, &organisations, &form, &[]);
    Ok(render(&RegisterPage {
        chrome: Chrome::new(&signed_in, "Register an apprentice", "/epas/new"),
        errors: Vec::new(),
        fields,
    }))
}

/// A form value read as the API's JSON would carry it.
fn required<T: std::str::FromStr>(
    form: &FormData,
    name: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match form.get(name).map(str::parse::<T>) {
        Some(Ok(value)) => Some(value),
        Some(Err(_)) | None => {
            errors.push(FieldError::new(name, what));
            None
        }
    }
}

pub async fn register(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    for (name, what) in [
        ("uln", "Enter the ULN"),
        ("given_names", "Enter the given names"),
        ("family_name", "Enter the family name"),
    ] {
        if form.get(name).is_none() {
            errors.push(FieldError::new(name, what));
        }
    }
    let date_of_birth = required(
        &form,
        "date_of_birth",
        "Enter the date of birth as a real date",
        &mut errors,
    );
    let employer_id = required(&form, "employer_id", "Choose the employer", &mut errors);
    let provider_id = required(
        &form,
        "provider_id",
        "Choose the training provider",
        &mut errors,
    );
    let start_date = required(
        &form,
        "start_date",
        "Enter the start date as a real date",
        &mut errors,
    );
    if form.get("policy").is_none() {
        errors.push(FieldError::new(
            "policy",
            "Choose the end-point assessment organisation",
        ));
    }
    if let (true, Some(date_of_birth), Some(employer_id), Some(provider_id), Some(start_date)) = (
        errors.is_empty(),
        date_of_birth,
        employer_id,
        provider_id,
        start_date,
    ) {
        let input = Registration {
            uln: form.get("uln").unwrap_or_default().to_owned(),
            given_names: form.get("given_names").unwrap_or_default().to_owned(),
            family_name: form.get("family_name").unwrap_or_default().to_owned(),
            date_of_birth,
            employer_id,
            provider_id,
            standard: "ST0071".to_owned(),
            version: None,
            policy: form.get("policy").unwrap_or_default().to_owned(),
            start_date,
        };
        match registration::register(&state.app, &signed_in.actor, input).await {
            Ok(epa) => {
                return Ok(
                    Redirect::to(&format!("/epas/{}?done=registered", epa.id)).into_response()
                );
            }
            Err(AppError::Validation(problems)) => errors = problems,
            Err(err) => return Err(err.into()),
        }
    }
    let errors: Vec<FieldError> = sentences(errors);
    let organisations = organisations(&state, &signed_in).await?;
    let fields = fields(&state, &organisations, &form, &errors);
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &RegisterPage {
            chrome: Chrome::new(&signed_in, "Error: Register an apprentice", "/epas/new"),
            errors: summary(&errors, &fields),
            fields,
        },
    ))
}
