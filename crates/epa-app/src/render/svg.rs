//! The gateway's coverage matrix as an SVG picture, from its typed view.

use crate::gateway::CoverageView;

const MARGIN: usize = 16;
const LABEL_WIDTH: usize = 96;
const CELL: usize = 32;
const HEADER: usize = 40;
const LINE: usize = 20;
/// A key line longer than this is cut (the full title is in the column
/// heading's tooltip and the description).
const KEY_CHARS: usize = 100;

fn shorten(text: &str) -> String {
    if text.chars().count() <= KEY_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(KEY_CHARS - 1).collect();
    cut.push('\u{2026}');
    cut
}

/// The coverage matrix (the method's KSBs down, evidence items across) as an
/// SVG picture: a title and description for screen readers, text labels
/// (never colour alone: a covered cell holds a tick, an uncovered KSB says
/// so), a key of the evidence titles, no script. Every text is escaped.
pub fn gateway_coverage(view: &CoverageView) -> String {
    let mut items: Vec<(i32, &str)> = view
        .ksbs
        .iter()
        .flat_map(|row| row.evidence.iter().map(|e| (e.number, e.title.as_str())))
        .collect();
    items.sort_by_key(|(n, _)| *n);
    items.dedup_by_key(|(n, _)| *n);

    let columns = items.len();
    let rows = view.ksbs.len();
    let uncovered_width = 120;
    let grid_width = LABEL_WIDTH + columns * CELL + uncovered_width;
    let key_top = MARGIN + HEADER + rows * CELL + LINE + 8;
    let key_lines = items.len() + 1;
    let longest_key = items
        .iter()
        .map(|(n, t)| format!("{n}. {t}").chars().count())
        .max()
        .unwrap_or(0);
    let width = (MARGIN * 2 + grid_width).max(MARGIN * 2 + longest_key.min(KEY_CHARS) * 8);
    let height = key_top + key_lines * LINE + MARGIN;

    let title = format!(
        "Portfolio coverage, gateway attempt {}: the KSBs of the {}",
        view.attempt, view.method
    );
    let mut desc = format!(
        "{} KSBs of the {} down the side, {} evidence items across. ",
        rows, view.method, columns
    );
    for row in &view.ksbs {
        if row.evidence.is_empty() {
            desc.push_str(&format!("{}: not covered. ", row.ksb));
        } else {
            let numbers: Vec<String> = row.evidence.iter().map(|e| e.number.to_string()).collect();
            desc.push_str(&format!(
                "{}: covered by item{} {}. ",
                row.ksb,
                if numbers.len() == 1 { "" } else { "s" },
                numbers.join(", ")
            ));
        }
    }
    if view.uncovered.is_empty() {
        desc.push_str("Every KSB is covered.");
    } else {
        desc.push_str(&format!("Not covered: {}.", view.uncovered.join(", ")));
    }
    if !items.is_empty() {
        let key: Vec<String> = items.iter().map(|(n, t)| format!("{n}. {t}")).collect();
        desc.push_str(&format!(" Evidence items: {}.", key.join("; ")));
    }

    let mut svg = String::with_capacity(4096 + rows * columns * 120);
    svg.push_str(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="coverage-title coverage-desc" font-family="Arial, Helvetica, sans-serif" font-size="14">"#
    ));
    svg.push_str(&format!(
        r#"<title id="coverage-title">{}</title><desc id="coverage-desc">{}</desc>"#,
        escape(&title),
        escape(desc.trim())
    ));
    svg.push_str(&format!(
        r##"<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>"##
    ));
    // Column headings: the evidence numbers, each with its title to hover.
    let grid_left = MARGIN + LABEL_WIDTH;
    let grid_top = MARGIN + HEADER;
    svg.push_str(&format!(
        r##"<text x="{MARGIN}" y="{}" font-weight="bold" fill="#0b0c0c">KSB</text>"##,
        grid_top - 12
    ));
    for (i, (number, item_title)) in items.iter().enumerate() {
        let x = grid_left + i * CELL + CELL / 2;
        svg.push_str(&format!(
            r##"<text x="{x}" y="{}" text-anchor="middle" font-weight="bold" fill="#0b0c0c"><title>{}</title>{number}</text>"##,
            grid_top - 12,
            escape(&format!("Evidence {number}: {item_title}"))
        ));
    }
    for (r, row) in view.ksbs.iter().enumerate() {
        let y = grid_top + r * CELL;
        svg.push_str(&format!(
            r##"<text x="{MARGIN}" y="{}" font-weight="bold" fill="#0b0c0c"><title>{}</title>{}</text>"##,
            y + CELL / 2 + 5,
            escape(&format!("{}: {}", row.ksb, row.statement)),
            escape(&row.ksb)
        ));
        for (c, (number, _)) in items.iter().enumerate() {
            let x = grid_left + c * CELL;
            let covered = row.evidence.iter().any(|e| e.number == *number);
            if covered {
                svg.push_str(&format!(
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#1d70b8" stroke="#0b0c0c"/><text x="{}" y="{}" text-anchor="middle" fill="#ffffff" font-weight="bold"><title>{}</title>&#x2713;</text>"##,
                    x + 1,
                    y + 1,
                    CELL - 2,
                    CELL - 2,
                    x + CELL / 2,
                    y + CELL / 2 + 5,
                    escape(&format!("{} is covered by evidence {number}", row.ksb))
                ));
            } else {
                svg.push_str(&format!(
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" stroke="#b1b4b6"/>"##,
                    x + 1,
                    y + 1,
                    CELL - 2,
                    CELL - 2
                ));
            }
        }
        if row.evidence.is_empty() {
            svg.push_str(&format!(
                r##"<text x="{}" y="{}" fill="#d4351c" font-weight="bold">not covered</text>"##,
                grid_left + columns * CELL + 8,
                y + CELL / 2 + 5
            ));
        }
    }
    svg.push_str(&format!(
        r##"<text x="{MARGIN}" y="{key_top}" font-weight="bold" fill="#0b0c0c">Evidence items</text>"##
    ));
    for (i, (number, item_title)) in items.iter().enumerate() {
        svg.push_str(&format!(
            r##"<text x="{MARGIN}" y="{}" fill="#0b0c0c">{}</text>"##,
            key_top + (i + 1) * LINE,
            escape(&shorten(&format!("{number}. {item_title}")))
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text for XML: the five special characters escaped, and characters XML
/// 1.0 cannot carry at all dropped (a title is free text from someone else).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{CoverageRowView, CoveringItem};
    use uuid::Uuid;

    fn view() -> CoverageView {
        CoverageView {
            epa_id: Uuid::nil(),
            attempt: 1,
            method: "professional discussion".to_owned(),
            ksbs: vec![
                CoverageRowView {
                    ksb: "K2".to_owned(),
                    statement: "Understand <impact> & value".to_owned(),
                    evidence: vec![CoveringItem {
                        number: 1,
                        title: "<script>alert('x')</script>".to_owned(),
                    }],
                },
                CoverageRowView {
                    ksb: "K5".to_owned(),
                    statement: "Know \"things\"".to_owned(),
                    evidence: Vec::new(),
                },
            ],
            uncovered: vec!["K5".to_owned()],
        }
    }

    #[test]
    fn every_text_is_escaped_and_no_script_is_left() {
        let svg = gateway_coverage(&view());
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(svg.contains("Understand &lt;impact&gt; &amp; value"));
        assert!(svg.contains("not covered"));
        assert!(svg.contains("<title id=\"coverage-title\">"));
    }

    #[test]
    fn the_coverage_picture_is_stable() {
        insta::assert_snapshot!(gateway_coverage(&view()));
    }

    #[test]
    fn escape_drops_what_xml_cannot_carry() {
        assert_eq!(escape("a\u{0}b\tc<"), "ab c&lt;");
    }
}
