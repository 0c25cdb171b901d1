//! Everything recorded about an EPA's assessment, read together.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use epa_domain::MethodId;
use epa_domain::attempts::SittingResult;
use epa_domain::attempts::{AttemptHistory, AttemptKind, AttemptPolicy, Sitting};
use epa_domain::circumstances;
use epa_domain::grading::{self, CapContext, EpaJudgements, Explained, GradingScheme};
use epa_domain::lifecycle::Lifecycle;
use epa_plan::EffectivePlan;
use epa_store::assessment::{
    self as store, Assessment, AttemptRow, CertificateClaim, ExceptionalCircumstances, Judgement,
    MethodResult, Reader, ResultRow,
};
use uuid::Uuid;

use super::codes::*;
use crate::AppError;
use crate::calendar::working_days;
use epa_domain::replay::{self, RecordedSitting};

/// Everything recorded about an EPA's assessment, read together.
pub(super) struct Snapshot {
    pub(super) assessments: Vec<Assessment>,
    pub(super) judgements: Vec<Judgement>,
    pub(super) method_results: Vec<MethodResult>,
    pub(super) results: Vec<ResultRow>,
    pub(super) attempts: Vec<AttemptRow>,
    pub(super) exceptional: Vec<ExceptionalCircumstances>,
    pub(super) claim: Option<CertificateClaim>,
}

impl Snapshot {
    /// All of it: [`Snapshot::read_sittings`], then the released results,
    /// the exceptional circumstances and the claim (four statements).
    pub(super) async fn read(mut reader: Reader<'_>, epa_id: Uuid) -> Result<Snapshot, AppError> {
        let mut snap = Snapshot::read_sittings(reader.again(), epa_id).await?;
        snap.results = store::results(reader.again(), epa_id).await?;
        snap.exceptional = store::exceptional(reader.again(), epa_id).await?;
        snap.claim = store::claim(reader.again(), epa_id).await?;
        Ok(snap)
    }

    /// The sittings with their judgements and method results, and the
    /// attempts, in one statement (`epa_store::sittings`): what a judgement
    /// save reads and changes. The released results, exceptional
    /// circumstances and claim are left empty (three round trips fewer on
    /// every save): only a use case that reads none of them, nor
    /// [`Snapshot::history`] (which reads the exceptional circumstances),
    /// may read this.
    pub(super) async fn read_sittings(
        reader: Reader<'_>,
        epa_id: Uuid,
    ) -> Result<Snapshot, AppError> {
        let sittings = epa_store::sittings::read(reader, epa_id).await?;
        Ok(Snapshot {
            assessments: sittings.assessments,
            judgements: sittings.judgements,
            method_results: sittings.method_results,
            results: Vec::new(),
            attempts: sittings.attempts,
            exceptional: Vec::new(),
            claim: None,
        })
    }

    /// Adds judgements the transaction has just inserted, where a read
    /// would find them: the snapshot as it now stands, without reading it
    /// again (a whole read is four round trips).
    pub(super) fn add_judgements(&mut self, inserted: impl IntoIterator<Item = Judgement>) {
        self.judgements.extend(inserted);
        self.judgements.sort_by_key(|j| (j.recorded_at, j.id));
    }

    /// Puts a method result the transaction has just saved in place of the
    /// one it replaced (one per assessment), in the order of a read.
    pub(super) fn put_method_result(&mut self, saved: MethodResult) {
        self.method_results
            .retain(|r| r.assessment_id != saved.assessment_id);
        self.method_results.push(saved);
        self.method_results
            .sort_by(|a, b| (a.attempt, a.method.as_str()).cmp(&(b.attempt, b.method.as_str())));
    }

    pub(super) fn result_of(&self, assessment: Uuid) -> Option<&MethodResult> {
        self.method_results
            .iter()
            .find(|r| r.assessment_id == assessment)
    }

    /// The judgements that stand for an assessment: those nobody superseded.
    pub(super) fn standing(&self, assessment: Uuid) -> Vec<&Judgement> {
        replay::standing(&self.judgements)
            .into_iter()
            .filter(|j| j.assessment_id == assessment)
            .collect()
    }

    /// The assessment whose result stands for `method`: the latest attempt's
    /// with a result.
    pub(super) fn standing_assessment(
        &self,
        method: MethodId,
    ) -> Option<(&Assessment, &MethodResult)> {
        self.assessments
            .iter()
            .rev()
            .filter(|a| a.method == method)
            .find_map(|a| self.result_of(a.id).map(|r| (a, r)))
    }

