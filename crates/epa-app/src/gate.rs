//! The one gate every use case passes to read or change an EPA (ADR 0110).
//!
//! [`EpaContext::read`] (on the pool) and [`EpaContext::write`] (inside the
//! use case's transaction) load everything an access decision and the rules
//! need, always together: the EPA's row, its lifecycle, its plan and grading
//! scheme, the people conflicted for it and the people who graded it. Then
//! they ask `policy::can` about the action. No use case builds a policy
//! resource of its own, so none can forget the conflicts: a conflict
//! outranks an allocation everywhere.
//!
//! What a reader may *see* (marks and grades before release) is a policy
//! action too ([`Action::ViewProvisionalResults`]), asked through
//! [`EpaContext::may`] and [`EpaContext::sees_marks`].

use epa_domain::adjustments::Adjustment;
use epa_domain::grading::GradingScheme;
use epa_domain::lifecycle::Lifecycle;
use epa_domain::policy::{self, Action, Decision, Resource, UserId};
use std::sync::Arc;

use epa_plan::EffectivePlan;
use epa_store::Tx;
use epa_store::assessment::Reader;
use epa_store::epas::EpaRow;
use uuid::Uuid;

use crate::{Actor, App, AppError, access, transitions};

/// An EPA as a use case sees it, once the gate let the actor through.
pub struct EpaContext {
    pub row: EpaRow,
    pub state: Lifecycle,
    /// Shared with every other EPA on the same plan and policy: built once,
    /// when the catalog was loaded.
    pub plan: Arc<EffectivePlan>,
    /// People with a conflict of interest for the EPA's employer or provider.
    pub conflicted: Vec<Uuid>,
    /// People who graded any of its assessments.
    pub graders: Vec<Uuid>,
    /// The reasonable adjustment that stands for the EPA, if any: every
    /// duration rule reads the adjusted window.
    pub adjustment: Option<Adjustment>,
}

impl EpaContext {
    /// Loads the EPA on the pool, for a read, and authorises `action`.
    /// `refused` is the 403's sentence when the actor may know of the EPA.
    pub async fn read(
        app: &App,
        actor: &Actor,
        epa_id: Uuid,
        action: Action,
        refused: &str,
    ) -> Result<EpaContext, AppError> {
        Self::load(app, Reader::Db(&app.db), actor, epa_id, action, refused).await
    }

    /// Loads the EPA inside the write transaction, so the decision and the
    /// change it allows see one state, and authorises `action`.
    pub async fn write(
        app: &App,
        tx: &mut Tx,
        actor: &Actor,
        epa_id: Uuid,
        action: Action,
        refused: &str,
    ) -> Result<EpaContext, AppError> {
        Self::load(app, Reader::Tx(tx), actor, epa_id, action, refused).await
    }

    async fn load(
        app: &App,
        reader: Reader<'_>,
        actor: &Actor,
        epa_id: Uuid,
        action: Action,
        refused: &str,
    ) -> Result<EpaContext, AppError> {
        // One statement whatever the EPA holds (`epa_store::gate::read`):
        // the row with its standing adjustment, the conflicted and the
        // graders.
        let epa_store::gate::Gated {
            row,
            adjustment: saved_adjustment,
            people,
        } = epa_store::gate::read(reader, epa_id).await?;
        // Authorise before anything else is parsed: a refused actor learns
        // nothing, not even whether the EPA's data is sound.
        let context = Partial {
            row,
            conflicted: people.conflicted,
            graders: people.graders,
        };
        context.authorize(actor, action, refused)?;
        let adjustment = saved_adjustment
            .as_ref()
            .map(crate::adjustments::domain_of)
            .transpose()?;
        let state = transitions::state_of(&context.row)?;
        let plan = plan_of(app, &context.row)?;
        Ok(EpaContext {
            row: context.row,
            state,
            plan,
            conflicted: context.conflicted,
            graders: context.graders,
            adjustment,
        })
    }

