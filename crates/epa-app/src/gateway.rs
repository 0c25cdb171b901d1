//! Use cases of the EPA's gateway (ADR 0050): the training provider submits
//! the gateway (every attempt kept), EPAO staff review each component and
//! then approve or reject the attempt, and under a policy whose proposal
//! needs a decision after gateway (TQUK), EPAO staff accept the proposal or
//! reject it with a rework deadline. Reads: the gateway with every attempt,
//! the portfolio's KSB coverage (JSON and CSV), the proposal.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use epa_domain::gateway::{
    self as rules, ComponentKind, Origin, PortfolioRules, Problem, ReviewStatus,
};
use epa_domain::lifecycle::{self, Command, Stage};
use epa_domain::policy::Action;
use epa_plan::{EffectivePlan, ProposalKind};
use epa_store::Tx;
use epa_store::epas::{self, EpaRow};
use epa_store::gateway::{self as store, Component, EvidenceItem, Review, Submission};
use epa_store::outbox::{self, NewMessage};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Actor, App, AppError, FieldError, access, transitions};

// ---------------------------------------------------------------------------
// Input.

/// A gateway submission. On a first attempt every component but
/// `reasonable_adjustments` is required. After a rejection, send again each
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
    fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Rejected => "rejected",
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
    /// First to last.
    pub attempts: Vec<AttemptView>,
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
    pub link: Option<String>,
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
// Everything stored about one EPA's gateway, read in one go.

struct Stored {
    submissions: Vec<Submission>,
    components: Vec<Component>,
    evidence: Vec<EvidenceItem>,
    ksbs: BTreeMap<Uuid, Vec<String>>,
    reviews: Vec<Review>,
}

impl Stored {
    async fn read(app: &App, epa_id: Uuid) -> Result<Stored, AppError> {
        let db = &app.db;
        Ok(Stored::assemble(
            store::submissions(db, epa_id).await?,
            store::components(db, epa_id).await?,
            store::evidence_items(db, epa_id).await?,
            store::evidence_ksbs(db, epa_id).await?,
            store::reviews(db, epa_id).await?,
        ))
    }

    async fn read_in(tx: &mut Tx, epa_id: Uuid) -> Result<Stored, AppError> {
        Ok(Stored::assemble(
            store::submissions_in(tx, epa_id).await?,
            store::components_in(tx, epa_id).await?,
            store::evidence_items_in(tx, epa_id).await?,
            store::evidence_ksbs_in(tx, epa_id).await?,
            store::reviews_in(tx, epa_id).await?,
        ))
    }

    fn assemble(
        submissions: Vec<Submission>,
        components: Vec<Component>,
        evidence: Vec<EvidenceItem>,
        pairs: Vec<(Uuid, String)>,
        reviews: Vec<Review>,
    ) -> Stored {
        let mut ksbs: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
        for (item, code) in pairs {
            ksbs.entry(item).or_default().push(code);
        }
        Stored {
            submissions,
            components,
            evidence,
            ksbs,
            reviews,
        }
    }

    fn last(&self) -> Option<&Submission> {
        self.submissions.last()
    }

    fn components_of(&self, submission: &Submission) -> Vec<&Component> {
        let mut found: Vec<&Component> = self
            .components
            .iter()
            .filter(|c| c.submission_id == submission.id)
            .collect();
        found.sort_by_key(|c| ComponentKind::parse(&c.kind));
        found
    }

    fn reviews_of(&self, component: &Component) -> Vec<&Review> {
        self.reviews
            .iter()
            .filter(|r| r.component_id == component.id)
            .collect()
    }

    fn status_of(&self, component: &Component) -> ReviewStatus {
        match self.reviews_of(component).last() {
            Some(review) if review.decision == "accepted" => ReviewStatus::Accepted,
            Some(_) => ReviewStatus::Rejected,
            None if component.carried_from.is_some() => ReviewStatus::Accepted,
            None => ReviewStatus::Unreviewed,
        }
    }

    fn statuses(&self, submission: &Submission) -> Vec<(ComponentKind, ReviewStatus)> {
        self.components_of(submission)
            .into_iter()
            .filter_map(|c| ComponentKind::parse(&c.kind).map(|k| (k, self.status_of(c))))
            .collect()
    }