    pub(super) fn assessment_in(&self, method: MethodId, attempt: i32) -> Option<&Assessment> {
        self.assessments
            .iter()
            .find(|a| a.method == method && a.attempt == attempt)
    }

    /// Who graded an assessment: its assessor and everyone who judged in it.
    pub(super) fn graders_of(&self, assessment: &Assessment) -> Vec<Uuid> {
        let mut graders: BTreeSet<Uuid> = self
            .judgements
            .iter()
            .filter(|j| j.assessment_id == assessment.id)
            .map(|j| j.assessor_id)
            .collect();
        graders.insert(assessment.assessor_id);
        graders.into_iter().collect()
    }

    /// The graders of every result the next release stands on.
    pub(super) fn graders(&self) -> Vec<Uuid> {
        let mut all = BTreeSet::new();
        for method in MethodId::ALL {
            if let Some((a, _)) = self.standing_assessment(method) {
                all.extend(self.graders_of(a));
            }
        }
        all.into_iter().collect()
    }

    /// The methods the current attempt covers, and its kind.
    pub(super) fn current_attempt(
        &self,
        state: &Lifecycle,
    ) -> Result<(AttemptKind, Vec<MethodId>), AppError> {
        if state.attempt <= 1 {
            return Ok((AttemptKind::First, MethodId::ALL.to_vec()));
        }
        if let Some(row) = self
            .attempts
            .iter()
            .find(|a| a.attempt == state.attempt as i32)
        {
            let methods = row
                .methods
                .split(',')
                .filter(|m| !m.is_empty())
                .map(method_of)
                .collect::<Result<_, _>>()?;
            return Ok((row.kind, methods));
        }
        // An attempt started outside these use cases: read it from the lifecycle.
        let methods = if state.resit_methods.is_empty() {
            MethodId::ALL.to_vec()
        } else {
            state.resit_methods.clone()
        };
        Ok((state.attempt_kind, methods))
    }

    /// The date an assessment's result was issued: its release, when released.
    pub(super) fn issued_on(&self, result: &MethodResult) -> Option<NaiveDate> {
        result.released_at.map(london_date)
    }

    /// Every graded sitting, in date order, through the domain's attempt
    /// rules (which also give the grade cap's context).
    pub(super) fn history(
        &self,
        plan: &EffectivePlan,
        state: &Lifecycle,
    ) -> Result<AttemptHistory, AppError> {
        let mut sittings = Vec::new();
        for a in &self.assessments {
            let Some(result) = self.result_of(a.id) else {
                continue;
            };
            sittings.push(RecordedSitting {
                attempt: a.attempt,
                sitting: Sitting {
                    method: a.method,
                    kind: a.attempt_kind,
                    held_on: a.held_on,
                    result: SittingResult::Graded(result.grade),
                    result_issued_on: self.issued_on(result),
                },
            });
        }
        let replayed = replay::replay(
            AttemptPolicy::from_plan(plan),
            sittings,
            self.exceptional.iter().any(|e| {
                circumstances::lifts_cap(
                    &plan.rules.grade_cap.exceptional_circumstances,
                    true,
                    e.confirmed_at.is_some(),
                )
            }),
            state.attempt_kind == AttemptKind::Retake,
            state.epa_period_start,
            &working_days()?,
        );
        // Each sitting was checked against these rules when it was recorded;
        // one refused now (a rule changed since) is left out, not fatal.
        for err in &replayed.left_out {
            tracing::warn!(error = %err, "a recorded sitting no longer fits the attempt rules");
        }
        Ok(replayed.history)
    }

    /// The criteria met in an assessment, from its standing judgements.
    pub(super) fn judged(
        &self,
        scheme: &GradingScheme,
        method: MethodId,
        assessment: Uuid,
    ) -> Result<grading::MethodJudgement, AppError> {
        let judgements: Vec<grading::Judgement> = self
            .standing(assessment)
            .into_iter()
            .map(|j| grading::Judgement {
                criterion: j.criterion_id.clone(),
                met: j.met,
                note: j.note.clone(),
            })
            .collect();
        scheme
            .judge(method, &judgements)
            .map_err(AppError::internal)
    }

    /// The overall grade the standing method results give, with the cap.
    pub(super) fn overall(
        &self,
        scheme: &GradingScheme,
        cap: CapContext,
    ) -> Result<Explained, AppError> {
        let mut input = EpaJudgements {
            cap,
            ..EpaJudgements::default()
        };
        for method in MethodId::ALL {
            if let Some((a, _)) = self.standing_assessment(method) {
                input.methods[grading::method_index(method)] =
                    Some(self.judged(scheme, method, a.id)?);
            }
        }
        Ok(scheme.explain(&input))
    }
}
