//! The gateway's inputs and views, and the functions that only build views
//! from what is stored.

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::gateway::{
    ComponentKind, GatewayWarning, PortfolioRules, ReviewDecision, training_warning,
};
use epa_plan::{EffectivePlan, ProposalKind, Strength};
use epa_store::epas::EpaRow;
use epa_store::gateway as store;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::stored::Stored;
use crate::AppError;
use crate::calendar::london_date;
use crate::plans::{GatewayComponent, gateway_components};

// ---------------------------------------------------------------------------
// Input.

/// A gateway submission. On a first attempt every component the EPAO asks
/// for is required (`components_asked` of the gateway and the plan; the
/// reasonable adjustments request only when there are any), and a part it
/// does not ask for is refused. After a rejection, send again each
/// rejected component; an accepted one left out is carried over (still
/// accepted), and one sent again replaces it and is reviewed afresh.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayInput {
    #[serde(default)]
    pub photo_id: Option<PhotoIdInput>,
    #[serde(default)]
    pub portfolio: Option<PortfolioInput>,
    /// The project proposal (TQUK) or synopsis (Innovate).
    #[serde(default)]
    pub proposal: Option<ProposalInput>,
    #[serde(default)]
    pub english_maths: Option<DeclarationInput>,
    #[serde(default)]
    pub employer_declaration: Option<DeclarationInput>,
    #[serde(default)]
    pub provider_declaration: Option<DeclarationInput>,
    /// Adjustments requested for the assessments, if any.
    #[serde(default)]
    pub reasonable_adjustments: Option<String>,
}

/// Photo ID: what was seen (such as "UK passport"), whether the provider saw
/// the original, and the uploaded copy: a document of this EPA uploaded as
/// `photo_id`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoIdInput {
    pub description: String,
    #[serde(default)]
    pub seen: bool,
    #[serde(default)]
    pub document_id: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortfolioInput {
    pub items: Vec<EvidenceInput>,
}

/// One piece of evidence and the KSBs it shows.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    pub title: String,
    /// What kind of evidence: witness testimony, work product, customer feedback ...
    pub evidence_type: String,
    pub date: NaiveDate,
    pub description: String,
    /// A web address the evidence is kept at, such as a SharePoint folder
    /// (`https://...`): kept as given, with who gave it and when.
    #[serde(default)]
    pub link: Option<String>,
    /// An uploaded file: a document of this EPA uploaded as `evidence` or `recording`.
    #[serde(default)]
    pub document_id: Option<Uuid>,
    /// KSB codes, such as `K2`, all of the portfolio's method.
    pub ksbs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    pub text: String,
}

/// A signed declaration.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationInput {
    pub confirmed: bool,
    pub signed_by: String,
    pub signed_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accepted,
    Rejected,
}

impl Decision {
    pub(super) fn as_str(self) -> &'static str {
        self.stored().as_str()
    }

    /// The domain's decision this wire value stands for.
    pub(super) fn stored(self) -> ReviewDecision {
        match self {
            Decision::Accepted => ReviewDecision::Accepted,
            Decision::Rejected => ReviewDecision::Rejected,
        }
    }
}

/// A reviewer's decision on one component of the attempt under review.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    #[schema(value_type = String, example = "portfolio")]
    pub component: ComponentKind,
    pub decision: Decision,
    /// Required, each non-blank, when rejecting: what the provider must fix.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// The decision on the latest version of a project proposal.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalDecisionInput {
    pub decision: Decision,
    /// Required when rejecting: what to change.
    #[serde(default)]
    pub feedback: String,
}

// ---------------------------------------------------------------------------
// Views.

/// An EPA's gateway: every attempt with its components and decisions.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GatewayView {
    pub epa_id: Uuid,
    pub stage: String,
    pub policy: String,
    /// `proposal` (decided after gateway) or `synopsis` (agreed at gateway).
    pub proposal_kind: String,
    /// The EPAO's name for it.
    pub proposal_name: String,
    /// The most words the proposal may have, if the policy sets a limit.
    pub proposal_word_limit: Option<u32>,
    pub portfolio_min: Option<u32>,
    pub portfolio_max: Option<u32>,
    /// What this EPAO asks the submission to hold, each with its source: a
    /// part not listed is refused if sent.
    pub components_asked: Vec<GatewayComponent>,
    /// Advice that does not stop the gateway, such as Innovate's minimum
    /// training, judged at the latest attempt (or today, before any).
    pub warnings: Vec<GatewayWarningView>,
    /// First to last.
    pub attempts: Vec<AttemptView>,
}

/// A warning at gateway that does not stop it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GatewayWarningView {
    /// The gateway requirement: `minimum_training`.
    pub requirement: String,
    /// `recommended`: it advises and does not stop the gateway.
    #[schema(value_type = String, example = "recommended")]
    pub strength: Strength,
    pub message: String,
    pub source: String,
}

