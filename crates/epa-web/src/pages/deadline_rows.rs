//! Deadlines as a table row: what is due, by when, and how urgent.

use epa_app::deadlines::DueDeadline;
use epa_domain::deadlines::{Deadline, DeadlineState};
use serde::Deserialize;
use uuid::Uuid;

use super::view::short_date;

pub struct DeadlineRow {
    pub epa_id: Option<Uuid>,
    pub date: String,
    pub rule: String,
    pub state: &'static str,
    pub state_label: &'static str,
}

/// The fields of a kept deadline a row shows.
#[derive(Deserialize)]
struct Kept {
    date: chrono::NaiveDate,
    rule: String,
    state: DeadlineState,
}

fn state_label(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::OverdueUnlessDone => "Past due",
        DeadlineState::DueSoon => "Due soon",
        DeadlineState::Upcoming => "Upcoming",
        DeadlineState::Met => "Met",
        DeadlineState::Missed => "Missed",
    }
}

/// The style of the state's tag.
fn state_key(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::OverdueUnlessDone | DeadlineState::Missed => "urgent",
        DeadlineState::DueSoon => "soon",
        DeadlineState::Met => "done",
        DeadlineState::Upcoming => "later",
    }
}

/// One of the EPAO-wide list's deadlines.
pub fn row_of(due: &DueDeadline) -> Option<DeadlineRow> {
    let kept: Kept = serde_json::from_str(due.deadline.get()).ok()?;
    Some(DeadlineRow {
        epa_id: Some(due.epa_id),
        date: short_date(kept.date),
        rule: kept.rule,
        state: state_key(kept.state),
        state_label: state_label(kept.state),
    })
}

/// One of an EPA's own deadlines.
pub fn row_of_own(deadline: &Deadline) -> DeadlineRow {
    let state = deadline.state;
    DeadlineRow {
        epa_id: None,
        date: short_date(deadline.date),
        rule: deadline.rule.clone(),
        state: state_key(state),
        state_label: state_label(state),
    }
}
