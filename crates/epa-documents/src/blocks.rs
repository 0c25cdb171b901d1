//! The text blocks extractors produce: a document in reading order, each
//! block marked with whether it may start the annexes. The extractors
//! (docx, odt, text, pdf) write them; the `count` module reads them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// Styled as a heading (docx heading style or outline level, odt
    /// `text:h`, Markdown `#`), or a line shaped like an annex title.
    Heading,
    /// An ordinary paragraph in the body's flow.
    Paragraph,
    /// Text that counts but can never start the annexes.
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) text: String,
    pub(crate) kind: BlockKind,
}

impl Block {
    pub(crate) fn new(text: impl Into<String>, kind: BlockKind) -> Self {
        Self {
            text: text.into(),
            kind,
        }
    }
}

/// A document's text as the extractors give it: blocks in reading order,
/// plus text that always counts as main text (notes never referenced).
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub(crate) blocks: Vec<Block>,
    pub(crate) loose: Vec<String>,
}
