//! Inspection and counting: the checks every upload and the command line
//! run, in order. Sniff the bytes, compare them with the name, open a zip
//! container safely, then hand the document to its extractor and count.

use serde::Serialize;

use crate::container::{Container, Limits, ZipSummary};
use crate::count::{self, WordCount};
use crate::error::DocumentError;
use crate::kind::{FileKind, extension};
use crate::sniff::{ZIP_MAGIC, sniff};
use crate::{docx, odt, pdf, text};

/// What [`inspect`] found: the real kind of a file whose bytes match its
/// name, and for zip containers what their directory declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentCheck {
    pub kind: FileKind,
    pub size: u64,
    pub container: Option<ZipSummary>,
}

/// Checks that `bytes` are what `declared_name`'s extension says, and that
/// a zip container is safe to open, with the default [`Limits`].
pub fn inspect(bytes: &[u8], declared_name: &str) -> Result<DocumentCheck, DocumentError> {
    inspect_with(bytes, declared_name, &Limits::default())
}

/// [`inspect`] with explicit limits (an upload route may allow less).
pub fn inspect_with(
    bytes: &[u8],
    declared_name: &str,
    limits: &Limits,
) -> Result<DocumentCheck, DocumentError> {
    let Some(declared) = FileKind::from_name(declared_name) else {
        return Err(DocumentError::Unsupported(match extension(declared_name) {
            Some(ext) => format!("files ending .{ext} are not accepted"),
            None => "the file name has no extension, so its type is unknown".to_owned(),
        }));
    };
    let size = bytes.len() as u64;
    if size > limits.max_input_bytes {
        return Err(DocumentError::TooLarge {
            size,
            limit: limits.max_input_bytes,
        });
    }
    let ext = extension(declared_name).unwrap_or_default();
    if bytes.is_empty() {
        // An empty text file is a valid (if wordless) text file.
        if matches!(declared, FileKind::Txt | FileKind::Markdown) {
            return Ok(DocumentCheck {
                kind: declared,
                size,
                container: None,
            });
        }
        return Err(DocumentError::Empty);
    }
    let (found, container) = if bytes.starts_with(ZIP_MAGIC) {
        let container = Container::open(bytes, limits)?;
        let summary = container.summary.clone();
        match container.kind() {
            Some(kind) => (Some(kind), Some(summary)),
            None => {
                return Err(mismatch(
                    &ext,
                    "it is a zip archive that holds no Word or OpenDocument text",
                ));
            }
        }
    } else {
        (sniff(bytes), None)
    };
    let matches = match (declared, found) {
        (FileKind::Markdown, Some(FileKind::Txt)) => true,
        (d, Some(f)) => d == f,
        (_, None) => false,
    };
    if !matches {
        let what = match found {
            Some(f) => format!("its content is {}", f.described()),
            None if declared.has_words() && matches!(declared, FileKind::Docx | FileKind::Odt) => {
                "its content is not a zip container (damaged or another kind of file)".to_owned()
            }
            None => "its content is not a kind of file we recognise".to_owned(),
        };
        return Err(mismatch(&ext, &what));
    }
    Ok(DocumentCheck {
        kind: declared,
        size,
        container,
    })
}

fn mismatch(declared: &str, found: &str) -> DocumentError {
    DocumentError::NotWhatItSays {
        declared: declared.to_owned(),
        found: found.to_owned(),
    }
}

/// Counts the words of a document of a known kind (see [`inspect`]).
pub fn count_words(kind: FileKind, bytes: &[u8]) -> Result<WordCount, DocumentError> {
    count_words_with(kind, bytes, &Limits::default())
}

/// [`count_words`] with explicit limits.
pub fn count_words_with(
    kind: FileKind,
    bytes: &[u8],
    limits: &Limits,
) -> Result<WordCount, DocumentError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(DocumentError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_input_bytes,
        });
    }
    let (extracted, approximate) = match kind {
        FileKind::Docx => (docx::extract(&mut Container::open(bytes, limits)?)?, false),
        FileKind::Odt => (odt::extract(&mut Container::open(bytes, limits)?)?, false),
        FileKind::Pdf => (pdf::extract(bytes, limits)?, true),
        FileKind::Txt => (
            text::extract(&text::decode(bytes)?, text::Mode::Plain),
            false,
        ),
        FileKind::Markdown => (
            text::extract(&text::decode(bytes)?, text::Mode::Markdown),
            false,
        ),
        other => {
            return Err(DocumentError::Unsupported(format!(
                "words cannot be counted in {}",
                other.described()
            )));
        }
    };
    Ok(count::tally(kind, &extracted, approximate))
}

/// [`inspect`] then [`count_words`]: what the upload route and the command
/// line both want.
pub fn check_and_count(
    bytes: &[u8],
    declared_name: &str,
    limits: &Limits,
) -> Result<(DocumentCheck, WordCount), DocumentError> {
    let check = inspect_with(bytes, declared_name, limits)?;
    let count = count_words_with(check.kind, bytes, limits)?;
    Ok((check, count))
}
