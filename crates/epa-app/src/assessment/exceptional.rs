//! Recording exceptional circumstances, which lift the grade cap.

use epa_domain::Grade;
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::assessment::{self as store};
use serde_json::json;
use uuid::Uuid;

use super::views::*;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, transitions};

/// Records exceptional circumstances for an EPA's fail, which lift the
/// resit/retake cap on its next release where the policy allows. EPAO staff
/// who did not grade the EPA decide it, as for a release.
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
        "exceptional circumstances are decided by EPAO staff who did not grade the EPA",
    )
    .await?;
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
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "exceptional_circumstances.recorded",
        None,
        json!({"id": row.id, "reason": reason, "stage": state.stage.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(ExceptionalView::from(&row))
}
