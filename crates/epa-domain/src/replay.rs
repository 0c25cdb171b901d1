//! Reading an EPA's recorded history back through the rules: which
//! judgements still stand after corrections, and the attempts replayed in
//! date order (which give the grade cap its context).
//!
//! Both were once worked out by the use cases; they are rules about what the
//! records mean, so they live here, pure and tested.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::attempts::{AttemptError, AttemptHistory, AttemptKind, AttemptPolicy, Sitting};
use crate::calendar::WorkingDays;

/// A record that may replace an earlier one (a judgement correcting a
/// judgement). IDs are the 128 bits of the stored UUIDs.
pub trait Superseding {
    fn id(&self) -> u128;
    fn supersedes(&self) -> Option<u128>;
}

/// The records nobody superseded, in their original order: a correction
/// stands for the judgement it replaced, and both stay on record.
pub fn standing<T: Superseding>(records: &[T]) -> Vec<&T> {
    let superseded: BTreeSet<u128> = records.iter().filter_map(T::supersedes).collect();
    records
        .iter()
        .filter(|r| !superseded.contains(&r.id()))
        .collect()
}

/// One graded sitting as recorded: its date and attempt number order the
/// replay.
#[derive(Debug, Clone)]
pub struct RecordedSitting {
    pub attempt: i32,
    pub sitting: Sitting,
}

/// What the replay found: the history, and the sittings the rules no
/// longer accept (a rule changed since they were recorded). Those are left
/// out rather than blocking the EPA; the caller logs them.
pub struct Replayed {
    pub history: AttemptHistory,
    pub left_out: Vec<AttemptError>,
}

/// Replays every graded sitting in date order (then attempt number). A
/// retake's new gateway (`retake_gateway_on`, the current EPA period's
/// start) is recorded before its first sitting, or at the end when a retake
/// is under way and nothing of it is sat yet.
pub fn replay(
    policy: AttemptPolicy,
    mut sittings: Vec<RecordedSitting>,
    exceptional_circumstances: bool,
    retake_under_way: bool,
    retake_gateway_on: Option<NaiveDate>,
    wd: &WorkingDays<'_>,
) -> Replayed {
    let mut history = AttemptHistory::new(policy);
    history.exceptional_circumstances = exceptional_circumstances;
    let mut left_out = Vec::new();
    sittings.sort_by_key(|s| (s.sitting.held_on, s.attempt));
    let mut retake_gateway = false;
    for RecordedSitting { sitting, .. } in sittings {
        if sitting.kind == AttemptKind::Retake
            && !retake_gateway
            && let Some(on) = retake_gateway_on
        {
            retake_gateway = history.record_retake_gateway(on).is_ok();
        }
        if let Err(err) = history.record(sitting, wd) {
            left_out.push(err);
        }
    }
    if retake_under_way
        && !retake_gateway
        && let Some(on) = retake_gateway_on
    {
        let _ = history.record_retake_gateway(on);
    }
    Replayed { history, left_out }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct J(u128, Option<u128>);
    impl Superseding for J {
        fn id(&self) -> u128 {
            self.0
        }
        fn supersedes(&self) -> Option<u128> {
            self.1
        }
    }

    #[test]
    fn a_correction_stands_for_what_it_replaced() {
        let records = [J(1, None), J(2, None), J(3, Some(1)), J(4, Some(3))];
        let ids: Vec<u128> = standing(&records).iter().map(|j| j.0).collect();
        assert_eq!(ids, [2, 4]);
    }

    #[test]
    fn nothing_superseded_leaves_everything() {
        let records = [J(1, None), J(2, None)];
        assert_eq!(standing(&records).len(), 2);
        assert!(standing::<J>(&[]).is_empty());
    }
}
