//! Plain text and Markdown (and the text PDF extraction gives us).
//!
//! A line starts the annexes when it is a Markdown heading (`# Annex A`, or
//! a line underlined with `===`/`---`), a short line standing alone between
//! blank lines, or the first line of a block shaped like an annex title
//! ("Annex A", "Appendix 2: Survey results"; not "Annex A shows ...").
//! Lines inside fenced code blocks never do, nor do contents entries
//! ("Annex A: Survey ...... 12").
//!
//! Text from a PDF has no paragraph marks: a heading comes out as a line,
//! often with a blank line above it (the space a heading style leaves) but
//! none below. So in a PDF a line of its own also starts the annexes, as a
//! short standalone paragraph does in a Word file: a line that begins a
//! block (after a blank line, or after a line that ends a sentence),
//! begins with an annex word, is short by the one rule Word paragraphs
//! are judged by, and stops well short of the page's full line width
//! (so the first line of a wrapped paragraph that opens "Annex A shows"
//! never does).

use std::collections::HashMap;

use crate::blocks::{Block, BlockKind, Extracted};
use crate::count::{
    SHORT_PARAGRAPH_WORDS, begins_with_annex_word, count_text_words, is_annex_title,
    is_short_annex_line,
};
use crate::error::DocumentError;

/// A PDF line shorter than this share of the document's full line width
/// (in characters, per thousand) ends before the margin, as a heading does.
const HEADING_WIDTH_PER_MILLE: usize = 700;

/// Whether bytes read as text: UTF-8 or UTF-16 with a byte-order mark, or
/// a legacy 8-bit encoding with no control characters but whitespace.
pub(crate) fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return bytes.len().is_multiple_of(2);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C')),
        Err(_) => !bytes
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)),
    }
}

/// Decodes text bytes; legacy 8-bit text is read as Windows-1252's Latin-1
/// subset, which keeps letters letters and spaces spaces.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, DocumentError> {
    if !looks_like_text(bytes) {
        return Err(DocumentError::damaged(
            "text file",
            "it holds binary data, not text",
        ));
    }
    let utf16 = |big: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|p| {
                if big {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Ok(utf16(false));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Ok(utf16(true));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Plain,
    Markdown,
    /// Text recovered from a PDF: blank lines are unreliable there, so any
    /// short line shaped like an annex title ("Annex A: Survey") is taken
    /// as a heading.
    Pdf,
}

/// Splits text into line blocks, marking the lines that may start annexes.
pub(crate) fn extract(text: &str, mode: Mode) -> Extracted {
    let markdown = mode == Mode::Markdown;
    let lines: Vec<&str> = text.lines().collect();
    let blank = |i: usize| lines.get(i).is_none_or(|l| l.trim().is_empty());
    // Where each line (as compared for contents entries) last appears.
    let last_seen: HashMap<String, usize> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| (normalised(line), i))
        .collect();
    let full_width = full_line_width(&lines);
    // A PDF line that begins a block, reads as a short annex paragraph and
    // ends well before the margin (see the module's notes).
    let pdf_line_of_its_own = |i: usize| {
        let trimmed = lines[i].trim();
        let begins_block =
            i == 0 || blank(i - 1) || lines[i - 1].trim_end().ends_with(['.', '!', '?', ':']);
        begins_block
            && is_short_annex_line(trimmed)
            && full_width.is_some_and(|full| {
                trimmed.chars().count() * 1000 <= full * HEADING_WIDTH_PER_MILLE
            })
    };
    let mut blocks = Vec::with_capacity(lines.len());
    let mut fenced = false;
    let mut skip_underline = false;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if skip_underline {
            skip_underline = false;
            blocks.push(Block::new(*line, BlockKind::Other));
            continue;
        }
        if markdown && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            fenced = !fenced;
            blocks.push(Block::new(*line, BlockKind::Other));
            continue;
        }
        if fenced || trimmed.is_empty() {
            blocks.push(Block::new(*line, BlockKind::Other));
            continue;
        }
        let starts_block = i == 0 || blank(i - 1);
        if begins_with_annex_word(trimmed)
            && is_contents_entry(trimmed, |title| {
                last_seen.get(&normalised(title)).is_some_and(|&at| at > i)
            })
        {
            blocks.push(Block::new(*line, BlockKind::Other));
            continue;
        }
        let kind = if let Some(title) = atx_heading(trimmed) {
            blocks.push(Block::new(title, BlockKind::Heading));
            continue;
        } else if starts_block && lines.get(i + 1).is_some_and(|next| is_underline(next)) {
            skip_underline = true;
            BlockKind::Heading
        } else if starts_block && blank(i + 1) {
            BlockKind::Paragraph
        } else if (is_annex_title(trimmed)
            && (starts_block
                || (mode == Mode::Pdf
                    && !trimmed.ends_with('.')
                    && count_text_words(trimmed) <= SHORT_PARAGRAPH_WORDS)))
            || (mode == Mode::Pdf && pdf_line_of_its_own(i))
        {
            BlockKind::Heading
        } else {
            BlockKind::Other
        };
        blocks.push(Block::new(*line, kind));
    }
    Extracted {
        blocks,
        loose: Vec::new(),
    }
}

