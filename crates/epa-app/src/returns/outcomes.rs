//! `epa export ofqual-outcomes --from DATE --to DATE`: Ofqual's EPA
//! outcomes return, one row per EPA whose final result was released in the
//! window, with each method's grade and the overall grade.

use chrono::NaiveDate;
use epa_domain::Grade;
use epa_domain::attempts::AttemptKind;
use epa_store::returns::{self, OutcomeRow};

use super::fields::{Field, Rule, field};
use super::{Exported, Submission, date};
use crate::import::RowProblem;
use crate::{App, AppError};

const GRADES: &[&str] = &["Fail", "Pass", "Distinction"];

/// The columns, in Ofqual's order. Positions 1 to 9 are the published
/// format's own; from 10 on see `docs/ofqual-returns.md`.
pub fn fields() -> Vec<Field> {
    let mut fields = super::first_fields(true);
    fields.extend([
        field("Component1Title", Rule::Text(100), false),
        field("Component1Grade", Rule::OneOf(GRADES), false),
        field("Component2Title", Rule::Text(100), false),
        field("Component2Grade", Rule::OneOf(GRADES), false),
        field("Component3Title", Rule::Text(100), false),
        field("Component3Grade", Rule::OneOf(GRADES), false),
        field("EPAGrade", Rule::OneOf(GRADES), false),
        field("EPAResultDate", Rule::Date, false),
        field("EPAAttemptNumber", Rule::Text(2), false),
        field(
            "ResitOrRetake",
            Rule::OneOf(&["None", "Resit", "Retake"]),
            false,
        ),
    ]);
    fields
}

/// The return as CSV, or every cell that would break the format's rules.
pub async fn export(
    app: &App,
    submission: &Submission,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Result<Exported, Vec<RowProblem>>, AppError> {
    super::window(from, to)?;
    let epao = crate::registration::the_epao(app).await?;
    let mut rows = Vec::new();
    for row in returns::outcomes(&app.db, from, to).await? {
        rows.push(line(app, submission, &epao.name, &row)?);
    }
    Ok(super::checked(submission, &fields(), &rows))
}

/// Ofqual writes grades with a capital.
pub(crate) fn grade(grade: Grade) -> String {
    match grade {
        Grade::Fail => "Fail",
        Grade::Pass => "Pass",
        Grade::Distinction => "Distinction",
    }
    .to_owned()
}

fn line(
    app: &App,
    submission: &Submission,
    epao_name: &str,
    row: &OutcomeRow,
) -> Result<Vec<String>, AppError> {
    let (mut cells, plan) = super::first_cells(app, submission, epao_name, &row.epa)?;
    let method_name = |id: epa_domain::MethodId| {
        plan.methods
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| id.as_str().to_owned(), |m| m.name.clone())
    };
    let kind = match row.attempt_kind {
        AttemptKind::First => "None",
        AttemptKind::Resit | AttemptKind::ProjectRework => "Resit",
        AttemptKind::Retake => "Retake",
    };
    cells.extend([
        method_name(epa_domain::MethodId::Observation),
        grade(row.observation_grade),
        method_name(epa_domain::MethodId::Project),
        grade(row.project_grade),
        method_name(epa_domain::MethodId::Discussion),
        grade(row.discussion_grade),
        grade(row.overall_grade),
        date(row.released_on),
        row.attempt.to_string(),
        kind.to_owned(),
    ]);
    Ok(cells)
}
