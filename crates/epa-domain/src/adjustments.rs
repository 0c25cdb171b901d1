//! Reasonable adjustments: what EPAO staff grant an apprentice (extra time,
//! other arrangements, and why), and the duration windows they change.
//!
//! A method's duration rules (the sitting's length, a booking's length, the
//! observation's questioning) all read one [`DurationWindow`]: the plan's
//! duration plus any extra time, with the plan's tolerance around it
//! (ADR 0101). Extra time is an allowance, not an obligation: the lower
//! bound stays the plan's, so an apprentice granted extra time who finishes
//! in the planned time is not refused.

use epa_plan::{Method, QuestioningPlacement};
use serde::{Deserialize, Serialize};

/// Extra time, as the decision states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "amount")]
pub enum ExtraTime {
    /// A number of minutes added to each timed method.
    Minutes(u32),
    /// A share of each timed method's planned duration (25 = 25%).
    Percent(u32),
}

/// The most extra time the product accepts: double the planned time, or
/// three more hours. Beyond that is a typing slip, not an adjustment.
pub const MAX_EXTRA_PERCENT: u32 = 100;
pub const MAX_EXTRA_MINUTES: u32 = 180;

impl ExtraTime {
    /// The minutes added to a method planned at `planned` minutes. A share
    /// is rounded up: the apprentice is never given less than granted.
    pub fn minutes_on(self, planned: u32) -> u32 {
        match self {
            ExtraTime::Minutes(m) => m,
            ExtraTime::Percent(p) => (planned * p).div_ceil(100),
        }
    }
}

/// A reasonable adjustment decided for one EPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_time: Option<ExtraTime>,
    /// Other arrangements in words (a reader, a quiet room, breaks ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrangements: Option<String>,
    /// Why it is granted.
    pub reason: String,
}

/// One thing wrong with an adjustment, against the field to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

impl Adjustment {
    /// A checked adjustment: a reason, and extra time or arrangements (or
    /// both), the extra time positive and within the limits above. Every
    /// problem at once.
    pub fn new(
        extra_time: Option<ExtraTime>,
        arrangements: Option<String>,
        reason: impl Into<String>,
    ) -> Result<Adjustment, Vec<Problem>> {
        let reason = reason.into().trim().to_owned();
        let arrangements = arrangements
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        let mut problems = Vec::new();
        let mut add = |field, message: String| problems.push(Problem { field, message });
        match extra_time {
            Some(ExtraTime::Minutes(0)) | Some(ExtraTime::Percent(0)) => add(
                "extra_time",
                "extra time must be more than 0; leave it out for none".to_owned(),
            ),
            Some(ExtraTime::Minutes(m)) if m > MAX_EXTRA_MINUTES => add(
                "extra_time",
                format!("extra time of {m} minutes is more than the {MAX_EXTRA_MINUTES} allowed"),
            ),
            Some(ExtraTime::Percent(p)) if p > MAX_EXTRA_PERCENT => add(
                "extra_time",
                format!("extra time of {p}% is more than the {MAX_EXTRA_PERCENT}% allowed"),
            ),
            _ => {}
        }
        if extra_time.is_none() && arrangements.is_none() {
            add(
                "arrangements",
                "give extra time or describe the arrangements".to_owned(),
            );
        }
        if reason.is_empty() {
            add("reason", "enter why the adjustment is granted".to_owned());
        }
        if problems.is_empty() {
            Ok(Adjustment {
                extra_time,
                arrangements,
                reason,
            })
        } else {
            Err(problems)
        }
    }
}

/// How long a sitting of a method may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DurationWindow {
    /// The plan's duration plus any extra time.
    pub planned: u32,
    /// The extra time included in `planned` (0 without an adjustment).
    pub extra: u32,
    pub tolerance_percent: u32,
    /// The plan's lower bound (extra time does not raise it).
    pub min: u32,
    /// `planned` plus the tolerance, rounded up.
    pub max: u32,
}

