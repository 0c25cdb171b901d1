//! The PDF documents (ADR 0149): what their use cases share. Each document's
//! use case sits with its area and passes the gate as that area's read does
//! (`assessment::results_pdf`, `gateway::summary_pdf`); here are the file
//! they answer, the rendering off the async runtime, and the words every
//! document opens with.

use chrono::NaiveDate;
use epa_plan::EffectivePlan;
use epa_reports::{Fact, RenderError};
use epa_store::epas::EpaRow;

use crate::AppError;

/// A document to download.
#[derive(Debug, Clone)]
pub struct Pdf {
    /// What to save it as: plain ASCII, safe in `Content-Disposition`.
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Renders on a blocking thread: typst's layout is tens of milliseconds
/// of CPU that must not hold up the async workers. A failure is ours
/// (the view is built here), so it is internal.
pub(crate) async fn render<D>(
    document: D,
    to_pdf: fn(&D) -> Result<Vec<u8>, RenderError>,
) -> Result<Vec<u8>, AppError>
where
    D: Send + 'static,
{
    tokio::task::spawn_blocking(move || to_pdf(&document))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// The apprentice's full name, as the documents give it.
pub(crate) fn apprentice_name(row: &EpaRow) -> String {
    format!("{} {}", row.given_names, row.family_name)
}

/// Who and what the document is about: the apprentice, their ULN, the
/// standard and the EPAO.
pub(crate) fn opening_facts(row: &EpaRow, plan: &EffectivePlan) -> Vec<Fact> {
    vec![
        Fact::new("Apprentice", apprentice_name(row)),
        Fact::new("ULN", row.uln.clone()),
        Fact::new(
            "Standard",
            format!(
                "{} ({}) version {}",
                plan.standard.title, plan.reference, plan.version
            ),
        ),
        Fact::new("End-point assessment organisation", plan.epao_name.clone()),
    ]
}

/// A date as people read it: "Tuesday 3 March 2027".
pub(crate) fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// A stored word (`under_review`, `distinction`) as people write it.
pub(crate) fn sentence_case(word: &str) -> String {
    let mut text = word.replace('_', " ");
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    text
}
