//! The gateway's rules, pure: what a submission must contain, the portfolio
//! checks (how many pieces, which KSBs they may be mapped to, whether every
//! KSB of the portfolio's method is covered), the proposal's word limit,
//! when a reviewed attempt may be approved or rejected, what a resubmission
//! carries over, and when a rejected proposal's rework falls due.
//!
//! Every figure comes from the [`EffectivePlan`]: the portfolio's bounds
//! from the method that carries `portfolio_pieces`, its KSBs from the
//! plan's KSB-to-method mapping, the word limit from
//! `rules.word_limits.proposal`, the rework period from
//! `rules.timings.proposal_rework`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use epa_plan::{EffectivePlan, GatewayComponent, MethodId, ProposalKind, Range, Source, Strength};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkingDays, add_months};
use crate::plan::period_of;

/// One part of a gateway submission. The snake_case names are database
/// and API values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    PhotoId,
    Portfolio,
    /// The project proposal (TQUK) or synopsis (Innovate): the plan says which.
    Proposal,
    EnglishMaths,
    EmployerDeclaration,
    ProviderDeclaration,
    /// Optional: present only when adjustments are requested.
    ReasonableAdjustments,
}

impl ComponentKind {
    /// In the order a submission lists them.
    pub const ALL: [ComponentKind; 7] = [
        ComponentKind::PhotoId,
        ComponentKind::Portfolio,
        ComponentKind::Proposal,
        ComponentKind::EnglishMaths,
        ComponentKind::EmployerDeclaration,
        ComponentKind::ProviderDeclaration,
        ComponentKind::ReasonableAdjustments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::PhotoId => "photo_id",
            ComponentKind::Portfolio => "portfolio",
            ComponentKind::Proposal => "proposal",
            ComponentKind::EnglishMaths => "english_maths",
            ComponentKind::EmployerDeclaration => "employer_declaration",
            ComponentKind::ProviderDeclaration => "provider_declaration",
            ComponentKind::ReasonableAdjustments => "reasonable_adjustments",
        }
    }

    pub fn parse(text: &str) -> Option<ComponentKind> {
        ComponentKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The domain's kind for a policy's component.
    pub fn from_policy(component: GatewayComponent) -> ComponentKind {
        match component {
            GatewayComponent::PhotoId => ComponentKind::PhotoId,
            GatewayComponent::Portfolio => ComponentKind::Portfolio,
            GatewayComponent::Proposal => ComponentKind::Proposal,
            GatewayComponent::EnglishMaths => ComponentKind::EnglishMaths,
            GatewayComponent::EmployerDeclaration => ComponentKind::EmployerDeclaration,
            GatewayComponent::ProviderDeclaration => ComponentKind::ProviderDeclaration,
            GatewayComponent::ReasonableAdjustments => ComponentKind::ReasonableAdjustments,
        }
    }

    /// Its name in a sentence. The proposal takes the EPAO's own name for it
    /// ("work-based project proposal", "project synopsis").
    pub fn label(self, proposal_name: &str) -> String {
        match self {
            ComponentKind::PhotoId => "photo ID".to_owned(),
            ComponentKind::Portfolio => "portfolio of evidence".to_owned(),
            ComponentKind::Proposal => proposal_name.to_owned(),
            ComponentKind::EnglishMaths => "English and maths declaration".to_owned(),
            ComponentKind::EmployerDeclaration => "employer declaration".to_owned(),
            ComponentKind::ProviderDeclaration => "provider declaration".to_owned(),
            ComponentKind::ReasonableAdjustments => "reasonable adjustments request".to_owned(),
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem with one input field, in words to show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Words as the document checks count them (`epa_documents`, ADR 0031): a
/// whitespace-separated token with at least one letter or digit, so "-"
/// and "&" are not words and "2,500" is one.
pub fn count_words(text: &str) -> u64 {
    text.split_whitespace()
        .filter(|token| token.chars().any(char::is_alphanumeric))
        .count() as u64
}

/// "K2, K5 and B8".
pub(crate) fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    }
}

/// A plan's title-case name ("Professional discussion ...") as it reads
/// after "the" in a sentence.
pub(crate) fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What the plan says a portfolio must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioRules {
    /// The method the portfolio supports (the one with `portfolio_pieces`).
    pub method: MethodId,
    pub method_name: String,
    /// How many pieces; `None` when the plan sets no bounds.
    pub pieces: Option<Range>,
    /// The method's KSB codes, in the plan's order: each needs evidence.
    pub ksbs: Vec<String>,
    /// Every KSB code of the standard, with the method that assesses it.
    method_of: BTreeMap<String, MethodId>,
    method_names: BTreeMap<MethodId, String>,
}

impl PortfolioRules {
    /// The portfolio's rules in `plan`: the method that carries
    /// `portfolio_pieces`, or the professional discussion when none does.
    pub fn from_plan(plan: &EffectivePlan) -> PortfolioRules {
        let method = plan
            .methods
            .iter()
            .find(|m| m.portfolio_pieces.is_some())
            .map(|m| m.id)
            .unwrap_or(MethodId::Discussion);
        let spec = plan.method(method);
        PortfolioRules {
            method,
            method_name: spec
                .map(|m| in_sentence(&m.name))
                .unwrap_or_else(|| method.as_str().to_owned()),
            pieces: spec.and_then(|m| m.portfolio_pieces),
            ksbs: plan
                .ksbs
                .iter()
                .filter(|k| k.method == method)
                .map(|k| k.code.clone())
                .collect(),
            method_of: plan
                .ksbs
                .iter()
                .map(|k| (k.code.clone(), k.method))
                .collect(),
            method_names: plan
                .methods
                .iter()
                .map(|m| (m.id, in_sentence(&m.name)))
                .collect(),
        }
    }

    fn name_of(&self, method: MethodId) -> &str {
        self.method_names
            .get(&method)
            .map(String::as_str)
            .unwrap_or(method.as_str())
    }

    /// Every problem with a portfolio whose items are mapped to `items`
    /// (each item's KSB codes, in the order submitted). Fields are
    /// `portfolio.items` (the count), `portfolio.items[i].ksbs` (one item's
    /// mapping, `i` from 0) and `portfolio.ksbs` (coverage).
    pub fn check(&self, items: &[Vec<String>]) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(range) = self.pieces {
            let n = items.len();
            if n < range.min as usize || n > range.max as usize {
                problems.push(Problem::new(
                    "portfolio.items",
                    format!(
                        "the portfolio has {n} piece{} of evidence; it must have from {} to {}",
                        if n == 1 { "" } else { "s" },
                        range.min,
                        range.max
                    ),
                ));
            }
        }
        for (i, ksbs) in items.iter().enumerate() {
            let field = format!("portfolio.items[{i}].ksbs");
            let number = i + 1;
            if ksbs.iter().all(|code| code.trim().is_empty()) {
                problems.push(Problem::new(
                    &field,
                    format!(
                        "map evidence item {number} to at least one KSB of the {}",
                        self.method_name
                    ),
                ));
                continue;
            }
            let mut unknown = Vec::new();
            let mut elsewhere: BTreeMap<MethodId, Vec<&str>> = BTreeMap::new();
            for code in ksbs.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                match self.method_of.get(code) {
                    None => unknown.push(code),
                    Some(method) if *method != self.method => {
                        elsewhere.entry(*method).or_default().push(code)
                    }
                    Some(_) => {}
                }
            }
            if !unknown.is_empty() {
                problems.push(Problem::new(
                    &field,
                    format!(
                        "evidence item {number}: {} {} not a KSB of this standard",
                        and_list(&unknown),
                        if unknown.len() == 1 { "is" } else { "are" }
                    ),
                ));
            }
            for (method, codes) in elsewhere {
                problems.push(Problem::new(
                    &field,
                    format!(
                        "evidence item {number}: {} {} assessed by the {}, not the {}; the portfolio maps only to {}",
                        and_list(&codes),
                        if codes.len() == 1 { "is" } else { "are" },
                        self.name_of(method),
                        self.method_name,
                        and_list(&self.ksbs.iter().map(String::as_str).collect::<Vec<_>>()),
                    ),
                ));
            }
        }
        let uncovered = self.coverage(items).uncovered;
        if !uncovered.is_empty() {
            let codes: Vec<&str> = uncovered.iter().map(String::as_str).collect();
            problems.push(Problem::new(
                "portfolio.ksbs",
                format!(
                    "no evidence item covers {}: every KSB of the {} needs at least one piece of evidence",
                    and_list(&codes),
                    self.method_name
                ),
            ));
        }
        problems
    }

    /// Which items (numbered from 1) cover each of the method's KSBs, and
    /// which KSBs none covers. Codes of other methods are left out.
    pub fn coverage(&self, items: &[Vec<String>]) -> Coverage {
        let rows: Vec<CoverageRow> = self
            .ksbs
            .iter()
            .map(|code| CoverageRow {
                ksb: code.clone(),
                items: items
                    .iter()
                    .enumerate()
                    .filter(|(_, ksbs)| ksbs.iter().any(|k| k.trim() == code))
                    .map(|(i, _)| i + 1)
                    .collect(),
            })
            .collect();
        let uncovered = rows
            .iter()
            .filter(|row| row.items.is_empty())
            .map(|row| row.ksb.clone())
            .collect();
        Coverage { rows, uncovered }
    }
}

