//! CSV downloads, from their typed views: RFC 4180 with CRLF line ends,
//! every cell through [`cell`].

use crate::gateway::CoverageView;
use crate::locator::LocatorCoverageView;

/// The coverage as the Portfolio Mapping and Tracking Form's CSV: one row
/// per KSB with the numbers and titles of the evidence covering it.
pub fn gateway_coverage(view: &CoverageView) -> String {
    table(
        &[
            "ksb",
            "statement",
            "covered",
            "evidence_numbers",
            "evidence_titles",
        ],
        view.ksbs.iter().map(|row| {
            let numbers: Vec<String> = row.evidence.iter().map(|e| e.number.to_string()).collect();
            let titles: Vec<&str> = row.evidence.iter().map(|e| e.title.as_str()).collect();
            [
                row.ksb.clone(),
                row.statement.clone(),
                yes_no(!row.evidence.is_empty()),
                numbers.join("; "),
                titles.join("; "),
            ]
        }),
    )
}

/// The evidence locator's coverage as CSV: one row per project KSB with the
/// annexes covering it.
pub fn locator_coverage(view: &LocatorCoverageView) -> String {
    table(
        &["ksb", "statement", "covered", "annexes", "titles"],
        view.ksbs.iter().map(|row| {
            let annexes: Vec<&str> = row.entries.iter().map(|e| e.annex.as_str()).collect();
            let titles: Vec<&str> = row.entries.iter().map(|e| e.title.as_str()).collect();
            [
                row.ksb.clone(),
                row.statement.clone(),
                yes_no(!row.entries.is_empty()),
                annexes.join("; "),
                titles.join("; "),
            ]
        }),
    )
}

fn yes_no(covered: bool) -> String {
    if covered { "yes" } else { "no" }.to_owned()
}

/// A header line and one line per row, each ended by CRLF.
fn table<const N: usize>(header: &[&str; N], rows: impl Iterator<Item = [String; N]>) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        let line: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// RFC 4180 quoting, and a leading `'` on text a spreadsheet would run as a
/// formula (an evidence title is free text typed by someone else).
pub(crate) fn cell(text: &str) -> String {
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
    use super::*;
    use crate::gateway::{CoverageRowView, CoveringItem};
    use crate::locator::{CoveringAnnex, LocatorCoverageRow};
    use uuid::Uuid;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("K2"), "K2");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("-1,2"), "\"'-1,2\"");
    }

    #[test]
    fn the_gateway_coverage_csv_is_stable() {
        let view = CoverageView {
            epa_id: Uuid::nil(),
            attempt: 1,
            method: "professional discussion".to_owned(),
            ksbs: vec![
                CoverageRowView {
                    ksb: "K2".to_owned(),
                    statement: "Understand \"impact\", and value".to_owned(),
                    evidence: vec![
                        CoveringItem {
                            number: 1,
                            title: "Witness statement".to_owned(),
                        },
                        CoveringItem {
                            number: 3,
                            title: "=HYPERLINK(\"x\")".to_owned(),
                        },
                    ],
                },
                CoverageRowView {
                    ksb: "K5".to_owned(),
                    statement: "Know the\nsystems".to_owned(),
                    evidence: Vec::new(),
                },
            ],
            uncovered: vec!["K5".to_owned()],
        };
        insta::assert_snapshot!(gateway_coverage(&view).replace("\r\n", "\\r\\n\n"));
    }

    #[test]
    fn the_locator_coverage_csv_is_stable() {
        let view = LocatorCoverageView {
            epa_id: Uuid::nil(),
            version: 2,
            method: "work-based project".to_owned(),
            ksbs: vec![
                LocatorCoverageRow {
                    ksb: "S4".to_owned(),
                    statement: "Use systems, tools and technology".to_owned(),
                    entries: vec![CoveringAnnex {
                        number: 1,
                        annex: "A".to_owned(),
                        title: "@Customer survey".to_owned(),
                    }],
                },
                LocatorCoverageRow {
                    ksb: "B2".to_owned(),
                    statement: "Take ownership".to_owned(),
                    entries: Vec::new(),
                },
            ],
            uncovered: vec!["B2".to_owned()],
        };
        insta::assert_snapshot!(locator_coverage(&view).replace("\r\n", "\\r\\n\n"));
    }
}
