//! Use cases of the EPA's gateway (ADR 0050): the training provider submits
//! the gateway (every attempt kept), EPAO staff review each component and
//! then approve or reject the attempt, and under a policy whose proposal
//! needs a decision after gateway (TQUK), the proposal is accepted or
//! rejected with a rework deadline. Reads: the gateway with every attempt,
//! the portfolio's KSB coverage (JSON and CSV), the proposal, the summary
//! as a PDF.
//!
//! One file per use case; each reads the EPA through the gate
//! (`crate::gate::EpaContext`). The inputs and views are in `views`, what
//! is stored about a gateway in `stored`, the checks of a submission in
//! `checks`.

mod approve;
mod checks;
mod coverage;
mod decide_proposal;
mod get;
mod notify;
mod proposal;
mod reject;
mod review;
mod rework_proposal;
mod stored;
mod submit;
mod summary_pdf;
mod under_review;
mod views;
mod visible;

pub use approve::approve;
pub use coverage::coverage;
pub use decide_proposal::decide_proposal;
pub use get::get;
pub use proposal::proposal;
pub use reject::reject;
pub use review::review;
pub use rework_proposal::rework_proposal;
pub use submit::submit;
pub use summary_pdf::summary_pdf;
pub use views::{
    AttemptView, ComponentView, CoverageRowView, CoverageView, CoveringItem, Decision,
    DeclarationInput, EvidenceInput, EvidenceView, GatewayInput, GatewayView, PhotoIdInput,
    PortfolioInput, ProposalDecisionInput, ProposalDecisionView, ProposalInput,
    ProposalVersionView, ProposalView, ReviewInput, ReviewView,
};

// Shared with the evidence locator, which checks and renders its entries
// the same way as the portfolio's.
pub(crate) use checks::{check_text, field_errors, normalise_ksbs};
pub(crate) use visible::visible;
