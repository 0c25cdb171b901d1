//! The regulator's data returns: Ofqual's EPA outcomes return and its EPA
//! registrations return, as CSV in the columns and formats of Ofqual's
//! published file formats (see `docs/ofqual-returns.md` for where each
//! column comes from). Operator commands: they read every EPA of the
//! installation, so they run on the server (`epa export ...`), not for a
//! signed-in person.

pub mod fields;
pub mod outcomes;
pub mod registrations;

use std::sync::Arc;

use chrono::NaiveDate;
use epa_plan::EffectivePlan;
use epa_store::returns::EpaOf;

use crate::import::RowProblem;
use crate::{App, AppError};

/// What the returns say of the EPAO and the submission that the records do
/// not hold: set by the operator (`epa export ... --awarding-organisation-id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The date the file is due, as Ofqual's reporting schedule gives it.
    pub reporting_date: NaiveDate,
    /// The EPAO's ID on the register of end-point assessment
    /// organisations, `EPA` and four digits; empty when not set (the file
    /// then fails Ofqual's check of that column, and the command says so).
    pub awarding_organisation_id: String,
    /// The EPA's number on Ofqual's Register of Regulated Qualifications;
    /// `-2` (Ofqual's "not available") when not set.
    pub qualification_number: String,
}

/// Ofqual's value for "not available" in a column that allows it.
pub const NOT_AVAILABLE: &str = "-2";

/// A date as the returns write it: `yyyy-mm-dd`.
pub(crate) fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A return as written, with what the operator should know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub csv: String,
    /// Rows written.
    pub rows: usize,
    /// Set when the EPAO's ID is not: the file is written, and Ofqual's
    /// upload will refuse it until the ID is set.
    pub warning: Option<String>,
}

/// The return's rows checked against the format's rules: the CSV, or every
/// cell that breaks them. An unset EPAO ID is only warned of, so that a
/// return can be looked at before the installation is set up.
pub(crate) fn checked(
    submission: &Submission,
    fields: &[fields::Field],
    rows: &[Vec<String>],
) -> Result<Exported, Vec<RowProblem>> {
    let unset = submission.awarding_organisation_id.is_empty();
    let problems: Vec<RowProblem> = fields::check(fields, rows)
        .into_iter()
        .filter(|p| !(unset && p.column == "AwardingOrganisationID"))
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Exported {
        csv: fields::csv(fields, rows),
        rows: rows.len(),
        warning: (unset && !rows.is_empty()).then(|| {
            "AwardingOrganisationID is empty: set --awarding-organisation-id (or EPA_OFQUAL_AWARDING_ORGANISATION_ID) to the EPAO's ID, EPA and four digits, before sending this file to Ofqual".to_owned()
        }),
    })
}

/// The window as given, or the refusal of one that runs backwards.
pub(crate) fn window(from: NaiveDate, to: NaiveDate) -> Result<(), AppError> {
    if from > to {
        return Err(AppError::field(
            "from",
            "the window's start is after its end",
        ));
    }
    Ok(())
}

/// Positions 1 to 9, the same in both returns, and the plan the EPA ran
/// under (for its title and methods' names).
pub(crate) fn first_cells(
    app: &App,
    submission: &Submission,
    epao_name: &str,
    epa: &EpaOf,
) -> Result<(Vec<String>, Arc<EffectivePlan>), AppError> {
    let plan = app
        .plans
        .shared(
            &epa.standard_reference,
            Some(&epa.standard_version),
            &epa.policy,
        )
        .map_err(AppError::internal)?;
    let cells = vec![
        date(submission.reporting_date),
        epao_name.to_owned(),
        submission.awarding_organisation_id.clone(),
        plan.standard.title.clone(),
        epa.standard_reference.clone(),
        epa.standard_version.clone(),
        submission.qualification_number.clone(),
        epa.uln.clone(),
        NOT_AVAILABLE.to_owned(),
    ];
    Ok((cells, plan))
}

/// Positions 1 to 9 of both returns, as published. The plan version may be
/// `-2` in the outcomes return only.
pub(crate) fn first_fields(version_may_be_unavailable: bool) -> Vec<fields::Field> {
    use fields::{Rule, field};
    vec![
        field("ReportingDate", Rule::Date, false),
        field("AwardingOrganisation", Rule::Text(100), false),
        field("AwardingOrganisationID", Rule::EpaoId, false),
        field("StandardTitle", Rule::Text(100), false),
        field("StandardID", Rule::StandardId, false),
        field(
            "AssessmentPlanVersionNumber",
            Rule::Text(10),
            version_may_be_unavailable,
        ),
        field("QualificationNumber", Rule::Text(10), true),
        field("ULN", Rule::Text(10), true),
        field("CandidateIdentifierOther", Rule::Text(50), true),
    ]
}
