//! Confirming a proposal: each row is booked through the booking use case,
//! with its rules and notifications.

use uuid::Uuid;

use super::views::{Confirmation, ConfirmationInput, RowOutcome};
use crate::planning::{self, BookingError, staff_epaos};
use crate::{Actor, App, AppError, FieldError};

/// The most rows one confirmation books.
pub const CONFIRM_MAX: usize = 2_000;

/// Books each row as [`planning::book`] does (the same rules, audit and
/// notifications), each in its own transaction, earliest date first so
/// that the order rules see the earlier bookings. A row the rules refuse
/// (a proposal gone stale because someone booked meanwhile, an adjusted
/// date too early) is reported with the rule's message and nothing is
/// written for it; the other rows are booked all the same (ADR 0127).
pub async fn confirm(
    app: &App,
    actor: &Actor,
    input: ConfirmationInput,
) -> Result<Confirmation, AppError> {
    // Each booking is authorised on its own EPA through the gate; this
    // door is the EPAO staff's, as the proposal's.
    if staff_epaos(actor).is_empty() {
        return Err(AppError::Forbidden(
            "only EPAO administrators and operations staff can confirm a schedule".to_owned(),
        ));
    }
    if input.bookings.is_empty() {
        return Err(AppError::field(
            "bookings",
            "choose at least one assessment to book",
        ));
    }
    if input.bookings.len() > CONFIRM_MAX {
        return Err(AppError::field(
            "bookings",
            format!("confirm at most {CONFIRM_MAX} assessments at once"),
        ));
    }
    let mut order: Vec<usize> = (0..input.bookings.len()).collect();
    order.sort_by_key(|&i| (input.bookings[i].booking.date, i));
    let mut rows: Vec<Option<RowOutcome>> = vec![None; input.bookings.len()];
    for i in order {
        let row = &input.bookings[i];
        let booking = row.booking.clone();
        let mut outcome = RowOutcome {
            row: i,
            epa_id: row.epa_id,
            method: booking.method.clone(),
            booking: None,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        match planning::book(app, actor, row.epa_id, booking).await {
            Ok(booked) => {
                outcome.booking = Some(booked.booking);
                outcome.warnings = booked.warnings;
            }
            Err(BookingError::Refused { refusals, warnings }) => {
                outcome.errors = refusals
                    .into_iter()
                    .map(|r| FieldError::new("date", r.message))
                    .collect();
                outcome.warnings = warnings;
            }
            Err(BookingError::App(err)) => outcome.errors = row_errors(row.epa_id, err),
        }
        rows[i] = Some(outcome);
    }
    let rows: Vec<RowOutcome> = rows.into_iter().flatten().collect();
    let booked = rows.iter().filter(|r| r.booking.is_some()).count();
    Ok(Confirmation {
        booked,
        refused: rows.len() - booked,
        rows,
    })
}

/// A refused row's problems, by field, in the booking use case's words.
fn row_errors(epa: Uuid, err: AppError) -> Vec<FieldError> {
    match err {
        AppError::Validation(problems) => problems,
        AppError::NotFound => vec![FieldError::new(
            "epa_id",
            "there is no such EPA, or it is not yours to book",
        )],
        AppError::Forbidden(message) | AppError::Conflict(message) | AppError::Stale(message) => {
            vec![FieldError::new("row", message)]
        }
        AppError::Unavailable(message) => vec![FieldError::new("row", message)],
        AppError::Internal(detail) => {
            tracing::error!(epa = %epa, error = %detail, "a confirmed row could not be booked");
            vec![FieldError::new(
                "row",
                "this assessment could not be booked just now and nothing was written for it: try it again",
            )]
        }
    }
}
