//! The closed sets of values the API speaks (stages, methods, grades,
//! criterion levels, modes, KSB kinds, gateway component kinds, rule
//! strengths) as enums in the OpenAPI document, so a generated client gets a
//! type rather than a string.
//!
//! The values come from the domain's own lists (`Stage::ALL` and the like)
//! or from serializing every variant, never from a second copy typed here:
//! the schema cannot drift from what the API sends and accepts.

use std::borrow::Cow;

use epa_domain::gateway::ComponentKind;
use epa_domain::lifecycle::Stage;
use epa_plan::{CriterionLevel, Grade, KsbKind, MethodId, Mode, Strength};
use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, Type};

/// Each value as it is sent: its serde name.
fn names<T: Serialize>(values: impl IntoIterator<Item = T>) -> Vec<String> {
    values
        .into_iter()
        .filter_map(|value| match serde_json::to_value(value) {
            Ok(serde_json::Value::String(name)) => Some(name),
            _ => None,
        })
        .collect()
}

fn string_enum(values: Vec<String>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

macro_rules! closed_set {
    ($(#[$doc:meta])* $marker:ident, $name:literal, $description:literal, $values:expr) => {
        $(#[$doc])*
        pub struct $marker;

        impl $marker {
            /// The values, as sent.
            pub fn values() -> Vec<String> {
                names($values)
            }
        }

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                Schema::Object(string_enum($marker::values(), $description)).into()
            }
        }

        impl utoipa::ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

closed_set!(
    /// An EPA's lifecycle stage.
    StageSchema,
    "Stage",
    "An EPA's stage in its lifecycle, in lifecycle order",
    Stage::ALL
);
closed_set!(
    /// An assessment method.
    MethodSchema,
    "Method",
    "An assessment method of the plan",
    MethodId::ALL
);
closed_set!(
    /// A method or overall grade.
    GradeSchema,
    "Grade",
    "A grade, worst first",
    Grade::ALL
);
closed_set!(
    /// The grade level a criterion belongs to.
    CriterionLevelSchema,
    "CriterionLevel",
    "The grade a criterion counts towards: every pass criterion met gives a pass, and every distinction criterion as well a distinction",
    [CriterionLevel::Pass, CriterionLevel::Distinction]
);
closed_set!(
    /// How an assessment may be held.
    ModeSchema,
    "AssessmentMode",
    "How an assessment may be held",
    [Mode::InPerson, Mode::Remote]
);
closed_set!(
    /// Knowledge, skill or behaviour.
    KsbKindSchema,
    "KsbKind",
    "Knowledge, skill or behaviour",
    [KsbKind::Knowledge, KsbKind::Skill, KsbKind::Behaviour]
);
closed_set!(
    /// One part of a gateway submission.
    ComponentKindSchema,
    "GatewayComponentKind",
    "One part of a gateway submission",
    ComponentKind::ALL
);
closed_set!(
    /// Whether a rule binds or advises.
    StrengthSchema,
    "RuleStrength",
    "`must` binds (a miss blocks); `recommended` advises (a miss warns)",
    [Strength::Must, Strength::Recommended]
);

/// Properties of the use cases' views that carry a closed set as text: the
/// schema, the property, the set, and whether it is a list of them.
const TEXT_PROPERTIES: &[(&str, &str, &str, bool)] = &[
    ("AssessmentInput", "method", "Method", false),
    ("AssessmentView", "method", "Method", false),
    ("AttemptStarted", "methods", "Method", true),
    ("AttemptStarted", "stage", "Stage", false),
    ("BookingInput", "method", "Method", false),
    ("BookingInput", "mode", "AssessmentMode", false),
    ("BookingView", "method", "Method", false),
    ("BookingView", "mode", "AssessmentMode", false),
    ("CertificateView", "stage", "Stage", false),
    ("ComponentView", "kind", "GatewayComponentKind", false),
    ("CoverageView", "method", "Method", false),
    ("DueDeadline", "stage", "Stage", false),
    ("EpaView", "overall_grade", "Grade", false),
    ("EpaView", "stage", "Stage", false),
    ("GatewayView", "stage", "Stage", false),
    ("JudgementView", "method", "Method", false),
    ("LocatorCoverageView", "method", "Method", false),
    ("MethodProgress", "method", "Method", false),
    ("MethodProgress", "stage", "Stage", false),
    ("MethodResultView", "grade", "Grade", false),
    ("MethodResultView", "method", "Method", false),
    ("OverallView", "grade", "Grade", false),
    ("OverallView", "uncapped_grade", "Grade", false),
    ("ProposedBooking", "method", "Method", false),
    ("ProposedBooking", "mode", "AssessmentMode", false),
    ("RecordedAssessment", "stage", "Stage", false),
    ("RescheduleInput", "mode", "AssessmentMode", false),
    ("ResitInput", "methods", "Method", true),
    ("ResultsView", "stage", "Stage", false),
    ("RowOutcome", "method", "Method", false),
    ("SuggestionInput", "method", "Method", false),
    ("SuggestionsView", "method", "Method", false),
    ("UnscheduledAssessment", "method", "Method", false),
];

/// The views of the use cases keep stages, methods, modes, grades and
/// component kinds as text; their values are still only the closed set's.
/// The document says so: each such property refers to the set's enum
/// (keeping its description and whether it may be null). The bodies do
/// not change. Returns the rules that found no such property, which the
/// tests require to be none.
pub fn closed_sets_in_views(document: &mut serde_json::Value) -> Vec<String> {
    use serde_json::{Value, json};
    let mut missed = Vec::new();
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return vec!["the document has no schemas".to_owned()];
    };
    let sets: [(&str, Object); 5] = [
        (
            "Stage",
            string_enum(
                StageSchema::values(),
                "An EPA's stage in its lifecycle, in lifecycle order",
            ),
        ),
        (
            "Method",
            string_enum(MethodSchema::values(), "An assessment method of the plan"),
        ),
        (
            "Grade",
            string_enum(GradeSchema::values(), "A grade, worst first"),
        ),
        (
            "AssessmentMode",
            string_enum(ModeSchema::values(), "How an assessment may be held"),
        ),
        (
            "GatewayComponentKind",
            string_enum(
                ComponentKindSchema::values(),
                "One part of a gateway submission",
            ),
        ),
    ];
    for (name, schema) in sets {
        if let Ok(schema) = serde_json::to_value(schema) {
            schemas.entry(name).or_insert(schema);
        }
    }
    for (schema, property, set, list) in TEXT_PROPERTIES {
        let Some(slot) = schemas
            .get_mut(*schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut(*property))
        else {
            missed.push(format!("{schema}.{property}"));
            continue;
        };
        let reference = json!({"$ref": format!("#/components/schemas/{set}")});
        let text = |v: &Value| v == "string";
        let nullable = |v: &Value| v == &json!(["string", "null"]);
        let target = if *list {
            match slot.get_mut("items") {
                Some(items) => items,
                None => {
                    missed.push(format!("{schema}.{property}[]"));
                    continue;
                }
            }
        } else {
            slot
        };
        let description = target.get("description").cloned();
        let kind = target.get("type").cloned().unwrap_or(Value::Null);
        let mut replacement = if text(&kind) {
            reference
        } else if nullable(&kind) {
            json!({"oneOf": [reference, {"type": "null"}]})
        } else {
            missed.push(format!("{schema}.{property} is not text"));
            continue;
        };
        if let Some(description) = description {
            replacement["description"] = description;
        }
        *target = replacement;
    }
    missed
}

/// The `stage` query parameter's schema.
pub fn stage_parameter() -> Object {
    string_enum(StageSchema::values(), "Only EPAs at this stage")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_property_with_a_closed_set_refers_to_its_enum() {
        let mut document = serde_json::to_value(super::super::openapi()).unwrap();
        // Already applied once: applying again finds nothing left as text.
        let again = closed_sets_in_views(&mut document);
        assert_eq!(again.len(), TEXT_PROPERTIES.len(), "{again:?}");
        assert_eq!(
            document["components"]["schemas"]["EpaView"]["properties"]["stage"]["$ref"],
            "#/components/schemas/Stage"
        );
        assert_eq!(
            document["components"]["schemas"]["EpaView"]["properties"]["overall_grade"]["oneOf"][0]
                ["$ref"],
            "#/components/schemas/Grade"
        );
        assert_eq!(
            document["components"]["schemas"]["Grade"]["enum"],
            serde_json::json!(["fail", "pass", "distinction"])
        );
    }

    /// The lists typed out above (no `ALL` to take them from) are whole:
    /// each match has no wildcard, so a new variant fails to compile here.
    #[test]
    fn hand_listed_sets_are_whole() {
        let level = |l: CriterionLevel| match l {
            CriterionLevel::Pass | CriterionLevel::Distinction => (),
        };
        let mode = |m: Mode| match m {
            Mode::InPerson | Mode::Remote => (),
        };
        let kind = |k: KsbKind| match k {
            KsbKind::Knowledge | KsbKind::Skill | KsbKind::Behaviour => (),
        };
        let strength = |s: Strength| match s {
            Strength::Must | Strength::Recommended => (),
        };
        level(CriterionLevel::Pass);
        mode(Mode::Remote);
        kind(KsbKind::Skill);
        strength(Strength::Must);
        assert_eq!(CriterionLevelSchema::values(), ["pass", "distinction"]);
        assert_eq!(ModeSchema::values(), ["in_person", "remote"]);
        assert_eq!(KsbKindSchema::values().len(), 3);
        assert_eq!(StrengthSchema::values(), ["must", "recommended"]);
        assert_eq!(StageSchema::values().len(), Stage::ALL.len());
        assert_eq!(StageSchema::values()[0], "registered");
        assert_eq!(ComponentKindSchema::values()[0], "photo_id");
    }
}
