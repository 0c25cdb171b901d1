//! What differs between two effective plans (two EPAOs' policies, or two
//! versions of a plan). The comparison walks the serialized form, so a new
//! field in the schema is compared without anyone remembering to add it;
//! each difference carries the source of each side.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::effective::EffectivePlan;

/// One difference: the path of the value, each side's value (`null` where
/// one side does not state it) and each side's source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// Dotted path, list items by their ID: `rules.timings.report_window.from`,
    /// `criteria[WBP-D04]`, `overall_grading.table[distinction/pass/pass].overall`.
    pub path: String,
    pub a: Value,
    pub b: Value,
    /// The nearest source stated for side A's value.
    pub source_a: Option<String>,
    pub source_b: Option<String>,
    /// How each side's value was read from its source, where the file
    /// says (the nearest `reading`): why TQUK's questions follow the
    /// observation, why Innovate's "two weeks prior" is a minimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading_a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading_b: Option<String>,
}

/// Sources and readings carried down to nested values.
#[derive(Clone, Default)]
struct Context {
    source_a: Option<String>,
    source_b: Option<String>,
    reading_a: Option<String>,
    reading_b: Option<String>,
}

/// Keys that say where a value comes from or how it was read, rather than
/// what the rule is: they are reported with a difference, not as one.
const PROVENANCE: [&str; 4] = ["source", "reading", "note", "policy_source"];

/// Keys that name the plan or policy itself: different by definition.
const IDENTITY: [&str; 2] = ["epao", "epao_name"];

/// Every difference between two effective plans.
pub fn diff_effective(a: &EffectivePlan, b: &EffectivePlan) -> Vec<Difference> {
    let (mut a_value, mut b_value) = (to_value(a), to_value(b));
    for key in IDENTITY {
        for value in [&mut a_value, &mut b_value] {
            if let Value::Object(map) = value {
                map.remove(key);
            }
        }
    }
    let ctx = Context {
        source_a: source_text(&to_value(&a.policy_source)),
        source_b: source_text(&to_value(&b.policy_source)),
        ..Context::default()
    };
    let mut out = Vec::new();
    walk(&a_value, &b_value, String::new(), ctx, &mut out);
    out
}

/// Every difference between two serialized values, with sources taken from
/// the nearest `source` object on each side.
pub fn diff_values(a: &Value, b: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk(a, b, String::new(), Context::default(), &mut out);
    out
}

fn to_value(v: &impl Serialize) -> Value {
    // Serializing plain data structs to a Value cannot fail.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn own_reading(value: &Value) -> Option<String> {
    value
        .as_object()
        .and_then(|m| m.get("reading"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The context for a pair of values: each side's own source and reading,
/// else the enclosing ones.
fn enter(a: &Value, b: &Value, ctx: &Context) -> Context {
    Context {
        source_a: nearest(a).or(ctx.source_a.clone()),
        source_b: nearest(b).or(ctx.source_b.clone()),
        reading_a: own_reading(a).or(ctx.reading_a.clone()),
        reading_b: own_reading(b).or(ctx.reading_b.clone()),
    }
}

fn difference(path: String, a: &Value, b: &Value, ctx: &Context) -> Difference {
    let ctx = enter(a, b, ctx);
    Difference {
        path,
        a: strip(a),
        b: strip(b),
        source_a: ctx.source_a,
        source_b: ctx.source_b,
        reading_a: ctx.reading_a,
        reading_b: ctx.reading_b,
    }
}

fn walk(a: &Value, b: &Value, path: String, ctx: Context, out: &mut Vec<Difference>) {
    match (a, b) {
        // A timing is one rule: report it whole, not field by field.
        (Value::Object(ma), Value::Object(mb))
            if ma.contains_key("relation") && mb.contains_key("relation") =>
        {
            if strip(a) != strip(b) {
                out.push(difference(path, a, b, &ctx));
            }
        }
        (Value::Object(ma), Value::Object(mb)) => {
            let ctx = enter(a, b, &ctx);
            let mut keys: Vec<&String> = ma.keys().chain(mb.keys()).collect();
            keys.dedup();
            let mut seen = Vec::new();
            for key in keys {
                if PROVENANCE.contains(&key.as_str()) || seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let (va, vb) = (
                    ma.get(key).unwrap_or(&Value::Null),
                    mb.get(key).unwrap_or(&Value::Null),
                );
                walk(va, vb, join(&path, key), ctx.clone(), out);
            }
        }
        (Value::Array(la), Value::Array(lb)) if keyed(la) && keyed(lb) => {
            let mut keys: Vec<String> = Vec::new();
            for item in la.iter().chain(lb.iter()) {
                let key = item_key(item).unwrap_or_default();
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            for key in keys {
                let find = |list: &Vec<Value>| {
                    list.iter()
                        .find(|i| item_key(i).as_deref() == Some(key.as_str()))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                let (va, vb) = (find(la), find(lb));
                let item_path = format!("{path}[{key}]");
                if va.is_null() || vb.is_null() {
                    // An item only one side has: one difference, not one per field.
                    out.push(difference(item_path, &va, &vb, &ctx));
                } else {
                    walk(&va, &vb, item_path, ctx.clone(), out);
                }
            }
        }
        _ => {
            if a != b {
                out.push(difference(path, a, b, &ctx));
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn own_source(map: &Map<String, Value>) -> Option<String> {
    map.get("source").and_then(source_text)
}

fn nearest(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => own_source(map),
        _ => None,
    }
}

/// A stated-once value without its provenance, for printing.
fn strip(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !PROVENANCE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// "Document, section: "quote"" from a serialized [`Source`](crate::Source).
fn source_text(value: &Value) -> Option<String> {
    let source: crate::Source = serde_json::from_value(value.clone()).ok()?;
    Some(source.to_string())
}

/// Lists of objects that carry an ID are compared item by item.
fn keyed(list: &[Value]) -> bool {
    !list.is_empty() && list.iter().all(|i| item_key(i).is_some())
}

fn item_key(item: &Value) -> Option<String> {
    let map = item.as_object()?;
    for key in ["id", "code", "criterion", "ksb", "method"] {
        if let Some(Value::String(s)) = map.get(key) {
            return Some(s.clone());
        }
    }
    // Grading table rows are keyed by their combination.
    let parts: Option<Vec<&str>> = ["observation", "project", "discussion"]
        .iter()
        .map(|k| map.get(*k).and_then(Value::as_str))
        .collect();
    parts.map(|p| p.join("/"))
}
