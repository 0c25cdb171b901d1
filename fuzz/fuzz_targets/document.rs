//! Arbitrary bytes through the upload checks and the word counter, under
//! each declared name the uploads accept for documents with words: any
//! input must end in a count or a refusal, never a panic, a hang or
//! unbounded memory (the zip reader inspects before inflating).

#![no_main]

use epa_documents::{Limits, check_and_count};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = ["report.docx", "report.odt", "report.pdf", "report.txt", "notes.md"];

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    for name in NAMES {
        let _ = check_and_count(data, name, &limits);
    }
});
