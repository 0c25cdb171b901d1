//! Word counts of real documents.

use epa_documents::samples::{self, REPORT_ANNEX_WORDS, REPORT_WORDS};
use epa_documents::{
    FileKind, Limits, Verdict, WordLimit, check_and_count, count_words, inspect, summary,
};

fn count(bytes: &[u8], name: &str) -> epa_documents::WordCount {
    let (check, count) =
        check_and_count(bytes, name, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(check.kind, count.format);
    count
}

#[test]
fn docx_report_counts_main_text_and_annexes_apart() {
    let bytes = samples::report_docx();
    let count = count(&bytes, "report.docx");
    assert_eq!(count.format, FileKind::Docx);
    assert_eq!(
        (count.words, count.annex_words),
        (REPORT_WORDS, REPORT_ANNEX_WORDS)
    );
    assert_eq!(count.annex_heading.as_deref(), Some("Annex A: Survey"));
    assert!(!count.approximate);
}

#[test]
fn odt_report_counts_the_same_as_its_docx_twin() {
    let count = count(&samples::report_odt(), "report.odt");
    assert_eq!(count.format, FileKind::Odt);
    assert_eq!(
        (count.words, count.annex_words),
        (REPORT_WORDS, REPORT_ANNEX_WORDS)
    );
}

#[test]
fn a_word_split_across_runs_is_one_word() {
    let body = r#"<w:p><w:r><w:t>Cust</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>omer</w:t></w:r><w:r><w:t xml:space="preserve"> ser</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>vice</w:t></w:r></w:p>"#;
    let count = count(&samples::docx(body, &[]), "split.docx");
    assert_eq!(count.words, 2);
}

#[test]
fn see_annex_a_in_running_text_does_not_start_the_annexes() {
    let body = [
        samples::p(Some("Heading1"), "Method"),
        samples::p(None, "see Annex A"),
        samples::p(
            None,
            "The survey is in Annex A and the emails are in Appendix B.",
        ),
        samples::p(
            None,
            "Annex A shows the full survey results for every team.",
        ),
    ]
    .concat();
    let count = count(&samples::docx(&body, &[]), "r.docx");
    assert_eq!((count.words, count.annex_words), (1 + 3 + 13 + 10, 0));
}

#[test]
fn a_short_unstyled_paragraph_on_its_own_starts_the_annexes() {
    let body = [
        samples::p(None, "Main text of the report."),
        samples::p(None, "Appendices"),
        samples::p(None, "Evidence follows."),
    ]
    .concat();
    let count = count(&samples::docx(&body, &[]), "r.docx");
    assert_eq!((count.words, count.annex_words), (5, 3));
}

#[test]
fn an_outline_level_makes_a_heading_even_without_a_heading_style() {
    let body = format!(
        "{}{}{}",
        samples::p(None, "Main text."),
        r#"<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Annex A evidence of the customer journey mapping workshop held</w:t></w:r></w:p>"#,
        samples::p(None, "Annex body."),
    );
    let count = count(&samples::docx(&body, &[]), "r.docx");
    assert_eq!((count.words, count.annex_words), (2, 12));
}

#[test]
fn odt_headings_inside_lists_still_start_annexes() {
    let bytes = samples::odt(
        r#"<text:p>Main text here.</text:p><text:list><text:list-item><text:h text:outline-level="1">Appendices</text:h></text:list-item></text:list><text:p>Tail words</text:p>"#,
    );
    let count = count(&bytes, "r.odt");
    assert_eq!((count.words, count.annex_words), (3, 3));
}

#[test]
fn txt_and_md() {
    let md = "# Project report\n\nThe survey is described in Annex A.\n\n- Annex A: survey\n\n## Annex A: Survey\n\nRaw data rows\n";
    let c = count(md.as_bytes(), "report.md");
    assert_eq!(c.format, FileKind::Markdown);
    assert_eq!((c.words, c.annex_words), (2 + 7 + 3, 3 + 3));

    let txt = "Project report\n\nThe survey is described in\nAnnex A of this report.\n\nAppendix A\n\nRaw data rows\n";
    let c = count(txt.as_bytes(), "report.txt");
    assert_eq!(c.format, FileKind::Txt);
    assert_eq!((c.words, c.annex_words), (2 + 10, 2 + 3));
}

#[test]
fn utf16_text_with_a_byte_order_mark() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "two words".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(count(&bytes, "notes.txt").words, 2);
}

#[test]
fn an_empty_text_file_has_no_words() {
    assert_eq!(count(b"", "empty.txt").words, 0);
}

