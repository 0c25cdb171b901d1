//! Words, and where the annexes begin.
//!
//! Extractors turn a document into [`Block`]s in reading order; this module
//! decides which block starts the annexes and counts the words either side.
//! The rules (ADR 0031):
//! - a word is a whitespace-separated token with at least one letter or digit;
//! - annexes start at the first block that is a heading, or a short
//!   paragraph on its own (at most [`SHORT_PARAGRAPH_WORDS`] words, not
//!   ending like a sentence), whose text begins with Annex, Annexe, Annexes,
//!   Appendix, Appendices or Appendixes (a leading section number such as
//!   "7." or "7.1" is skipped);
//! - list items, table cells, footnotes, tables of contents and text boxes
//!   never start the annexes: "Annex A" in a KSB mapping table or a contents
//!   list is a reference, not a heading.

use serde::Serialize;

use crate::blocks::{Block, BlockKind, Extracted};
use crate::kind::FileKind;

/// A paragraph this short (in words) can be a heading on its own.
pub const SHORT_PARAGRAPH_WORDS: u64 = 8;

/// The result of counting a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordCount {
    /// Words of the main text (headings, paragraphs, lists, tables,
    /// footnotes and endnotes), before the annexes.
    pub words: u64,
    /// Words from the first annex heading to the end.
    pub annex_words: u64,
    pub format: FileKind,
    /// True when the figures are best effort (PDF).
    pub approximate: bool,
    /// The heading that started the annexes, to show a person why.
    pub annex_heading: Option<String>,
}

/// Counts words as the contract defines them.
pub fn count_text_words(text: &str) -> u64 {
    text.split_whitespace()
        .filter(|token| token.chars().any(char::is_alphanumeric))
        .count() as u64
}

pub(crate) fn tally(format: FileKind, extracted: &Extracted, approximate: bool) -> WordCount {
    let start = extracted.blocks.iter().position(starts_annexes);
    let (main, annex) = extracted
        .blocks
        .split_at(start.unwrap_or(extracted.blocks.len()));
    let sum = |blocks: &[Block]| {
        blocks
            .iter()
            .map(|b| count_text_words(&b.text))
            .sum::<u64>()
    };
    let loose: u64 = extracted.loose.iter().map(|t| count_text_words(t)).sum();
    WordCount {
        words: sum(main) + loose,
        annex_words: sum(annex),
        format,
        approximate,
        annex_heading: start.map(|i| collapse(&extracted.blocks[i].text)),
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn starts_annexes(block: &Block) -> bool {
    match block.kind {
        BlockKind::Heading => begins_with_annex_word(&block.text),
        BlockKind::Paragraph => is_short_annex_line(&block.text),
        BlockKind::Other => false,
    }
}

const ANNEX_WORDS: [&str; 6] = [
    "annex",
    "annexe",
    "annexes",
    "appendix",
    "appendices",
    "appendixes",
];

/// The text after a leading annex word, or `None` when it does not begin
/// with one. "Annexed", "Appendixing" and "see Annex A" do not.
pub(crate) fn after_annex_word(text: &str) -> Option<&str> {
    let text = skip_section_number(text.trim_start());
    let word_len = text
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(text.len(), |(i, _)| i);
    let word = text[..word_len].to_lowercase();
    ANNEX_WORDS
        .contains(&word.as_str())
        .then(|| &text[word_len..])
}

pub(crate) fn begins_with_annex_word(text: &str) -> bool {
    after_annex_word(text).is_some()
}

/// Whether a paragraph standing on its own reads as an annex heading: it
/// begins with an annex word, is short (at most [`SHORT_PARAGRAPH_WORDS`])
/// and does not end like a sentence. Word and OpenDocument paragraphs and
/// PDF lines of their own are judged by this one rule.
pub(crate) fn is_short_annex_line(text: &str) -> bool {
    let trimmed = text.trim_end();
    count_text_words(trimmed) <= SHORT_PARAGRAPH_WORDS
        && !trimmed.ends_with(['.', '!', '?'])
        && begins_with_annex_word(trimmed)
}

/// "7 ", "7. ", "7.1 ", "7) " before a heading's title.
fn skip_section_number(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ')'))
        .map_or(text.len(), |(i, _)| i);
    let starts_with_digit = text.starts_with(|c: char| c.is_ascii_digit());
    if starts_with_digit && text[end..].starts_with(char::is_whitespace) {
        text[end..].trim_start()
    } else {
        text
    }
}

