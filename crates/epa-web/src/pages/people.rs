//! Organisations and people, for EPAO administrators: the organisations,
//! the people with a search, inviting a person, and switching an account
//! off and on again (a page to confirm, with the reason, then the post).
//! The same use cases as the API's `/api/v1/organisations` and
//! `/api/v1/users`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::epas::{self, ListQuery};
use epa_app::people::deactivate::{self, Reason};
use epa_app::people::invite::{self, Invitation};
use epa_app::people::organisations::list_organisations;
use epa_app::people::users::{UserQuery, get_user, list_users};
use epa_app::people::{AccountStatus, OrganisationView, UserView};
use epa_app::{AppError, FieldError};
use epa_domain::assessor_profile::Region;
use epa_store::users::Role;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{PageError, sentences};
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, Field, render, render_with, summary};
use crate::AppState;

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    chrome: Chrome,
    /// The search box, drawn as every field is.
    search: Vec<Field>,
    searched: bool,
    people: Vec<PersonRow>,
    next: Option<String>,
    organisations: Vec<OrganisationRow>,
}

struct PersonRow {
    id: Uuid,
    name: String,
    email: String,
    roles: String,
    status: &'static str,
    active: bool,
    /// The administrator themself: not switched off from here.
    me: bool,
}

struct OrganisationRow {
    name: String,
    kind: &'static str,
    ukprn: String,
    city: String,
    /// Employers: where their apprentices work.
    region: &'static str,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    chrome: Chrome,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "account_switch.html")]
struct SwitchPage {
    chrome: Chrome,
    heading: String,
    person: String,
    action: String,
    explanation: &'static str,
    button: &'static str,
    warning: bool,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

/// People are managed by EPAO administrators (the use cases ask the
/// people policy again on every change).
fn may_manage(signed_in: &SignedIn) -> Result<(), PageError> {
    if signed_in.actor.has_role(Role::EpaoAdmin) {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden(
            "people and organisations are managed by the EPAO's administrators".to_owned(),
        )))
    }
}

fn role_label(role: &str) -> &'static str {
    match role {
        "epao_admin" => "EPAO administrator",
        "epao_operations" => "EPAO operations",
        "assessor" => "End-point assessor",
        "quality_assurer" => "Quality assurer",
        "provider_user" => "Training provider",
        "employer_user" => "Employer",
        "apprentice" => "Apprentice",
        _ => "Other role",
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "epao" => "EPAO",
        "provider" => "Training provider",
        "employer" => "Employer",
        _ => "Organisation",
    }
}

fn status_label(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Invited => "Invited",
        AccountStatus::Active => "Active",
        AccountStatus::Deactivated => "Deactivated",
    }
}

fn person_row(person: UserView, names: &HashMap<Uuid, String>, me: Uuid) -> PersonRow {
    let roles = person
        .roles
        .iter()
        .map(|role| {
            let at = names
                .get(&role.organisation_id)
                .map_or(String::new(), |name| format!(" at {name}"));
            format!("{}{at}", role_label(&role.role))
        })
        .collect::<Vec<_>>()
        .join("; ");
    PersonRow {
        id: person.id,
        name: person.name,
        email: person.email,
        roles,
        status: status_label(person.status),
        active: person.status != AccountStatus::Deactivated,
        me: person.id == me,
    }
}

