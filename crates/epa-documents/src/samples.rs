//! Sample documents, real enough to exercise every rule, built in memory:
//! for tests (this crate's, the command line's, the upload routes'),
//! benchmarks and demonstrations. Also hostile inputs (zip bombs, damaged
//! and misnamed files), because refusing them is part of the contract.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

/// Words of the main text of [`report_docx`] and [`report_odt`].
pub const REPORT_WORDS: u64 = 66;
/// Words of the annexes of [`report_docx`] and [`report_odt`].
pub const REPORT_ANNEX_WORDS: u64 = 14;

/// Packs named parts into a zip archive with the zip crate's writer
/// (deflated, except entries named `mimetype`, which ODF wants stored).
pub fn zip(parts: &[(&str, &str)]) -> Vec<u8> {
    let files: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (*n, c.as_bytes())).collect();
    zip_files(&files)
}

/// Packs named files into a zip archive, as [`zip`] does; a name ending in
/// `/` is a folder (its content is ignored). Names are written as given,
/// `../` and all: hostile names are part of what is tested.
pub fn zip_files(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in files {
        let method = if *name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default().compression_method(method);
        if name.ends_with('/') {
            writer
                .add_directory(*name, options)
                .expect("writing to memory");
            continue;
        }
        writer
            .start_file(*name, options)
            .and_then(|()| writer.write_all(content).map_err(Into::into))
            .expect("writing to memory");
    }
    writer.finish().expect("writing to memory").into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

/// A .docx from a `w:body`'s inner XML and optional extra parts
/// (`word/footnotes.xml`, `word/header1.xml`, ...). Heading styles are
/// declared in `word/styles.xml` unless `parts` gives one.
pub fn docx(body: &str, parts: &[(&str, &str)]) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style>
<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
</w:styles>"#
    );
    let mut all: Vec<(&str, &str)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/document.xml", &document),
    ];
    if !parts.iter().any(|(n, _)| *n == "word/styles.xml") {
        all.push(("word/styles.xml", &styles));
    }
    all.extend_from_slice(parts);
    zip(&all)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#;

