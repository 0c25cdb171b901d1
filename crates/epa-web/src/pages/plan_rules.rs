//! A plan's rules as rows a person reads: every value in the effective plan
//! that states a source becomes one row, found by walking its serialized
//! form, so a rule added to the plan format shows here without anyone
//! remembering to add it (as `epa_plan::diff_effective` compares them).

use epa_plan::{EffectivePlan, Source, diff_effective};
use serde_json::{Map, Value};

/// One rule: where it sits, what it says, how it was read, says who.
pub struct RuleRow {
    pub title: String,
    /// The rule's own words, where the file gives them.
    pub statement: Option<String>,
    /// Its values, named.
    pub facts: Vec<(String, String)>,
    pub reading: Option<String>,
    pub source: String,
}

/// One value on which two policies differ.
pub struct DifferenceRow {
    pub what: String,
    pub a: String,
    pub b: String,
    pub source_a: Option<String>,
    pub source_b: Option<String>,
    pub reading_a: Option<String>,
    pub reading_b: Option<String>,
}

/// Keys that are how a value was stated rather than a fact of the rule.
const WORDS: [&str; 5] = ["text", "rule", "reading", "note", "source"];

/// The policy's rules and the plan's grading, each with its source.
pub fn rules(plan: &EffectivePlan) -> Vec<RuleRow> {
    let mut out = Vec::new();
    for (title, value) in [
        ("Method grading", serde_json::to_value(&plan.method_grading)),
        (
            "Overall grading",
            serde_json::to_value(&plan.overall_grading),
        ),
        ("Rules", serde_json::to_value(&plan.rules)),
        (
            "Coverage exceptions",
            serde_json::to_value(&plan.coverage_exceptions),
        ),
    ] {
        // Plain data always serializes; a failure would only hide a section.
        if let Ok(value) = value {
            let mut path = if title == "Rules" {
                Vec::new()
            } else {
                vec![title.to_owned()]
            };
            walk(&value, &mut path, &mut out);
        }
    }
    out
}

fn walk(value: &Value, path: &mut Vec<String>, out: &mut Vec<RuleRow>) {
    match value {
        Value::Object(map) => {
            if let Some(source) = map.get("source") {
                out.push(row(path, map, source));
            }
            for (key, inner) in map {
                if WORDS.contains(&key.as_str()) || !(inner.is_object() || inner.is_array()) {
                    continue;
                }
                path.push(words(key));
                walk(inner, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                let label = ["id", "code", "ksb", "method"]
                    .iter()
                    .find_map(|key| item.get(key).and_then(Value::as_str))
                    .map_or_else(|| (n + 1).to_string(), words);
                path.push(label);
                walk(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn row(path: &[String], map: &Map<String, Value>, source: &Value) -> RuleRow {
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
    RuleRow {
        title: title(path),
        statement: text("text").or_else(|| text("rule")),
        facts: map
            .iter()
            .filter(|(key, value)| {
                !WORDS.contains(&key.as_str()) && !value.is_object() && !value.is_array()
            })
            .map(|(key, value)| (capitalised(&words(key)), shown(value)))
            .chain(
                // Short lists of plain values (the KSBs an exception covers).
                map.iter()
                    .filter(|(_, value)| {
                        value
                            .as_array()
                            .is_some_and(|items| items.iter().all(|v| !v.is_object()))
                    })
                    .map(|(key, value)| (capitalised(&words(key)), shown(value))),
            )
            .collect(),
        reading: text("reading").or_else(|| text("note")),
        source: source_text(source),
    }
}

fn title(path: &[String]) -> String {
    capitalised(&path.join(": "))
}

fn source_text(source: &Value) -> String {
    serde_json::from_value::<Source>(source.clone())
        .map(|source| source.to_string())
        .unwrap_or_else(|_| shown(source))
}

/// A key or a value of the plan files in words: `report_window` as "report window".
fn words(key: &str) -> String {
    key.replace('_', " ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A value as text: plain values in words, lists joined, records as
/// `name: value` pairs.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "not stated".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => words(s),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .filter(|(key, _)| !["source", "reading", "note"].contains(&key.as_str()))
            .map(|(key, value)| format!("{}: {}", words(key), shown(value)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Every value on which two policies differ, each side with its source.
pub fn differences(a: &EffectivePlan, b: &EffectivePlan) -> Vec<DifferenceRow> {
    diff_effective(a, b)
        .into_iter()
        .map(|difference| DifferenceRow {
            what: capitalised(
                &difference
                    .path
                    .split('.')
                    .map(|segment| words(&segment.replace('[', ": ").replace(']', "")))
                    .collect::<Vec<_>>()
                    .join(": "),
            ),
            a: shown(&difference.a),
            b: shown(&difference.b),
            source_a: difference.source_a,
            source_b: difference.source_b,
            reading_a: difference.reading_a,
            reading_b: difference.reading_b,
        })
        .collect()
}
