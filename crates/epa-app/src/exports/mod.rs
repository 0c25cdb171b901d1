//! Spreadsheet exports for a period: the pipeline (EPAs registered), the
//! results released, the deadlines falling due and the audit log, as CSV
//! or xlsx (`render::csv::sheet`, `render::xlsx`). Each reads only what the
//! caller may see: the lists through the caller's scope (as the EPA list
//! does, decided by the access policy), the audit log through the policy's
//! `view_audit`.

mod audit_log;
mod deadlines;
mod pipeline;
mod results;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::{Actor, App, AppError};

/// The most rows one export holds; a longer period is split.
pub const MAX_ROWS: i64 = 100_000;

/// What is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pipeline,
    Results,
    Deadlines,
    Audit,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Pipeline, Kind::Results, Kind::Deadlines, Kind::Audit];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pipeline => "pipeline",
            Kind::Results => "results",
            Kind::Deadlines => "deadlines",
            Kind::Audit => "audit",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// The sheet's title, as a person reads it.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Pipeline => "EPAs registered",
            Kind::Results => "Results released",
            Kind::Deadlines => "Deadlines",
            Kind::Audit => "Audit log",
        }
    }
}

/// The days of an export, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Days {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// An export's rows, or why not.
type Rows = Result<Vec<Vec<String>>, AppError>;

/// A table of text cells, ready to be written as CSV or xlsx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// The export of `kind` for the days `from` to `to`, both included.
pub async fn export(
    app: &App,
    actor: &Actor,
    kind: Kind,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Table, AppError> {
    if from > to {
        return Err(AppError::field(
            "from",
            "the period's first day is after its last day",
        ));
    }
    let days = Days { from, to };
    let rows = match kind {
        Kind::Pipeline => pipeline::rows(app, actor, days).await?,
        Kind::Results => results::rows(app, actor, days).await?,
        Kind::Deadlines => deadlines::rows(app, actor, days).await?,
        Kind::Audit => audit_log::rows(app, actor, days).await?,
    };
    if rows.len() as i64 >= MAX_ROWS {
        return Err(AppError::field(
            "to",
            format!("the period holds {MAX_ROWS} rows or more: choose a shorter one"),
        ));
    }
    Ok(Table {
        title: format!("{} {} to {}", kind.title(), from, to),
        header: header(kind).to_vec(),
        rows,
    })
}

fn header(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pipeline => pipeline::HEADER,
        Kind::Results => results::HEADER,
        Kind::Deadlines => deadlines::HEADER,
        Kind::Audit => audit_log::HEADER,
    }
}

/// The first instant of `day` and of the day after `to`: a period of whole
/// days as a half-open range of instants.
fn instants(days: Days) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |day: NaiveDate| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN));
    (
        start(days.from),
        start(days.to.succ_opt().unwrap_or(days.to)),
    )
}

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}
