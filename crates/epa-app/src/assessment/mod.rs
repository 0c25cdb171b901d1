//! Use cases of the EPA's assessment: assessment records, the assessor's
//! judgements, method results, the released overall result, the
//! certificate, and what follows a fail (resit, project rework, retake) or
//! ends the EPA early (withdrawal).
//!
//! The rules are the domain's and the plan's: durations, questioning and
//! interview questions from `epa_domain::sessions` over the EPA's effective
//! plan; grades from `epa_domain::grading` (`GradingScheme::from_plan`);
//! resit windows, rework dates and the grade cap from `epa_domain::attempts`;
//! due dates from `epa_domain::deadlines`; stage moves from
//! `epa_domain::lifecycle` through [`transitions::apply`].
//!
//! Segregation of duties: whoever recorded an assessment or a judgement that
//! a result stands on is one of its graders (`Resource::graders`), and the
//! access policy refuses them the release.
//!
//! Quality assurance (sampling and moderation) is not built here: method
//! results carry nullable `sampled` and `moderation_id` fields where it
//! attaches, and a result is released straight from provisional until then.

mod attempts;
mod certificate;
mod codes;
mod confirm_exceptional;
mod exceptional;
mod grading_sheet;
mod judgements;
mod record_judgements;
mod record_sitting;
mod refusals;
mod release;
mod release_method;
mod results;
mod results_pdf;
mod snapshot;
mod views;
mod withdraw;

pub use attempts::{start_project_rework, start_resit, start_retake};
pub(crate) use certificate::claim_in;
pub use certificate::{claim_certificate, receive_certificate};
pub use confirm_exceptional::confirm_exceptional_circumstances;
pub use exceptional::record_exceptional_circumstances;
pub use grading_sheet::{GradingSheet, SheetCriterion, grading_sheet};
pub use judgements::judgements;
pub use record_judgements::record_judgements;
pub use record_sitting::{assessments, record_assessment};
pub use release::release_results;
pub use release_method::release_method_result;
pub use results::results;
pub use results_pdf::results_pdf;
pub use views::*;
pub use withdraw::withdraw;