#[test]
fn pdf_is_counted_and_marked_approximate() {
    let bytes = samples::pdf(&[
        "Customer service project report",
        "Our team improved response times.",
        "Annex A: Survey",
        "Forty responses were collected.",
    ]);
    let count = count(&bytes, "report.pdf");
    assert!(count.approximate);
    assert_eq!(count.format, FileKind::Pdf);
    assert_eq!((count.words, count.annex_words), (9, 7), "{count:?}");
}

/// Issue 10: a 2,500-word report with a 250-word annex, printed to PDF,
/// counts 2,500 and 250 as its Word twin does, not 2,750. The heading is a
/// line of its own with a heading's space above it and a paragraph close
/// below, as word processors print it; title-shaped or not.
#[test]
fn a_pdf_report_counts_its_annex_apart_as_its_word_twin_does() {
    let word = count(&samples::sized_docx(2500, 250), "report.docx");
    assert_eq!((word.words, word.annex_words), (2500, 250));
    for heading in [
        "Annex A",
        "Annex A: Customer emails",
        "Appendix 1 Customer survey results",
        "Annex B Customer emails",
        "APPENDICES",
        "7. Annexes",
    ] {
        let pdf = samples::sized_pdf(2500, 250, heading);
        let count = count(&pdf, "report.pdf");
        assert_eq!(
            (count.words, count.annex_words),
            (2500, 250),
            "{heading}: {count:?}"
        );
        assert_eq!(count.annex_heading.as_deref(), Some(heading));
        assert!(count.approximate);
    }
    // With no annex, every word is the report's.
    let count = count(&samples::sized_pdf(2751, 0, ""), "report.pdf");
    assert_eq!((count.words, count.annex_words), (2751, 0));
}

/// "see Annex A" and a wrapped paragraph that happens to open a line with
/// "Annex A shows" are running text in a PDF, as in a Word file.
#[test]
fn running_text_naming_an_annex_never_starts_the_annexes_in_a_pdf() {
    let lines = [
        "Customer service project report",
        "",
        "Our team improved response times across every channel while keeping",
        "satisfaction scores above target, as the survey results showed us.",
        "Annex A shows the survey results in full, and the team used them to",
        "plan the next quarter of work with every customer in mind as before.",
        "",
        "We then trained every adviser, see Annex A for the detail of the plan",
        "Annex B and Annex C were shared with the managers of the contact",
        "centre, who agreed the changes and the dates when they would start.",
    ];
    let count = count(&samples::pdf(&lines), "report.pdf");
    assert_eq!(count.annex_words, 0, "{count:?}");
    assert_eq!(count.annex_heading, None);
}

/// A contents page lists the annexes before they begin: its entries (with
/// dot leaders, or a page number after a title that appears again later)
/// never start the annexes, in a PDF or a text file.
#[test]
fn contents_entries_never_start_the_annexes() {
    let lines = [
        "Contents",
        "Introduction 2",
        "Annex 1: Assessment Plan and Occupational Standard 22",
        "Annex 2: Additional Information ........ 23",
        "",
        "Introduction",
        "Our team improved response times across every channel while keeping",
        "satisfaction scores above target, as the survey results showed us.",
        "",
        "Annex 1: Assessment Plan and Occupational Standard",
        "The plan itself.",
    ];
    let pdf = count(&samples::pdf(&lines), "report.pdf");
    assert_eq!(
        pdf.annex_heading.as_deref(),
        Some("Annex 1: Assessment Plan and Occupational Standard")
    );
    assert_eq!((pdf.words, pdf.annex_words), (37, 10), "{pdf:?}");
    let text = lines.join("\n");
    let txt = count(text.as_bytes(), "report.txt");
    assert_eq!((txt.words, txt.annex_words), (37, 10), "{txt:?}");
}

#[test]
fn sized_reports_land_where_they_should_against_the_report_limit() {
    let limit = WordLimit::around(2500, 10);
    for (main, verdict) in [
        (2249, Verdict::Under),
        (2250, Verdict::Within),
        (2750, Verdict::Within),
        (2751, Verdict::Over),
    ] {
        let bytes = samples::sized_docx(main, 700);
        let count = count_words(inspect(&bytes, "r.docx").unwrap().kind, &bytes).unwrap();
        assert_eq!((count.words, count.annex_words), (main as u64, 700));
        assert_eq!(limit.verdict(count.words), verdict, "{main}");
    }
    let bytes = samples::sized_docx(2480, 700);
    let count = count_words(FileKind::Docx, &bytes).unwrap();
    assert_eq!(
        summary(&count, "the report", Some(&limit)),
        "2,480 words in the report and 700 in annexes: within 2,250-2,750"
    );
}
