//! `/api/v1/plans`: the reference data a client needs to speak about an
//! EPA (the standards, their versions and EPAO policies; each policy's
//! methods, KSBs, criteria with their wording, and gateway components), so
//! that no client reads the plan files.

use axum::Json;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::get;
use epa_app::plans::{self, GatewayComponent, PlanVersion, PolicyPlan};
use epa_domain::gateway::ComponentKind;
use epa_plan::{CriterionLevel, KsbKind, MethodId, Mode, Strength};
use serde::Serialize;
use utoipa::OpenApi;

use super::auth::ApiActor;
use super::closed::{
    ComponentKindSchema, CriterionLevelSchema, KsbKindSchema, MethodSchema, ModeSchema,
    StrengthSchema,
};
use super::problem::{ApiError, Problem, path_id};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_plans, get_plan),
    components(schemas(
        PlanSummary, PolicySummary, PlanDetail, PlanPolicy, PlanMethod, PlanKsb, PlanCriterion,
        PlanGatewayComponent, PlanGatewayRequirement, PlanProposal
    )),
    tags((name = "plans", description = "Reference data: standards, EPAO policies, methods, KSBs, criteria and gateway components"))
)]
pub struct Api;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list_plans))
        .route("/plans/{standard}/{version}", get(get_plan))
}

/// One version of a standard, with the EPAO policies for it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanSummary {
    /// "ST0071".
    pub standard: String,
    /// "1.2".
    pub version: String,
    pub title: String,
    pub level: u8,
    pub policies: Vec<PolicySummary>,
    /// Where the whole plan can be read.
    pub href: String,
}

/// One EPAO's policy for a plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicySummary {
    /// The value EPAs carry as `policy`: "tquk", "innovate".
    pub epao: String,
    pub name: String,
}

/// One version of a standard, read through each EPAO policy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanDetail {
    pub standard: String,
    pub version: String,
    pub title: String,
    pub level: u8,
    pub policies: Vec<PlanPolicy>,
}

/// The plan as one EPAO applies it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanPolicy {
    /// The value EPAs carry as `policy`.
    pub epao: String,
    pub name: String,
    /// In the plan's order.
    pub methods: Vec<PlanMethod>,
    /// Every KSB of the standard, in the plan's order.
    pub ksbs: Vec<PlanKsb>,
    /// The criteria this EPAO uses, in its wording.
    pub criteria: Vec<PlanCriterion>,
    /// The parts of a gateway submission.
    pub gateway_components: Vec<PlanGatewayComponent>,
    /// The plan's gateway requirements, then the EPAO's own.
    pub gateway_requirements: Vec<PlanGatewayRequirement>,
    pub proposal: PlanProposal,
}

/// An assessment method as this policy holds it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanMethod {
    #[schema(value_type = MethodSchema)]
    pub id: MethodId,
    pub name: String,
    pub duration_minutes: u32,
    /// The shortest allowed, the duration less its tolerance.
    pub min_minutes: u32,
    /// The longest allowed, the duration plus its tolerance.
    pub max_minutes: u32,
    #[schema(value_type = Vec<ModeSchema>)]
    pub modes: Vec<Mode>,
    /// The KSB codes it assesses.
    pub ksbs: Vec<String>,
}

/// A knowledge, skill or behaviour statement.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanKsb {
    /// "K1", "S12", "B3".
    pub code: String,
    #[schema(value_type = KsbKindSchema)]
    pub kind: KsbKind,
    pub theme: String,
    pub text: String,
    /// The one method that assesses it.
    #[schema(value_type = MethodSchema)]
    pub method: MethodId,
}

/// A grading criterion: what a judgement names.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanCriterion {
    /// "OBS-P01", "WBP-D04", "PD-P12": the `criterion` of a judgement.
    pub id: String,
    #[schema(value_type = MethodSchema)]
    pub method: MethodId,
    /// The grade level it counts towards.
    #[schema(value_type = CriterionLevelSchema)]
    pub grade: CriterionLevel,
    /// The EPAO's wording.
    pub text: String,
    /// The KSB codes it evidences.
    pub ksbs: Vec<String>,
}

/// One part of a gateway submission.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanGatewayComponent {
    #[schema(value_type = ComponentKindSchema)]
    pub kind: ComponentKind,
    /// False for a part sent only when there is something to declare
    /// (reasonable adjustments).
    pub required: bool,
    /// Its name in a sentence, in this EPAO's words.
    pub label: String,
    /// The gateway requirement that asks for it.
    pub requirement: String,
    /// Where the plan or the EPAO's policy asks for it.
    pub source: String,
}

