//! Damaged, misnamed and hostile files are refused quickly, with a reason.

use std::time::{Duration, Instant};

use epa_documents::samples::{self, RawEntry};
use epa_documents::{DocumentError, FileKind, Limits, check_and_count, inspect, sniff};

fn refused(bytes: &[u8], name: &str) -> DocumentError {
    let started = Instant::now();
    let err = check_and_count(bytes, name, &Limits::default()).expect_err("should be refused");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{name} took {:?}",
        started.elapsed()
    );
    assert!(!err.to_string().contains('\n'), "one line: {err}");
    err
}

#[test]
fn a_truncated_docx_is_damaged() {
    let bytes = samples::report_docx();
    let err = refused(&bytes[..bytes.len() / 2], "r.docx");
    assert!(matches!(err, DocumentError::Damaged { .. }), "{err}");
}

#[test]
fn a_png_named_docx_says_what_it_really_is() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let err = refused(png, "report.docx");
    assert_eq!(
        err.to_string(),
        "the file is named .docx but its content is a PNG image"
    );
}

#[test]
fn text_named_docx_and_docx_named_pdf_are_refused() {
    let err = refused(b"Just some words in a text file.\n", "report.docx");
    assert!(err.to_string().contains("plain text"), "{err}");
    let err = refused(&samples::report_docx(), "report.pdf");
    assert!(err.to_string().contains("a Word document"), "{err}");
    let err = refused(&samples::report_docx(), "report.odt");
    assert!(err.to_string().contains("a Word document"), "{err}");
    let err = refused(&samples::zip(&[("hello.txt", "hi")]), "report.docx");
    assert!(err.to_string().contains("zip archive"), "{err}");
}

#[test]
fn binary_junk_named_txt_is_refused() {
    let err = refused(b"\0\x01\x02binary\0\xff", "notes.txt");
    assert!(matches!(err, DocumentError::NotWhatItSays { .. }), "{err}");
}

#[test]
fn unknown_extensions_and_empty_documents() {
    assert!(matches!(
        refused(b"x", "run.exe"),
        DocumentError::Unsupported(_)
    ));
    assert!(matches!(refused(b"", "r.docx"), DocumentError::Empty));
}

#[test]
fn a_zip_bomb_that_declares_its_size_is_refused_before_inflating() {
    let bomb = samples::zip_bomb(1 << 30, true);
    assert!(
        bomb.len() < 8 << 20,
        "the bomb itself is small: {}",
        bomb.len()
    );
    let err = refused(&bomb, "bomb.docx");
    assert!(matches!(err, DocumentError::Unsafe(_)), "{err}");
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn a_zip_bomb_that_lies_about_its_size_is_refused_while_inflating() {
    let bomb = samples::zip_bomb(1 << 30, false);
    let err = refused(&bomb, "bomb.docx");
    assert!(
        matches!(
            err,
            DocumentError::Unsafe(_) | DocumentError::Damaged { .. }
        ),
        "{err}"
    );
}

#[test]
fn a_lying_bomb_is_stopped_at_the_part_limit() {
    // With a part limit below the bomb's size, the take(limit + 1) guard
    // (not a checksum) is what stops it.
    let limits = Limits {
        max_part_bytes: 1 << 20,
        ..Limits::default()
    };
    let bomb = samples::zip_bomb(64 << 20, false);
    let err = check_and_count(&bomb, "bomb.docx", &limits).unwrap_err();
    assert!(
        matches!(
            err,
            DocumentError::Unsafe(_) | DocumentError::Damaged { .. }
        ),
        "{err}"
    );
}

#[test]
fn many_entries_are_refused() {
    let names: Vec<String> = (0..6000).map(|i| format!("f{i}")).collect();
    let entries: Vec<RawEntry<'_>> = names
        .iter()
        .map(|name| RawEntry {
            name,
            method: 0,
            data: b"",
            crc: 0,
            declared_size: 0,
        })
        .collect();
    let err = refused(&samples::raw_zip(&entries), "many.docx");
    assert!(err.to_string().contains("6000 entries"), "{err}");
}

#[test]
fn entries_declaring_too_much_in_total_are_refused() {
    let data = vec![0u8; 4 << 20];
    let names: Vec<String> = (0..6).map(|i| format!("word/media/image{i}.png")).collect();
    let entries: Vec<RawEntry<'_>> = names
        .iter()
        .map(|name| RawEntry {
            name,
            method: 0,
            data: &data[..],
            crc: 0,
            declared_size: 99 << 20,
        })
        .collect();
    let err = refused(&samples::raw_zip(&entries), "r.docx");
    assert!(matches!(err, DocumentError::Unsafe(_)), "{err}");
}

#[test]
fn path_traversal_names_are_refused() {
    for evil in ["../../etc/cron.d/x", "/etc/passwd", "word/../../x.xml"] {
        let bytes = samples::raw_zip(&[
            RawEntry {
                name: "word/document.xml",
                method: 0,
                data: b"<w:document/>",
                crc: 0,
                declared_size: 13,
            },
            RawEntry {
                name: evil,
                method: 0,
                data: b"x",
                crc: 0,
                declared_size: 1,
            },
        ]);
        let err = refused(&bytes, "r.docx");
        assert!(
            err.to_string().contains("outside the archive"),
            "{evil}: {err}"
        );
    }
}

#[test]
fn malformed_xml_inside_a_docx_is_damaged() {
    let bytes = samples::zip(&[
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", "<w:document><w:body><w:p></w:body>"),
    ]);
    let err = refused(&bytes, "r.docx");
    assert!(err.to_string().contains("word/document.xml"), "{err}");
}

#[test]
fn a_damaged_pdf_is_refused_without_a_panic_escaping() {
    let mut pdf = samples::pdf(&["Some words"]);
    pdf.truncate(60);
    let err = refused(&pdf, "r.pdf");
    assert!(
        matches!(
            err,
            DocumentError::Damaged { .. } | DocumentError::Unreadable(_)
        ),
        "{err}"
    );
}

#[test]
fn sniffing_tells_kinds_from_bytes() {
    assert_eq!(sniff(&samples::report_docx()), Some(FileKind::Docx));
    assert_eq!(sniff(&samples::report_odt()), Some(FileKind::Odt));
    assert_eq!(sniff(&samples::pdf(&["x"])), Some(FileKind::Pdf));
    assert_eq!(sniff(&samples::zip_bomb(1 << 30, true)), None);
    let check = inspect(&samples::report_docx(), "My Report.DOCX").unwrap();
    assert_eq!(check.kind, FileKind::Docx);
    assert!(check.container.unwrap().entries >= 5);
}