/// The portfolio mapping: each KSB of the method and the items covering it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub rows: Vec<CoverageRow>,
    pub uncovered: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub ksb: String,
    /// Evidence item numbers, from 1, in submission order.
    pub items: Vec<usize>,
}

/// The proposal's words and, when over the policy's limit, what to fix.
pub fn check_proposal(plan: &EffectivePlan, text: &str) -> (u64, Option<Problem>) {
    let words = count_words(text);
    let name = &plan.rules.proposal.name;
    if words == 0 {
        return (
            words,
            Some(Problem::new("proposal.text", format!("enter the {name}"))),
        );
    }
    let limit = plan.rules.word_limits.proposal.as_ref().and_then(|l| l.max);
    match limit {
        Some(max) if words > u64::from(max) => (
            words,
            Some(Problem::new(
                "proposal.text",
                format!("the {name} has {words} words; it must have no more than {max}"),
            )),
        ),
        _ => (words, None),
    }
}

/// Whether the policy has a proposal decision after the gateway (TQUK's
/// proposal, accepted or reworked), or agrees the project at gateway
/// (Innovate's synopsis).
pub fn has_proposal_decision(plan: &EffectivePlan) -> bool {
    plan.rules.proposal.kind == ProposalKind::Proposal && plan.rules.proposal.needs_acceptance
}

