//! What every page has: the frame around it ([`Chrome`]), form fields as
//! data ([`Field`]) so one partial draws them all alike (label, hint, the
//! error next to the field, the value typed kept), and turning a template
//! into a response.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use epa_app::FieldError;
use epa_store::users::Role;

use super::session::SignedIn;

/// The frame of a page: its title, who is signed in, the main navigation.
pub struct Chrome {
    pub title: String,
    pub person: Option<String>,
    pub nav: Vec<NavLink>,
    pub csrf: String,
    /// What the last action did, shown once at the top ("Booked").
    pub notice: Option<String>,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Chrome {
    /// For a signed-in person on the page at `path`.
    pub fn new(signed_in: &SignedIn, title: impl Into<String>, path: &str) -> Chrome {
        // A session for setting up a second factor leads nowhere else yet.
        let links = if signed_in.restricted {
            Vec::new()
        } else {
            nav_for(signed_in)
        };
        let nav = links
            .into_iter()
            .map(|(href, label)| NavLink {
                href,
                label,
                current: path == href,
            })
            .collect();
        Chrome {
            title: title.into(),
            person: Some(signed_in.display_name.clone()),
            nav,
            csrf: signed_in.csrf.clone(),
            notice: None,
        }
    }

    /// For someone not signed in (the sign-in page, an error page).
    pub fn anonymous(title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            person: None,
            nav: Vec::new(),
            csrf: String::new(),
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Chrome {
        self.notice = notice;
        self
    }
}

/// The main navigation for what the person does.
fn nav_for(signed_in: &SignedIn) -> Vec<(&'static str, &'static str)> {
    let actor = &signed_in.actor;
    let mut nav = Vec::new();
    if signed_in.is_epao_staff() {
        nav.extend([
            ("/dashboard", "Dashboard"),
            ("/epas", "Apprentices"),
            ("/gateway", "Gateway reviews"),
            ("/results", "Results"),
            ("/certificates", "Certificates"),
        ]);
        if actor.has_role(Role::EpaoAdmin) || actor.has_role(Role::EpaoOperations) {
            nav.push(("/schedule", "Schedule"));
            nav.push(("/dfe", "Refused by the DfE"));
        }
        if actor.has_role(Role::EpaoAdmin) {
            nav.push(("/people", "People"));
        }
    }
    if actor.has_role(Role::Assessor) {
        nav.push(("/assessor", "My assessments"));
    }
    if actor.has_role(Role::ProviderUser) || actor.has_role(Role::EmployerUser) {
        nav.push(("/epas", "Apprentices"));
    }
    if actor.has_role(Role::ProviderUser) {
        nav.push(("/epas/new", "Register an apprentice"));
    }
    if actor.has_role(Role::Apprentice) {
        nav.push(("/", "My EPA"));
    }
    nav.push(("/plans", "The standard"));
    nav.push(("/account", "Your account"));
    nav.dedup_by_key(|(href, _)| *href);
    nav
}

/// One form field, drawn by `field.html`.
pub struct Field {
    pub name: String,
    pub label: String,
    /// `text`, `date`, `time`, `email`, `password`, `number`, `select`,
    /// `textarea` or `checkbox` (checked when its value is `yes`).
    pub kind: &'static str,
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub options: Vec<Choice>,
    pub autocomplete: Option<&'static str>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Field {
    pub fn new(name: impl Into<String>, label: impl Into<String>, kind: &'static str) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            kind,
            value: String::new(),
            hint: None,
            error: None,
            options: Vec::new(),
            autocomplete: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = Some(hint.into());
        self
    }

    pub fn autocomplete(mut self, token: &'static str) -> Field {
        self.autocomplete = Some(token);
        self
    }

    pub fn options(mut self, options: impl IntoIterator<Item = (String, String)>) -> Field {
        self.options = options
            .into_iter()
            .map(|(value, label)| Choice { value, label })
            .collect();
        self
    }

    /// The field as the person left it, with its problem if any.
    pub fn filled(mut self, form: &super::form::FormData, errors: &[FieldError]) -> Field {
        self.value = form.get(&self.name).unwrap_or_default().to_owned();
        self.error = errors
            .iter()
            .find(|err| err.field == self.name || err.field.starts_with(&format!("{}.", self.name)))
            .map(|err| err.message.clone());
        self
    }
}

/// The errors for the summary at the top of a form: each links to its
/// field. Problems with no field of their own link to the form.
pub fn summary(errors: &[FieldError], fields: &[Field]) -> Vec<FieldError> {
    summary_for(errors, fields.iter())
}

/// [`summary`] for fields held in several groups.
pub fn summary_for<'a>(
    errors: &[FieldError],
    fields: impl Iterator<Item = &'a Field> + Clone,
) -> Vec<FieldError> {
    errors
        .iter()
        .map(|err| {
            let target = fields
                .clone()
                .find(|field| err.field == field.name)
                .or_else(|| {
                    fields
                        .clone()
                        .find(|field| err.field.starts_with(&format!("{}.", field.name)))
                })
                .map_or_else(|| "form".to_owned(), |field| field.name.clone());
            FieldError {
                field: target,
                message: err.message.clone(),
            }
        })
        .collect()
}

/// A template as a page.
pub fn render(template: &impl Template) -> Response {
    render_with(StatusCode::OK, template)
}

/// A template as a page with a status other than 200 (a form sent back
/// with problems answers 422).
pub fn render_with(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><html lang=\"en\"><title>Something went wrong</title><main><h1>Something went wrong</h1><p>Try again in a moment.</p></main></html>"),
            )
                .into_response()
        }
    }
}

/// A date as people read it: "Tuesday 3 March 2027".
pub fn long_date(date: chrono::NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// A date, short: "3 Mar 2027".
pub fn short_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// A stage's name as people say it.
pub fn stage_name(stage: &str) -> &'static str {
    match stage {
        "registered" => "Registered",
        "gateway_submitted" => "Gateway submitted",
        "gateway_approved" => "Gateway passed",
        "planned" => "Planning meeting held",
        "in_assessment" => "In assessment",
        "awaiting_results" => "Awaiting results",
        "completed" => "Result released",
        "certificate_claimed" => "Certificate claimed",
        "certificate_received" => "Certificate received",
        "withdrawn" => "Withdrawn",
        _ => "Unknown stage",
    }
}

/// A grade as people say it ("fail", never "not yet competent").
pub fn grade_name(grade: &str) -> String {
    let mut name = grade.replace('_', " ");
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    name
}

/// A method's name as the specifications give it.
pub fn method_name(method: &str) -> &'static str {
    match method {
        "observation" => "Practical observation with questions",
        "project" => "Work-based project with interview",
        "discussion" => "Professional discussion with portfolio",
        _ => "Assessment",
    }
}

/// An EPAO policy's name.
pub fn policy_name(policy: &str) -> &'static str {
    match policy {
        "tquk" => "TQUK",
        "innovate" => "Innovate Awarding",
        _ => "Other EPAO",
    }
}
