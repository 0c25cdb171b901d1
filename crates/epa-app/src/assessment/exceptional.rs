//! Exceptional circumstances accounting for a fail, which lift the grade
//! cap where the policy allows. Who may act is the policy file's
//! (`grade_cap.exceptional_circumstances`, ADR 0104): under TQUK EPAO staff
//! decide them in one step; under Innovate the EPA's assessor identifies
//! them and EPAO staff who graded none of the EPA confirm, and only a
//! confirmed record lifts the cap.

use epa_domain::Grade;
use epa_domain::circumstances::{self, Party, Step};
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::assessment::{self as store};
use epa_store::users::Role;
use serde_json::json;
use uuid::Uuid;

use super::views::*;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};

/// Records exceptional circumstances for an EPA's fail: decided (TQUK) or
/// identified (Innovate), by whom the EPAO's policy says.
pub async fn record_exceptional_circumstances(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ReasonInput,
) -> Result<ExceptionalView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::RecordExceptionalCircumstances,
        "exceptional circumstances are decided by EPAO staff who did not grade the EPA, or identified by its assessor where the policy says so",
    )
    .await?;
    let rule = may_take(&ctx, actor, Step::Identify)?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "give the exceptional circumstances",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::field(
            "reason",
            format!("use at most {REASON_MAX} characters"),
        ));
    }
    let row = store::insert_exceptional(&mut tx, epa_id, reason, actor.user_id, app.now()).await?;
    let needs_confirmation = rule.confirmed_by.is_some();
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "exceptional_circumstances.recorded",
        None,
        json!({
            "id": row.id,
            "reason": reason,
            "stage": ctx.state.stage.as_str(),
            "needs_confirmation": needs_confirmation,
        }),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(ExceptionalView::new(&row, &ctx.plan))
}

/// Whether the EPA's result may still change, the policy lifts the cap at
/// all, and this person may take `step` under the policy's rule.
pub(super) fn may_take<'p>(
    ctx: &'p EpaContext,
    actor: &Actor,
    step: Step,
) -> Result<&'p epa_plan::ExceptionalCircumstances, AppError> {
    let state = &ctx.state;
    let settled = matches!(
        state.stage,
        Stage::CertificateClaimed | Stage::CertificateReceived | Stage::Withdrawn
    ) || (state.stage == Stage::Completed && state.overall != Some(Grade::Fail));
    if settled {
        return Err(AppError::Conflict(format!(
            "the EPA is at stage {}: its result is settled, so exceptional circumstances can no longer change it (an appeal can)",
            state.stage
        )));
    }
    let cap = &ctx.plan.rules.grade_cap;
    if !cap.lifted_by_exceptional_circumstances {
        return Err(AppError::Conflict(format!(
            "the {} policy does not lift the grade cap for exceptional circumstances",
            ctx.plan.epao_name
        )));
    }
    let rule = &cap.exceptional_circumstances;
    let epao = ctx.row.epa.epao_id;
    let party = Party {
        epao_staff: actor
            .organisations_as(Role::EpaoAdmin)
            .chain(actor.organisations_as(Role::EpaoOperations))
            .any(|org| org == epao),
        assessor_of_epa: ctx.row.epa.assessor_id == Some(actor.user_id),
        graded_any: ctx.graders.contains(&actor.user_id),
    };
    match circumstances::may_act(rule, step, party) {
        Ok(()) => Ok(rule),
        // A second step the policy does not have is a state of the rule, not
        // of the person: nothing to confirm.
        Err(why) if step == Step::Confirm && rule.confirmed_by.is_none() => {
            Err(AppError::Conflict(format!("{}: {why}", ctx.plan.epao_name)))
        }
        Err(why) => Err(AppError::Forbidden(format!(
            "{}: {why}",
            ctx.plan.epao_name
        ))),
    }
}
