//! Attempts: the first attempt at each method, resits, retakes, project
//! rework, void sittings and no-shows, and withdrawal; and how they map onto
//! the DfE "Record a grade" EPA record.
//!
//! The rules (plan notes §5 rules 24-29):
//! - A **resit** retakes a failed method without further learning; a
//!   **retake** follows further learning and a new gateway. Both are allowed
//!   only after a fail, and only inside the resit/retake window: 12 months
//!   from the date the EPA's first fail result was issued (ADR 0022). There
//!   is no limit on their number inside the window.
//! - There is no resit to turn a pass into a distinction.
//! - A failed **project** may instead be **reworked** using the feedback,
//!   within 1 month of the fail result. A rework follows a fail, so it
//!   counts as a resit for the grade cap and the DfE record.
//! - A **void** sitting (abandoned, or invalidated through no fault of the
//!   apprentice) and a **no-show** are not attempts: they change no grade,
//!   open no window and trigger no cap.
//! - After **withdrawal** nothing more can be recorded.

use chrono::NaiveDate;
use epa_plan::{Grade, MethodId};
use serde::Serialize;

use crate::calendar::{CalendarError, Period, WorkingDays};
use crate::grading::{CapContext, method_index};

/// Why a sitting took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptKind {
    First,
    Resit,
    Retake,
    ProjectRework,
}

impl AttemptKind {
    pub const ALL: [AttemptKind; 4] = [
        AttemptKind::First,
        AttemptKind::Resit,
        AttemptKind::Retake,
        AttemptKind::ProjectRework,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptKind::First => "first",
            AttemptKind::Resit => "resit",
            AttemptKind::Retake => "retake",
            AttemptKind::ProjectRework => "project_rework",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptKind> {
        AttemptKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for AttemptKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

epa_plan::stored_as_text!(AttemptKind, AttemptKind::parse);

named_enum! {
    /// Where a method's grade stands: seen only by the EPAO, the assessor
    /// and quality assurance until the overall result is released.
    pub enum ResultStatus {
        Provisional => "provisional",
        Released => "released",
    }
}

/// What a sitting produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SittingResult {
    Graded(Grade),
    /// Not an attempt: abandoned or invalidated.
    Void,
    /// Not an attempt: the apprentice did not attend.
    NoShow,
}

impl SittingResult {
    pub fn counts(self) -> bool {
        matches!(self, SittingResult::Graded(_))
    }
}

/// One sitting of one method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sitting {
    pub method: MethodId,
    pub kind: AttemptKind,
    pub held_on: NaiveDate,
    pub result: SittingResult,
    /// When the result was issued to the apprentice; the assessment date
    /// stands in when it is not recorded.
    pub result_issued_on: Option<NaiveDate>,
}

impl Sitting {
    fn issued(&self) -> NaiveDate {
        self.result_issued_on.unwrap_or(self.held_on)
    }
}

/// The policy's attempt rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptPolicy {
    /// Resits and retakes must happen within this of the first fail result.
    pub resit_retake_window: Period,
    /// A failed project may be reworked within this of its fail result.
    pub project_rework: Period,
    /// Whether a pass may be resat to try for a distinction (no, in ST0071).
    pub resit_to_improve_allowed: bool,
    /// Whether the window is a "must". Both ST0071 policies say "should":
    /// a resit or retake after it is accepted with a warning, and still
    /// counts (for the grade, the cap and the DfE record).
    pub window_required: bool,
}

