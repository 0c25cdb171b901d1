//! The plan browser: the standard as each EPAO runs it (KSBs by method,
//! each method's criteria, every rule with its source) and where the EPAOs'
//! policies differ. The same use case as the API's `/api/v1/plans`; anyone
//! signed in may read it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use epa_app::AppError;
use epa_app::plans::{self, PlanVersion, PolicyPlan};
use epa_plan::{CriterionLevel, EffectivePlan, KsbKind, Mode};

use super::error::PageError;
use super::plan_rules::{DifferenceRow, RuleRow, differences, rules};
use super::session::SignedIn;
use super::view::{Chrome, grade_name, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    chrome: Chrome,
    versions: Vec<VersionRow>,
}

struct VersionRow {
    heading: String,
    base: String,
    /// (epao id, EPAO name)
    policies: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    heading: String,
    base: String,
    others: Vec<(String, String)>,
    policy_source: String,
    methods: Vec<MethodSection>,
    rules: Vec<RuleRow>,
    gateway: Vec<GatewayRow>,
    /// The overall grading table: observation, project, discussion, overall.
    grades: Vec<[String; 4]>,
}

struct MethodSection {
    id: String,
    name: String,
    length: String,
    modes: String,
    source: String,
    ksbs: Vec<KsbRow>,
    criteria: Vec<CriterionRow>,
}

struct KsbRow {
    code: String,
    kind: &'static str,
    theme: String,
    text: String,
}

struct CriterionRow {
    id: String,
    grade: &'static str,
    text: String,
    ksbs: String,
}

struct GatewayRow {
    label: String,
    required: bool,
    source: String,
}

#[derive(Template)]
#[template(path = "plan_differences.html")]
struct DifferencesPage {
    chrome: Chrome,
    heading: String,
    a: String,
    b: String,
    rows: Vec<DifferenceRow>,
}

fn heading(version: &PlanVersion) -> String {
    let standard = &version.standard;
    format!(
        "{} {} (level {}), version {}",
        standard.reference, standard.title, standard.level, standard.version
    )
}

fn base(version: &PlanVersion) -> String {
    format!(
        "/plans/{}/{}",
        version.standard.reference, version.standard.version
    )
}

fn policy_links(version: &PlanVersion) -> Vec<(String, String)> {
    version
        .policies
        .iter()
        .map(|policy| (policy.plan.epao.clone(), policy.plan.epao_name.clone()))
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let versions = plans::list(&state.app, &signed_in.actor)?
        .iter()
        .map(|version| VersionRow {
            heading: heading(version),
            base: base(version),
            policies: policy_links(version),
        })
        .collect();
    Ok(render(&PlansPage {
        chrome: Chrome::new(&signed_in, "The standard", "/plans"),
        versions,
    }))
}

fn kind_name(kind: KsbKind) -> &'static str {
    match kind {
        KsbKind::Knowledge => "Knowledge",
        KsbKind::Skill => "Skill",
        KsbKind::Behaviour => "Behaviour",
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "in person",
        Mode::Remote => "remotely",
    }
}

fn method_section(plan: &EffectivePlan, method: &epa_plan::Method) -> MethodSection {
    let ksbs = method
        .ksbs
        .iter()
        .filter_map(|code| plan.ksb(code))
        .map(|ksb| KsbRow {
            code: ksb.code.clone(),
            kind: kind_name(ksb.kind),
            theme: ksb.theme.clone(),
            text: ksb.text.clone(),
        })
        .collect();
    let criteria = plan
        .criteria_for(method.id)
        .map(|criterion| CriterionRow {
            id: criterion.id.clone(),
            grade: match criterion.grade {
                CriterionLevel::Pass => "Pass",
                CriterionLevel::Distinction => "Distinction",
            },
            text: criterion.text.clone(),
            ksbs: criterion.ksbs.join(", "),
        })
        .collect();
    MethodSection {
        id: format!("{:?}", method.id).to_lowercase(),
        name: method.name.clone(),
        length: format!(
            "{} minutes ({} to {} allowed)",
            method.duration_minutes, method.min_minutes, method.max_minutes
        ),
        modes: method
            .modes
            .iter()
            .map(|mode| mode_name(*mode))
            .collect::<Vec<_>>()
            .join(" or "),
        source: method.source.to_string(),
        ksbs,
        criteria,
    }
}

fn find_policy<'a>(version: &'a PlanVersion, epao: &str) -> Result<&'a PolicyPlan, PageError> {
    version
        .policies
        .iter()
        .find(|policy| policy.plan.epao.eq_ignore_ascii_case(epao))
        .ok_or(PageError(AppError::NotFound))
}

pub async fn policy(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((standard, version_id, epao)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let version = plans::get(&state.app, &signed_in.actor, &standard, &version_id)?;
    let policy = find_policy(&version, &epao)?;
    let plan = &policy.plan;
    let title = format!(
        "{} {} as {} runs it",
        plan.reference, plan.standard.title, plan.epao_name
    );
    Ok(render(&PlanPage {
        chrome: Chrome::new(&signed_in, title.clone(), ""),
        heading: title,
        base: base(&version),
        others: policy_links(&version)
            .into_iter()
            .filter(|(id, _)| *id != plan.epao)
            .collect(),
        policy_source: plan.policy_source.to_string(),
        methods: plan
            .methods
            .iter()
            .map(|method| method_section(plan, method))
            .collect(),
        rules: rules(plan),
        grades: plan
            .overall_grading
            .table
            .iter()
            .map(|row| {
                [row.observation, row.project, row.discussion, row.overall]
                    .map(|grade| grade_name(grade.as_str()))
            })
            .collect(),
        gateway: policy
            .gateway_components
            .iter()
            .map(|component| GatewayRow {
                label: super::error::sentence(&component.label)
                    .trim_end_matches('.')
                    .to_owned(),
                required: component.required,
                source: component.source.clone(),
            })
            .collect(),
    }))
}

pub async fn compare(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((standard, version_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let version = plans::get(&state.app, &signed_in.actor, &standard, &version_id)?;
    let [a, b, ..] = version.policies.as_slice() else {
        return Err(PageError(AppError::NotFound));
    };
    let title = format!(
        "Where {} and {} differ on {}",
        a.plan.epao_name, b.plan.epao_name, version.standard.reference
    );
    Ok(render(&DifferencesPage {
        chrome: Chrome::new(&signed_in, title.clone(), ""),
        heading: title,
        a: a.plan.epao_name.clone(),
        b: b.plan.epao_name.clone(),
        rows: differences(&a.plan, &b.plan),
    }))
}
