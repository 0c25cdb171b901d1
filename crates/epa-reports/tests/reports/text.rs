//! What a reader reads in each document.

use crate::{extract, samples};

#[test]
fn the_result_letter_and_records_read_as_text() {
    let pdf = epa_reports::results_pdf(&samples::results("Amara Okafor")).unwrap();
    insta::assert_snapshot!(extract(&pdf));
}

#[test]
fn the_gateway_summary_reads_as_text() {
    let pdf = epa_reports::gateway_pdf(&samples::gateway("Amara Okafor")).unwrap();
    insta::assert_snapshot!(extract(&pdf));
}

/// Typst markup, a label and HTML in a name are printed as the characters
/// they are: the data is never read as markup.
#[test]
fn markup_in_a_name_prints_as_text() {
    let name = "#set page(width: 1pt) *x* _y_ <b>z</b> $a$ @ref \\ [c]";
    for pdf in [
        epa_reports::results_pdf(&samples::results(name)).unwrap(),
        epa_reports::gateway_pdf(&samples::gateway(name)).unwrap(),
    ] {
        let text = extract(&pdf);
        let squashed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squashed.contains(name),
            "the name is not there as written:\n{text}"
        );
    }
}

#[test]
fn an_empty_record_and_no_coverage_still_render() {
    let mut results = samples::results("Amara Okafor");
    results.records.clear();
    results.overall_explanation.clear();
    results.next_steps.clear();
    let text = extract(&epa_reports::results_pdf(&results).unwrap());
    assert!(text.contains("Overall grade: Distinction"), "{text}");

    let mut gateway = samples::gateway("Amara Okafor");
    gateway.coverage = None;
    gateway.attempts.clear();
    let text = extract(&epa_reports::gateway_pdf(&gateway).unwrap());
    assert!(!text.contains("KSB coverage"), "{text}");
}
