//! What makes the PDFs accessible, read from the file itself: the title
//! in the metadata and shown in the window, the language, the structure
//! tree of a tagged PDF and the PDF/UA identification.

use lopdf::{Document, Object};

use crate::samples;

fn catalog_entry<'a>(doc: &'a Document, key: &[u8]) -> Option<&'a Object> {
    let entry = doc.catalog().ok()?.get(key).ok()?;
    Some(match entry {
        Object::Reference(id) => doc.get_object(*id).ok()?,
        other => other,
    })
}

fn text_of(object: &Object) -> String {
    match object {
        Object::String(bytes, _) => lopdf::decode_text_string(object)
            .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned()),
        other => format!("{other:?}"),
    }
}

fn title(doc: &Document) -> String {
    let info = match doc.trailer.get(b"Info").unwrap() {
        Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
        Object::Dictionary(d) => d,
        other => panic!("Info is {other:?}"),
    };
    text_of(info.get(b"Title").unwrap())
}

fn check(pdf: &[u8], expected_title: &str) {
    let doc = Document::load_mem(pdf).unwrap();
    assert_eq!(title(&doc), expected_title);
    let lang = catalog_entry(&doc, b"Lang").expect("no /Lang in the catalog");
    assert_eq!(text_of(lang), "en-GB");
    assert!(
        catalog_entry(&doc, b"StructTreeRoot").is_some(),
        "not a tagged PDF"
    );
    let marked = catalog_entry(&doc, b"MarkInfo")
        .and_then(|m| m.as_dict().ok())
        .and_then(|m| m.get(b"Marked").ok())
        .and_then(|m| m.as_bool().ok());
    assert_eq!(marked, Some(true), "MarkInfo does not say Marked");
    let shows_title = catalog_entry(&doc, b"ViewerPreferences")
        .and_then(|v| v.as_dict().ok())
        .and_then(|v| v.get(b"DisplayDocTitle").ok())
        .and_then(|v| v.as_bool().ok());
    assert_eq!(
        shows_title,
        Some(true),
        "the window does not show the title"
    );
    // The XMP metadata names PDF/UA part 1.
    assert!(
        pdf.windows(b"pdfuaid:part".len())
            .any(|w| w == b"pdfuaid:part"),
        "no PDF/UA identification"
    );
}

#[test]
fn the_result_letter_has_a_title_a_language_and_tags() {
    let pdf = epa_reports::results_pdf(&samples::results("Amara Okafor")).unwrap();
    check(&pdf, "End-point assessment result: Amara Okafor");
}

#[test]
fn the_gateway_summary_has_a_title_a_language_and_tags() {
    let pdf = epa_reports::gateway_pdf(&samples::gateway("Amara Okafor")).unwrap();
    check(&pdf, "Gateway summary: Amara Okafor");
}
