//! OpenDocument text (.odt) in reading order.
//!
//! Read: `content.xml`, the `office:text` body, including the bodies of
//! footnotes and endnotes (`text:note`), which sit inline where they are
//! referenced. Never read: `styles.xml` (page headers and footers live
//! there), comments (`office:annotation`), tracked deletions
//! (`text:tracked-changes`), note numbers (`text:note-citation`) or image
//! titles and descriptions.

use crate::blocks::{Block, BlockKind, Extracted};
use crate::container::Container;
use crate::error::DocumentError;
use crate::xml::{XmlEvent, walk};

pub(crate) fn extract(container: &mut Container<'_>) -> Result<Extracted, DocumentError> {
    let content = container
        .read("content.xml")?
        .ok_or_else(|| DocumentError::damaged("OpenDocument text", "content.xml is missing"))?;
    let mut body = Body::default();
    walk("content.xml", &content, |event| body.visit(event))?;
    Ok(Extracted {
        blocks: body.blocks,
        loose: Vec::new(),
    })
}

fn skipped(name: &str) -> bool {
    matches!(
        name,
        "office:annotation"
            | "office:annotation-end"
            | "text:tracked-changes"
            | "text:note-citation"
            | "svg:title"
            | "svg:desc"
    )
}

/// Indexes whose entries repeat headings ("Annex A ..... 12").
fn is_index(name: &str) -> bool {
    matches!(
        name,
        "text:table-of-content"
            | "text:illustration-index"
            | "text:table-index"
            | "text:object-index"
            | "text:user-index"
            | "text:alphabetical-index"
            | "text:bibliography"
    )
}

struct Paragraph {
    text: String,
    kind: BlockKind,
}

#[derive(Default)]
struct Body {
    in_text: usize,
    skip_depth: usize,
    open: Vec<Paragraph>,
    blocks: Vec<Block>,
    lists: usize,
    tables: usize,
    notes: usize,
    indexes: usize,
    frames: usize,
}

impl Body {
    fn visit(&mut self, event: XmlEvent<'_, '_>) {
        match event {
            XmlEvent::Start(tag) => {
                let name = tag.name();
                if self.skip_depth > 0 {
                    self.skip_depth += 1;
                    return;
                }
                if skipped(name) {
                    self.skip_depth = 1;
                    return;
                }
                match name {
                    "office:text" => self.in_text += 1,
                    "text:p" | "text:h" if self.in_text > 0 => {
                        let apart = self.tables > 0
                            || self.notes > 0
                            || self.indexes > 0
                            || self.frames > 0
                            || !self.open.is_empty();
                        let kind = if apart {
                            BlockKind::Other
                        } else if name == "text:h" {
                            // Numbered headings sit inside text:list; still headings.
                            BlockKind::Heading
                        } else if self.lists > 0 {
                            BlockKind::Other
                        } else {
                            BlockKind::Paragraph
                        };
                        self.open.push(Paragraph {
                            text: String::new(),
                            kind,
                        });
                    }
                    "text:s" => self.push(" "),
                    "text:tab" => self.push("\t"),
                    "text:line-break" => self.push("\n"),
                    "text:list" => self.lists += 1,
                    "table:table" => self.tables += 1,
                    "text:note-body" => self.notes += 1,
                    "draw:text-box" => self.frames += 1,
                    other if is_index(other) => self.indexes += 1,
                    _ => {}
                }
            }
            XmlEvent::End(name) => {
                if self.skip_depth > 0 {
                    self.skip_depth -= 1;
                    return;
                }
                match name {
                    "office:text" => self.in_text = self.in_text.saturating_sub(1),
                    "text:p" | "text:h" => {
                        if let Some(p) = self.open.pop() {
                            self.blocks.push(Block::new(p.text, p.kind));
                        }
                    }
                    "text:list" => self.lists = self.lists.saturating_sub(1),
                    "table:table" => self.tables = self.tables.saturating_sub(1),
                    "text:note-body" => self.notes = self.notes.saturating_sub(1),
                    "draw:text-box" => self.frames = self.frames.saturating_sub(1),
                    other if is_index(other) => self.indexes = self.indexes.saturating_sub(1),
                    _ => {}
                }
            }
            XmlEvent::Text(text) => {
                if self.skip_depth == 0 {
                    self.push(&text);
                }
            }
        }
    }

    fn push(&mut self, text: &str) {
        if let Some(p) = self.open.last_mut() {
            p.text.push_str(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_join_notes_split_out_and_comments_vanish() {
        let xml = r#"<office:document-content><office:body><office:text>
          <text:h text:outline-level="1">Intro</text:h>
          <text:p><text:span>Cust</text:span>omer<text:s/>care<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>A note.</text:p></text:note-body></text:note>
          <office:annotation><text:p>secret comment</text:p></office:annotation>done</text:p>
        </office:text></office:body></office:document-content>"#;
        let mut body = Body::default();
        walk("content.xml", xml, |e| body.visit(e)).unwrap();
        let got: Vec<_> = body
            .blocks
            .iter()
            .map(|b| (b.text.trim(), b.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("Intro", BlockKind::Heading),
                ("A note.", BlockKind::Other),
                ("Customer care\n          done", BlockKind::Paragraph),
            ]
        );
    }
}