/// When a proposal rejected on `rejected_on` must be reworked by, from the
/// policy's `proposal_rework` timing; `None` when the policy has none.
pub fn proposal_rework_due(
    plan: &EffectivePlan,
    rejected_on: NaiveDate,
    working_days: &WorkingDays<'_>,
) -> Result<Option<NaiveDate>, CalendarError> {
    let Some(period) = plan
        .rules
        .timings
        .proposal_rework
        .as_ref()
        .and_then(period_of)
    else {
        return Ok(None);
    };
    period.after(rejected_on, working_days).map(Some)
}

/// A declaration as submitted: confirmed, by whom, when.
pub fn check_declaration(
    field: &str,
    label: &str,
    confirmed: bool,
    signed_by: &str,
    signed_on: NaiveDate,
    today: NaiveDate,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !confirmed {
        problems.push(Problem::new(
            format!("{field}.confirmed"),
            format!("the {label} must be confirmed"),
        ));
    }
    if signed_by.trim().is_empty() {
        problems.push(Problem::new(
            format!("{field}.signed_by"),
            format!("enter who signed the {label}"),
        ));
    }
    if signed_on > today {
        problems.push(Problem::new(
            format!("{field}.signed_on"),
            format!("the {label} cannot be signed in the future"),
        ));
    }
    problems
}

