//! Random and mutated bytes never panic and never take long. (A cargo-fuzz
//! target needs a nightly toolchain; these properties run on stable.)

use epa_documents::samples;
use epa_documents::{FileKind, Limits, check_and_count, count_words, sniff};
use proptest::prelude::*;

fn quick() -> Limits {
    Limits {
        max_part_bytes: 4 << 20,
        ..Limits::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        for name in ["r.docx", "r.odt", "r.txt", "r.md"] {
            let _ = check_and_count(&bytes, name, &quick());
        }
        let _ = sniff(&bytes);
        let _ = count_words(FileKind::Docx, &bytes);
    }

    #[test]
    fn zip_magic_then_random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&tail);
        let _ = check_and_count(&bytes, "r.docx", &quick());
    }

    #[test]
    fn mutated_docx_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = samples::report_docx();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
        bytes.truncate(keep);
        let _ = check_and_count(&bytes, "r.docx", &quick());
    }

    #[test]
    fn mutated_odt_never_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)) {
        let mut bytes = samples::report_odt();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = check_and_count(&bytes, "r.odt", &quick());
    }

    #[test]
    fn arbitrary_xml_bodies_never_panic(body in "[<>/a-z:=\" &;#0-9A-Z]{0,400}") {
        let _ = count_words(FileKind::Docx, &samples::docx(&body, &[]));
        let _ = count_words(FileKind::Odt, &samples::odt(&body));
    }

    #[test]
    fn text_counts_match_the_definition(text in "[a-z0-9 .,!\\-\n\t]{0,300}") {
        let count = count_words(FileKind::Txt, text.as_bytes()).unwrap();
        let expected = text
            .split_whitespace()
            .filter(|t| t.chars().any(|c| c.is_alphanumeric()))
            .count() as u64;
        prop_assert_eq!(count.words + count.annex_words, expected);
    }
}
