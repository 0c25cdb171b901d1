//! What follows a fail: a resit, a project rework or a retake.

use epa_domain::attempts::SittingResult;
use epa_domain::attempts::{AttemptKind, Sitting};
use epa_domain::grading::{self};
use epa_domain::lifecycle::{self, Command};
use epa_domain::policy::Action;
use epa_domain::{Grade, MethodId};
use epa_store::assessment::{self as store, Reader};
use serde_json::json;
use uuid::Uuid;

use super::refusals::*;
use super::snapshot::*;
use super::views::*;
use crate::calendar::working_days;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError, FieldError, transitions};

/// Which attempt after a fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    Resit,
    ProjectRework,
    Retake,
}

impl Next {
    fn action(self) -> Action {
        match self {
            Next::Resit => Action::StartResit,
            Next::ProjectRework => Action::StartProjectRework,
            Next::Retake => Action::StartRetake,
        }
    }
}

pub(super) async fn start_attempt(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    next: Next,
    requested: Vec<String>,
) -> Result<AttemptView, AppError> {
    let mut tx = app.db.begin_write().await?;
    let ctx = EpaContext::write(
        app,
        &mut tx,
        actor,
        epa_id,
        next.action(),
        "only EPAO staff can start a resit, a project rework or a retake",
    )
    .await?;
    let state = &ctx.state;
    // The stage first: a resit of an EPA that passed is refused as such.
    let probe = match next {
        Next::Retake => Command::Retake,
        _ => Command::Resit {
            methods: vec![MethodId::Project],
        },
    };
    lifecycle::apply(state, &probe).map_err(lifecycle_refusal)?;

    let snap = Snapshot::read(Reader::Tx(&mut tx), epa_id).await?;
    let history = snap.history(&ctx.plan, state)?;
    let wd = working_days()?;
    let today = app.clock.today();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let failed: Vec<MethodId> = MethodId::ALL
        .into_iter()
        .filter(|m| history.current_grades()[grading::method_index(*m)] == Some(Grade::Fail))
        .collect();
    let methods: Vec<MethodId> = match next {
        Next::Resit => {
            let mut methods = Vec::new();
            for text in &requested {
                match MethodId::parse(text.trim()) {
                    Some(m) => methods.push(m),
                    None => problems.push(FieldError::new(
                        "methods",
                        format!(
                            "{text:?} is not a method: choose observation, project or discussion"
                        ),
                    )),
                }
            }
            methods
        }
        Next::ProjectRework => vec![MethodId::Project],
        Next::Retake => failed.clone(),
    };
    let kind = match next {
        Next::Resit => AttemptKind::Resit,
        Next::ProjectRework => AttemptKind::ProjectRework,
        Next::Retake => AttemptKind::Retake,
    };
    for m in &methods {
        // A retake's gateway comes later, so its window alone is checked now.
        let check_kind = if kind == AttemptKind::Retake {
            AttemptKind::Resit
        } else {
            kind
        };
        let sitting = Sitting {
            method: *m,
            kind: check_kind,
            held_on: today,
            result: SittingResult::Graded(Grade::Pass),
            result_issued_on: None,
        };
        if let Err(err) = history.check(&sitting, &wd) {
            attempt_refusal(err, "methods", &ctx.plan, &mut warnings, &mut problems);
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let due_on = match kind {
        AttemptKind::ProjectRework => history.rework_due(&wd).map_err(AppError::internal)?,
        _ => history.window_end(&wd).map_err(AppError::internal)?,
    };
    let command = match next {
        Next::Retake => Command::Retake,
        _ => Command::Resit {
            methods: methods.clone(),
        },
    };
    let action = match next {
        Next::Resit => "epa.resit_started",
        Next::ProjectRework => "epa.project_rework_started",
        Next::Retake => "epa.retake_started",
    };
    let after = transitions::apply(
        app,
        &mut tx,
        actor,
        &ctx.row,
        &command,
        action,
        json!({
            "kind": kind.as_str(),
            "methods": methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "due_on": due_on,
            "warnings": warnings,
        }),
    )
    .await?;
    let mut sorted = methods.clone();
    sorted.sort();
    let list: Vec<&str> = sorted.iter().map(|m| m.as_str()).collect();
    let row = store::insert_attempt(
        &mut tx,
        epa_id,
        after.attempt as i32,
        kind,
        &list.join(","),
        due_on,
        actor.user_id,
        app.now(),
    )
    .await?;
    crate::deadlines::commit(app, tx).await?;
    Ok(AttemptView {
        epa_id,
        stage: after.stage.as_str().to_owned(),
        attempt: row.attempt,
        kind: row.kind.as_str().to_owned(),
        methods: list.into_iter().map(str::to_owned).collect(),
        due_on,
        warnings,
    })
}

/// After a fail: sit the failed methods again, without further learning,
/// within the resit window. No resit of a passed method (there is no resit
/// to improve a grade). The EPA goes back to `planned`.
pub async fn start_resit(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    input: ResitInput,
) -> Result<AttemptView, AppError> {
    start_attempt(app, actor, epa_id, Next::Resit, input.methods).await
}

/// After a failed project: rework it using the feedback, due within the
/// policy's rework period of the fail result.
pub async fn start_project_rework(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<AttemptView, AppError> {
    start_attempt(app, actor, epa_id, Next::ProjectRework, Vec::new()).await
}

/// After a fail: further learning and a new gateway; the failed methods are
/// then assessed again. The EPA goes back to `registered`.
pub async fn start_retake(app: &App, actor: &Actor, epa_id: Uuid) -> Result<AttemptView, AppError> {
    start_attempt(app, actor, epa_id, Next::Retake, Vec::new()).await
}