/// Where one component of an attempt stands with its reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Unreviewed,
    Accepted,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Unreviewed => "unreviewed",
            ReviewStatus::Accepted => "accepted",
            ReviewStatus::Rejected => "rejected",
        }
    }
}

impl ReviewStatus {
    pub fn parse(text: &str) -> Option<ReviewStatus> {
        [
            ReviewStatus::Unreviewed,
            ReviewStatus::Accepted,
            ReviewStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

epa_plan::stored_as_text!(ComponentKind, ComponentKind::parse);

named_enum! {
    /// Where a gateway submission stands.
    pub enum SubmissionStatus {
        UnderReview => "under_review",
        Approved => "approved",
        Rejected => "rejected",
    }
}

named_enum! {
    /// A reviewer's decision on one component, or the EPAO's on a project
    /// proposal.
    pub enum ReviewDecision {
        Accepted => "accepted",
        Rejected => "rejected",
    }
}

/// What stops the attempt from being approved: each component not yet
/// accepted, in words. Empty means it may be approved.
pub fn approval_blockers(
    components: &[(ComponentKind, ReviewStatus)],
    proposal_name: &str,
) -> Vec<String> {
    components
        .iter()
        .filter_map(|(kind, status)| match status {
            ReviewStatus::Accepted => None,
            ReviewStatus::Unreviewed => Some(format!(
                "the {} is not reviewed yet",
                kind.label(proposal_name)
            )),
            ReviewStatus::Rejected => {
                Some(format!("the {} was rejected", kind.label(proposal_name)))
            }
        })
        .collect()
}

/// What stops the attempt from being rejected: every component must be
/// reviewed first (so the provider hears everything to fix at once), and
/// at least one must be rejected.
pub fn rejection_blockers(
    components: &[(ComponentKind, ReviewStatus)],
    proposal_name: &str,
) -> Vec<String> {
    let mut blockers: Vec<String> = components
        .iter()
        .filter(|(_, status)| *status == ReviewStatus::Unreviewed)
        .map(|(kind, _)| format!("the {} is not reviewed yet", kind.label(proposal_name)))
        .collect();
    if blockers.is_empty()
        && !components
            .iter()
            .any(|(_, status)| *status == ReviewStatus::Rejected)
    {
        blockers.push("no component was rejected: approve the gateway instead".to_owned());
    }
    blockers
}

/// What one policy asks a gateway submission to hold, each component with
/// the requirement that asks for it and its source (ADR 0106). A component
/// no requirement of the plan or the policy names is not asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayComponents {
    /// Components asked for, in submission order, each with the ID of the
    /// requirement that asks for it, whether it is sent only when there is
    /// something to declare, and the requirement's source.
    pub asked: Vec<AskedComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskedComponent {
    pub kind: ComponentKind,
    pub requirement: String,
    /// Sent only when applicable (adjustments "declared", when any).
    pub optional: bool,
    pub source: Source,
}

impl GatewayComponents {
    pub fn from_plan(plan: &EffectivePlan) -> GatewayComponents {
        let mut asked: Vec<AskedComponent> = plan
            .rules
            .gateway
            .iter()
            .filter_map(|g| {
                g.component.map(|c| AskedComponent {
                    kind: ComponentKind::from_policy(c),
                    requirement: g.id.clone(),
                    optional: g.only_when_applicable,
                    source: g.source.clone(),
                })
            })
            .collect();
        asked.sort_by_key(|a| a.kind);
        GatewayComponents { asked }
    }

    pub fn get(&self, kind: ComponentKind) -> Option<&AskedComponent> {
        self.asked.iter().find(|a| a.kind == kind)
    }

    /// Every component a first attempt must send.
    pub fn required(&self) -> BTreeSet<ComponentKind> {
        self.asked
            .iter()
            .filter(|a| !a.optional)
            .map(|a| a.kind)
            .collect()
    }
}

/// The components of a new attempt under a policy's [`GatewayComponents`].
/// A first attempt must send every component the policy requires. A later
/// one (after a rejection) must send again each rejected component, may
/// leave out any accepted one (it is carried over, still accepted), and may
/// send an accepted one again to replace it (it is then reviewed afresh). A
/// component the policy does not ask for is refused (naming the EPAO), so
/// that nothing unasked is stored or reviewed. `previous` is the last
/// attempt's components with their final status; `sent` the kinds sent now.
pub fn plan_attempt_for(
    components: &GatewayComponents,
    epao_name: &str,
    previous: Option<&[(ComponentKind, ReviewStatus)]>,
    sent: &BTreeSet<ComponentKind>,
    proposal_name: &str,
) -> Result<Vec<(ComponentKind, Origin)>, Vec<Problem>> {
    let mut problems: Vec<Problem> = sent
        .iter()
        .filter(|k| components.get(**k).is_none())
        .map(|k| {
            Problem::new(
                k.as_str(),
                format!(
                    "{epao_name} does not ask for the {} at gateway: leave it out",
                    k.label(proposal_name)
                ),
            )
        })
        .collect();
    let required = components.required();
    match plan_attempt_with(
        previous,
        sent,
        proposal_name,
        |k| components.get(k).is_some(),
        |k| required.contains(&k),
    ) {
        Ok(plan) if problems.is_empty() => Ok(plan),
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            Err(problems)
        }
    }
}

/// A warning at gateway that does not stop it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayWarning {
    /// The requirement's ID: `minimum_training`.
    pub requirement: String,
    pub strength: Strength,
    pub message: String,
    pub source: Source,
}

/// Innovate's "typically ... a minimum of 12 months" of training: a
/// warning when the training started less than the policy's months before
/// the gateway (exactly 12 months is enough). `None` under a policy that
/// states no minimum, or when the start is early enough.
pub fn training_warning(
    plan: &EffectivePlan,
    training_started: NaiveDate,
    gateway_on: NaiveDate,
) -> Result<Option<GatewayWarning>, CalendarError> {
    let Some((requirement, months)) = plan
        .rules
        .gateway
        .iter()
        .find_map(|g| g.min_training_months.map(|m| (g, m)))
    else {
        return Ok(None);
    };
    let enough_on = add_months(training_started, months)?;
    if gateway_on >= enough_on {
        return Ok(None);
    }
    Ok(Some(GatewayWarning {
        requirement: requirement.id.clone(),
        strength: requirement.strength,
        message: format!(
            "training started on {training_started}, less than {months} months before the gateway on {gateway_on} ({months} months are reached on {enough_on}): {}",
            requirement.text
        ),
        source: requirement.source.clone(),
    }))
}

/// Where each component of a new attempt comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Sent with this attempt; it needs a review.
    Sent,
    /// Accepted at the previous attempt and not sent again: kept as it was,
    /// still accepted.
    CarriedOver,
}