/// A requirement of the gateway, as the plan or the EPAO states it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanGatewayRequirement {
    pub id: String,
    pub text: String,
    #[schema(value_type = StrengthSchema)]
    pub strength: Strength,
}

/// What the apprentice submits about the project before starting it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanProposal {
    /// This EPAO's name for it ("work-based project proposal", "project synopsis").
    pub name: String,
    /// Whether the EPAO must accept it before the report is started (a
    /// decision through `/api/v1/epas/{id}/proposal/decision`).
    pub needs_acceptance: bool,
}

fn href(standard: &str, version: &str) -> String {
    format!("/api/v1/plans/{standard}/{version}")
}

impl From<PlanVersion> for PlanSummary {
    fn from(version: PlanVersion) -> Self {
        PlanSummary {
            href: href(&version.standard.reference, &version.standard.version),
            standard: version.standard.reference,
            version: version.standard.version,
            title: version.standard.title,
            level: version.standard.level,
            policies: version
                .policies
                .into_iter()
                .map(|policy| PolicySummary {
                    epao: policy.plan.epao,
                    name: policy.plan.epao_name,
                })
                .collect(),
        }
    }
}

impl From<PlanVersion> for PlanDetail {
    fn from(version: PlanVersion) -> Self {
        PlanDetail {
            standard: version.standard.reference,
            version: version.standard.version,
            title: version.standard.title,
            level: version.standard.level,
            policies: version.policies.into_iter().map(PlanPolicy::from).collect(),
        }
    }
}

impl From<PolicyPlan> for PlanPolicy {
    fn from(policy: PolicyPlan) -> Self {
        let plan = policy.plan;
        PlanPolicy {
            epao: plan.epao,
            name: plan.epao_name,
            methods: plan
                .methods
                .into_iter()
                .map(|method| PlanMethod {
                    id: method.id,
                    name: method.name,
                    duration_minutes: method.duration_minutes,
                    min_minutes: method.min_minutes,
                    max_minutes: method.max_minutes,
                    modes: method.modes,
                    ksbs: method.ksbs,
                })
                .collect(),
            ksbs: plan
                .ksbs
                .into_iter()
                .map(|ksb| PlanKsb {
                    code: ksb.code,
                    kind: ksb.kind,
                    theme: ksb.theme,
                    text: ksb.text,
                    method: ksb.method,
                })
                .collect(),
            criteria: plan
                .criteria
                .into_iter()
                .map(|criterion| PlanCriterion {
                    id: criterion.id,
                    method: criterion.method,
                    grade: criterion.grade,
                    text: criterion.text,
                    ksbs: criterion.ksbs,
                })
                .collect(),
            gateway_components: policy
                .gateway_components
                .into_iter()
                .map(
                    |GatewayComponent {
                         kind,
                         required,
                         label,
                         requirement,
                         source,
                     }| PlanGatewayComponent {
                        kind,
                        required,
                        label,
                        requirement,
                        source,
                    },
                )
                .collect(),
            gateway_requirements: plan
                .rules
                .gateway
                .into_iter()
                .map(|requirement| PlanGatewayRequirement {
                    id: requirement.id,
                    text: requirement.text,
                    strength: requirement.strength,
                })
                .collect(),
            proposal: PlanProposal {
                name: plan.rules.proposal.name,
                needs_acceptance: plan.rules.proposal.needs_acceptance,
            },
        }
    }
}

/// The standards, their versions and the EPAO policies for each.
#[utoipa::path(
    get, path = "/api/v1/plans", tag = "plans", operation_id = "list_plans",
    responses(
        (status = 200, description = "Every plan version this server knows", body = Vec<PlanSummary>),
        (status = 401, description = "No valid token", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn list_plans(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<PlanSummary>>, ApiError> {
    let versions = plans::list(&state.app, &actor)?;
    Ok(Json(versions.into_iter().map(PlanSummary::from).collect()))
}

/// One version of a standard, read through each EPAO policy: methods, KSBs,
/// criteria with their wording, and gateway components.
#[utoipa::path(
    get, path = "/api/v1/plans/{standard}/{version}", tag = "plans", operation_id = "get_plan",
    params(
        ("standard" = String, Path, description = "The standard's reference, such as `ST0071` (any case)"),
        ("version" = String, Path, description = "The plan version, such as `1.2`"),
    ),
    responses(
        (status = 200, description = "The plan with each policy", body = PlanDetail),
        (status = 401, description = "No valid token", body = Problem),
        (status = 404, description = "No such standard or version", body = Problem),
    ),
    security(("token" = []))
)]
pub async fn get_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<PlanDetail>, ApiError> {
    let (standard, version) = path_id(ids)?;
    let version = plans::get(&state.app, &actor, &standard, &version)?;
    Ok(Json(PlanDetail::from(version)))
}