impl Default for AttemptPolicy {
    /// ST0071's rules, which both EPAOs state alike.
    fn default() -> Self {
        AttemptPolicy {
            resit_retake_window: Period::months(12),
            project_rework: Period::months(1),
            resit_to_improve_allowed: false,
            window_required: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttemptError {
    #[error("the apprentice withdrew on {0}; nothing more can be recorded")]
    Withdrawn(NaiveDate),
    #[error("sittings are recorded in date order: {held_on} is before {latest}")]
    OutOfOrder {
        held_on: NaiveDate,
        latest: NaiveDate,
    },
    #[error("the {method} already has a result; a further sitting is a resit, retake or rework")]
    AlreadyAssessed { method: MethodId },
    #[error("the {method} has not been failed, so there is nothing to resit or retake")]
    NothingToResit { method: MethodId },
    #[error("the {method} was passed with {grade}; there is no resit to improve a grade")]
    ResitToImprove { method: MethodId, grade: Grade },
    #[error("{held_on} is after the resit and retake window closed on {window_end}")]
    OutsideWindow {
        held_on: NaiveDate,
        window_end: NaiveDate,
    },
    #[error("a retake needs further learning and a new gateway after the fail")]
    NoNewGateway,
    #[error("only the project can be reworked, not the {0}")]
    ReworkNotProject(MethodId),
    #[error(
        "the project rework was due by {due}; {held_on} is too late (a resit or retake is still possible)"
    )]
    ReworkTooLate { held_on: NaiveDate, due: NaiveDate },
    #[error("a new gateway needs a failed method to retake")]
    GatewayWithoutFail,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// DfE "Record a grade" EPA outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EpaOutcome {
    Pass,
    Fail,
    Withdrawn,
}

/// One entry of the DfE EPA record's `epas` list: one completed attempt at
/// the whole EPA (or the withdrawal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DfeEpaRecord {
    pub epa_date: NaiveDate,
    pub epa_outcome: EpaOutcome,
    pub resit: bool,
    pub retake: bool,
}

/// Every sitting of one EPA, checked against the rules as it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptHistory {
    policy: AttemptPolicy,
    sittings: Vec<Sitting>,
    /// Gateways after the first, each opening retakes.
    retake_gateways: Vec<NaiveDate>,
    withdrawn_on: Option<NaiveDate>,
    /// The EPAO accepted exceptional circumstances for the original fail.
    pub exceptional_circumstances: bool,
}

impl AttemptHistory {
    pub fn new(policy: AttemptPolicy) -> AttemptHistory {
        AttemptHistory {
            policy,
            sittings: Vec::new(),
            retake_gateways: Vec::new(),
            withdrawn_on: None,
            exceptional_circumstances: false,
        }
    }

    pub fn sittings(&self) -> &[Sitting] {
        &self.sittings
    }

    pub fn withdrawn_on(&self) -> Option<NaiveDate> {
        self.withdrawn_on
    }

    fn latest_counting(&self, method: MethodId) -> Option<&Sitting> {
        self.sittings
            .iter()
            .rev()
            .find(|s| s.method == method && s.result.counts())
    }

    /// The grade that currently stands for each method (`None` while none).
    pub fn current_grades(&self) -> [Option<Grade>; 3] {
        let mut grades = [None; 3];
        for m in MethodId::ALL {
            grades[method_index(m)] = self.latest_counting(m).and_then(|s| match s.result {
                SittingResult::Graded(g) => Some(g),
                _ => None,
            });
        }
        grades
    }

    /// The first fail result of this EPA, which opens the window.
    pub fn first_fail(&self) -> Option<&Sitting> {
        self.sittings
            .iter()
            .find(|s| s.result == SittingResult::Graded(Grade::Fail))
    }

    /// The last day a resit or retake may be held, once there is a fail.
    pub fn window_end(&self, wd: &WorkingDays<'_>) -> Result<Option<NaiveDate>, CalendarError> {
        self.first_fail()
            .map(|s| self.policy.resit_retake_window.after(s.issued(), wd))
            .transpose()
    }

    /// The last day a failed project may be reworked, while it stands failed.
    pub fn rework_due(&self, wd: &WorkingDays<'_>) -> Result<Option<NaiveDate>, CalendarError> {
        match self.latest_counting(MethodId::Project) {
            Some(s) if s.result == SittingResult::Graded(Grade::Fail) => {
                Ok(Some(self.policy.project_rework.after(s.issued(), wd)?))
            }
            _ => Ok(None),
        }
    }

