//! Documents for OpenEPA: what a file really is, whether it is safe to
//! open, and how many words it holds (main text and annexes apart).
//!
//! Bytes in, results out: no IO, no async. Callers (the `epa wordcount`
//! command, the upload routes) read the file with their own size limit and
//! hand over the bytes with the name the user gave it.
//!
//! ```
//! use epa_documents::{count_words, inspect, summary, WordLimit};
//! let bytes = b"# Report\n\nOur customer survey worked well.\n\n# Annex A\n\nRaw data.\n";
//! let check = inspect(bytes, "report.md").unwrap();
//! let count = count_words(check.kind, bytes).unwrap();
//! assert_eq!((count.words, count.annex_words), (6, 4));
//! let limit = WordLimit::around(2500, 10);
//! assert_eq!(
//!     summary(&count, "the report", Some(&limit)),
//!     "6 words in the report and 4 in annexes: under 2,250-2,750 by 2,244"
//! );
//! ```
//!
//! Modules import one another in one direction only (no module imports the
//! crate root, and none imports a module that imports it back):
//! `kind`, `error` and `blocks` import nothing of the crate; `container`
//! knows kinds and errors; `count` reads blocks; the extractors (`docx`,
//! `odt`, `text`, `pdf`) write blocks; `sniff` uses the container and the
//! text test; `inspect` runs them all; `archive` unpacks a zip of files
//! through the container's checks.

mod archive;
mod blocks;
mod container;
mod count;
mod docx;
mod error;
mod inspect;
mod kind;
pub mod ksb;
mod limit;
mod odt;
mod pdf;
pub mod samples;
mod sniff;
mod text;
mod xml;

pub use archive::{ArchiveEntry, unpack};
pub use container::{Limits, ZipSummary};
pub use count::{SHORT_PARAGRAPH_WORDS, WordCount, count_text_words};
pub use error::DocumentError;
pub use inspect::{
    DocumentCheck, check_and_count, count_words, count_words_with, inspect, inspect_with,
};
pub use kind::{FileKind, extension};
pub use limit::{Verdict, WordLimit, summary, thousands};
pub use pdf::PDF_THREAD_NAME;
pub use sniff::sniff;
