//! The training provider's gateway submission: every part the EPAO asks
//! for (its policy decides which), the portfolio with each piece of
//! evidence mapped to KSBs, and the declarations. Sent to the same use case
//! as the API's `POST .../gateway`; nothing is stored unless all of it is
//! right, and everything typed comes back with each problem at its field.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use epa_app::gateway::{
    self, DeclarationInput, EvidenceInput, GatewayInput, GatewayView, PhotoIdInput, PortfolioInput,
    ProposalInput,
};
use epa_app::{AppError, FieldError};
use uuid::Uuid;

use super::error::{PageError, sentences};
use super::form::{FormData, PostedForm};
use super::session::SignedIn;
use super::view::{Chrome, Field, render, render_with, summary_for};
use crate::AppState;

#[derive(Template)]
#[template(path = "gateway_submit.html")]
struct SubmitPage {
    chrome: Chrome,
    epa_id: Uuid,
    errors: Vec<FieldError>,
    groups: Vec<Group>,
    warnings: Vec<String>,
}

/// A fieldset of the form.
struct Group {
    heading: String,
    intro: Option<String>,
    fields: Vec<Field>,
}

/// How many evidence rows the form offers at first, and how many more a
/// press of "Add more evidence" gives.
const FIRST_ROWS: usize = 12;
const MORE_ROWS: usize = 5;

fn asked(view: &GatewayView, kind: &str) -> Option<String> {
    view.components_asked
        .iter()
        .find(|component| component.kind.as_str() == kind)
        .map(|component| format!("{} ({})", component.requirement, component.source))
}

fn groups(view: &GatewayView, rows: usize, form: &FormData, errors: &[FieldError]) -> Vec<Group> {
    let mut groups = Vec::new();
    if let Some(why) = asked(view, "photo_id") {
        groups.push(Group {
            heading: "Photo ID".to_owned(),
            intro: Some(why),
            fields: vec![
                Field::new(
                    "photo_id.description",
                    "What photo ID did the apprentice show?",
                    "text",
                )
                .hint("For example, UK passport or driving licence.")
                .filled(form, errors),
                Field::new(
                    "photo_id.seen",
                    "I have seen the original photo ID",
                    "checkbox",
                )
                .filled(form, errors),
            ],
        });
    }
    if let Some(why) = asked(view, "proposal") {
        let mut hint = format!("The {}.", view.proposal_name);
        if let Some(limit) = view.proposal_word_limit {
            hint.push_str(&format!(" At most {limit} words."));
        }
        groups.push(Group {
            heading: capitalised(&view.proposal_name),
            intro: Some(why),
            fields: vec![
                Field::new(
                    "proposal.text",
                    capitalised(&view.proposal_name),
                    "textarea",
                )
                .hint(hint)
                .filled(form, errors),
            ],
        });
    }
    for (kind, heading) in [
        ("english_maths", "English and maths declaration"),
        ("employer_declaration", "Employer's declaration"),
        ("provider_declaration", "Training provider's declaration"),
    ] {
        if let Some(why) = asked(view, kind) {
            groups.push(Group {
                heading: heading.to_owned(),
                intro: Some(why),
                fields: vec![
                    Field::new(format!("{kind}.confirmed"), "Confirmed", "checkbox")
                        .filled(form, errors),
                    Field::new(format!("{kind}.signed_by"), "Signed by", "text")
                        .filled(form, errors),
                    Field::new(format!("{kind}.signed_on"), "Signed on", "date")
                        .filled(form, errors),
                ],
            });
        }
    }
    if let Some(why) = asked(view, "reasonable_adjustments") {
        groups.push(Group {
            heading: "Reasonable adjustments".to_owned(),
            intro: Some(why),
            fields: vec![
                Field::new(
                    "reasonable_adjustments",
                    "Adjustments asked for (optional)",
                    "textarea",
                )
                .hint("Leave empty when the apprentice needs none.")
                .filled(form, errors),
            ],
        });
    }
    if asked(view, "portfolio").is_some() {
        for i in 0..rows {
            let at = |part: &str| format!("portfolio.items[{i}].{part}");
            groups.push(Group {
                heading: format!("Evidence item {}", i + 1),
                intro: None,
                fields: vec![
                    Field::new(at("title"), "Title", "text").filled(form, errors),
                    Field::new(at("evidence_type"), "Type of evidence", "text")
                        .hint("For example, witness testimony, work product or customer feedback.")
                        .filled(form, errors),
                    Field::new(at("date"), "Date", "date").filled(form, errors),
                    Field::new(at("description"), "What it shows", "textarea").filled(form, errors),
                    Field::new(at("link"), "Link (optional)", "text")
                        .hint("Where it is kept, starting https://")
                        .filled(form, errors),
                    Field::new(at("ksbs"), "KSBs it evidences", "text")
                        .hint("Codes separated by commas, for example K1, S3, B2.")
                        .filled(form, errors),
                ],
            });
        }
    }
    groups
}

fn capitalised(text: &str) -> String {
    let mut text = text.to_owned();
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    text
}

