//! Releasing the overall result, all methods at once; also what releasing
//! the last method's result on its own leads to.

use epa_domain::attempts::ResultStatus;
use epa_domain::lifecycle::{self, Command, Stage};
use epa_domain::policy::Action;
use epa_domain::{Grade, MethodId};
use epa_store::Tx;
use epa_store::assessment::{self as store, Reader, ResultRow};
use epa_store::outbox;
use serde_json::json;
use uuid::Uuid;

use super::refusals::*;
use super::results::results_view;
use super::snapshot::*;
use super::views::*;
use crate::gate::EpaContext;
use crate::render::email::Message;
use crate::{Actor, App, AppError, transitions};

/// Releases the overall result: the policy's table over the standing
/// method grades, after the resit/retake cap (lifted by recorded
/// exceptional circumstances where the policy allows). Only EPAO staff who
/// graded none of its methods may release it. Tells the apprentice's
/// provider and employer.
pub async fn release_results(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<ResultsView, AppError> {
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
    let refused = if ctx.graders.contains(&actor.user_id) {
        "you graded a method this result stands on: someone who did not grade it must release it"
    } else {
        "only EPAO staff can release results"
    };
    ctx.authorize(actor, Action::ReleaseResult, refused)?;
    let state = &ctx.state;
    if state.stage != Stage::AwaitingResults {
        let pending: Vec<&str> = MethodId::ALL
            .into_iter()
            .filter(|m| snap.standing_assessment(*m).is_none())
            .map(MethodId::as_str)
            .collect();
        let mut message = lifecycle::apply(
            state,
            &Command::ReleaseResults {
                overall: Grade::Pass,
            },
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_else(|| "the results cannot be released now".to_owned());
        if state.stage == Stage::InAssessment || state.stage == Stage::Planned {
            message.push_str(&format!(
                " Every method needs a result first; still waiting for: {}.",
                if pending.is_empty() {
                    "this attempt's methods".to_owned()
                } else {
                    join(pending)
                }
            ));
        }
        return Err(AppError::Conflict(message));
    }
    release_overall(app, &mut tx, actor, &ctx, &snap).await?;
    // The view is of the EPA as released, read again in this transaction.
    let released = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        Action::ViewEpa,
        "you cannot see this EPA",
    )
    .await?;
    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let view = results_view(app, actor, &released, &snap)?;
    crate::deadlines::commit(app, tx).await?;
    Ok(view)
}

/// Releases the overall result of an EPA awaiting its results, inside the
/// caller's transaction: the policy's table over the standing method
/// grades after the cap, every still provisional method result released
/// with it, method results released on their own before linked to it, the
/// EPA completed, the provider and employer told. The caller has checked
/// the stage and that `actor` may release it.
pub(super) async fn release_overall(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    ctx: &EpaContext,
    snap: &Snapshot,
) -> Result<(), AppError> {
    let epa_id = ctx.id();
    let state = &ctx.state;
    let graders = snap.graders();
    let (kind, _) = snap.current_attempt(state)?;
    let history = snap.history(&ctx.plan, state)?;
    let cap = history.cap_context();
    let scheme = ctx.scheme(app)?;
    let explained = snap.overall(&scheme, cap)?;
    let (Some(overall), Some(uncapped)) = (
        explained.result.overall.grade(),
        explained.result.uncapped.grade(),
    ) else {
        return Err(AppError::Conflict(
            "every method needs a result before the overall result can be released".to_owned(),
        ));
    };
    let now = app.now();
    let today = app.clock.today();
    let grade_at = |m: MethodId| {
        explained
            .result
            .method(m)
            .grade()
            .ok_or_else(|| AppError::internal(format!("the {m} has no grade to release")))
    };
    let result = store::insert_result(
        tx,
        &ResultRow {
            id: Uuid::nil(),
            epa_id,
            attempt: state.attempt as i32,
            attempt_kind: kind,
            observation_grade: grade_at(MethodId::Observation)?,
            project_grade: grade_at(MethodId::Project)?,
            discussion_grade: grade_at(MethodId::Discussion)?,
            uncapped_grade: uncapped,
            overall_grade: overall,
            cap_applied: explained.result.cap_applied,
            exceptional_circumstances: cap.exceptional_circumstances,
            explanation: serde_json::to_string(&explained.lines).map_err(AppError::internal)?,
            released_on: today,
            released_by: actor.user_id,
            released_at: now,
        },
    )
    .await?;
    let mut released_methods = Vec::new();
    let mut released_before = Vec::new();
    for method in MethodId::ALL {
        let Some((_, r)) = snap.standing_assessment(method) else {
            continue;
        };
        let entry = json!({"method": method.as_str(), "method_result_id": r.id, "grade": r.grade});
        if r.status == ResultStatus::Provisional {
            store::release_method_result(tx, r.id, result.id, now).await?;
            released_methods.push(entry);
        } else if r.result_id.is_none() {
            // Released on its own earlier: it now stands in this result.
            store::link_method_result(tx, r.id, result.id).await?;
            released_before.push(entry);
        }
    }
    transitions::apply(
        app,
        tx,
        actor,
        &ctx.row,
        &Command::ReleaseResults { overall },
        "epa.results_released",
        json!({
            "result_id": result.id,
            "overall": overall.as_str(),
            "uncapped": uncapped.as_str(),
            "cap_applied": result.cap_applied,
            "exceptional_circumstances": result.exceptional_circumstances,
            "methods_released": released_methods,
            "methods_released_before": released_before,
            "graders": graders,
            "explanation": explained.lines,
        }),
    )
    .await?;
    let recipients =
        store::contact_emails(Reader::Tx(tx), ctx.row.provider_id, ctx.row.employer_id).await?;
    let email = Message::ResultsReleased {
        given_names: &ctx.row.given_names,
        family_name: &ctx.row.family_name,
        standard: &ctx.row.epa.standard_reference,
        version: &ctx.row.epa.standard_version,
        overall: overall.as_str(),
        observation: result.observation_grade.as_str(),
        project: result.project_grade.as_str(),
        discussion: result.discussion_grade.as_str(),
        explanation: &explained.lines,
        epa_id: ctx.row.epa.id,
    }
    .render(&app.accounts.public_url);
    outbox::enqueue_all(tx, &email.to_each(&recipients), now).await?;
    Ok(())
}
