//! Reference data: the assessment plans and EPAO policies this server
//! knows, each read through its policy, so that a client learns the
//! methods, KSBs, criteria and gateway components from the API rather than
//! from the plan files.
//!
//! Any signed-in person may read them: they are the published assessment
//! plans and the EPAOs' published specifications, the same for everyone, and
//! hold nothing about any apprentice. The caller is taken for the reason the
//! route asks for one (only people with an account use the API), so the
//! actor is not consulted further.

use epa_domain::gateway::{ComponentKind, GatewayComponents};
use epa_plan::{EffectivePlan, SelectError, Standard};

use crate::{Actor, App, AppError};

/// One version of a standard with every policy for it.
#[derive(Debug, Clone)]
pub struct PlanVersion {
    pub standard: Standard,
    /// One per EPAO, in the catalogue's order.
    pub policies: Vec<PolicyPlan>,
}

/// The plan read through one EPAO's policy, with the gateway components the
/// policy asks for.
#[derive(Debug, Clone)]
pub struct PolicyPlan {
    pub plan: EffectivePlan,
    pub gateway_components: Vec<GatewayComponent>,
}

/// One part of a gateway submission this policy asks for (ADR 0106).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct GatewayComponent {
    #[schema(value_type = String, example = "portfolio")]
    pub kind: ComponentKind,
    /// False for a part sent only when there is something to declare.
    pub required: bool,
    /// Its name in a sentence ("work-based project proposal", "project synopsis").
    pub label: String,
    /// The gateway requirement that asks for it.
    pub requirement: String,
    /// Where the plan or the policy asks for it.
    pub source: String,
}

/// Every standard version known, with its policies.
pub fn list(app: &App, _actor: &Actor) -> Result<Vec<PlanVersion>, AppError> {
    app.plans
        .plans()
        .iter()
        .map(|plan| version(app, &plan.standard))
        .collect()
}

/// One version of one standard (the reference in any case: "st0071").
/// An unknown standard or version is not found.
pub fn get(
    app: &App,
    _actor: &Actor,
    standard: &str,
    version_id: &str,
) -> Result<PlanVersion, AppError> {
    let plan = app
        .plans
        .plan(standard, Some(version_id))
        .map_err(|_| AppError::NotFound)?;
    version(app, &plan.standard)
}

fn version(app: &App, standard: &Standard) -> Result<PlanVersion, AppError> {
    let policies = app
        .plans
        .epaos(&standard.reference, &standard.version)
        .iter()
        .map(|epao| {
            app.plans
                .effective(&standard.reference, Some(&standard.version), epao)
                .map(with_components)
        })
        .collect::<Result<Vec<_>, SelectError>>()
        // The catalogue listed these policies a moment ago: a failure here is
        // an inconsistency of ours, not the caller's.
        .map_err(AppError::internal)?;
    Ok(PlanVersion {
        standard: standard.clone(),
        policies,
    })
}

fn with_components(plan: EffectivePlan) -> PolicyPlan {
    PolicyPlan {
        gateway_components: gateway_components(&plan),
        plan,
    }
}

/// What the policy asks a gateway submission to hold, with the sources.
pub fn gateway_components(plan: &EffectivePlan) -> Vec<GatewayComponent> {
    GatewayComponents::from_plan(plan)
        .asked
        .into_iter()
        .map(|asked| GatewayComponent {
            kind: asked.kind,
            required: !asked.optional,
            label: asked.kind.label(&plan.rules.proposal.name),
            requirement: asked.requirement,
            source: asked.source.to_string(),
        })
        .collect()
}