    pub fn id(&self) -> Uuid {
        self.row.epa.id
    }

    /// The grading scheme of the EPA's plan, for the use cases that grade
    /// (built the first time any of them asks, then shared).
    pub fn scheme(&self, app: &App) -> Result<Arc<GradingScheme>, AppError> {
        app.schemes.of(&self.plan).map_err(|err| {
            AppError::Internal(format!(
                "EPA {} has a plan that cannot grade: {err}",
                self.row.epa.id
            ))
        })
    }

    /// The EPA in the policy's terms.
    pub fn resource(&self) -> Resource {
        resource_of(&self.row, &self.conflicted, &self.graders)
    }

    /// Whether `actor` may also do `action` (a second question about the
    /// same EPA, such as seeing marks before release).
    pub fn may(&self, actor: &Actor, action: Action) -> bool {
        decide(actor, action, &self.resource()) == Decision::Allow
    }

    /// Allow `action` as well, or the caller's error (403 or 404).
    pub fn authorize(&self, actor: &Actor, action: Action, refused: &str) -> Result<(), AppError> {
        answer(decide(actor, action, &self.resource()), refused)
    }

    /// Allow `action` on one part of the EPA, graded by `graders` (one
    /// method's result): segregation of duties asks about those graders
    /// only; conflicts and everything else as for the whole EPA.
    pub fn authorize_part(
        &self,
        actor: &Actor,
        action: Action,
        graders: &[Uuid],
        refused: &str,
    ) -> Result<(), AppError> {
        let resource = resource_of(&self.row, &self.conflicted, graders);
        answer(decide(actor, action, &resource), refused)
    }

    /// Whether `actor` sees marks and grades of a result that is `released`
    /// or not: everyone who may see the EPA once released; before, only
    /// those the policy lets see provisional results.
    pub fn sees_marks(&self, actor: &Actor, released: bool) -> bool {
        self.may(actor, Action::ViewProvisionalResults)
            || (released && self.may(actor, Action::ViewEpa))
    }

    /// Whether `user` has a conflict of interest for this EPA.
    pub fn is_conflicted(&self, user: Uuid) -> bool {
        self.conflicted.contains(&user)
    }
}

/// The policy's answer about an EPA row read for another purpose (the
/// EPAs of one apprentice, found by ULN), with its conflicts and graders
/// loaded as the gate always does.
pub async fn decision_for(
    app: &App,
    actor: &Actor,
    row: &EpaRow,
    action: Action,
) -> Result<Decision, AppError> {
    let people = epa_store::gate::people(Reader::Db(&app.db), row.epa.id).await?;
    Ok(decide(
        actor,
        action,
        &resource_of(row, &people.conflicted, &people.graders),
    ))
}

/// What the gate has read before it decides.
struct Partial {
    row: EpaRow,
    conflicted: Vec<Uuid>,
    graders: Vec<Uuid>,
}

impl Partial {
    fn authorize(&self, actor: &Actor, action: Action, refused: &str) -> Result<(), AppError> {
        let resource = resource_of(&self.row, &self.conflicted, &self.graders);
        answer(decide(actor, action, &resource), refused)
    }
}

fn resource_of(row: &EpaRow, conflicted: &[Uuid], graders: &[Uuid]) -> Resource {
    let mut resource = access::epa_resource(row, conflicted);
    resource.graders = graders.iter().map(|id| UserId(id.as_u128())).collect();
    resource
}

fn decide(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    policy::can(&access::as_policy_actor(actor), action, resource)
}

fn answer(decision: Decision, refused: &str) -> Result<(), AppError> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::Deny => Err(AppError::Forbidden(refused.to_owned())),
        Decision::NotFound => Err(AppError::NotFound),
    }
}

/// The assessment plan and EPAO policy the EPA runs under.
pub(crate) fn plan_of(app: &App, row: &EpaRow) -> Result<Arc<EffectivePlan>, AppError> {
    app.plans
        .shared(
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