    /// Whether a grade decided now follows a resit or retake (for the cap).
    pub fn cap_context(&self) -> CapContext {
        let counted = |kinds: &[AttemptKind]| {
            self.sittings
                .iter()
                .any(|s| s.result.counts() && kinds.contains(&s.kind))
        };
        let by_method = |kinds: &[AttemptKind]| {
            let mut methods = [false; 3];
            for s in &self.sittings {
                if s.result.counts() && kinds.contains(&s.kind) {
                    methods[method_index(s.method)] = true;
                }
            }
            methods
        };
        CapContext {
            resit: counted(&[AttemptKind::Resit, AttemptKind::ProjectRework]),
            retake: counted(&[AttemptKind::Retake]),
            exceptional_circumstances: self.exceptional_circumstances,
            resit_methods: by_method(&[AttemptKind::Resit, AttemptKind::ProjectRework]),
            retake_methods: by_method(&[AttemptKind::Retake]),
        }
    }

    /// Records a new gateway after further learning, which allows retakes.
    pub fn record_retake_gateway(&mut self, on: NaiveDate) -> Result<(), AttemptError> {
        if let Some(w) = self.withdrawn_on {
            return Err(AttemptError::Withdrawn(w));
        }
        if self.first_fail().is_none() {
            return Err(AttemptError::GatewayWithoutFail);
        }
        self.retake_gateways.push(on);
        Ok(())
    }

    /// Records a withdrawal; nothing can follow it.
    pub fn withdraw(&mut self, on: NaiveDate) -> Result<(), AttemptError> {
        if let Some(w) = self.withdrawn_on {
            return Err(AttemptError::Withdrawn(w));
        }
        self.withdrawn_on = Some(on);
        Ok(())
    }

    /// Checks a sitting against the rules and records it. A sitting that
    /// breaks only a recommended rule (a resit after the "should" window)
    /// is recorded, and the broken rule comes back as a warning: it counts
    /// like any other, so the grade cap still applies to it.
    pub fn record(
        &mut self,
        sitting: Sitting,
        wd: &WorkingDays<'_>,
    ) -> Result<Vec<AttemptError>, AttemptError> {
        let warnings = self.assess(&sitting, wd)?;
        self.sittings.push(sitting);
        Ok(warnings)
    }

    /// Whether a sitting may be recorded now: `Err` for a rule that refuses
    /// it, else the recommended rules it breaks (warnings to show).
    pub fn assess(
        &self,
        s: &Sitting,
        wd: &WorkingDays<'_>,
    ) -> Result<Vec<AttemptError>, AttemptError> {
        match self.check(s, wd) {
            Ok(()) => Ok(Vec::new()),
            Err(err @ AttemptError::OutsideWindow { .. }) if !self.policy.window_required => {
                Ok(vec![err])
            }
            Err(err) => Err(err),
        }
    }

    /// Every rule a sitting breaks, the recommended window included, as the
    /// first refusal: for a caller that weighs each rule's strength itself.
    /// [`AttemptHistory::assess`] says what `record` will accept.
    pub fn check(&self, s: &Sitting, wd: &WorkingDays<'_>) -> Result<(), AttemptError> {
        if let Some(w) = self.withdrawn_on {
            return Err(AttemptError::Withdrawn(w));
        }
        if let Some(latest) = self.sittings.last().map(|x| x.held_on)
            && s.held_on < latest
        {
            return Err(AttemptError::OutOfOrder {
                held_on: s.held_on,
                latest,
            });
        }
        let standing = self
            .latest_counting(s.method)
            .map(|x| (x.result, x.issued()));
        match s.kind {
            AttemptKind::First => match standing {
                None => Ok(()),
                Some(_) => Err(AttemptError::AlreadyAssessed { method: s.method }),
            },
            AttemptKind::Resit | AttemptKind::Retake | AttemptKind::ProjectRework => {
                let failed_on = match standing {
                    None => return Err(AttemptError::NothingToResit { method: s.method }),
                    Some((SittingResult::Graded(Grade::Fail), on)) => on,
                    Some((SittingResult::Graded(grade), _)) => {
                        return Err(if self.policy.resit_to_improve_allowed {
                            AttemptError::NothingToResit { method: s.method }
                        } else {
                            AttemptError::ResitToImprove {
                                method: s.method,
                                grade,
                            }
                        });
                    }
                    Some(_) => unreachable!("latest_counting only returns graded sittings"),
                };
                if s.kind == AttemptKind::ProjectRework {
                    if s.method != MethodId::Project {
                        return Err(AttemptError::ReworkNotProject(s.method));
                    }
                    let due = self.policy.project_rework.after(failed_on, wd)?;
                    if s.held_on > due {
                        return Err(AttemptError::ReworkTooLate {
                            held_on: s.held_on,
                            due,
                        });
                    }
                }
                if s.kind == AttemptKind::Retake
                    && !self
                        .retake_gateways
                        .iter()
                        .any(|g| *g >= failed_on && *g <= s.held_on)
                {
                    return Err(AttemptError::NoNewGateway);
                }
                if let Some(window_end) = self.window_end(wd)?
                    && s.held_on > window_end
                {
                    return Err(AttemptError::OutsideWindow {
                        held_on: s.held_on,
                        window_end,
                    });
                }
                Ok(())
            }
        }
    }