/// A line as compared with others: words only, in lower case.
fn normalised(line: &str) -> String {
    line.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The width, in characters, of a full line of the document's text: the
/// longest line but the longest tenth (a stray wide line, a URL, does not
/// set it). `None` with too few lines to tell.
fn full_line_width(lines: &[&str]) -> Option<usize> {
    let mut widths: Vec<usize> = lines
        .iter()
        .map(|l| l.trim().chars().count())
        .filter(|&w| w > 0)
        .collect();
    if widths.len() < 5 {
        return None;
    }
    widths.sort_unstable();
    Some(widths[(widths.len() - 1) * 9 / 10])
}

/// Whether a line beginning with an annex word is an entry in a table of
/// contents: it has dot leaders ("Annex A: Survey ...... 12"), or it ends
/// in a page number and the same title without the number appears again
/// further on (`appears_later`), where the annex itself begins.
fn is_contents_entry(line: &str, appears_later: impl Fn(&str) -> bool) -> bool {
    if line.contains("...") || line.contains(". . .") || line.contains('\u{2026}') {
        return true;
    }
    let Some((title, page)) = line.rsplit_once(char::is_whitespace) else {
        return false;
    };
    let is_page_number = (1..=4).contains(&page.len()) && page.chars().all(|c| c.is_ascii_digit());
    let title = title.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    is_page_number && !title.is_empty() && appears_later(title)
}

/// `# Title` .. `###### Title` (the hashes are not words anyway).
fn atx_heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) {
        let rest = &line[hashes..];
        if rest.is_empty() || rest.starts_with([' ', '\t']) {
            return Some(rest.trim().trim_end_matches('#').trim());
        }
    }
    None
}

/// A setext underline: `===` or `---` (at least two characters).
fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 2 && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::tally;
    use crate::kind::FileKind;

    fn count(text: &str, md: bool) -> (u64, u64) {
        let mode = if md { Mode::Markdown } else { Mode::Plain };
        let c = tally(FileKind::Txt, &extract(text, mode), false);
        (c.words, c.annex_words)
    }

    #[test]
    fn markdown_headings_start_annexes() {
        assert_eq!(
            count(
                "# Report\n\nSee Annex A for more.\n\n## Annex A\n\nData here\n",
                true
            ),
            (6, 4)
        );
        assert_eq!(
            count(
                "Report text here\n\nAppendices\n==========\n\nOne two\n",
                true
            ),
            (3, 3)
        );
    }

    #[test]
    fn standalone_and_title_shaped_lines() {
        assert_eq!(
            count("Main text.\n\nAnnex A\n\nAnnex text\n", false),
            (2, 4)
        );
        assert_eq!(
            count("Main text.\n\nAppendix 1: Survey\nQ1 yes\n", false),
            (2, 5)
        );
        // Wrapped running text: a continuation line is never a heading.
        assert_eq!(
            count("The results are in\nAnnex A of this\nreport.\n", false),
            (9, 0)
        );
        assert_eq!(
            count("Main.\n\nAnnex A shows the results\nin full.\n", false),
            (8, 0)
        );
    }

    #[test]
    fn fenced_code_never_starts_annexes() {
        assert_eq!(count("Text\n\n```\n# Annex A\n```\n", true), (3, 0));
    }

    #[test]
    fn text_detection_and_decoding() {
        assert!(looks_like_text(b"plain\r\ntext\t"));
        assert!(looks_like_text("caf\u{e9}".as_bytes()));
        assert!(looks_like_text(b"caf\xe9 latin-1"));
        assert!(!looks_like_text(b"bin\x00ary"));
        assert_eq!(decode(b"\xFF\xFEh\0i\0").unwrap(), "hi");
        assert_eq!(decode(b"caf\xe9").unwrap(), "caf\u{e9}");
    }
}
