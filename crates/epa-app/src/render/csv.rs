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
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        quoted(&format!("'{text}"))
    } else {
        quoted(text)
    }
}

/// RFC 4180 quoting alone: in quotes, with quotes doubled, when the text
/// holds a comma, a quote or a line end.
pub(crate) fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// An export's table as CSV: its header, then its rows, every cell through
/// [`cell`] (names and audit payloads are typed by people, so a cell
/// starting `=`, `+`, `-` or `@` is kept from running as a formula).
pub fn sheet(table: &crate::exports::Table) -> String {
    let mut out = table.header.join(",");
    out.push_str("\r\n");
    for row in &table.rows {
        let line: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
