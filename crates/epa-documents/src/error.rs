//! What can go wrong with a document, in words a person can act on.
//!
//! Every variant's message is one line that does not name the file: callers
//! (the command line, the upload page) prefix the name they know it by.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    /// The file is empty.
    #[error("the file is empty")]
    Empty,

    /// The file is larger than the limit for its route or command.
    #[error("the file is {size} bytes, more than the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },

    /// The declared name has an extension we do not accept.
    #[error("{0}")]
    Unsupported(String),

    /// The bytes are not what the extension says.
    #[error("the file is named .{declared} but {found}")]
    NotWhatItSays { declared: String, found: String },

    /// The container or document is damaged or malformed.
    #[error("damaged {kind}: {detail}")]
    Damaged { kind: &'static str, detail: String },

    /// The archive would inflate past a safe limit, or holds unsafe names.
    #[error("refused as unsafe: {0}")]
    Unsafe(String),

    /// Reading the text took longer than allowed.
    #[error("gave up reading the text after {seconds} s")]
    Timeout { seconds: u64 },

    /// Text extraction failed (PDF): the file may be valid but unreadable to us.
    #[error("{0}")]
    Unreadable(String),
}

impl DocumentError {
    pub(crate) fn damaged(kind: &'static str, detail: impl Into<String>) -> Self {
        Self::Damaged {
            kind,
            detail: detail.into(),
        }
    }
}