/// Whether a line reads as an annex title rather than a sentence:
/// "Annex A", "Appendix 2: Survey", "Annexes", "Annex B - Emails", but not
/// "Annex A shows the survey results".
pub(crate) fn is_annex_title(text: &str) -> bool {
    const SEPARATORS: [char; 6] = [':', '-', '\u{2013}', '\u{2014}', '.', '|'];
    let Some(rest) = after_annex_word(text) else {
        return false;
    };
    let rest = rest.trim_start();
    if rest.is_empty() || rest.starts_with(SEPARATORS) {
        return true;
    }
    let (label, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let bare = label.trim_end_matches([':', '.', ')']);
    let is_label =
        !bare.is_empty() && bare.chars().count() <= 4 && bare.chars().all(char::is_alphanumeric);
    if !is_label {
        return false;
    }
    let after = after.trim_start();
    bare.len() != label.len() || after.is_empty() || after.starts_with(SEPARATORS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_need_a_letter_or_digit() {
        assert_eq!(count_text_words("Hello, world - 42 & £ ... x"), 4);
        assert_eq!(count_text_words("  \t\n "), 0);
        assert_eq!(count_text_words("well-known e.g. 3.5 (see)"), 4);
        assert_eq!(count_text_words("café naïve 日本語"), 3);
        assert_eq!(count_text_words("a\u{a0}b"), 2);
    }

    #[test]
    fn annex_words_at_the_start_only() {
        for yes in [
            "Annex A",
            "ANNEXES",
            "Appendix 1: Survey",
            "appendices",
            "7. Annexes",
            "7.1 Annex B",
            "Annexe A",
        ] {
            assert!(begins_with_annex_word(yes), "{yes}");
        }
        for no in [
            "see Annex A",
            "Annexed documents",
            "Appendixing",
            "A Annex",
            "2024 results",
            "",
        ] {
            assert!(!begins_with_annex_word(no), "{no}");
        }
    }

    #[test]
    fn annex_titles_versus_sentences() {
        for yes in [
            "Annex A",
            "Appendix 2: Survey results",
            "Annexes",
            "Annex B - Emails",
            "Annex C. Notes",
            "Appendix IV",
        ] {
            assert!(is_annex_title(yes), "{yes}");
        }
        for no in [
            "Annex A shows the survey results",
            "Appendices are attached below",
            "Annex A, the survey",
        ] {
            assert!(!is_annex_title(no), "{no}");
        }
    }

    fn blocks(list: &[(&str, BlockKind)]) -> Extracted {
        Extracted {
            blocks: list.iter().map(|(t, k)| Block::new(*t, *k)).collect(),
            loose: Vec::new(),
        }
    }

    #[test]
    fn the_first_annex_heading_splits_the_count() {
        use BlockKind::*;
        let doc = blocks(&[
            ("Introduction", Heading),
            ("As shown in Annex A the survey worked.", Paragraph),
            ("Annex A", Other),
            ("Annex A shows the survey results in full.", Paragraph),
            ("Annex A: Survey", Paragraph),
            ("one two three", Paragraph),
            ("Appendix B", Heading),
            ("four", Paragraph),
        ]);
        let count = tally(FileKind::Txt, &doc, false);
        assert_eq!(count.words, 1 + 8 + 2 + 8);
        assert_eq!(count.annex_words, 3 + 3 + 2 + 1);
        assert_eq!(count.annex_heading.as_deref(), Some("Annex A: Survey"));
    }

    #[test]
    fn a_long_paragraph_starting_with_annex_is_running_text() {
        use BlockKind::*;
        let doc = blocks(&[(
            "Annexes to this report hold the evidence that the discussion will draw on",
            Paragraph,
        )]);
        assert_eq!(tally(FileKind::Txt, &doc, false).annex_words, 0);
    }
}