async fn organisations(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Vec<OrganisationView>, PageError> {
    Ok(list_organisations(&state.app, &signed_in.actor, None).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct PeopleQuery {
    #[serde(default)]
    search: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    /// What the last change did (a fixed word, never text to show).
    #[serde(default)]
    done: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeopleQuery>,
) -> Result<Response, PageError> {
    may_manage(&signed_in)?;
    let organisations = organisations(&state, &signed_in).await?;
    let names: HashMap<Uuid, String> = organisations
        .iter()
        .map(|org| (org.id, org.name.clone()))
        .collect();
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned);
    let page = list_users(
        &state.app,
        &signed_in.actor,
        UserQuery {
            role: None,
            organisation_id: None,
            q: search.clone(),
            cursor: query.cursor.clone(),
            limit: Some(50),
        },
    )
    .await?;
    let next = page.next_cursor.map(|cursor| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(search) = &search {
            query.append_pair("search", search);
        }
        query.append_pair("cursor", &cursor);
        format!("/people?{}", query.finish())
    });
    let mut search_field = Field::new("search", "Search by name or email", "search");
    search_field.value = search.clone().unwrap_or_default();
    Ok(render(&PeoplePage {
        chrome: Chrome::new(&signed_in, "People and organisations", "/people").with_notice(
            match query.done.as_deref() {
                Some("invited") => Some("The invitation was sent".to_owned()),
                Some("deactivated") => Some("The account was deactivated".to_owned()),
                Some("reactivated") => Some("The account was reactivated".to_owned()),
                _ => None,
            },
        ),
        search: vec![search_field],
        searched: search.is_some(),
        people: page
            .items
            .into_iter()
            .map(|person| person_row(person, &names, signed_in.actor.user_id))
            .collect(),
        next,
        organisations: organisations
            .into_iter()
            .map(|org| OrganisationRow {
                kind: kind_label(&org.kind),
                ukprn: org.ukprn.unwrap_or_default(),
                city: org.city.unwrap_or_default(),
                region: org
                    .region
                    .as_deref()
                    .and_then(Region::parse)
                    .map_or("", Region::name),
                name: org.name,
            })
            .collect(),
    }))
}

fn invite_fields(
    organisations: &[OrganisationView],
    form: &FormData,
    errors: &[FieldError],
) -> Vec<Field> {
    let mut organisation_choices = vec![(String::new(), "Choose one".to_owned())];
    organisation_choices.extend(organisations.iter().map(|org| {
        (
            org.id.to_string(),
            format!("{} ({})", org.name, kind_label(&org.kind)),
        )
    }));
    let mut role_choices = vec![(String::new(), "Choose one".to_owned())];
    role_choices.extend(Role::ALL.into_iter().map(|role| {
        (
            role.as_str().to_owned(),
            role_label(role.as_str()).to_owned(),
        )
    }));
    vec![
        Field::new("name", "Full name", "text")
            .autocomplete("off")
            .filled(form, errors),
        Field::new("email", "Email address", "email")
            .hint("The invitation is sent here. It is their sign-in.")
            .autocomplete("off")
            .filled(form, errors),
        Field::new("organisation_id", "Organisation", "select")
            .options(organisation_choices)
            .filled(form, errors),
        Field::new("role", "Role", "select")
            .options(role_choices)
            .hint("EPAO roles are held at the EPAO, a training provider's at the provider, an employer's and an apprentice's at the employer.")
            .filled(form, errors),
        Field::new("apprentice_uln", "The apprentice's ULN (apprentices only)", "text")
            .hint("Their unique learner number, to link the account to their record. Leave empty for anyone else.")
            .autocomplete("off")
            .filled(form, errors),
        Field::new("organisation_admin", "Manages their organisation's people", "select")
            .options([
                ("no".to_owned(), "No".to_owned()),
                ("yes".to_owned(), "Yes".to_owned()),
            ])
            .hint("Training providers and employers only: they may invite and switch off their own organisation's people.")
            .filled(form, errors),
    ]
}

/// The apprentice record with this ULN, found as the apprentice search
/// finds it.
async fn apprentice_with(
    state: &AppState,
    signed_in: &SignedIn,
    uln: &str,
) -> Result<Option<Uuid>, PageError> {
    let query = ListQuery {
        search: Some(uln.to_owned()),
        limit: Some(20),
        ..ListQuery::default()
    };
    let page = match epas::list(&state.app, &signed_in.actor, &query).await {
        Ok(page) => page,
        Err(AppError::Validation(_)) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    Ok(page
        .items
        .into_iter()
        .find(|epa| epa.apprentice.uln == uln)
        .map(|epa| epa.apprentice.id))
}

/// The use case names the apprentice's record; the form asks for the ULN.
fn on_the_form(problems: Vec<FieldError>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|err| FieldError {
            field: if err.field == "apprentice_id" {
                "apprentice_uln".to_owned()
            } else {
                err.field
            },
            message: err.message,
        })
        .collect()
}

pub async fn invite_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    may_manage(&signed_in)?;
    let organisations = organisations(&state, &signed_in).await?;
    Ok(render(&InvitePage {
        chrome: Chrome::new(&signed_in, "Invite a person", "/people/invite"),
        errors: Vec::new(),
        fields: invite_fields(&organisations, &FormData::default(), &[]),
    }))
}