    /// The DfE "Record a grade" `epas` entries: one per completed attempt at
    /// the whole EPA (every method graded), dated by its last assessment,
    /// `fail` if any method then stood failed, else `pass`; `resit`/`retake`
    /// set when a resit (or project rework) or retake was part of it; and a
    /// `withdrawn` entry for a withdrawal. Void sittings and no-shows never
    /// appear.
    pub fn dfe_records(&self) -> Vec<DfeEpaRecord> {
        let mut out = Vec::new();
        let mut grades: [Option<Grade>; 3] = [None; 3];
        let (mut resit, mut retake, mut open) = (false, false, false);
        for s in self.sittings.iter().filter(|s| s.result.counts()) {
            if let SittingResult::Graded(g) = s.result {
                grades[method_index(s.method)] = Some(g);
            }
            match s.kind {
                AttemptKind::First => {}
                AttemptKind::Resit | AttemptKind::ProjectRework => resit = true,
                AttemptKind::Retake => retake = true,
            }
            open = true;
            if grades.iter().all(Option::is_some) {
                let failed = grades.contains(&Some(Grade::Fail));
                out.push(DfeEpaRecord {
                    epa_date: s.held_on,
                    epa_outcome: if failed {
                        EpaOutcome::Fail
                    } else {
                        EpaOutcome::Pass
                    },
                    resit,
                    retake,
                });
                (resit, retake, open) = (false, false, false);
            }
        }
        if let Some(on) = self.withdrawn_on {
            out.push(DfeEpaRecord {
                epa_date: on,
                epa_outcome: EpaOutcome::Withdrawn,
                resit: open && resit,
                retake: open && retake,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{HolidayCalendar, Region};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn sit(method: MethodId, kind: AttemptKind, on: &str, result: SittingResult) -> Sitting {
        Sitting {
            method,
            kind,
            held_on: d(on),
            result,
            result_issued_on: None,
        }
    }

    use AttemptKind::*;
    use MethodId::*;
    use SittingResult::*;

    #[test]
    fn a_resit_after_a_fail_and_the_dfe_record() {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        let mut h = AttemptHistory::new(AttemptPolicy::default());
        h.record(sit(Observation, First, "2025-03-03", NoShow), &wd)
            .unwrap();
        h.record(
            sit(Observation, First, "2025-03-10", Graded(Grade::Fail)),
            &wd,
        )
        .unwrap();
        h.record(sit(Project, First, "2025-04-01", Graded(Grade::Pass)), &wd)
            .unwrap();
        h.record(
            sit(Discussion, First, "2025-04-08", Graded(Grade::Distinction)),
            &wd,
        )
        .unwrap();
        assert_eq!(h.window_end(&wd).unwrap(), Some(d("2026-03-10")));
        assert_eq!(h.cap_context(), CapContext::default());
        // No resit of a passed method.
        assert_eq!(
            h.check(
                &sit(Project, Resit, "2025-05-01", Graded(Grade::Distinction)),
                &wd
            ),
            Err(AttemptError::ResitToImprove {
                method: Project,
                grade: Grade::Pass
            })
        );
        // Not after the window.
        assert!(matches!(
            h.check(
                &sit(Observation, Resit, "2026-03-11", Graded(Grade::Pass)),
                &wd
            ),
            Err(AttemptError::OutsideWindow { .. })
        ));
        h.record(
            sit(Observation, Resit, "2026-03-10", Graded(Grade::Pass)),
            &wd,
        )
        .unwrap();
        assert!(h.cap_context().resit);
        assert_eq!(
            h.dfe_records(),
            [
                DfeEpaRecord {
                    epa_date: d("2025-04-08"),
                    epa_outcome: EpaOutcome::Fail,
                    resit: false,
                    retake: false
                },
                DfeEpaRecord {
                    epa_date: d("2026-03-10"),
                    epa_outcome: EpaOutcome::Pass,
                    resit: true,
                    retake: false
                }
            ]
        );
        let json = serde_json::to_value(h.dfe_records()[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"epaDate": "2025-04-08", "epaOutcome": "fail", "resit": false, "retake": false})
        );
    }

    #[test]
    fn retake_needs_a_new_gateway() {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        let mut h = AttemptHistory::new(AttemptPolicy::default());
        h.record(
            sit(Discussion, First, "2025-06-02", Graded(Grade::Fail)),
            &wd,
        )
        .unwrap();
        let retake = sit(Discussion, Retake, "2025-09-01", Graded(Grade::Pass));
        assert_eq!(h.check(&retake, &wd), Err(AttemptError::NoNewGateway));
        h.record_retake_gateway(d("2025-08-15")).unwrap();
        h.record(retake, &wd).unwrap();
        assert!(h.cap_context().retake);
        h.withdraw(d("2025-09-10")).unwrap();
        assert!(matches!(
            h.record(sit(Observation, First, "2025-09-11", Void), &wd),
            Err(AttemptError::Withdrawn(_))
        ));
        let records = h.dfe_records();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].epa_outcome, EpaOutcome::Withdrawn);
        assert!(records[0].retake);
    }

    #[test]
    fn project_rework_within_one_month() {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        let mut h = AttemptHistory::new(AttemptPolicy::default());
        let mut fail = sit(Project, First, "2025-01-20", Graded(Grade::Fail));
        fail.result_issued_on = Some(d("2025-01-31"));
        h.record(fail, &wd).unwrap();
        assert_eq!(h.rework_due(&wd).unwrap(), Some(d("2025-02-28")));
        assert!(matches!(
            h.check(
                &sit(Project, ProjectRework, "2025-03-01", Graded(Grade::Pass)),
                &wd
            ),
            Err(AttemptError::ReworkTooLate { .. })
        ));
        assert_eq!(
            h.check(
                &sit(
                    Observation,
                    ProjectRework,
                    "2025-02-01",
                    Graded(Grade::Pass)
                ),
                &wd
            ),
            Err(AttemptError::NothingToResit {
                method: Observation
            })
        );
        h.record(
            sit(Project, ProjectRework, "2025-02-28", Graded(Grade::Pass)),
            &wd,
        )
        .unwrap();
        assert!(h.cap_context().resit);
        assert_eq!(h.rework_due(&wd).unwrap(), None);
    }

    #[test]
    fn void_and_no_show_are_not_attempts() {
        let cal = HolidayCalendar::england_and_wales();
        let wd = cal.working_days(Region::EnglandAndWales).unwrap();
        let mut h = AttemptHistory::new(AttemptPolicy::default());
        h.record(sit(Observation, First, "2025-03-03", Void), &wd)
            .unwrap();
        h.record(sit(Observation, First, "2025-03-04", NoShow), &wd)
            .unwrap();
        assert_eq!(h.first_fail(), None);
        assert_eq!(h.current_grades(), [None, None, None]);
        // A resit of a void sitting is still a first attempt.
        assert_eq!(
            h.check(
                &sit(Observation, Resit, "2025-03-05", Graded(Grade::Pass)),
                &wd
            ),
            Err(AttemptError::NothingToResit {
                method: Observation
            })
        );
        h.record(
            sit(Observation, First, "2025-03-05", Graded(Grade::Pass)),
            &wd,
        )
        .unwrap();
        assert_eq!(
            h.check(
                &sit(Observation, First, "2025-03-06", Graded(Grade::Pass)),
                &wd
            ),
            Err(AttemptError::AlreadyAssessed {
                method: Observation
            })
        );
        assert!(matches!(
            h.check(&sit(Project, First, "2025-03-01", Graded(Grade::Pass)), &wd),
            Err(AttemptError::OutOfOrder { .. })
        ));
        assert!(h.dfe_records().is_empty());
    }
}
