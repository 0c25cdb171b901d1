//! Word (.docx, WordprocessingML) text, in reading order.
//!
//! Read: `word/document.xml` (body), `word/footnotes.xml` and
//! `word/endnotes.xml` (notes), `word/styles.xml` (which styles are
//! headings). Never read: headers, footers, comments. Each footnote and
//! endnote is counted where it is referenced, so a note on the main text is
//! main text and a note in an annex is annex; a note nobody references
//! counts as main text.

use std::collections::{HashMap, HashSet};

use crate::blocks::{Block, BlockKind, Extracted};
use crate::container::Container;
use crate::error::DocumentError;
use crate::xml::{XmlEvent, walk};

pub(crate) fn extract(container: &mut Container<'_>) -> Result<Extracted, DocumentError> {
    let document = container
        .read("word/document.xml")?
        .ok_or_else(|| DocumentError::damaged("Word document", "word/document.xml is missing"))?;
    let styles = match container.read("word/styles.xml")? {
        Some(xml) => Styles::parse(&xml)?,
        None => Styles::default(),
    };
    let mut notes = HashMap::new();
    for (part, kind) in [
        ("word/footnotes.xml", NoteKind::Foot),
        ("word/endnotes.xml", NoteKind::End),
    ] {
        if let Some(xml) = container.read(part)? {
            read_notes(part, &xml, kind, &mut notes)?;
        }
    }
    let mut body = Body::new(&styles, &mut notes);
    walk("word/document.xml", &document, |event| body.visit(event))?;
    let mut extracted = Extracted {
        blocks: body.blocks,
        loose: Vec::new(),
    };
    // Notes nobody referenced still belong to the text they were written for.
    let mut rest: Vec<_> = notes.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    extracted.loose = rest.into_iter().map(|(_, text)| text).collect();
    Ok(extracted)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum NoteKind {
    Foot,
    End,
}

type NoteId = (NoteKind, String);

/// Elements whose text is not the document's current text: deleted or
/// moved-away revisions, field instructions, and the fallback copy of
/// content that `mc:AlternateContent` already gave us once.
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "mc:Fallback" | "w:del" | "w:moveFrom" | "w:instrText" | "w:delText" | "w:delInstrText"
    )
}

/// Text inside runs, shared by the body and the notes.
#[derive(Default)]
struct Runs {
    skip_depth: usize,
    in_text: usize,
}

impl Runs {
    /// Returns what the event adds to the current paragraph's text, and
    /// whether the event was swallowed by a skipped subtree.
    fn visit<'e>(&mut self, event: &'e XmlEvent<'_, '_>) -> (Option<&'e str>, bool) {
        match event {
            XmlEvent::Start(tag) => {
                let name = tag.name();
                if self.skip_depth > 0 {
                    self.skip_depth += 1;
                    return (None, true);
                }
                if skipped(name) {
                    self.skip_depth = 1;
                    return (None, true);
                }
                match name {
                    "w:t" => {
                        self.in_text += 1;
                        (None, false)
                    }
                    // Tabs and breaks separate words; a tab stop definition
                    // (also `w:tab`, inside `w:tabs`) adds harmless space.
                    "w:tab" | "w:ptab" => (Some("\t"), false),
                    "w:br" | "w:cr" => (Some("\n"), false),
                    "w:noBreakHyphen" => (Some("-"), false),
                    _ => (None, false),
                }
            }
            XmlEvent::End(name) => {
                if self.skip_depth > 0 {
                    self.skip_depth -= 1;
                    return (None, true);
                }
                if *name == "w:t" {
                    self.in_text = self.in_text.saturating_sub(1);
                }
                (None, false)
            }
            XmlEvent::Text(text) => {
                if self.skip_depth == 0 && self.in_text > 0 {
                    (Some(text.as_ref()), false)
                } else {
                    (None, self.skip_depth > 0)
                }
            }
        }
    }
}

fn read_notes(
    part: &str,
    xml: &str,
    kind: NoteKind,
    notes: &mut HashMap<NoteId, String>,
) -> Result<(), DocumentError> {
    let element = match kind {
        NoteKind::Foot => "w:footnote",
        NoteKind::End => "w:endnote",
    };
    let mut runs = Runs::default();
    let mut current: Option<(String, String)> = None;
    walk(part, xml, |event| {
        let (text, swallowed) = runs.visit(&event);
        if swallowed {
            return;
        }
        match &event {
            XmlEvent::Start(tag) if tag.name() == element => {
                // Separator and continuation "notes" are the rule lines Word
                // draws above the notes, not text anyone wrote.
                let separator = tag.attr("w:type").is_some_and(|t| t != "normal");
                current = match (separator, tag.attr("w:id")) {
                    (false, Some(id)) => Some((id, String::new())),
                    _ => None,
                };
            }
            XmlEvent::End(name) if *name == element => {
                if let Some((id, text)) = current.take() {
                    notes.insert((kind, id), text);
                }
            }
            XmlEvent::End("w:p") => {
                if let Some((_, text)) = current.as_mut() {
                    text.push('\n');
                }
            }
            _ => {}
        }
        if let (Some(add), Some((_, text))) = (text, current.as_mut()) {
            text.push_str(add);
        }
    })
}