impl DurationWindow {
    /// "54–66 minutes (60 minutes ± 10%)", or with extra time
    /// "54–83 minutes (75 minutes with the reasonable adjustment, ± 10%)".
    pub fn describe(&self) -> String {
        if self.extra == 0 {
            format!(
                "{}–{} minutes ({} minutes ± {}%)",
                self.min, self.max, self.planned, self.tolerance_percent
            )
        } else {
            format!(
                "{}–{} minutes ({} minutes with the reasonable adjustment, ± {}%)",
                self.min, self.max, self.planned, self.tolerance_percent
            )
        }
    }

    pub fn contains(&self, minutes: u32) -> bool {
        (self.min..=self.max).contains(&minutes)
    }
}

/// The window a sitting of `method` must fall in, given the EPA's
/// adjustment if it has one.
pub fn allowed_window(method: &Method, adjustment: Option<&Adjustment>) -> DurationWindow {
    let extra = adjustment
        .and_then(|a| a.extra_time)
        .map_or(0, |e| e.minutes_on(method.duration_minutes));
    if extra == 0 {
        return DurationWindow {
            planned: method.duration_minutes,
            extra: 0,
            tolerance_percent: method.tolerance_percent,
            min: method.min_minutes,
            max: method.max_minutes,
        };
    }
    let planned = method.duration_minutes + extra;
    DurationWindow {
        planned,
        extra,
        tolerance_percent: method.tolerance_percent,
        min: method.min_minutes,
        max: (planned * (100 + method.tolerance_percent)).div_ceil(100),
    }
}

/// The most minutes of questioning the policy allows for a method, given
/// the adjustment. Where the policy prints a minute figure (TQUK's "up to
/// 10 minutes") that figure is the limit; otherwise the share of the time
/// allowed (Innovate's 15% of the 60 minutes: 9), rounded down (ADR 0100).
/// Extra time stretches the limit in proportion: 25% more time gives 25%
/// more questioning.
pub fn questioning_limit(method: &Method, adjustment: Option<&Adjustment>) -> Option<u32> {
    let q = method.questioning.as_ref()?;
    let window = allowed_window(method, adjustment);
    match (q.max_minutes, q.max_percent) {
        (Some(minutes), _) => Some(minutes * window.planned / method.duration_minutes.max(1)),
        (None, Some(percent)) => Some(window.planned * percent / 100),
        (None, None) => None,
    }
}

/// Minutes a booking must leave for questions that FOLLOW the method
/// (TQUK's question and answer session), 0 when questions happen during it.
pub fn questions_after(method: &Method, adjustment: Option<&Adjustment>) -> u32 {
    match &method.questioning {
        Some(q) if q.placement == QuestioningPlacement::After => {
            questioning_limit(method, adjustment).unwrap_or(0)
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_time_as_a_share_rounds_up() {
        assert_eq!(ExtraTime::Percent(25).minutes_on(60), 15);
        assert_eq!(ExtraTime::Percent(10).minutes_on(55), 6);
        assert_eq!(ExtraTime::Minutes(20).minutes_on(60), 20);
    }

    #[test]
    fn an_adjustment_needs_a_reason_and_something_granted() {
        let err = Adjustment::new(None, Some("  ".into()), " ").unwrap_err();
        let fields: Vec<_> = err.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["arrangements", "reason"]);
        let err = Adjustment::new(Some(ExtraTime::Percent(0)), None, "dyslexia").unwrap_err();
        assert_eq!(err[0].field, "extra_time");
        assert!(Adjustment::new(Some(ExtraTime::Percent(101)), None, "x").is_err());
        assert!(Adjustment::new(Some(ExtraTime::Percent(100)), None, "x").is_ok());
        assert!(Adjustment::new(Some(ExtraTime::Minutes(181)), None, "x").is_err());
        let ok = Adjustment::new(None, Some(" a reader ".into()), " visual impairment ").unwrap();
        assert_eq!(ok.arrangements.as_deref(), Some("a reader"));
        assert_eq!(ok.reason, "visual impairment");
    }
}