impl From<GatewayWarning> for GatewayWarningView {
    fn from(w: GatewayWarning) -> GatewayWarningView {
        GatewayWarningView {
            requirement: w.requirement,
            strength: w.strength,
            message: w.message,
            source: w.source.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub attempt: i32,
    /// `under_review`, `approved` or `rejected`.
    pub status: String,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected, component by component.
    pub reasons: Vec<String>,
    pub components: Vec<ComponentView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ComponentView {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    /// `unreviewed`, `accepted` or `rejected`: the latest review's decision;
    /// a carried-over component stays accepted until reviewed again.
    pub status: String,
    /// The attempt it was first accepted at, when carried over unchanged.
    pub carried_over_from_attempt: Option<i32>,
    pub document_id: Option<Uuid>,
    pub word_count: Option<i64>,
    /// What was submitted; its shape depends on `kind`.
    #[schema(value_type = Object)]
    pub details: Value,
    /// The portfolio's pieces; empty for other components.
    pub evidence_items: Vec<EvidenceView>,
    /// Oldest first; the last one stands.
    pub reviews: Vec<ReviewView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    /// From 1, in the order submitted.
    pub number: i32,
    pub title: String,
    pub evidence_type: String,
    pub date: NaiveDate,
    pub description: String,
    /// A web address the evidence is kept at (a SharePoint folder, say).
    pub link: Option<String>,
    /// Who gave the link, and when.
    pub link_added_by: Option<Uuid>,
    pub link_added_at: Option<DateTime<Utc>>,
    pub document_id: Option<Uuid>,
    pub ksbs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub decision: String,
    pub reasons: Vec<String>,
    pub reviewed_by: Uuid,
    pub reviewed_at: DateTime<Utc>,
}

/// The portfolio mapping of one attempt: each KSB of the portfolio's
/// method and the evidence covering it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoverageView {
    pub epa_id: Uuid,
    pub attempt: i32,
    pub method: String,
    pub ksbs: Vec<CoverageRowView>,
    /// KSB codes no evidence covers.
    pub uncovered: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoverageRowView {
    pub ksb: String,
    pub statement: String,
    pub evidence: Vec<CoveringItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoveringItem {
    pub number: i32,
    pub title: String,
}

/// A project proposal decided after gateway, with every version.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProposalView {
    pub epa_id: Uuid,
    pub name: String,
    pub word_limit: Option<u32>,
    /// `awaiting_decision`, `accepted` or `rework_due`.
    pub status: String,
    /// When a rejected proposal's rework is due, while it is.
    pub rework_due_on: Option<NaiveDate>,
    /// The rework is due and the date has passed.
    pub rework_overdue: bool,
    /// The rule the due date comes from, in the policy's words.
    pub rework_rule: Option<String>,
    pub versions: Vec<ProposalVersionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProposalVersionView {
    pub version: i32,
    pub text: String,
    pub word_count: i64,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    /// Submitted after the previous version's rework was due.
    pub late: bool,
    pub decision: Option<ProposalDecisionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProposalDecisionView {
    pub decision: String,
    pub feedback: String,
    pub rework_due_on: Option<NaiveDate>,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------
// Building the views.

impl Stored {
    pub(super) fn view(
        &self,
        row: &EpaRow,
        plan: &EffectivePlan,
        today: NaiveDate,
    ) -> Result<GatewayView, AppError> {
        let proposal = &plan.rules.proposal;
        let portfolio = PortfolioRules::from_plan(plan);
        let gateway_on = self.last().map_or(today, |s| london_date(s.submitted_at));
        let attempts = self
            .submissions
            .iter()
            .map(|s| {
                Ok(AttemptView {
                    attempt: s.attempt,
                    status: s.status.as_str().to_owned(),
                    submitted_by: s.submitted_by,
                    submitted_at: s.submitted_at,
                    decided_by: s.decided_by,
                    decided_at: s.decided_at,
                    reasons: s
                        .decision_reasons
                        .as_deref()
                        .map(string_list)
                        .transpose()?
                        .unwrap_or_default(),
                    components: self
                        .components_of(s)
                        .into_iter()
                        .map(|c| {
                            Ok(ComponentView {
                                id: c.id,
                                kind: c.kind.as_str().to_owned(),
                                name: c.kind.label(&proposal.name),
                                status: self.status_of(c).as_str().to_owned(),
                                carried_over_from_attempt: self.origin_attempt(c),
                                document_id: c.document_id,
                                word_count: c.word_count,
                                details: serde_json::from_str(&c.details)
                                    .map_err(AppError::internal)?,
                                evidence_items: self
                                    .items_of(c)
                                    .into_iter()
                                    .map(|e| EvidenceView {
                                        number: e.position,
                                        title: e.title.clone(),
                                        evidence_type: e.evidence_type.clone(),
                                        date: e.evidence_date,
                                        description: e.description.clone(),
                                        link: e.link.clone(),
                                        link_added_by: e.link_added_by,
                                        link_added_at: e.link_added_at,
                                        document_id: e.document_id,
                                        ksbs: in_plan_order(plan, self.ksbs_of(e)),
                                    })
                                    .collect(),
                                reviews: self
                                    .reviews_of(c)
                                    .into_iter()
                                    .map(|r| {
                                        Ok(ReviewView {
                                            decision: r.decision.as_str().to_owned(),
                                            reasons: string_list(&r.reasons)?,
                                            reviewed_by: r.reviewed_by,
                                            reviewed_at: r.reviewed_at,
                                        })
                                    })
                                    .collect::<Result<_, AppError>>()?,
                            })
                        })
                        .collect::<Result<_, AppError>>()?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(GatewayView {
            epa_id: row.epa.id,
            stage: row.epa.stage.as_str().to_owned(),
            policy: row.epa.policy.clone(),
            proposal_kind: match proposal.kind {
                ProposalKind::Proposal => "proposal",
                ProposalKind::Synopsis => "synopsis",
            }
            .to_owned(),
            proposal_name: proposal.name.clone(),
            proposal_word_limit: plan.rules.word_limits.proposal.as_ref().and_then(|l| l.max),
            portfolio_min: portfolio.pieces.map(|r| r.min),
            portfolio_max: portfolio.pieces.map(|r| r.max),
            components_asked: gateway_components(plan),
            warnings: training_warning(plan, row.training_start, gateway_on)
                .map_err(AppError::internal)?
                .into_iter()
                .map(GatewayWarningView::from)
                .collect(),
            attempts,
        })
    }
}

/// KSB codes in the plan's order (K2 before K10 before B8), not the
/// database's text order.
fn in_plan_order(plan: &EffectivePlan, mut codes: Vec<String>) -> Vec<String> {
    codes.sort_by_key(|code| {
        plan.ksbs
            .iter()
            .position(|k| k.code == *code)
            .unwrap_or(usize::MAX)
    });
    codes
}

/// A stored JSON array of strings (reasons). Text that is not one is
/// damaged data: an error, never an empty list.
pub(super) fn string_list(json: &str) -> Result<Vec<String>, AppError> {
    serde_json::from_str(json)
        .map_err(|err| AppError::internal(format!("stored reasons are not a list of text: {err}")))
}

pub(super) fn build_proposal_view(
    row: &EpaRow,
    plan: &EffectivePlan,
    versions: &[store::Proposal],
    decisions: &[store::ProposalDecision],
    today: NaiveDate,
) -> ProposalView {
    let decision_of = |p: &store::Proposal| decisions.iter().find(|d| d.proposal_id == p.id);
    let mut due_before: Option<NaiveDate> = None;
    let mut views = Vec::new();
    for version in versions {
        let decision = decision_of(version);
        views.push(ProposalVersionView {
            version: version.version,
            text: version.text.clone(),
            word_count: version.word_count,
            submitted_by: version.submitted_by,
            submitted_at: version.submitted_at,
            late: due_before.is_some_and(|due| version.submitted_at.date_naive() > due),
            decision: decision.map(|d| ProposalDecisionView {
                decision: d.decision.as_str().to_owned(),
                feedback: d.feedback.clone(),
                rework_due_on: d.rework_due_on,
                decided_by: d.decided_by,
                decided_at: d.decided_at,
            }),
        });
        due_before = decision.and_then(|d| d.rework_due_on);
    }
    let latest = versions.last().map(|p| (p, decision_of(p)));
    let (status, rework_due_on) = match latest {
        None | Some((_, None)) => ("awaiting_decision", None),
        Some((_, Some(d))) if d.decision == ReviewDecision::Accepted => ("accepted", None),
        Some((_, Some(d))) => ("rework_due", d.rework_due_on),
    };
    ProposalView {
        epa_id: row.epa.id,
        name: plan.rules.proposal.name.clone(),
        word_limit: plan.rules.word_limits.proposal.as_ref().and_then(|l| l.max),
        status: status.to_owned(),
        rework_due_on,
        rework_overdue: rework_due_on.is_some_and(|due| today > due),
        rework_rule: plan
            .rules
            .timings
            .proposal_rework
            .as_ref()
            .map(|t| t.text.clone()),
        versions: views,
    }
}

#[cfg(test)]
mod tests {
    use super::string_list;

    #[test]
    fn stored_reasons_that_are_not_a_list_are_an_error_not_an_empty_list() {
        assert_eq!(
            string_list(r#"["blurred photo"]"#).unwrap(),
            ["blurred photo"]
        );
        assert_eq!(string_list("[]").unwrap(), Vec::<String>::new());
        assert!(string_list("blurred photo").is_err());
        assert!(string_list(r#"{"reason": "x"}"#).is_err());
    }
}
