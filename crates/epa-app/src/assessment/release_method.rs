//! Releasing one method's result on its own.
//!
//! Innovate publishes each component's result within seven working days of
//! its assessment, before the others are known; TQUK's specification is
//! silent, and releasing all at once stays available to both
//! (ADR 0071). The overall result follows when the last method is released.

use epa_domain::MethodId;
use epa_domain::lifecycle::Stage;
use epa_domain::policy::Action;
use epa_store::assessment::{self as store, Reader};
use epa_store::outbox;
use serde_json::json;
use uuid::Uuid;

use super::release::release_overall;
use super::results::results_view;
use super::snapshot::*;
use super::views::*;
use crate::gate::EpaContext;
use crate::render::email::Message;
use crate::{Actor, App, AppError, transitions};
use epa_domain::attempts::ResultStatus;

/// Releases `method`'s standing provisional result: EPAO staff who graded
/// none of that method's assessment may. The provider, employer and
/// apprentice then see its grade and explanation; the provider and
/// employer are told. When every method's result is then released and the
/// EPA awaits its results, the overall result is released with it, under
/// the same rule as [`super::release_results`] (its releaser graded none of
/// the methods it stands on).
pub async fn release_method_result(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    method: &str,
) -> Result<ResultsView, AppError> {
    let Some(method) = MethodId::parse(method) else {
        return Err(AppError::field(
            "method",
            format!("{method:?} is not a method: use observation, project or discussion"),
        ));
    };
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let standing = snap.standing_assessment(method);
    let graders = standing
        .map(|(a, _)| snap.graders_of(a))
        .unwrap_or_default();
    let refused = if graders.contains(&actor.user_id) {
        format!(
            "you graded the {method} this result stands on: someone who did not grade it must release it"
        )
    } else {
        "only EPAO staff can release results".to_owned()
    };
    ctx.authorize_part(actor, Action::ReleaseResult, &graders, &refused)?;

    let state = &ctx.state;
    let Some((assessment, result)) = standing else {
        return Err(AppError::Conflict(format!(
            "the {method} has no result to release yet: every criterion of its assessment needs a judgement first"
        )));
    };
    if result.status != ResultStatus::Provisional {
        return Err(AppError::Conflict(format!(
            "the {method}'s result (attempt {}) is already released",
            assessment.attempt
        )));
    }
    // Results are released while the EPA is assessed or awaits its results;
    // a withdrawn EPA's provisional results stay unreleased.
    if !matches!(state.stage, Stage::InAssessment | Stage::AwaitingResults) {
        return Err(AppError::Conflict(format!(
            "results cannot be released while the EPA is at stage {}",
            state.stage
        )));
    }
    // The last method's release releases the overall result too, so it
    // needs someone who may release that: refused before anything changes.
    let last = MethodId::ALL.into_iter().filter(|m| *m != method).all(|m| {
        snap.standing_assessment(m)
            .is_some_and(|(_, r)| r.status == ResultStatus::Released)
    });
    let overall_follows = last && state.stage == Stage::AwaitingResults;
    if overall_follows {
        ctx.authorize(
            actor,
            Action::ReleaseResult,
            "releasing this last method's result releases the overall result, and you graded a method it stands on: someone who graded none of it must release it",
        )?;
    }

    let now = app.now();
    store::release_method_alone(&mut tx, result.id, now).await?;
    transitions::audit_epa(
        app,
        &mut tx,
        actor,
        epa_id,
        "method_result.released",
        Some(json!({"method_result_id": result.id, "status": "provisional"})),
        json!({
            "method": method.as_str(),
            "attempt": assessment.attempt,
            "assessment_id": assessment.id,
            "method_result_id": result.id,
            "status": "released",
            "grade": result.grade,
            "graders": graders,
            "overall_follows": overall_follows,
        }),
    )
    .await?;
    let recipients = store::contact_emails(
        Reader::Tx(&mut tx),
        ctx.row.provider_id,
        ctx.row.employer_id,
    )
    .await?;
    let email = Message::MethodResultReleased {
        given_names: &ctx.row.given_names,
        family_name: &ctx.row.family_name,
        standard: &ctx.row.epa.standard_reference,
        version: &ctx.row.epa.standard_version,
        method: method_name(method),
        grade: result.grade.as_str(),
        explanation: &result.explanation,
        overall_follows,
        epa_id: ctx.row.epa.id,
    }
    .render(&app.accounts.public_url);
    outbox::enqueue_all(&mut tx, &email.to_each(&recipients), now).await?;

    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    if overall_follows {
        release_overall(app, &mut tx, actor, &ctx, &snap).await?;
    }
    // The view is of the EPA as it now stands, read again in this transaction.
    let now_ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let view = results_view(app, actor, &now_ctx, &snap)?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view)
}

/// The method as the plan names it in a sentence.
fn method_name(method: MethodId) -> &'static str {
    match method {
        MethodId::Observation => "Observation",
        MethodId::Project => "Work-based project",
        MethodId::Discussion => "Professional discussion",
    }
}
