//! The one place that speaks quick-xml.
//!
//! quick-xml changes its API between minor versions (0.42 moved from bytes
//! to `&str` everywhere). Everything else in the crate sees only
//! [`XmlEvent`] and [`Tag`], so an upgrade touches this file alone.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

use crate::error::DocumentError;

/// An XML event, reduced to what text extraction needs. Empty elements
/// arrive as a `Start` followed by an `End`.
pub(crate) enum XmlEvent<'a, 'b> {
    Start(Tag<'a, 'b>),
    End(&'b str),
    Text(Cow<'b, str>),
}

/// A start tag: its qualified name (`w:p`) and attributes.
pub(crate) struct Tag<'a, 'b> {
    inner: &'a BytesStart<'b>,
}

impl Tag<'_, '_> {
    pub(crate) fn name(&self) -> &str {
        self.inner.name().into_inner()
    }

    /// The value of an attribute by qualified name, entities resolved.
    pub(crate) fn attr(&self, key: &str) -> Option<String> {
        self.inner
            .attributes()
            .flatten()
            .find(|a| a.key.into_inner() == key)
            .map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(Cow::into_owned)
                    .unwrap_or_else(|_| a.value.into_owned())
            })
    }
}

/// Walks an XML document, calling `visit` for each element and text. A
/// malformed document is `Damaged` with the part's name.
pub(crate) fn walk(
    part: &str,
    xml: &str,
    mut visit: impl FnMut(XmlEvent<'_, '_>),
) -> Result<(), DocumentError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let damaged = |e: &dyn std::fmt::Display| {
        DocumentError::damaged("document", format!("{part} is not well-formed XML: {e}"))
    };
    loop {
        let event = reader.read_event().map_err(|e| damaged(&e))?;
        match event {
            Event::Start(start) => visit(XmlEvent::Start(Tag { inner: &start })),
            Event::Empty(start) => {
                visit(XmlEvent::Start(Tag { inner: &start }));
                visit(XmlEvent::End(start.name().into_inner()));
            }
            Event::End(end) => visit(XmlEvent::End(end.name().into_inner())),
            Event::Text(text) => visit(XmlEvent::Text(text.xml10_content())),
            Event::CData(text) => visit(XmlEvent::Text(text.xml10_content())),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(Cow::Owned(c.to_string())),
                    Ok(None) => {
                        quick_xml::escape::resolve_predefined_entity(&reference.xml10_content())
                            .map(Cow::Borrowed)
                    }
                    Err(e) => return Err(damaged(&e)),
                };
                // An unknown entity cannot be declared in OOXML or ODF parts
                // (we never expand a DTD), so it is dropped, not guessed.
                if let Some(text) = resolved {
                    visit(XmlEvent::Text(text));
                }
            }
            Event::Eof => return Ok(()),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(xml: &str) -> Result<Vec<String>, DocumentError> {
        let mut out = Vec::new();
        walk("test.xml", xml, |e| match e {
            XmlEvent::Start(tag) => out.push(format!(
                "<{}{}>",
                tag.name(),
                tag.attr("w:val")
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default()
            )),
            XmlEvent::End(name) => out.push(format!("</{name}>")),
            XmlEvent::Text(t) => out.push(t.into_owned()),
        })?;
        Ok(out)
    }

    #[test]
    fn events_entities_and_empty_elements() {
        let got = collect(
            r#"<?xml version="1.0"?><a><b w:val="x&amp;y"/>A &amp; B&#x41;<![CDATA[<c>]]></a>"#,
        )
        .unwrap();
        assert_eq!(got.join("|"), "<a>|<b x&y>|</b>|A |&| B|A|<c>|</a>");
    }

    #[test]
    fn malformed_xml_is_damaged() {
        assert!(matches!(
            collect("<a><b></a>"),
            Err(DocumentError::Damaged { .. })
        ));
    }
}
