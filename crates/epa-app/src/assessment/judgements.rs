//! Reading every judgement on an EPA.

use std::collections::{BTreeSet, HashMap};

use epa_domain::policy::Action;
use epa_store::assessment::Reader;
use uuid::Uuid;

use super::snapshot::*;
use super::views::*;
use crate::gate::EpaContext;
use crate::{Actor, App, AppError};

/// Every judgement on an EPA, superseded ones marked: for EPAO staff,
/// quality assurance and the allocated assessor.
pub async fn judgements(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
) -> Result<Vec<JudgementView>, AppError> {
    EpaContext::read(
        app,
        actor,
        epa_id,
        Action::ViewJudgements,
        "judgements are seen by the EPAO and the allocated assessor; released results are on the results page",
    )
    .await?;
    let snap = Snapshot::read(Reader::Db(&app.db), epa_id).await?;
    let superseded: BTreeSet<Uuid> = snap
        .judgements
        .iter()
        .filter_map(|j| j.supersedes_id)
        .collect();
    let attempt_of: HashMap<Uuid, i32> =
        snap.assessments.iter().map(|a| (a.id, a.attempt)).collect();
    Ok(snap
        .judgements
        .iter()
        .map(|j| JudgementView {
            id: j.id,
            assessment_id: j.assessment_id,
            method: j.method.as_str().to_owned(),
            attempt: attempt_of.get(&j.assessment_id).copied().unwrap_or(0),
            criterion: j.criterion_id.clone(),
            met: j.met,
            note: j.note.clone(),
            assessor_id: j.assessor_id,
            recorded_at: j.recorded_at,
            supersedes_id: j.supersedes_id,
            superseded: superseded.contains(&j.id),
        })
        .collect())
}