    fn items_of(&self, component: &Component) -> Vec<&EvidenceItem> {
        self.evidence
            .iter()
            .filter(|e| e.component_id == component.id)
            .collect()
    }

    fn ksbs_of(&self, item: &EvidenceItem) -> Vec<String> {
        self.ksbs.get(&item.id).cloned().unwrap_or_default()
    }

    /// The attempt a carried-over component was first submitted at.
    fn origin_attempt(&self, component: &Component) -> Option<i32> {
        let mut current = component;
        let mut seen = 0;
        while let Some(from) = current.carried_from {
            current = self.components.iter().find(|c| c.id == from)?;
            seen += 1;
            if seen > self.components.len() {
                return None;
            }
        }
        (current.id != component.id).then_some(current.attempt)
    }

    fn view(&self, row: &EpaRow, plan: &EffectivePlan) -> GatewayView {
        let proposal = &plan.rules.proposal;
        let portfolio = PortfolioRules::from_plan(plan);
        let attempts = self
            .submissions
            .iter()
            .map(|s| AttemptView {
                attempt: s.attempt,
                status: s.status.clone(),
                submitted_by: s.submitted_by,
                submitted_at: s.submitted_at,
                decided_by: s.decided_by,
                decided_at: s.decided_at,
                reasons: s
                    .decision_reasons
                    .as_deref()
                    .map(string_list)
                    .unwrap_or_default(),
                components: self
                    .components_of(s)
                    .into_iter()
                    .map(|c| ComponentView {
                        id: c.id,
                        kind: c.kind.clone(),
                        name: ComponentKind::parse(&c.kind)
                            .map(|k| k.label(&proposal.name))
                            .unwrap_or_else(|| c.kind.clone()),
                        status: self.status_of(c).as_str().to_owned(),
                        carried_over_from_attempt: self.origin_attempt(c),
                        document_id: c.document_id,
                        word_count: c.word_count,
                        details: serde_json::from_str(&c.details).unwrap_or(Value::Null),
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
                                document_id: e.document_id,
                                ksbs: in_plan_order(plan, self.ksbs_of(e)),
                            })
                            .collect(),
                        reviews: self
                            .reviews_of(c)
                            .into_iter()
                            .map(|r| ReviewView {
                                decision: r.decision.clone(),
                                reasons: string_list(&r.reasons),
                                reviewed_by: r.reviewed_by,
                                reviewed_at: r.reviewed_at,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        GatewayView {
            epa_id: row.epa.id,
            stage: row.epa.stage.clone(),
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
            attempts,
        }
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

fn string_list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn plan_of(app: &App, row: &EpaRow) -> Result<EffectivePlan, AppError> {
    app.plans
        .effective(
            &row.epa.standard_reference,
            Some(&row.epa.standard_version),
            &row.epa.policy,
        )
        .map_err(|err| {
            AppError::Internal(format!(
                "EPA {} names a plan that is not loaded: {err}",
                row.epa.id
            ))
        })
}

pub(crate) fn field_errors(problems: Vec<Problem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError::new(&p.field, p.message))
        .collect()
}

/// One email to each user of `organisation` holding `role`.
async fn notify(
    app: &App,
    tx: &mut Tx,
    organisation: Uuid,
    role: &str,
    kind: &str,
    subject: &str,
    body: &str,
) -> Result<(), AppError> {
    for recipient in store::emails_of(tx, organisation, role).await? {
        outbox::enqueue(
            tx,
            &NewMessage {
                kind,
                recipient: &recipient,
                subject,
                body,
            },
            app.now(),
        )
        .await?;
    }
    Ok(())
}

fn apprentice_name(row: &EpaRow) -> String {
    format!("{} {}", row.given_names, row.family_name)
}

// ---------------------------------------------------------------------------
// Reads.

/// The EPA's gateway, every attempt, for anyone who may see the EPA.
pub async fn get(app: &App, actor: &Actor, epa_id: Uuid) -> Result<GatewayView, AppError> {
    let row = epas::get(&app.db, epa_id).await?;
    access::authorize(
        actor,
        Action::ViewEpa,
        &access::epa_resource(&row, &[]),
        "you cannot see this EPA",
    )?;
    let plan = plan_of(app, &row)?;
    Ok(Stored::read(app, epa_id).await?.view(&row, &plan))
}

/// The portfolio mapping of `attempt` (the latest when `None`).
pub async fn coverage(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    attempt: Option<i32>,
) -> Result<CoverageView, AppError> {
    let row = epas::get(&app.db, epa_id).await?;
    access::authorize(
        actor,
        Action::ViewEpa,
        &access::epa_resource(&row, &[]),
        "you cannot see this EPA",
    )?;
    let plan = plan_of(app, &row)?;
    let stored = Stored::read(app, epa_id).await?;
    let submission = match attempt {
        Some(n) => stored
            .submissions
            .iter()
            .find(|s| s.attempt == n)
            .ok_or_else(|| AppError::field("attempt", format!("there is no attempt {n}")))?,
        None => stored.last().ok_or_else(|| {
            AppError::Conflict("no gateway has been submitted for this EPA yet".to_owned())
        })?,
    };
    let portfolio = stored
        .components_of(submission)
        .into_iter()
        .find(|c| c.kind == ComponentKind::Portfolio.as_str())
        .ok_or_else(|| AppError::internal("a gateway attempt without a portfolio"))?;
    let items = stored.items_of(portfolio);
    let mapped: Vec<Vec<String>> = items.iter().map(|e| stored.ksbs_of(e)).collect();
    let rules = PortfolioRules::from_plan(&plan);
    let coverage = rules.coverage(&mapped);
    Ok(CoverageView {
        epa_id,
        attempt: submission.attempt,
        method: rules.method_name.clone(),
        ksbs: coverage
            .rows
            .iter()
            .map(|r| CoverageRowView {
                ksb: r.ksb.clone(),
                statement: plan.ksb(&r.ksb).map(|k| k.text.clone()).unwrap_or_default(),
                evidence: r
                    .items
                    .iter()
                    .filter_map(|n| items.get(n - 1))
                    .map(|e| CoveringItem {
                        number: e.position,
                        title: e.title.clone(),
                    })
                    .collect(),
            })
            .collect(),
        uncovered: coverage.uncovered,
    })
}

/// The coverage as the Portfolio Mapping and Tracking Form's CSV: one row
/// per KSB with the numbers and titles of the evidence covering it.
pub fn coverage_csv(view: &CoverageView) -> String {
    let mut out = String::from("ksb,statement,covered,evidence_numbers,evidence_titles\r\n");
    for row in &view.ksbs {
        let numbers: Vec<String> = row.evidence.iter().map(|e| e.number.to_string()).collect();
        let titles: Vec<&str> = row.evidence.iter().map(|e| e.title.as_str()).collect();
        let cells = [
            row.ksb.clone(),
            row.statement.clone(),
            if row.evidence.is_empty() { "no" } else { "yes" }.to_owned(),
            numbers.join("; "),
            titles.join("; "),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// RFC 4180 quoting, and a leading `'` on text a spreadsheet would run as a
/// formula (an evidence title is free text typed by someone else).
pub(crate) fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

// ---------------------------------------------------------------------------
// Submission.

const TITLE_MAX: usize = 200;
const TYPE_MAX: usize = 100;
const TEXT_MAX: usize = 5_000;
const LINK_MAX: usize = 2_000;
/// Far above any proposal's word limit; bounds what is stored.
const PROPOSAL_MAX_CHARS: usize = 100_000;

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
fn check_components(
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
async fn check_documents(
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

fn sent_kinds(input: &GatewayInput) -> BTreeSet<ComponentKind> {
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

/// The training provider submits the gateway: a new attempt, checked in
/// full, that moves the EPA to `gateway_submitted`. Nothing is written
/// unless every check passes.
pub async fn submit(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: GatewayInput,
) -> Result<GatewayView, AppError> {
    let today = app.clock.today();
    let mut tx = app.db.begin_write().await?;
    let row = epas::get_in(&mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::SubmitGateway,
        &access::epa_resource(&row, &[]),
        "only the apprentice's training provider can submit the gateway",
    )?;
    let state = transitions::state_of(&row)?;
    lifecycle::apply(&state, &Command::SubmitGateway)
        .map_err(|err| AppError::Conflict(err.to_string()))?;
    let plan = plan_of(app, &row)?;
    let stored = Stored::read_in(&mut tx, epa_id).await?;
    // Only a rejected attempt's accepted parts carry over; after a retake
    // (approved, then failed) the new gateway starts afresh.
    let previous = stored
        .last()
        .filter(|s| s.status == "rejected")
        .map(|s| (s, stored.statuses(s)));
    let sent = sent_kinds(&input);
    let proposal_name = &plan.rules.proposal.name;
    let mut problems = Vec::new();
    let layout = match rules::plan_attempt(
        previous.as_ref().map(|(_, s)| s.as_slice()),
        &sent,
        proposal_name,
    ) {
        Ok(layout) => layout,
        Err(missing) => {
            problems.extend(missing);
            Vec::new()
        }
    };
    let (invalid, proposal_words) = check_components(&plan, &input, today);
    problems.extend(invalid);
    problems.extend(check_documents(&mut tx, epa_id, &input).await?);
    if !problems.is_empty() {
        return Err(AppError::Validation(field_errors(problems)));
    }

    let after = transitions::apply(
        app,
        &mut tx,
        actor,
        &row,
        &Command::SubmitGateway,
        "gateway.submitted",
        json!({
            "components": layout.iter().map(|(k, o)| json!({"kind": k, "origin": o})).collect::<Vec<_>>(),
        }),
    )
    .await?;
    let attempt = i32::try_from(after.gateway_attempts).map_err(AppError::internal)?;
    let now = app.now();
    let submission = store::insert_submission(&mut tx, epa_id, attempt, actor.user_id, now).await?;
    for (kind, origin) in &layout {
        match origin {
            Origin::Sent => {
                insert_sent(
                    &mut tx,
                    submission.id,
                    *kind,
                    &input,
                    &plan,
                    proposal_words,
                    now,
                )
                .await?;
            }
            Origin::CarriedOver => {
                let (prev, _) = previous.as_ref().ok_or_else(|| {
                    AppError::internal("a carried-over component without an attempt")
                })?;
                let source = stored
                    .components_of(prev)
                    .into_iter()
                    .find(|c| c.kind == kind.as_str())
                    .ok_or_else(|| {
                        AppError::internal("a carried-over component that is not there")
                    })?;
                carry_over(&mut tx, &stored, source, submission.id, now).await?;
            }
        }
    }
    notify(
        app,
        &mut tx,
        row.epa.epao_id,
        "epao_operations",
        "gateway_submitted",
        &format!("Gateway attempt {attempt} submitted for review"),
        &format!(
            "The training provider has submitted gateway attempt {attempt} for {}'s EPA ({}). \
             Review each component, then approve or reject the gateway.",
            apprentice_name(&row),
            row.epa.id
        ),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, epa_id).await
}

async fn insert_sent(
    tx: &mut Tx,
    submission_id: Uuid,
    kind: ComponentKind,
    input: &GatewayInput,
    plan: &EffectivePlan,
    proposal_words: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut document_id = None;
    let mut word_count = None;
    let details = match kind {
        ComponentKind::PhotoId => {
            let photo = input
                .photo_id
                .as_ref()
                .ok_or_else(|| AppError::internal("no photo ID"))?;
            document_id = photo.document_id;
            json!({"description": photo.description.trim(), "seen": photo.seen})
        }
        ComponentKind::Portfolio => {
            let portfolio = input
                .portfolio
                .as_ref()
                .ok_or_else(|| AppError::internal("no portfolio"))?;
            json!({"items": portfolio.items.len()})
        }
        ComponentKind::Proposal => {
            let proposal = input
                .proposal
                .as_ref()
                .ok_or_else(|| AppError::internal("no proposal"))?;
            word_count = proposal_words.map(|w| w as i64);
            json!({"kind": plan.rules.proposal.kind, "text": proposal.text})
        }
        ComponentKind::EnglishMaths => declaration(&input.english_maths)?,
        ComponentKind::EmployerDeclaration => declaration(&input.employer_declaration)?,
        ComponentKind::ProviderDeclaration => declaration(&input.provider_declaration)?,
        ComponentKind::ReasonableAdjustments => {
            json!({"text": input.reasonable_adjustments.as_deref().unwrap_or_default().trim()})
        }
    };
    let details = details.to_string();
    let component_id = store::insert_component(
        tx,
        &store::NewComponent {
            submission_id,
            kind: kind.as_str(),
            document_id,
            details: &details,
            word_count,
            carried_from: None,
        },
        now,
    )
    .await?;
    if let (ComponentKind::Portfolio, Some(portfolio)) = (kind, &input.portfolio) {
        for (i, item) in portfolio.items.iter().enumerate() {
            let ksbs = normalise_ksbs(&item.ksbs);
            store::insert_evidence_item(
                tx,
                component_id,
                &store::NewEvidenceItem {
                    position: i32::try_from(i + 1).map_err(AppError::internal)?,
                    title: item.title.trim(),
                    evidence_type: item.evidence_type.trim(),
                    evidence_date: item.date,
                    description: item.description.trim(),
                    link: item.link.as_deref().map(str::trim),
                    document_id: item.document_id,
                    ksbs: &ksbs,
                },
            )
            .await?;
        }
    }
    Ok(())
}

fn declaration(input: &Option<DeclarationInput>) -> Result<Value, AppError> {
    let d = input
        .as_ref()
        .ok_or_else(|| AppError::internal("no declaration"))?;
    Ok(json!({"confirmed": d.confirmed, "signed_by": d.signed_by.trim(), "signed_on": d.signed_on}))
}

/// Copies an accepted component (and its evidence) into the new attempt,
/// pointing back at the original: each attempt reads complete on its own.
async fn carry_over(
    tx: &mut Tx,
    stored: &Stored,
    source: &Component,
    submission_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let component_id = store::insert_component(
        tx,
        &store::NewComponent {
            submission_id,
            kind: &source.kind,
            document_id: source.document_id,
            details: &source.details,
            word_count: source.word_count,
            carried_from: Some(source.id),
        },
        now,
    )
    .await?;
    for item in stored.items_of(source) {
        let ksbs = stored.ksbs_of(item);
        store::insert_evidence_item(
            tx,
            component_id,
            &store::NewEvidenceItem {
                position: item.position,
                title: &item.title,
                evidence_type: &item.evidence_type,
                evidence_date: item.evidence_date,
                description: &item.description,
                link: item.link.as_deref(),
                document_id: item.document_id,
                ksbs: &ksbs,
            },
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Review and decision.

/// Reads the EPA in `tx`, checks the reviewer may review its gateway, and
/// finds the attempt under review.
async fn under_review(
    tx: &mut Tx,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<(EpaRow, Stored, Submission), AppError> {
    let row = epas::get_in(tx, epa_id).await?;
    access::authorize(
        actor,
        Action::ReviewGateway,
        &access::epa_resource(&row, &[]),
        "only EPAO staff can review a gateway",
    )?;
    let stored = Stored::read_in(tx, epa_id).await?;
    let submission = stored
        .last()
        .filter(|s| s.status == "under_review" && row.epa.stage == Stage::GatewaySubmitted.as_str())
        .cloned()
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "there is no gateway under review for this EPA (stage {})",
                row.epa.stage
            ))
        })?;
    Ok((row, stored, submission))
}

/// An EPAO reviewer accepts or rejects one component of the attempt under
/// review. A later review of the same component replaces the standing
/// decision; both stay on record.
pub async fn review(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReviewInput,
) -> Result<GatewayView, AppError> {
    let reasons: Vec<String> = input.reasons.iter().map(|r| r.trim().to_owned()).collect();
    let mut tx = app.db.begin_write().await?;
    let (row, stored, submission) = under_review(&mut tx, actor, epa_id).await?;
    let plan = plan_of(app, &row)?;
    let mut problems = Vec::new();
    if input.decision == Decision::Rejected
        && (reasons.is_empty() || reasons.iter().any(String::is_empty))
    {
        problems.push(FieldError::new(
            "reasons",
            "give at least one reason, and no blank ones: the provider must know what to fix",
        ));
    }
    if reasons.iter().any(|r| r.chars().count() > TEXT_MAX) {
        problems.push(FieldError::new(
            "reasons",
            format!("use at most {TEXT_MAX} characters for each reason"),
        ));
    }
    let component = stored
        .components_of(&submission)
        .into_iter()
        .find(|c| c.kind == input.component.as_str());
    if component.is_none() {
        problems.push(FieldError::new(
            "component",
            format!(
                "attempt {} has no {}",
                submission.attempt,
                input.component.label(&plan.rules.proposal.name)
            ),
        ));
    }
    let Some(component) = component.filter(|_| problems.is_empty()) else {
        return Err(AppError::Validation(problems));
    };
    let reasons_json = serde_json::to_string(&reasons).map_err(AppError::internal)?;
    store::touch_submission(&mut tx, submission.id, submission.version).await?;
    store::insert_review(
        &mut tx,
        component.id,
        input.decision.as_str(),
        &reasons_json,
        actor.user_id,
        app.now(),
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "gateway.component_reviewed",
        None,
        json!({
            "attempt": submission.attempt,
            "component": input.component,
            "decision": input.decision.as_str(),
            "reasons": reasons,
        }),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, epa_id).await
}

/// Approves the attempt under review once every component is accepted: the
/// EPA period starts today. Under a policy whose proposal is decided after
/// gateway, the accepted proposal becomes its version 1.
pub async fn approve(app: &App, actor: &Actor, epa_id: Uuid) -> Result<GatewayView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (row, stored, submission) = under_review(&mut tx, actor, epa_id).await?;
    let plan = plan_of(app, &row)?;
    let blockers =
        rules::approval_blockers(&stored.statuses(&submission), &plan.rules.proposal.name);
    if !blockers.is_empty() {
        return Err(AppError::Conflict(format!(
            "The gateway cannot be approved yet: {}.",
            blockers.join("; ")
        )));
    }
    let today = app.clock.today();
    transitions::apply(
        app,
        &mut tx,
        actor,
        &row,
        &Command::ApproveGateway { on: today },
        "gateway.approved",
        json!({"attempt": submission.attempt}),
    )
    .await?;
    let now = app.now();
    store::decide_submission(
        &mut tx,
        submission.id,
        submission.version,
        "approved",
        actor.user_id,
        None,
        now,
    )
    .await?;
    if rules::has_proposal_decision(&plan) {
        let component = stored
            .components_of(&submission)
            .into_iter()
            .find(|c| c.kind == ComponentKind::Proposal.as_str())
            .ok_or_else(|| AppError::internal("an approved gateway without a proposal"))?;
        let details: Value =
            serde_json::from_str(&component.details).map_err(AppError::internal)?;
        let text = details["text"].as_str().unwrap_or_default();
        let version = store::proposals_in(&mut tx, epa_id).await?.len() as i32 + 1;
        store::insert_proposal(
            &mut tx,
            &store::NewProposal {
                epa_id,
                version,
                component_id: Some(component.id),
                text,
                word_count: rules::count_words(text) as i64,
                submitted_by: submission.submitted_by,
            },
            now,
        )
        .await?;
    }
    notify(
        app,
        &mut tx,
        row.provider_id,
        "provider_user",
        "gateway_approved",
        "Gateway approved: the EPA period has started",
        &format!(
            "Gateway attempt {} for {}'s EPA ({}) is approved. The EPA period starts on {today}.",
            submission.attempt,
            apprentice_name(&row),
            row.epa.id
        ),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, epa_id).await
}

/// Rejects the attempt under review once every component is reviewed and at
/// least one rejected: the EPA goes back to `registered` and the provider
/// is told, component by component, what to fix.
pub async fn reject(app: &App, actor: &Actor, epa_id: Uuid) -> Result<GatewayView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let (row, stored, submission) = under_review(&mut tx, actor, epa_id).await?;
    let plan = plan_of(app, &row)?;
    let name = &plan.rules.proposal.name;
    let blockers = rules::rejection_blockers(&stored.statuses(&submission), name);
    if !blockers.is_empty() {
        return Err(AppError::Conflict(format!(
            "The gateway cannot be rejected yet: {}.",
            blockers.join("; ")
        )));
    }
    let mut reasons = Vec::new();
    for component in stored.components_of(&submission) {
        if stored.status_of(component) != ReviewStatus::Rejected {
            continue;
        }
        let label = ComponentKind::parse(&component.kind)
            .map(|k| k.label(name))
            .unwrap_or_else(|| component.kind.clone());
        if let Some(review) = stored.reviews_of(component).last() {
            for reason in string_list(&review.reasons) {
                reasons.push(format!("{label}: {reason}"));
            }
        }
    }
    transitions::apply(
        app,
        &mut tx,
        actor,
        &row,
        &Command::RejectGateway {
            reasons: reasons.clone(),
        },
        "gateway.rejected",
        json!({"attempt": submission.attempt}),
    )
    .await?;
    let reasons_json = serde_json::to_string(&reasons).map_err(AppError::internal)?;
    store::decide_submission(
        &mut tx,
        submission.id,
        submission.version,
        "rejected",
        actor.user_id,
        Some(&reasons_json),
        app.now(),
    )
    .await?;
    let list: String = reasons.iter().map(|r| format!("- {r}\n")).collect();
    notify(
        app,
        &mut tx,
        row.provider_id,
        "provider_user",
        "gateway_rejected",
        "Gateway not approved: what to fix",
        &format!(
            "Gateway attempt {} for {}'s EPA ({}) was not approved. What to fix:\n\n{list}\n\
             Submit the gateway again with the rejected parts corrected; the parts that were \
             accepted are kept unless you send them again.",
            submission.attempt,
            apprentice_name(&row),
            row.epa.id
        ),
    )
    .await?;
    tx.commit().await?;
    get(app, actor, epa_id).await
}

// ---------------------------------------------------------------------------
// The project proposal (decided after gateway).

/// Refuses under a policy that agrees its project at gateway.
fn needs_proposal_decision(plan: &EffectivePlan) -> Result<(), AppError> {
    if rules::has_proposal_decision(plan) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{} agrees the {} at gateway: there is no separate proposal decision. \
             Review it as a gateway component instead.",
            plan.epao_name, plan.rules.proposal.name
        )))
    }
}

async fn proposal_view(
    app: &App,
    row: &EpaRow,
    plan: &EffectivePlan,
) -> Result<ProposalView, AppError> {
    let versions = store::proposals(&app.db, row.epa.id).await?;
    let decisions = store::proposal_decisions(&app.db, row.epa.id).await?;
    Ok(build_proposal_view(
        row,
        plan,
        &versions,
        &decisions,
        app.clock.today(),
    ))
}

fn build_proposal_view(
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
                decision: d.decision.clone(),
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
        Some((_, Some(d))) if d.decision == "accepted" => ("accepted", None),
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

/// The project proposal with every version and decision.
pub async fn proposal(app: &App, actor: &Actor, epa_id: Uuid) -> Result<ProposalView, AppError> {
    let row = epas::get(&app.db, epa_id).await?;
    access::authorize(
        actor,
        Action::ViewEpa,
        &access::epa_resource(&row, &[]),
        "you cannot see this EPA",
    )?;
    let plan = plan_of(app, &row)?;
    needs_proposal_decision(&plan)?;
    proposal_view(app, &row, &plan).await
}

/// EPAO staff accept the latest version of the proposal, or reject it with
/// feedback; a rejection sets the rework deadline from the policy's
/// `proposal_rework` timing and tells the provider.
pub async fn decide_proposal(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ProposalDecisionInput,
) -> Result<ProposalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let row = epas::get_in(&mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::ReviewGateway,
        &access::epa_resource(&row, &[]),
        "only EPAO staff can decide a project proposal",
    )?;
    let plan = plan_of(app, &row)?;
    needs_proposal_decision(&plan)?;
    let versions = store::proposals_in(&mut tx, epa_id).await?;
    let decisions = store::proposal_decisions_in(&mut tx, epa_id).await?;
    let latest = versions.last().ok_or_else(|| {
        AppError::Conflict(format!(
            "there is no {} to decide yet: it is decided once the gateway is approved",
            plan.rules.proposal.name
        ))
    })?;
    if row.epa.stage == Stage::Withdrawn.as_str() {
        return Err(AppError::Conflict("the apprentice is withdrawn".to_owned()));
    }
    if let Some(done) = decisions.iter().find(|d| d.proposal_id == latest.id) {
        return Err(AppError::Conflict(format!(
            "version {} of the {} was already {}",
            latest.version, plan.rules.proposal.name, done.decision
        )));
    }
    let feedback = input.feedback.trim();
    if input.decision == Decision::Rejected && feedback.is_empty() {
        return Err(AppError::field(
            "feedback",
            "give feedback: the apprentice reworks the proposal from it",
        ));
    }
    if feedback.chars().count() > TEXT_MAX {
        return Err(AppError::field(
            "feedback",
            format!("use at most {TEXT_MAX} characters"),
        ));
    }
    let today = app.clock.today();
    let rework_due_on = match input.decision {
        Decision::Accepted => None,
        Decision::Rejected => {
            let working_days = crate::calendar::working_days()?;
            rules::proposal_rework_due(&plan, today, &working_days).map_err(AppError::internal)?
        }
    };
    store::insert_proposal_decision(
        &mut tx,
        latest.id,
        input.decision.as_str(),
        feedback,
        rework_due_on,
        actor.user_id,
        app.now(),
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "proposal.decided",
        None,
        json!({
            "version": latest.version,
            "decision": input.decision.as_str(),
            "feedback": feedback,
            "rework_due_on": rework_due_on,
        }),
    )
    .await?;
    if input.decision == Decision::Rejected {
        let due = rework_due_on
            .map(|d| format!(" by {d}"))
            .unwrap_or_default();
        notify(
            app,
            &mut tx,
            row.provider_id,
            "provider_user",
            "proposal_rejected",
            "Project proposal not accepted: rework needed",
            &format!(
                "Version {} of the {} for {}'s EPA ({}) was not accepted. Feedback:\n\n{feedback}\n\n\
                 Submit a reworked proposal{due}.",
                latest.version,
                plan.rules.proposal.name,
                apprentice_name(&row),
                row.epa.id
            ),
        )
        .await?;
    }
    tx.commit().await?;
    proposal_view(app, &row, &plan).await
}

/// The training provider submits a reworked proposal after a rejection: a
/// new version, checked against the word limit. One sent after the due date
/// is kept and shown as late (the EPAO decides what follows).
pub async fn rework_proposal(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ProposalInput,
) -> Result<ProposalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let row = epas::get_in(&mut tx, epa_id).await?;
    access::authorize(
        actor,
        Action::SubmitGateway,
        &access::epa_resource(&row, &[]),
        "only the apprentice's training provider can submit a reworked proposal",
    )?;
    let plan = plan_of(app, &row)?;
    needs_proposal_decision(&plan)?;
    let versions = store::proposals_in(&mut tx, epa_id).await?;
    let decisions = store::proposal_decisions_in(&mut tx, epa_id).await?;
    let rejected = versions.last().is_some_and(|p| {
        decisions
            .iter()
            .any(|d| d.proposal_id == p.id && d.decision == "rejected")
    });
    if !rejected {
        return Err(AppError::Conflict(format!(
            "a reworked {} is sent only after the latest version is rejected",
            plan.rules.proposal.name
        )));
    }
    if input.text.chars().count() > PROPOSAL_MAX_CHARS {
        return Err(AppError::field(
            "text",
            format!("use at most {PROPOSAL_MAX_CHARS} characters"),
        ));
    }
    let (words, problem) = rules::check_proposal(&plan, &input.text);
    if let Some(problem) = problem {
        return Err(AppError::field("text", problem.message));
    }
    let version = versions.len() as i32 + 1;
    store::insert_proposal(
        &mut tx,
        &store::NewProposal {
            epa_id,
            version,
            component_id: None,
            text: &input.text,
            word_count: words as i64,
            submitted_by: actor.user_id,
        },
        app.now(),
    )
    .await?;
    crate::transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "proposal.reworked",
        None,
        json!({"version": version, "word_count": words}),
    )
    .await?;
    tx.commit().await?;
    proposal_view(app, &row, &plan).await
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("K2"), "K2");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("-1,2"), "\"'-1,2\"");
    }
}