/// One paragraph, optionally styled, of plain runs.
pub fn p(style: Option<&str>, text: &str) -> String {
    let ppr = style
        .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
        .unwrap_or_default();
    format!(
        r#"<w:p>{ppr}<w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        escape(text)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A report with everything the counting rules care about. Main text:
/// [`REPORT_WORDS`]; annexes: [`REPORT_ANNEX_WORDS`]. The words
/// "HEADERWORD", "FOOTERWORD", "COMMENTWORD" and "DELETEDWORD" must never
/// be counted.
pub fn report_docx() -> Vec<u8> {
    let body = [
        // 5 words (Title style).
        p(Some("Title"), "Customer service improvement project report"),
        // Contents entry: 3 words, counted, but never starts the annexes.
        p(Some("TOC1"), "Annex A 12"),
        // 1 word.
        p(Some("Heading1"), "Introduction"),
        // 11 words, "Cust"+"omer" joined, a comment and a footnote reference.
        r#"<w:p><w:r><w:t xml:space="preserve">Our </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>Cust</w:t></w:r><w:r><w:t>omer</w:t></w:r>
           <w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve"> survey results, see Annex A for the full data</w:t></w:r><w:commentRangeEnd w:id="0"/>
           <w:r><w:commentReference w:id="0"/></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:t>.</w:t></w:r></w:p>"#
            .to_owned(),
        // Tabs and breaks separate words: 4 words.
        r#"<w:p><w:r><w:t>alpha</w:t><w:tab/><w:t>beta</w:t><w:br/><w:t>gamma</w:t><w:cr/><w:t>delta</w:t></w:r></w:p>"#.to_owned(),
        // Tracked changes: the deletion does not count, the insertion does: 2 words.
        r#"<w:p><w:del w:id="5"><w:r><w:delText>DELETEDWORD </w:delText></w:r></w:del><w:ins w:id="6"><w:r><w:t>inserted text</w:t></w:r></w:ins></w:p>"#.to_owned(),
        // A list whose item names an annex: 4 + 5 words.
        r#"<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Annex A: survey data</w:t></w:r></w:p>"#.to_owned(),
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>second item with an endnote</w:t></w:r><w:r><w:endnoteReference w:id="2"/></w:r></w:p>"#.to_owned(),
        // A table mapping KSBs to annexes: 2 + 2 + 2 + 2 words.
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>K1 evidence</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Annex A</w:t></w:r></w:p></w:tc></w:tr>
           <w:tr><w:tc><w:p><w:r><w:t>S2 evidence</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Appendix B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_owned(),
        // A field: the instruction does not count, the result does: 1 word.
        r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DATE \@ "d MMMM yyyy" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>today</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_owned(),
        // Punctuation-only tokens are not words; "well-known" is one; "&" is none: 5 words.
        p(None, "A well-known & trusted — approach , 2024"),
        // 1 word; then a plain paragraph of 7 words.
        p(Some("Heading2"), "Conclusion"),
        p(None, "The appendix shows the rest in detail"),
        // Annexes: 3 + 5 + 4 words (+ the annex footnote, 2 words).
        p(Some("Heading1"), "Annex A: Survey"),
        r#"<w:p><w:r><w:t>Question one was answered</w:t></w:r><w:r><w:footnoteReference w:id="3"/></w:r><w:r><w:t xml:space="preserve"> yes</w:t></w:r></w:p>"#.to_owned(),
        p(None, "Appendix B continued here"),
        r#"<w:sectPr><w:headerReference w:type="default" r:id="rId8" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></w:sectPr>"#.to_owned(),
    ]
    .concat();
    // Footnote 1: 5 words (main). Footnote 3: 2 words (annex). Endnote 2: 4 words (main).
    let footnotes = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Collected in March this year.</w:t></w:r></w:p></w:footnote>
<w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Forty responses.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"#
    );
    let endnotes = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:endnotes {W}>
<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>
<w:endnote w:id="2"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> Source: the team's records.</w:t></w:r></w:p></w:endnote>
</w:endnotes>"#
    );
    let header = format!(
        r#"<?xml version="1.0"?><w:hdr {W}><w:p><w:r><w:t>HEADERWORD Annex page header</w:t></w:r></w:p></w:hdr>"#
    );
    let footer = format!(
        r#"<?xml version="1.0"?><w:ftr {W}><w:p><w:r><w:t>FOOTERWORD Page 1</w:t></w:r></w:p></w:ftr>"#
    );
    let comments = format!(
        r#"<?xml version="1.0"?><w:comments {W}><w:comment w:id="0" w:author="Assessor"><w:p><w:r><w:t>COMMENTWORD please expand this</w:t></w:r></w:p></w:comment></w:comments>"#
    );
    docx(
        &body,
        &[
            ("word/footnotes.xml", &footnotes),
            ("word/endnotes.xml", &endnotes),
            ("word/header1.xml", &header),
            ("word/footer1.xml", &footer),
            ("word/comments.xml", &comments),
        ],
    )
}

const ODF: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3""#;

/// An .odt from the inner XML of `office:text`. Its `styles.xml` holds a
/// page header and footer ("HEADERWORD", "FOOTERWORD") that must not count.
pub fn odt(body: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF}><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ODF}><office:master-styles><style:master-page style:name="Standard"><style:header><text:p>HEADERWORD Annex</text:p></style:header><style:footer><text:p>FOOTERWORD</text:p></style:footer></style:master-page></office:master-styles></office:document-styles>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", &content),
        ("styles.xml", &styles),
    ])
}

/// The OpenDocument twin of [`report_docx`]: the same words, the same counts.
pub fn report_odt() -> Vec<u8> {
    odt(
        r#"<text:p text:style-name="Title">Customer service improvement project report</text:p>
<text:table-of-content><text:index-body><text:p text:style-name="Contents_20_1">Annex A 12</text:p></text:index-body></text:table-of-content>
<text:h text:outline-level="1">Introduction</text:h>
<text:p>Our <text:span text:style-name="T1">Cust</text:span>omer<office:annotation><dc:creator>Assessor</dc:creator><text:p>COMMENTWORD please expand this</text:p></office:annotation> survey results, see Annex A for the full data<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Collected in March this year.</text:p></text:note-body></text:note>.</text:p>
<text:p>alpha<text:tab/>beta<text:line-break/>gamma<text:s/>delta</text:p>
<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><text:p>DELETEDWORD</text:p></text:deletion></text:changed-region></text:tracked-changes>
<text:p><text:change text:change-id="ct1"/>inserted text</text:p>
<text:list><text:list-item><text:p>Annex A: survey data</text:p></text:list-item>
<text:list-item><text:p>second item with an endnote<text:note text:id="ftn2" text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>Source: the team's records.</text:p></text:note-body></text:note></text:p></text:list-item></text:list>
<table:table><table:table-row><table:table-cell><text:p>K1 evidence</text:p></table:table-cell><table:table-cell><text:p>Annex A</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>S2 evidence</text:p></table:table-cell><table:table-cell><text:p>Appendix B</text:p></table:table-cell></table:table-row></table:table>
<text:p><text:date>today</text:date></text:p>
<text:p>A well-known &amp; trusted — approach , 2024</text:p>
<text:h text:outline-level="2">Conclusion</text:h>
<text:p>The appendix shows the rest in detail</text:p>
<text:h text:outline-level="1">Annex A: Survey</text:h>
<text:p>Question one was answered<text:note text:id="ftn3" text:note-class="footnote"><text:note-citation>2</text:note-citation><text:note-body><text:p>Forty responses.</text:p></text:note-body></text:note> yes</text:p>
<text:p>Appendix B continued here</text:p>"#,
    )
}

