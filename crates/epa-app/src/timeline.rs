//! An EPA's history as a reader who may not see marks before release sees
//! it: the events stay (what happened, when, by whom), the marks and grades
//! they carry are withheld until the method's result is released.

use std::collections::BTreeSet;

use epa_store::audit::HistoryEvent;
use serde_json::{Value, json};

/// Events whose details carry marks or grades.
const JUDGEMENTS: &str = "judgements.recorded";
/// Exceptional circumstances are seen by the EPAO and the assessor only.
const EXCEPTIONAL: &str = "exceptional_circumstances.recorded";

/// `events` with the marks of every method result not in `released`
/// (method, attempt) withheld. The hash chain is verified on the stored
/// rows, never on this view.
pub fn withhold_marks(
    events: Vec<HistoryEvent>,
    released: &BTreeSet<(String, i32)>,
) -> Vec<HistoryEvent> {
    events
        .into_iter()
        .map(|mut event| {
            match event.action.as_str() {
                JUDGEMENTS => {
                    let details = parse(event.after_json.as_deref());
                    let key = (
                        details["method"].as_str().unwrap_or_default().to_owned(),
                        details["attempt"]
                            .as_i64()
                            .and_then(|a| i32::try_from(a).ok())
                            .unwrap_or_default(),
                    );
                    if !released.contains(&key) {
                        event.after_json = Some(
                            json!({
                                "assessment_id": details["assessment_id"],
                                "method": details["method"],
                                "attempt": details["attempt"],
                                "judgements": details["judgements"].as_array().map_or(0, Vec::len),
                                "withheld": "marks are shown once the result is released",
                            })
                            .to_string(),
                        );
                    }
                }
                EXCEPTIONAL => {
                    event.after_json = Some(
                        json!({"withheld": "exceptional circumstances are seen by the EPAO"})
                            .to_string(),
                    );
                }
                _ => {}
            }
            event
        })
        .collect()
}

fn parse(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn event(action: &str, after: Value) -> HistoryEvent {
        HistoryEvent {
            occurred_at: Utc::now(),
            actor_role: "assessor".into(),
            action: action.into(),
            after_json: Some(after.to_string()),
        }
    }

    fn judged(method: &str, attempt: i32) -> HistoryEvent {
        event(
            JUDGEMENTS,
            json!({"method": method, "attempt": attempt, "assessment_id": "a",
                   "judgements": [{"criterion": "OBS-P01", "met": false}],
                   "method_result": {"grade": "fail"}}),
        )
    }

    #[test]
    fn marks_of_an_unreleased_method_are_withheld() {
        let shown = withhold_marks(vec![judged("observation", 1)], &BTreeSet::new());
        let after = shown[0].after_json.as_deref().unwrap();
        assert!(!after.contains("OBS-P01"), "{after}");
        assert!(!after.contains("fail"), "{after}");
        assert!(after.contains("\"judgements\":1"), "{after}");
    }

    #[test]
    fn marks_of_a_released_method_are_shown_and_only_of_that_attempt() {
        let released = BTreeSet::from([("observation".to_owned(), 1)]);
        let shown = withhold_marks(
            vec![judged("observation", 1), judged("observation", 2)],
            &released,
        );
        assert!(shown[0].after_json.as_deref().unwrap().contains("OBS-P01"));
        assert!(!shown[1].after_json.as_deref().unwrap().contains("OBS-P01"));
    }

    #[test]
    fn other_events_pass_unchanged() {
        let original = event("epa.registered", json!({"uln": "1"}));
        let shown = withhold_marks(vec![original.clone()], &BTreeSet::new());
        assert_eq!(shown[0].after_json, original.after_json);
    }
}
