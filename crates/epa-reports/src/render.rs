//! Compiling a template with a view and exporting it as an accessible PDF.

use std::sync::LazyLock;

use serde::Serialize;
use typst::foundations::{Dict, IntoValue, Str};
use typst_as_lib::TypstEngine;
use typst_as_lib::typst_kit_options::TypstKitFontOptions;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::views::{GatewayDocument, ResultsDocument};

/// The templates, by the names they import each other by.
const TEMPLATES: [(&str, &str); 3] = [
    ("common.typ", include_str!("../templates/common.typ")),
    ("results.typ", include_str!("../templates/results.typ")),
    ("gateway.typ", include_str!("../templates/gateway.typ")),
];

/// Built once: reading the embedded fonts into the font book is the slow
/// part of starting, and the engine is shared by every render. Only the
/// fonts embedded in the binary are used, never the machine's, so a
/// document looks the same on every server and in CI.
static ENGINE: LazyLock<TypstEngine> = LazyLock::new(|| {
    TypstEngine::builder()
        .with_static_source_file_resolver(TEMPLATES)
        .search_fonts_with(TypstKitFontOptions::new().include_system_fonts(false))
        .build()
});

/// A document that could not be made. Never the reader's fault: the views
/// are built by the application, so this is a bug, logged and answered 500.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the document's data could not be written: {0}")]
    Data(#[from] serde_json::Error),
    #[error("the {template} template did not compile: {message}")]
    Template {
        template: &'static str,
        message: String,
    },
    #[error("the {template} document could not be written as PDF/UA: {message}")]
    Pdf {
        template: &'static str,
        message: String,
    },
}

/// The result letter and the assessment record of each method.
pub fn results_pdf(document: &ResultsDocument) -> Result<Vec<u8>, RenderError> {
    render("results.typ", document)
}

/// The gateway summary.
pub fn gateway_pdf(document: &GatewayDocument) -> Result<Vec<u8>, RenderError> {
    render("gateway.typ", document)
}

fn render(template: &'static str, view: &impl Serialize) -> Result<Vec<u8>, RenderError> {
    // The view travels as one JSON string the template decodes: its text
    // stays data (typst strings are set as text, never read as markup).
    let mut inputs = Dict::new();
    inputs.insert(
        Str::from("data"),
        Str::from(serde_json::to_string(view)?.as_str()).into_value(),
    );
    let document: PagedDocument =
        ENGINE
            .compile_with_input(template, inputs)
            .output
            .map_err(|err| RenderError::Template {
                template,
                message: err.to_string(),
            })?;
    let pdf_error = |message: String| RenderError::Pdf { template, message };
    // PDF/UA-1: tagged, with the title shown and the language declared;
    // typst refuses to export a document that breaks its rules, so a
    // template change that loses accessibility fails the tests.
    let standards =
        PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|err| pdf_error(format!("{err:?}")))?;
    let options = PdfOptions {
        standards,
        tagged: true,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|diagnostics| {
        pdf_error(
            diagnostics
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