/// A report of `main` words then an "Annex A" heading and `annex` words, in
/// paragraphs of about 100 words, as a real report would be laid out.
pub fn sized_docx(main: usize, annex: usize) -> Vec<u8> {
    let mut body = String::with_capacity((main + annex) * 40);
    body.push_str(&p(Some("Heading1"), "Introduction"));
    let paragraphs = |count: usize, body: &mut String| {
        let mut left = count;
        let mut n = 0;
        while left > 0 {
            let take = left.min(100);
            let words: Vec<&str> = (0..take).map(|i| WORDS[(i + n) % WORDS.len()]).collect();
            // Split one word across runs, as Word does after an edit.
            let text = words.join(" ");
            let (a, b) = text.split_at(3.min(text.len()));
            body.push_str(&format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{a}</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">{b}</w:t></w:r></w:p>"#
            ));
            left -= take;
            n += 1;
        }
    };
    paragraphs(main.saturating_sub(1), &mut body);
    if annex > 0 {
        body.push_str(&p(Some("Heading1"), "Annex A"));
        paragraphs(annex.saturating_sub(2), &mut body);
    }
    docx(&body, &[])
}

const WORDS: [&str; 16] = [
    "customer",
    "service",
    "team",
    "improved",
    "response",
    "times",
    "across",
    "every",
    "channel",
    "while",
    "keeping",
    "satisfaction",
    "scores",
    "above",
    "target",
    "levels",
];

/// A one-page PDF (standard Helvetica font) with one line per entry.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut stream = String::from("BT /F1 12 Tf 72 740 Td 14 TL\n");
    for line in lines {
        stream.push_str(&format!("({}) Tj T*\n", pdf_string(line)));
    }
    stream.push_str("ET");
    pdf_pages(&[stream])
}

/// A PDF string literal's content: backslashes and parentheses escaped.
fn pdf_string(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// A PDF of A4-ish pages, one content stream each, with Helvetica as `/F1`
/// and Helvetica-Bold as `/F2`.
fn pdf_pages(streams: &[String]) -> Vec<u8> {
    let pages = streams.len();
    // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, then a page and its
    // content stream for each page.
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    let mut objects =
        vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    ];
    for (i, stream) in streams.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ));
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A report laid out as a word processor prints it to PDF: a bold title,
/// `main` words in paragraphs of about 100 words wrapped at 12 words a
/// line, then `annex_heading` as a bold heading of its own (more space
/// above it than below, as heading styles have) and `annex` words, over as
/// many pages as it takes. With `annex == 0` there is no annex heading.
///
/// The title's words count: `main` includes them, as with [`sized_docx`].
/// The heading's words count in the annexes: `annex` includes them.
pub fn sized_pdf(main: usize, annex: usize, annex_heading: &str) -> Vec<u8> {
    const TOP: i32 = 740;
    const BOTTOM: i32 = 72;
    const LEADING: i32 = 14;
    struct Pages {
        streams: Vec<String>,
        y: i32,
    }
    impl Pages {
        /// One line at `font` and `size`, `gap` points below the previous
        /// one (a new page when it would fall off this one).
        fn line(&mut self, font: &str, size: u32, gap: i32, text: &str) {
            if self.streams.is_empty() || self.y - gap < BOTTOM {
                self.streams.push(String::new());
                self.y = TOP + LEADING;
            }
            self.y -= gap;
            let stream = self.streams.last_mut().expect("a page was just started");
            stream.push_str(&format!(
                "BT /{font} {size} Tf 72 {} Td ({}) Tj ET\n",
                self.y,
                pdf_string(text)
            ));
        }
        /// Paragraphs of `count` words; the first follows a heading
        /// closely, the others have a paragraph's space above them.
        fn paragraphs(&mut self, count: usize) {
            let mut left = count;
            let mut n = 0;
            while left > 0 {
                let take = left.min(100);
                let words: Vec<&str> = (0..take).map(|i| WORDS[(i + n) % WORDS.len()]).collect();
                for (i, line) in words.chunks(12).enumerate() {
                    let gap = match (n, i) {
                        (0, 0) => LEADING + 2,
                        (_, 0) => LEADING + 10,
                        _ => LEADING,
                    };
                    self.line("F1", 11, gap, &line.join(" "));
                }
                left -= take;
                n += 1;
            }
        }
    }
    let mut pages = Pages {
        streams: Vec::new(),
        y: TOP,
    };
    let title = "Project report";
    pages.line("F2", 16, LEADING, title);
    pages.paragraphs(main.saturating_sub(title.split_whitespace().count()));
    if annex > 0 {
        pages.line("F2", 13, LEADING + 16, annex_heading);
        let heading_words = annex_heading
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
        pages.paragraphs(annex.saturating_sub(heading_words));
    }
    pdf_pages(&pages.streams)
}

