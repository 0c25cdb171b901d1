//! Every kind of email the product sends, what it is for, and whether its
//! reader must act on it (then it cannot be switched off).

use serde::Serialize;

/// One kind of email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Kind {
    /// As the outbox names it.
    pub kind: &'static str,
    /// What the email tells its reader.
    pub description: &'static str,
    /// The reader must act on it, so it is always sent.
    pub required: bool,
}

/// Every kind, in the order a settings page lists them.
pub const KINDS: &[Kind] = &[
    Kind {
        kind: "invitation",
        description: "An invitation to OpenEPA with a link to set your password",
        required: true,
    },
    Kind {
        kind: "password_reset",
        description: "A link to reset your password, when you ask for one",
        required: true,
    },
    Kind {
        kind: "gateway_submitted",
        description: "A gateway is waiting for your review (EPAO staff)",
        required: true,
    },
    Kind {
        kind: "gateway_rejected",
        description: "A gateway was not approved, with what to fix",
        required: true,
    },
    Kind {
        kind: "proposal_rejected",
        description: "A project proposal needs rework",
        required: true,
    },
    Kind {
        kind: "booking_booked",
        description: "An assessment is booked, with a calendar invite",
        required: true,
    },
    Kind {
        kind: "booking_moved",
        description: "An assessment moved, with the calendar invite updated",
        required: true,
    },
    Kind {
        kind: "booking_cancelled",
        description: "An assessment is cancelled, and taken off your calendar",
        required: true,
    },
    Kind {
        kind: "booking_handed_over",
        description: "An assessment you were booked for is handed to another assessor, and taken off your calendar",
        required: true,
    },
    Kind {
        kind: "gateway_approved",
        description: "A gateway is approved and the EPA period has started",
        required: false,
    },
    Kind {
        kind: "planning_meeting_held",
        description: "The planning meeting was held and an assessor allocated",
        required: false,
    },
    Kind {
        kind: "method_result_released",
        description: "One assessment method's result is released",
        required: false,
    },
    Kind {
        kind: "results_released",
        description: "The overall result is released",
        required: false,
    },
    Kind {
        kind: "assessor_reallocated",
        description: "An EPA has a new assessor",
        required: false,
    },
    Kind {
        kind: "report_over_word_limit",
        description: "A project report is over the word limit (assessors)",
        required: false,
    },
    Kind {
        kind: "report_under_word_limit",
        description: "A project report is under the word limit (assessors)",
        required: false,
    },
];

/// The kind named `name`.
pub fn find(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.kind == name)
}
