//! The documents as a reader gets them: the text a PDF reader extracts,
//! snapshot-tested, and what makes them accessible (title, language, tags).

mod accessible;
mod samples;
mod text;

use std::panic;

/// The text of a PDF as a reader's extraction gives it. pdf-extract can
/// panic on what it does not understand: a panic fails the test with a
/// message rather than unwinding through it.
pub fn extract(pdf: &[u8]) -> String {
    let read = panic::catch_unwind(|| pdf_extract::extract_text_from_mem(pdf));
    match read {
        Ok(Ok(text)) => tidy(&text),
        Ok(Err(err)) => panic!("the PDF's text could not be read: {err}"),
        Err(_) => panic!("pdf-extract panicked on the PDF"),
    }
}

/// Trailing spaces and runs of blank lines vary with the layout, not the
/// content: drop them so snapshots show the words.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
