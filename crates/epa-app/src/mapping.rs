//! The portfolio mapping's helpers: suggested KSBs for an evidence item's
//! description (BM25 over the plan's KSB statements and criteria, ADR 0035;
//! the user confirms every mapping), and the coverage matrix as an SVG
//! picture for the API and the pages.

use epa_documents::ksb::KsbIndex;
use epa_plan::MethodId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::gate::EpaContext;
use crate::gateway::visible;
use crate::{Actor, App, AppError, FieldError};

/// The most suggestions one request may ask for.
const LIMIT_MAX: usize = 20;
const LIMIT_DEFAULT: usize = 5;
const DESCRIPTION_MAX: usize = 5_000;

/// An evidence item's description, to suggest the KSBs it may show.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionInput {
    /// The EPA whose plan and policy supply the KSBs and criteria.
    pub epa_id: Uuid,
    /// The title and description of the evidence, as the user wrote them.
    pub description: String,
    /// `observation`, `project` or `discussion` (the default: the portfolio's method).
    #[serde(default)]
    pub method: Option<String>,
    /// How many suggestions at most (1-20, default 5).
    #[serde(default)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SuggestionsView {
    pub epa_id: Uuid,
    pub method: String,
    /// Best first; KSBs sharing no word with the description are left out.
    pub suggestions: Vec<SuggestedKsb>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SuggestedKsb {
    pub ksb: String,
    pub statement: String,
    /// BM25 score: higher is closer; comparable only within one answer.
    pub score: f64,
    /// The (stemmed) words the description shares with the KSB's texts, weightiest first.
    pub shared_terms: Vec<String>,
}

/// Suggests the KSBs of `method` whose statement and criteria the
/// description most resembles, for anyone who may see the EPA.
pub async fn suggest(
    app: &App,
    actor: &Actor,
    input: SuggestionInput,
) -> Result<SuggestionsView, AppError> {
    let EpaContext { plan, .. } = visible(app, actor, input.epa_id).await?;
    let mut problems = Vec::new();
    let method_text = input.method.as_deref().unwrap_or("discussion");
    let method = MethodId::parse(method_text.trim());
    if method.is_none() {
        problems.push(FieldError::new(
            "method",
            "choose observation, project or discussion",
        ));
    }
    if input.description.trim().is_empty() {
        problems.push(FieldError::new("description", "describe the evidence"));
    } else if input.description.chars().count() > DESCRIPTION_MAX {
        problems.push(FieldError::new(
            "description",
            format!("use at most {DESCRIPTION_MAX} characters"),
        ));
    }
    let limit = input.limit.unwrap_or(LIMIT_DEFAULT);
    if !(1..=LIMIT_MAX).contains(&limit) {
        problems.push(FieldError::new(
            "limit",
            format!("ask for 1 to {LIMIT_MAX} suggestions"),
        ));
    }
    let Some(method) = method.filter(|_| problems.is_empty()) else {
        return Err(AppError::Validation(problems));
    };
    // One document per KSB: its statement plus every criterion citing it,
    // in this EPAO's wording.
    let mut pairs: Vec<(&str, &str)> = plan
        .ksbs
        .iter()
        .filter(|k| k.method == method)
        .map(|k| (k.code.as_str(), k.text.as_str()))
        .collect();
    for criterion in plan.criteria_for(method) {
        for code in &criterion.ksbs {
            pairs.push((code.as_str(), criterion.text.as_str()));
        }
    }
    let index = KsbIndex::new(pairs);
    let suggestions = index
        .suggest(&input.description, limit)
        .into_iter()
        .map(|s| SuggestedKsb {
            statement: plan
                .ksb(&s.code)
                .map(|k| k.text.clone())
                .unwrap_or_default(),
            ksb: s.code,
            score: s.score,
            shared_terms: s.shared,
        })
        .collect();
    Ok(SuggestionsView {
        epa_id: input.epa_id,
        method: method.as_str().to_owned(),
        suggestions,
    })
}