fn plan_attempt_with(
    previous: Option<&[(ComponentKind, ReviewStatus)]>,
    sent: &BTreeSet<ComponentKind>,
    proposal_name: &str,
    asked: impl Fn(ComponentKind) -> bool,
    required: impl Fn(ComponentKind) -> bool,
) -> Result<Vec<(ComponentKind, Origin)>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut plan = Vec::new();
    for kind in ComponentKind::ALL.into_iter().filter(|k| asked(*k)) {
        let before = previous.and_then(|p| p.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s));
        if sent.contains(&kind) {
            plan.push((kind, Origin::Sent));
        } else if before == Some(ReviewStatus::Accepted) {
            plan.push((kind, Origin::CarriedOver));
        } else if before == Some(ReviewStatus::Rejected) {
            problems.push(Problem::new(
                kind.as_str(),
                format!(
                    "the {} was rejected at the last attempt: send it again",
                    kind.label(proposal_name)
                ),
            ));
        } else if required(kind) {
            problems.push(Problem::new(
                kind.as_str(),
                format!("send the {}", kind.label(proposal_name)),
            ));
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{HolidayCalendar, Region};

    fn plan(policy: &str) -> EffectivePlan {
        epa_plan::Catalog::embedded()
            .effective("ST0071", Some("1.2"), policy)
            .unwrap()
    }

    fn items(lists: &[&[&str]]) -> Vec<Vec<String>> {
        lists
            .iter()
            .map(|l| l.iter().map(|s| (*s).to_owned()).collect())
            .collect()
    }

    /// Ten items covering every discussion KSB of ST0071.
    fn good() -> Vec<Vec<String>> {
        items(&[
            &["K2", "K5"],
            &["K7"],
            &["K9", "K10"],
            &["K12"],
            &["K18"],
            &["S2"],
            &["S8", "B1"],
            &["B2"],
            &["B5"],
            &["B8", "K2"],
        ])
    }

    #[test]
    fn words_are_tokens_with_a_letter_or_digit() {
        assert_eq!(count_words(""), 0);
        assert_eq!(count_words("  one two\tthree\nfour "), 4);
        assert_eq!(count_words("fish & chips - 2,500 words"), 4);
    }

    #[test]
    fn the_portfolio_rules_come_from_the_plan() {
        let rules = PortfolioRules::from_plan(&plan("tquk"));
        assert_eq!(rules.method, MethodId::Discussion);
        assert_eq!(rules.pieces, Some(Range { min: 10, max: 15 }));
        assert_eq!(
            rules.ksbs,
            [
                "K2", "K5", "K7", "K9", "K10", "K12", "K18", "S2", "S8", "B1", "B2", "B5", "B8"
            ]
        );
        assert!(
            rules.check(&good()).is_empty(),
            "{:?}",
            rules.check(&good())
        );
    }

    #[test]
    fn a_portfolio_outside_the_bounds_is_refused_with_the_count() {
        let rules = PortfolioRules::from_plan(&plan("innovate"));
        let mut nine = good();
        nine.truncate(9);
        nine[0].push("B8".into());
        let problems = rules.check(&nine);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "portfolio.items");
        assert!(problems[0].message.contains("has 9 pieces"), "{problems:?}");

        let mut sixteen = good();
        sixteen.extend(good().into_iter().take(6));
        let problems = rules.check(&sixteen);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("has 16 pieces"));
        assert!(problems[0].message.contains("from 10 to 15"));
    }

    #[test]
    fn an_uncovered_ksb_is_named() {
        let rules = PortfolioRules::from_plan(&plan("tquk"));
        let mut portfolio = good();
        portfolio[4] = vec!["K2".into()]; // K18 now uncovered
        portfolio[8] = vec!["K2".into()]; // and B5
        let problems = rules.check(&portfolio);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "portfolio.ksbs");
        assert!(
            problems[0]
                .message
                .starts_with("no evidence item covers K18 and B5"),
            "{}",
            problems[0].message
        );
        let coverage = rules.coverage(&portfolio);
        assert_eq!(coverage.uncovered, ["K18", "B5"]);
        assert_eq!(coverage.rows[0].items, [1, 5, 9, 10]);
    }

    #[test]
    fn a_ksb_of_another_method_or_no_ksb_is_refused_on_the_item() {
        let rules = PortfolioRules::from_plan(&plan("tquk"));
        let mut portfolio = good();
        portfolio[2].push("K11".into());
        portfolio[3].push("K99".into());
        portfolio.push(Vec::new());
        let problems = rules.check(&portfolio);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "portfolio.items[2].ksbs",
                "portfolio.items[3].ksbs",
                "portfolio.items[10].ksbs"
            ]
        );
        assert!(
            problems[0]
                .message
                .contains("K11 is assessed by the practical observation")
        );
        assert!(problems[1].message.contains("K99 is not a KSB"));
    }

    #[test]
    fn the_proposal_limit_is_the_policys() {
        let tquk = plan("tquk");
        let words = |n: usize| vec!["word"; n].join(" ");
        assert_eq!(check_proposal(&tquk, &words(500)), (500, None));
        let (count, problem) = check_proposal(&tquk, &words(501));
        assert_eq!(count, 501);
        assert!(problem.unwrap().message.contains("has 501 words"));
        let innovate = plan("innovate");
        assert_eq!(check_proposal(&innovate, &words(2000)), (2000, None));
        assert!(check_proposal(&innovate, " - ").1.is_some());
        assert!(has_proposal_decision(&tquk));
        assert!(!has_proposal_decision(&innovate));
    }

    #[test]
    fn a_rejected_proposal_is_reworked_within_a_week() {
        let calendar = HolidayCalendar::england_and_wales();
        let wd = calendar.working_days(Region::EnglandAndWales).unwrap();
        let on = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        assert_eq!(
            proposal_rework_due(&plan("tquk"), on, &wd).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 9)
        );
        assert_eq!(
            proposal_rework_due(&plan("innovate"), on, &wd).unwrap(),
            None
        );
    }

    #[test]
    fn approval_needs_every_component_accepted_and_rejection_needs_all_reviewed() {
        use ComponentKind as K;
        use ReviewStatus as S;
        let all = [(K::PhotoId, S::Accepted), (K::Portfolio, S::Accepted)];
        assert!(approval_blockers(&all, "p").is_empty());
        assert_eq!(
            rejection_blockers(&all, "p"),
            ["no component was rejected: approve the gateway instead"]
        );
        let mixed = [(K::PhotoId, S::Rejected), (K::Portfolio, S::Unreviewed)];
        assert_eq!(
            approval_blockers(&mixed, "p"),
            [
                "the photo ID was rejected",
                "the portfolio of evidence is not reviewed yet"
            ]
        );
        assert_eq!(
            rejection_blockers(&mixed, "p"),
            ["the portfolio of evidence is not reviewed yet"]
        );
        assert!(rejection_blockers(&[(K::PhotoId, S::Rejected)], "p").is_empty());
    }

    #[test]
    fn a_resubmission_resends_rejected_components_and_carries_accepted_ones() {
        use ComponentKind as K;
        use ReviewStatus as S;
        let plan = epa_plan::Catalog::embedded()
            .effective("ST0071", None, "tquk")
            .unwrap();
        let asked = GatewayComponents::from_plan(&plan);
        let plan_attempt = |previous: Option<&[(K, S)]>, sent: &BTreeSet<K>, name: &str| {
            plan_attempt_for(&asked, "TQUK", previous, sent, name)
        };
        let required = asked.required();
        let first = plan_attempt(None, &required, "proposal").unwrap();
        assert_eq!(first.len(), 4);
        let missing = plan_attempt(None, &BTreeSet::from([K::PhotoId]), "proposal").unwrap_err();
        assert_eq!(missing.len(), 3);
        assert_eq!(missing[0].message, "send the portfolio of evidence");

        let previous: Vec<(K, S)> = required
            .iter()
            .map(|k| {
                (
                    *k,
                    if *k == K::Portfolio {
                        S::Rejected
                    } else {
                        S::Accepted
                    },
                )
            })
            .collect();
        let err = plan_attempt(Some(&previous), &BTreeSet::new(), "proposal").unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].field, "portfolio");
        let next =
            plan_attempt(Some(&previous), &BTreeSet::from([K::Portfolio]), "proposal").unwrap();
        assert_eq!(next.len(), 4);
        assert!(next.contains(&(K::Portfolio, Origin::Sent)));
        assert!(next.contains(&(K::PhotoId, Origin::CarriedOver)));
    }

    #[test]
    fn declarations_need_confirming_a_signatory_and_a_past_date() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        assert!(check_declaration("x", "x", true, "Jo", today, today).is_empty());
        let problems = check_declaration("x", "x", false, " ", today.succ_opt().unwrap(), today);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["x.confirmed", "x.signed_by", "x.signed_on"]);
    }
}
