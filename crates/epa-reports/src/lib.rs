//! PDF documents through typst (ADR 0149): the result letter with the
//! assessment record of each method, and the gateway summary.
//!
//! Pure: a document is a plain view struct in and PDF bytes out, no IO and
//! no clock. The templates are typst files compiled into the crate; the
//! view reaches them as JSON in `sys.inputs`, never spliced into markup, so
//! a name such as `#set` or `*x*` prints as the text it is.
//!
//! Rendering takes tens of milliseconds of CPU: callers on an async runtime
//! run it on a blocking thread.

mod render;
mod views;

pub use render::{RenderError, gateway_pdf, results_pdf};
pub use views::{
    Coverage, CoverageRow, CriterionRecord, Fact, GatewayAttempt, GatewayComponent,
    GatewayDocument, MethodGrade, MethodRecord, NextStep, ResultsDocument,
};
