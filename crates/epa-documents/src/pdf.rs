//! PDF text, best effort.
//!
//! pdf-extract is the only pure-Rust extractor that handles real-world
//! fonts, and it panics or loops on some malformed files. So it runs on a
//! thread of its own, inside `catch_unwind`, and we stop waiting after
//! [`Limits::pdf_timeout`]. A thread cannot be killed: on a
//! timeout it is left to finish and its result is dropped (ADR 0033).

use std::sync::mpsc;

use crate::blocks::Extracted;
use crate::container::Limits;
use crate::error::DocumentError;
use crate::text::{self, Mode};

/// The name of the extraction thread, so a panic hook can stay quiet about
/// panics we expect and catch.
pub const PDF_THREAD_NAME: &str = "epa-pdf-extract";

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, DocumentError> {
    let text = extract_text(bytes, limits)?;
    if !text.chars().any(char::is_alphanumeric) {
        return Err(DocumentError::Unreadable(
            "no text could be read from this PDF (is it a scanned image?)".to_owned(),
        ));
    }
    Ok(text::extract(&text, Mode::Pdf))
}

fn extract_text(bytes: &[u8], limits: &Limits) -> Result<String, DocumentError> {
    let owned = bytes.to_vec();
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name(PDF_THREAD_NAME.to_owned())
        .spawn(move || {
            let result = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&owned));
            // The receiver may have given up waiting; nothing to do then.
            let _ = sender.send(result);
        })
        .map_err(|e| DocumentError::Unreadable(format!("could not start reading the PDF: {e}")))?;
    match receiver.recv_timeout(limits.pdf_timeout) {
        Ok(Ok(Ok(text))) => Ok(text),
        Ok(Ok(Err(err))) => Err(DocumentError::damaged("PDF", first_line(&err.to_string()))),
        Ok(Err(_panic)) => Err(DocumentError::damaged(
            "PDF",
            "its structure could not be read",
        )),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(DocumentError::Timeout {
            seconds: limits.pdf_timeout.as_secs().max(1),
        }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(DocumentError::damaged(
            "PDF",
            "its structure could not be read",
        )),
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        "its structure could not be read".to_owned()
    } else {
        line.to_owned()
    }
}