/// Which paragraph styles are headings or contents entries.
#[derive(Default)]
struct Styles {
    headings: HashSet<String>,
    contents: HashSet<String>,
}

impl Styles {
    fn parse(xml: &str) -> Result<Self, DocumentError> {
        #[derive(Default)]
        struct Style {
            id: String,
            name: String,
            based_on: Option<String>,
            outline: bool,
        }
        let mut styles: Vec<Style> = Vec::new();
        let mut current: Option<Style> = None;
        walk("word/styles.xml", xml, |event| match event {
            XmlEvent::Start(tag) => match tag.name() {
                "w:style" => {
                    current = (tag.attr("w:type").as_deref() == Some("paragraph")).then(|| Style {
                        id: tag.attr("w:styleId").unwrap_or_default(),
                        ..Style::default()
                    });
                }
                "w:name" => {
                    if let Some(style) = current.as_mut() {
                        style.name = tag.attr("w:val").unwrap_or_default();
                    }
                }
                "w:basedOn" => {
                    if let Some(style) = current.as_mut() {
                        style.based_on = tag.attr("w:val");
                    }
                }
                "w:outlineLvl" => {
                    if let Some(style) = current.as_mut() {
                        style.outline = outline_level_is_heading(tag.attr("w:val"));
                    }
                }
                _ => {}
            },
            XmlEvent::End("w:style") => {
                if let Some(style) = current.take() {
                    styles.push(style);
                }
            }
            _ => {}
        })?;
        let by_id: HashMap<&str, &Style> = styles.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut out = Styles::default();
        for style in &styles {
            if is_contents_name(&style.id) || is_contents_name(&style.name) {
                out.contents.insert(style.id.clone());
                continue;
            }
            // Follow basedOn a few steps: "My Annex Heading" based on
            // "Heading 1" is a heading. The bound stops cycles.
            let mut cursor = Some(style);
            for _ in 0..10 {
                let Some(s) = cursor else { break };
                if s.outline || is_heading_name(&s.id) || is_heading_name(&s.name) {
                    out.headings.insert(style.id.clone());
                    break;
                }
                cursor = s.based_on.as_deref().and_then(|b| by_id.get(b).copied());
            }
        }
        Ok(out)
    }

    fn is_heading(&self, id: &str) -> bool {
        self.headings.contains(id) || (!self.contents.contains(id) && is_heading_name(id))
    }

    fn is_contents(&self, id: &str) -> bool {
        self.contents.contains(id) || is_contents_name(id)
    }
}

fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_heading_name(name: &str) -> bool {
    let name = normalise(name);
    name.starts_with("heading") || name == "title" || name == "subtitle"
}

fn is_contents_name(name: &str) -> bool {
    normalise(name).starts_with("toc")
}

/// Outline levels 0-8 are heading levels 1-9; 9 is body text.
fn outline_level_is_heading(value: Option<String>) -> bool {
    value
        .and_then(|v| v.parse::<u8>().ok())
        .is_some_and(|level| level < 9)
}

#[derive(Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    outline: bool,
    list: bool,
    apart: bool,
    notes: Vec<NoteId>,
}

struct Body<'s> {
    styles: &'s Styles,
    notes: &'s mut HashMap<NoteId, String>,
    runs: Runs,
    open: Vec<Paragraph>,
    blocks: Vec<Block>,
    tables: usize,
    text_boxes: usize,
    /// One flag per open `w:sdt`: true when it is a table of contents.
    sdts: Vec<bool>,
    in_ppr: usize,
}

impl<'s> Body<'s> {
    fn new(styles: &'s Styles, notes: &'s mut HashMap<NoteId, String>) -> Self {
        Self {
            styles,
            notes,
            runs: Runs::default(),
            open: Vec::new(),
            blocks: Vec::new(),
            tables: 0,
            text_boxes: 0,
            sdts: Vec::new(),
            in_ppr: 0,
        }
    }