fn page(
    signed_in: &SignedIn,
    view: &GatewayView,
    rows: usize,
    form: &FormData,
    errors: Vec<FieldError>,
) -> SubmitPage {
    let groups = groups(view, rows, form, &errors);
    let summary = summary_for(&errors, groups.iter().flat_map(|group| group.fields.iter()));
    SubmitPage {
        chrome: Chrome::new(signed_in, "Submit the gateway", ""),
        epa_id: view.epa_id,
        errors: summary,
        groups,
        warnings: view.warnings.iter().map(|w| w.message.clone()).collect(),
    }
}

/// Rows the form already holds: one past the last row anything was typed in.
fn rows_in(form: &FormData) -> usize {
    form.0
        .iter()
        .filter_map(|(key, value)| {
            let rest = key.strip_prefix("portfolio.items[")?;
            let (index, _) = rest.split_once(']')?;
            (!value.trim().is_empty()).then(|| index.parse::<usize>().ok().map(|i| i + 1))?
        })
        .max()
        .unwrap_or(0)
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
) -> Result<Response, PageError> {
    let view = gateway::get(&state.app, &signed_in.actor, epa_id).await?;
    let rows = (view.portfolio_min.unwrap_or(0) as usize).max(FIRST_ROWS);
    Ok(render(&page(
        &signed_in,
        &view,
        rows,
        &FormData::default(),
        Vec::new(),
    )))
}

/// The form as the API's input, with the problems only the form can have
/// (a date that is not a date).
fn input_of(view: &GatewayView, form: &FormData) -> (GatewayInput, Vec<FieldError>) {
    let mut errors = Vec::new();
    let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
    let yes = |name: &str| form.get(name) == Some("yes");
    let mut input = GatewayInput::default();
    if asked(view, "photo_id").is_some() {
        input.photo_id = Some(PhotoIdInput {
            description: text("photo_id.description"),
            seen: yes("photo_id.seen"),
            document_id: None,
        });
    }
    if asked(view, "proposal").is_some() {
        input.proposal = Some(ProposalInput {
            text: text("proposal.text"),
        });
    }
    for kind in [
        "english_maths",
        "employer_declaration",
        "provider_declaration",
    ] {
        if asked(view, kind).is_none() {
            continue;
        }
        let declaration = Some(DeclarationInput {
            confirmed: yes(&format!("{kind}.confirmed")),
            signed_by: text(&format!("{kind}.signed_by")),
            signed_on: form
                .date(
                    &format!("{kind}.signed_on"),
                    "the date it was signed",
                    &mut errors,
                )
                .unwrap_or_default(),
        });
        match kind {
            "english_maths" => input.english_maths = declaration,
            "employer_declaration" => input.employer_declaration = declaration,
            _ => input.provider_declaration = declaration,
        }
    }
    if asked(view, "reasonable_adjustments").is_some() {
        input.reasonable_adjustments = form.get("reasonable_adjustments").map(str::to_owned);
    }
    if asked(view, "portfolio").is_some() {
        let items = (0..rows_in(form))
            .filter(|i| {
                [
                    "title",
                    "evidence_type",
                    "date",
                    "description",
                    "link",
                    "ksbs",
                ]
                .iter()
                .any(|part| form.get(&format!("portfolio.items[{i}].{part}")).is_some())
            })
            .map(|i| {
                let at = |part: &str| format!("portfolio.items[{i}].{part}");
                EvidenceInput {
                    title: text(&at("title")),
                    evidence_type: text(&at("evidence_type")),
                    date: form
                        .date(
                            &at("date"),
                            &format!("the date of evidence item {}", i + 1),
                            &mut errors,
                        )
                        .unwrap_or_default(),
                    description: text(&at("description")),
                    link: form.get(&at("link")).map(str::to_owned),
                    document_id: None,
                    ksbs: text(&at("ksbs"))
                        .split([',', ' ', ';'])
                        .filter(|code| !code.is_empty())
                        .map(str::to_owned)
                        .collect(),
                }
            })
            .collect();
        input.portfolio = Some(PortfolioInput { items });
    }
    (input, errors)
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(epa_id): Path<Uuid>,
    PostedForm(form): PostedForm,
) -> Result<Response, PageError> {
    let app = &state.app;
    let view = gateway::get(app, &signed_in.actor, epa_id).await?;
    let floor = (view.portfolio_min.unwrap_or(0) as usize).max(FIRST_ROWS);
    let rows = rows_in(&form).max(floor);
    if form.get("more").is_some() {
        return Ok(render(&page(
            &signed_in,
            &view,
            rows + MORE_ROWS,
            &form,
            Vec::new(),
        )));
    }
    let (input, mut errors) = input_of(&view, &form);
    if errors.is_empty() {
        match gateway::submit(app, &signed_in.actor, epa_id, input).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/epas/{epa_id}?done=gateway_submitted")).into_response(),
                );
            }
            Err(AppError::Validation(problems)) => errors = problems,
            Err(err) => return Err(err.into()),
        }
    }
    let errors = sentences(errors);
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&signed_in, &view, rows, &form, errors),
    ))
}
