//! The checks of a gateway submission and of the texts the reviews and the
//! proposal carry: each problem against its field, nothing written.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use epa_domain::gateway::{self as rules, ComponentKind, PortfolioRules, Problem};
use epa_plan::EffectivePlan;
use epa_store::Tx;
use uuid::Uuid;

use super::views::GatewayInput;
use crate::{AppError, FieldError};

const TITLE_MAX: usize = 200;
const TYPE_MAX: usize = 100;
pub(super) const TEXT_MAX: usize = 5_000;
const LINK_MAX: usize = 2_000;
/// Far above any proposal's word limit; bounds what is stored.
pub(super) const PROPOSAL_MAX_CHARS: usize = 100_000;

pub(crate) fn check_text(
    problems: &mut Vec<Problem>,
    field: &str,
    what: &str,
    text: &str,
    max: usize,
) {
    if text.trim().is_empty() {
        problems.push(Problem::new(field, format!("enter {what}")));
    } else if text.chars().count() > max {
        problems.push(Problem::new(
            field,
            format!("use at most {max} characters for {what}"),
        ));
    }
}

/// The KSB codes as stored: trimmed, upper case, without repeats.
pub(crate) fn normalise_ksbs(codes: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    codes
        .iter()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty() && seen.insert(c.clone()))
        .collect()
}

/// Every problem with the components sent, each against its field.
pub(super) fn check_components(
    plan: &EffectivePlan,
    input: &GatewayInput,
    today: NaiveDate,
) -> (Vec<Problem>, Option<u64>) {
    let mut problems = Vec::new();
    let mut proposal_words = None;
    if let Some(photo) = &input.photo_id {
        check_text(
            &mut problems,
            "photo_id.description",
            "what photo ID was provided",
            &photo.description,
            TITLE_MAX,
        );
        if photo.document_id.is_none() && !photo.seen {
            problems.push(Problem::new(
                "photo_id.seen",
                "confirm you have seen the original photo ID, or give the uploaded copy",
            ));
        }
    }
    if let Some(portfolio) = &input.portfolio {
        for (i, item) in portfolio.items.iter().enumerate() {
            let n = i + 1;
            let at = |f: &str| format!("portfolio.items[{i}].{f}");
            check_text(
                &mut problems,
                &at("title"),
                &format!("a title for evidence item {n}"),
                &item.title,
                TITLE_MAX,
            );
            check_text(
                &mut problems,
                &at("evidence_type"),
                &format!("the type of evidence item {n}"),
                &item.evidence_type,
                TYPE_MAX,
            );
            check_text(
                &mut problems,
                &at("description"),
                &format!("a description of evidence item {n}"),
                &item.description,
                TEXT_MAX,
            );
            if item.date > today {
                problems.push(Problem::new(
                    at("date"),
                    format!("evidence item {n} cannot be dated in the future"),
                ));
            }
            if let Some(link) = &item.link {
                let link = link.trim();
                let web = link.starts_with("https://") || link.starts_with("http://");
                if !web || link.len() > LINK_MAX || link.contains(char::is_whitespace) {
                    problems.push(Problem::new(
                        at("link"),
                        format!("give evidence item {n}'s link as a web address starting https://"),
                    ));
                }
            }
        }
        let mapped: Vec<Vec<String>> = portfolio
            .items
            .iter()
            .map(|item| normalise_ksbs(&item.ksbs))
            .collect();
        problems.extend(PortfolioRules::from_plan(plan).check(&mapped));
    }
    if let Some(proposal) = &input.proposal {
        if proposal.text.chars().count() > PROPOSAL_MAX_CHARS {
            problems.push(Problem::new(
                "proposal.text",
                format!("use at most {PROPOSAL_MAX_CHARS} characters"),
            ));
        } else {
            let (words, problem) = rules::check_proposal(plan, &proposal.text);
            proposal_words = Some(words);
            problems.extend(problem);
        }
    }
    for (field, label, declaration) in [
        (
            "english_maths",
            "English and maths declaration",
            &input.english_maths,
        ),
        (
            "employer_declaration",
            "employer declaration",
            &input.employer_declaration,
        ),
        (
            "provider_declaration",
            "provider declaration",
            &input.provider_declaration,
        ),
    ] {
        if let Some(d) = declaration {
            problems.extend(rules::check_declaration(
                field,
                label,
                d.confirmed,
                &d.signed_by,
                d.signed_on,
                today,
            ));
            if d.signed_by.chars().count() > TITLE_MAX {
                problems.push(Problem::new(
                    format!("{field}.signed_by"),
                    format!("use at most {TITLE_MAX} characters"),
                ));
            }
        }
    }
    if let Some(text) = &input.reasonable_adjustments {
        check_text(
            &mut problems,
            "reasonable_adjustments",
            "the adjustments requested, or leave this out",
            text,
            TEXT_MAX,
        );
    }
    (problems, proposal_words)
}

/// Every `document_id` sent must name a document uploaded for this EPA: a
/// photo ID one uploaded as photo ID, an evidence item's one uploaded as
/// evidence or a recording.
pub(super) async fn check_documents(
    tx: &mut Tx,
    epa_id: Uuid,
    input: &GatewayInput,
) -> Result<Vec<Problem>, AppError> {
    let mut wanted: Vec<(String, Uuid, &[&str], &str)> = Vec::new();
    if let Some(id) = input.photo_id.as_ref().and_then(|p| p.document_id) {
        wanted.push((
            "photo_id.document_id".to_owned(),
            id,
            &["photo_id"],
            "the photo ID",
        ));
    }
    if let Some(portfolio) = &input.portfolio {
        for (i, item) in portfolio.items.iter().enumerate() {
            if let Some(id) = item.document_id {
                wanted.push((
                    format!("portfolio.items[{i}].document_id"),
                    id,
                    &["evidence", "recording"],
                    "evidence",
                ));
            }
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = wanted.iter().map(|(_, id, _, _)| *id).collect();
    let found: BTreeMap<Uuid, String> = epa_store::documents::purposes_in(tx, epa_id, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(wanted
        .into_iter()
        .filter_map(|(field, id, purposes, what)| match found.get(&id) {
            None => Some(Problem::new(
                field,
                "no document uploaded for this EPA has this ID: upload the file first",
            )),
            Some(purpose) if !purposes.contains(&purpose.as_str()) => Some(Problem::new(
                field,
                format!("this document was uploaded as {purpose}, not as {what}"),
            )),
            Some(_) => None,
        })
        .collect())
}

pub(super) fn sent_kinds(input: &GatewayInput) -> BTreeSet<ComponentKind> {
    let mut sent = BTreeSet::new();
    let mut add = |present: bool, kind| {
        if present {
            sent.insert(kind);
        }
    };
    add(input.photo_id.is_some(), ComponentKind::PhotoId);
    add(input.portfolio.is_some(), ComponentKind::Portfolio);
    add(input.proposal.is_some(), ComponentKind::Proposal);
    add(input.english_maths.is_some(), ComponentKind::EnglishMaths);
    add(
        input.employer_declaration.is_some(),
        ComponentKind::EmployerDeclaration,
    );
    add(
        input.provider_declaration.is_some(),
        ComponentKind::ProviderDeclaration,
    );
    add(
        input.reasonable_adjustments.is_some(),
        ComponentKind::ReasonableAdjustments,
    );
    sent
}

pub(crate) fn field_errors(problems: Vec<Problem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError::new(&p.field, p.message))
        .collect()
}