    fn visit(&mut self, event: XmlEvent<'_, '_>) {
        let (text, swallowed) = self.runs.visit(&event);
        if swallowed {
            return;
        }
        if let Some(text) = text {
            if let Some(p) = self.open.last_mut() {
                p.text.push_str(text);
            }
            return;
        }
        match event {
            XmlEvent::Start(tag) => match tag.name() {
                "w:p" => {
                    let apart = self.tables > 0
                        || self.text_boxes > 0
                        || !self.open.is_empty()
                        || self.sdts.iter().any(|toc| *toc);
                    self.open.push(Paragraph {
                        apart,
                        ..Paragraph::default()
                    });
                }
                "w:pPr" => self.in_ppr += 1,
                "w:pStyle" if self.in_ppr > 0 => {
                    if let Some(p) = self.open.last_mut()
                        && p.style.is_none()
                    {
                        p.style = tag.attr("w:val");
                    }
                }
                "w:outlineLvl" if self.in_ppr > 0 => {
                    if let Some(p) = self.open.last_mut() {
                        p.outline = outline_level_is_heading(tag.attr("w:val"));
                    }
                }
                "w:numPr" if self.in_ppr > 0 => {
                    if let Some(p) = self.open.last_mut() {
                        p.list = true;
                    }
                }
                "w:footnoteReference" | "w:endnoteReference" => {
                    let kind = if tag.name() == "w:footnoteReference" {
                        NoteKind::Foot
                    } else {
                        NoteKind::End
                    };
                    if let (Some(id), Some(p)) = (tag.attr("w:id"), self.open.last_mut()) {
                        p.notes.push((kind, id));
                    }
                }
                "w:tbl" => self.tables += 1,
                "w:txbxContent" => self.text_boxes += 1,
                "w:sdt" => self.sdts.push(false),
                "w:docPartGallery" => {
                    let toc = tag
                        .attr("w:val")
                        .is_some_and(|v| v.to_ascii_lowercase().contains("table of contents"));
                    if let Some(last) = self.sdts.last_mut() {
                        *last |= toc;
                    }
                }
                _ => {}
            },
            XmlEvent::End(name) => match name {
                "w:p" => self.close_paragraph(),
                "w:pPr" => self.in_ppr = self.in_ppr.saturating_sub(1),
                "w:tbl" => self.tables = self.tables.saturating_sub(1),
                "w:txbxContent" => self.text_boxes = self.text_boxes.saturating_sub(1),
                "w:sdt" => {
                    self.sdts.pop();
                }
                _ => {}
            },
            XmlEvent::Text(_) => {}
        }
    }

    fn close_paragraph(&mut self) {
        let Some(p) = self.open.pop() else { return };
        let style = p.style.as_deref().unwrap_or("");
        let kind = if p.apart || self.styles.is_contents(style) {
            BlockKind::Other
        } else if p.outline || (!style.is_empty() && self.styles.is_heading(style)) {
            BlockKind::Heading
        } else if p.list {
            BlockKind::Other
        } else {
            BlockKind::Paragraph
        };
        // The paragraph's own text is one block; a nested paragraph (text
        // box) is emitted before its host, which is fine for counting.
        self.blocks.push(Block::new(p.text, kind));
        for id in p.notes {
            if let Some(text) = self.notes.remove(&id) {
                self.blocks.push(Block::new(text, BlockKind::Other));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(
        xml: &str,
        styles: &Styles,
        notes: &mut HashMap<NoteId, String>,
    ) -> Vec<(String, BlockKind)> {
        let mut body = Body::new(styles, notes);
        walk("t", xml, |e| body.visit(e)).unwrap();
        body.blocks.into_iter().map(|b| (b.text, b.kind)).collect()
    }

    #[test]
    fn runs_join_and_separators_split() {
        let xml = r#"<w:document><w:body>
            <w:p><w:r><w:t>Cust</w:t></w:r><w:r><w:t>omer</w:t></w:r><w:r><w:tab/><w:t>care</w:t><w:br/><w:t>team</w:t></w:r></w:p>
            <w:p><w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:ins><w:r><w:t>new</w:t></w:r></w:ins>
              <w:r><w:instrText> PAGE </w:instrText></w:r></w:p>
        </w:body></w:document>"#;
        let got = body(xml, &Styles::default(), &mut HashMap::new());
        assert_eq!(got[0].0, "Customer\tcare\nteam");
        assert_eq!(got[1].0, "new");
    }

    #[test]
    fn alternate_content_is_read_once() {
        let xml = r#"<w:body><w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent></mc:Choice>
            <mc:Fallback><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p></w:body>"#;
        let got = body(xml, &Styles::default(), &mut HashMap::new());
        let text: Vec<_> = got.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(text, ["boxed", ""]);
        assert_eq!(got[0].1, BlockKind::Other);
    }

    #[test]
    fn styles_follow_based_on_and_spot_contents() {
        let xml = r#"<w:styles>
          <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>
          <w:style w:type="paragraph" w:styleId="AnnexTitle"><w:name w:val="Annex Title"/><w:basedOn w:val="Heading1"/></w:style>
          <w:style w:type="paragraph" w:styleId="Ueberschrift"><w:name w:val="Custom"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
          <w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Heading1"/></w:style>
          <w:style w:type="character" w:styleId="Heading1Char"><w:name w:val="Heading 1 Char"/></w:style>
        </w:styles>"#;
        let styles = Styles::parse(xml).unwrap();
        assert!(styles.is_heading("Heading1"));
        assert!(styles.is_heading("AnnexTitle"));
        assert!(styles.is_heading("Ueberschrift"));
        assert!(!styles.is_heading("TOC1"));
        assert!(styles.is_contents("TOC1"));
        assert!(!styles.is_heading("Normal"));
    }
}