/// One entry of a hand-made zip archive, for inputs the zip writer will
/// not produce (lying sizes, hostile names).
pub struct RawEntry<'a> {
    pub name: &'a str,
    /// 0 stored, 8 deflated.
    pub method: u16,
    pub data: &'a [u8],
    pub crc: u32,
    /// The inflated size the headers declare (true or not).
    pub declared_size: u64,
}

/// A zip archive written byte by byte, declaring what it is told to.
pub fn raw_zip(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = out.len() as u32;
        let size = u32::try_from(entry.declared_size).unwrap_or(u32::MAX);
        let header = |sig: &[u8], central: bool| {
            let mut h = sig.to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&entry.method.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes()); // time, date
            h.extend_from_slice(&entry.crc.to_le_bytes());
            h.extend_from_slice(&(entry.data.len() as u32).to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment length, disk, internal attrs
                h.extend_from_slice(&0u32.to_le_bytes()); // external attrs
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(entry.name.as_bytes());
            h
        };
        out.extend_from_slice(&header(b"PK\x03\x04", false));
        out.extend_from_slice(entry.data);
        central.extend_from_slice(&header(b"PK\x01\x02", true));
    }
    let dir_offset = out.len() as u32;
    out.extend_from_slice(&central);
    let count = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The CRC-32 a zip entry declares for `bytes` (for [`raw_zip`] entries
/// that must read back whole).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A raw deflate stream that inflates to `size` zero bytes, written with
/// fixed Huffman codes (258-byte back-references at 13 bits each, about
/// 160:1) in a fraction of the time compressing the zeros would take.
pub fn deflated_zeros(size: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u64, count: u32) {
            let mut reversed = 0;
            for i in 0..count {
                reversed |= ((code >> i) & 1) << (count - 1 - i);
            }
            self.put(reversed, count);
        }
    }
    let mut bits = Bits {
        out: Vec::with_capacity((size / 258 * 13 / 8 + 16) as usize),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman
    let mut left = size;
    if left > 0 {
        bits.code(0x30, 8); // literal 0
        left -= 1;
    }
    while left >= 258 {
        bits.code(0xC5, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    bits.put(0, 7); // flush
    bits.out
}

/// A .docx-shaped zip bomb: `word/document.xml` inflates to `size` zeros.
/// `honest` declares the true size (refused before inflating); otherwise
/// it declares 10 kB (refused while inflating).
pub fn zip_bomb(size: u64, honest: bool) -> Vec<u8> {
    let zeros = deflated_zeros(size);
    raw_zip(&[
        RawEntry {
            name: "[Content_Types].xml",
            method: 0,
            data: CONTENT_TYPES.as_bytes(),
            crc: 0,
            declared_size: CONTENT_TYPES.len() as u64,
        },
        RawEntry {
            name: "word/document.xml",
            method: 8,
            data: &zeros,
            crc: 0,
            declared_size: if honest { size } else { 10_000 },
        },
    ])
}