pub async fn invite(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    may_manage(&signed_in)?;
    let mut errors = Vec::new();
    if form.get("name").is_none() {
        errors.push(FieldError::new("name", "Enter the person's name"));
    }
    if form.get("email").is_none() {
        errors.push(FieldError::new("email", "Enter their email address"));
    }
    let organisation_id = match form.get("organisation_id").map(str::parse::<Uuid>) {
        Some(Ok(id)) => Some(id),
        _ => {
            errors.push(FieldError::new(
                "organisation_id",
                "Choose the organisation",
            ));
            None
        }
    };
    if form.get("role").is_none() {
        errors.push(FieldError::new("role", "Choose the role"));
    }
    let apprentice_id = match form.get("apprentice_uln") {
        None => None,
        Some(uln) => {
            let found = apprentice_with(&state, &signed_in, uln).await?;
            if found.is_none() {
                errors.push(FieldError::new(
                    "apprentice_uln",
                    "No apprentice you can see has this ULN: check it, or leave it empty",
                ));
            }
            found
        }
    };
    if let (true, Some(organisation_id)) = (errors.is_empty(), organisation_id) {
        let input = Invitation {
            email: form.get("email").unwrap_or_default().to_owned(),
            name: form.get("name").unwrap_or_default().to_owned(),
            role: form.get("role").unwrap_or_default().to_owned(),
            organisation_id,
            apprentice_id,
            organisation_admin: form.get("organisation_admin") == Some("yes"),
        };
        match invite::invite(&state.app, &signed_in.actor, input).await {
            Ok(_) => return Ok(Redirect::to("/people?done=invited").into_response()),
            Err(AppError::Validation(problems)) => errors = on_the_form(problems),
            // Someone has the email already, or the apprentice an account.
            Err(AppError::Conflict(why)) => {
                let field = if why.contains("apprentice") {
                    "apprentice_uln"
                } else {
                    "email"
                };
                errors = vec![FieldError::new(field, why)];
            }
            Err(err) => return Err(err.into()),
        }
    }
    let errors = sentences(errors);
    let organisations = organisations(&state, &signed_in).await?;
    let fields = invite_fields(&organisations, &form, &errors);
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &InvitePage {
            chrome: Chrome::new(&signed_in, "Error: Invite a person", "/people/invite"),
            errors: summary(&errors, &fields),
            fields,
        },
    ))
}

/// Deactivating or reactivating: which, from the path's last segment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Switch {
    Off,
    On,
}

impl Switch {
    fn parse(segment: &str) -> Result<Switch, PageError> {
        match segment {
            "deactivate" => Ok(Switch::Off),
            "reactivate" => Ok(Switch::On),
            _ => Err(PageError(AppError::NotFound)),
        }
    }
}

fn switch_page(
    signed_in: &SignedIn,
    person: &UserView,
    switch: Switch,
    form: &FormData,
    errors: Vec<FieldError>,
) -> SwitchPage {
    let fields = vec![
        Field::new("reason", "Why", "textarea")
            .hint("Kept in the audit trail.")
            .filled(form, &errors),
    ];
    let (verb, explanation, button) = match switch {
        Switch::Off => (
            "Deactivate",
            "They are signed out everywhere at once, their API tokens stop working and they cannot sign in until the account is reactivated. Nothing they did is removed.",
            "Deactivate the account",
        ),
        Switch::On => (
            "Reactivate",
            "They can sign in again with their password. API tokens revoked when the account was deactivated stay revoked.",
            "Reactivate the account",
        ),
    };
    let heading = format!("{verb} {}'s account", person.name);
    let title = if errors.is_empty() {
        heading.clone()
    } else {
        format!("Error: {heading}")
    };
    SwitchPage {
        chrome: Chrome::new(signed_in, title, ""),
        heading,
        person: format!("{} ({})", person.name, person.email),
        action: format!(
            "/people/{}/{}",
            person.id,
            if switch == Switch::Off {
                "deactivate"
            } else {
                "reactivate"
            }
        ),
        explanation,
        button,
        warning: switch == Switch::Off,
        errors: summary(&errors, &fields),
        fields,
    }
}

pub async fn confirm_switch(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, segment)): Path<(Uuid, String)>,
) -> Result<Response, PageError> {
    may_manage(&signed_in)?;
    let switch = Switch::parse(&segment)?;
    let person = get_user(&state.app, &signed_in.actor, id).await?;
    Ok(render(&switch_page(
        &signed_in,
        &person,
        switch,
        &FormData::default(),
        Vec::new(),
    )))
}

pub async fn switch(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, segment)): Path<(Uuid, String)>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    may_manage(&signed_in)?;
    let switch = Switch::parse(&segment)?;
    let input = Reason {
        reason: form.get("reason").unwrap_or_default().to_owned(),
    };
    let done = match switch {
        Switch::Off => deactivate::deactivate(&state.app, &signed_in.actor, id, input).await,
        Switch::On => deactivate::reactivate(&state.app, &signed_in.actor, id, input).await,
    };
    match done {
        Ok(_) => Ok(Redirect::to(match switch {
            Switch::Off => "/people?done=deactivated",
            Switch::On => "/people?done=reactivated",
        })
        .into_response()),
        Err(AppError::Validation(problems)) => {
            let person = get_user(&state.app, &signed_in.actor, id).await?;
            let errors = sentences(problems);
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &switch_page(&signed_in, &person, switch, &form, errors),
            ))
        }
        Err(err) => Err(err.into()),
    }
}
