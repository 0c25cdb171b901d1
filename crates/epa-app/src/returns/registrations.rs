//! `epa export ofqual-registrations --from DATE --to DATE`: Ofqual's EPA
//! registrations return, one row per EPA registered, submitted at gateway
//! or signed off at gateway in the window, from the gateway records.

use chrono::{NaiveDate, TimeZone, Utc};
use epa_store::returns::{self, RegistrationRow};

use super::fields::{Field, Rule, field};
use super::{Exported, NOT_AVAILABLE, Submission, date};
use crate::import::RowProblem;
use crate::{App, AppError};

/// The columns, in Ofqual's order. Positions 1 to 9 are the published
/// format's own; from 10 on see `docs/ofqual-returns.md`.
pub fn fields() -> Vec<Field> {
    let mut fields = super::first_fields(false);
    fields.extend([
        field("RegistrationDate", Rule::Date, false),
        field("GatewaySubmissionDate", Rule::Date, true),
        field("GatewaySignOffDate", Rule::Date, true),
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
    let start = |day: NaiveDate| Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN));
    let until = to.succ_opt().unwrap_or(to);
    let epao = crate::registration::the_epao(app).await?;
    let mut rows = Vec::new();
    for row in returns::registrations(&app.db, start(from), start(until)).await? {
        rows.push(line(app, submission, &epao.name, &row)?);
    }
    Ok(super::checked(submission, &fields(), &rows))
}

fn line(
    app: &App,
    submission: &Submission,
    epao_name: &str,
    row: &RegistrationRow,
) -> Result<Vec<String>, AppError> {
    let (mut cells, _) = super::first_cells(app, submission, epao_name, &row.epa)?;
    let or_not_available =
        |day: Option<NaiveDate>| day.map_or_else(|| NOT_AVAILABLE.to_owned(), date);
    cells.extend([
        date(row.registered_at.date_naive()),
        or_not_available(row.gateway_submitted_at.map(|at| at.date_naive())),
        or_not_available(row.gateway_approved_on),
    ]);
    Ok(cells)
}
