//! The portfolio's KSB coverage: each KSB of the portfolio's method and the
//! evidence covering it, as a view and as the mapping form's CSV.

use epa_domain::gateway::{ComponentKind, PortfolioRules};
use uuid::Uuid;

use super::stored::Stored;
use super::views::{CoverageRowView, CoverageView, CoveringItem};
use super::visible::visible;
use crate::{Actor, App, AppError};

/// The portfolio mapping of `attempt` (the latest when `None`).
pub async fn coverage(
    app: &App,
    actor: &Actor,
    epa_id: Uuid,
    attempt: Option<i32>,
) -> Result<CoverageView, AppError> {
    let ctx = visible(app, actor, epa_id).await?;
    let plan = &ctx.plan;
    let stored = Stored::read(app, epa_id).await?;
    let submission = match attempt {
        Some(n) => stored
            .submissions
            .iter()
            .find(|s| s.attempt == n)
            .ok_or_else(|| AppError::field("attempt", format!("there is no attempt {n}")))?,
        None => stored.last().ok_or_else(|| {
            AppError::Conflict("no gateway has been submitted for this EPA yet".to_owned())
        })?,
    };
    let portfolio = stored
        .components_of(submission)
        .into_iter()
        .find(|c| c.kind == ComponentKind::Portfolio)
        .ok_or_else(|| AppError::internal("a gateway attempt without a portfolio"))?;
    let items = stored.items_of(portfolio);
    let mapped: Vec<Vec<String>> = items.iter().map(|e| stored.ksbs_of(e)).collect();
    let rules = PortfolioRules::from_plan(plan);
    let coverage = rules.coverage(&mapped);
    Ok(CoverageView {
        epa_id,
        attempt: submission.attempt,
        method: rules.method_name.clone(),
        ksbs: coverage
            .rows
            .iter()
            .map(|r| CoverageRowView {
                ksb: r.ksb.clone(),
                statement: plan.ksb(&r.ksb).map(|k| k.text.clone()).unwrap_or_default(),
                evidence: r
                    .items
                    .iter()
                    .filter_map(|n| items.get(n - 1))
                    .map(|e| CoveringItem {
                        number: e.position,
                        title: e.title.clone(),
                    })
                    .collect(),
            })
            .collect(),
        uncovered: coverage.uncovered,
    })
}

/// The coverage as the Portfolio Mapping and Tracking Form's CSV: one row
/// per KSB with the numbers and titles of the evidence covering it.
pub fn coverage_csv(view: &CoverageView) -> String {
    let mut out = String::from("ksb,statement,covered,evidence_numbers,evidence_titles\r\n");
    for row in &view.ksbs {
        let numbers: Vec<String> = row.evidence.iter().map(|e| e.number.to_string()).collect();
        let titles: Vec<&str> = row.evidence.iter().map(|e| e.title.as_str()).collect();
        let cells = [
            row.ksb.clone(),
            row.statement.clone(),
            if row.evidence.is_empty() { "no" } else { "yes" }.to_owned(),
            numbers.join("; "),
            titles.join("; "),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// RFC 4180 quoting, and a leading `'` on text a spreadsheet would run as a
/// formula (an evidence title is free text typed by someone else).
pub(crate) fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("K2"), "K2");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("-1,2"), "\"'-1,2\"");
    }
}
