//! The instance: what the EPAO knows about its assessors and the apprentices
//! waiting after gateway, as JSON (`docs/scheduling.md`), and its validation.
//!
//! Reading is in two steps. [`Instance::from_json`] reads the document into
//! typed values, refusing a wrong type, an unknown field or a malformed date
//! with the path of the offending field (`apprentices[3].gateway_approved:
//! not a date ...`). [`Instance::validate`] then checks what types cannot:
//! unique IDs, a known EPAO, dates in order, a travel time for every pair of
//! regions the schedule may need.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The three assessments every apprentice needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// In person, in the apprentice's region.
    Observation,
    /// The project's interview, remote.
    Interview,
    /// The professional discussion, remote.
    Discussion,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Observation, Method::Interview, Method::Discussion];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Observation => "observation",
            Method::Interview => "interview",
            Method::Discussion => "discussion",
        }
    }

    /// Position in [`Method::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The EPAO whose recommended order of the assessments applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Epao {
    /// Discussion after the observation and after the interview.
    Tquk,
    /// Discussion after the interview.
    Innovate,
}

impl Epao {
    pub fn as_str(self) -> &'static str {
        match self {
            Epao::Tquk => "tquk",
            Epao::Innovate => "innovate",
        }
    }

    pub fn parse(text: &str) -> Option<Epao> {
        match text {
            "tquk" => Some(Epao::Tquk),
            "innovate" => Some(Epao::Innovate),
            _ => None,
        }
    }

    /// The pairs `(earlier, later)` of the recommended order; each pair a
    /// schedule books the other way round is one order violation.
    pub fn order(self) -> &'static [(Method, Method)] {
        match self {
            Epao::Tquk => &[
                (Method::Observation, Method::Discussion),
                (Method::Interview, Method::Discussion),
            ],
            Epao::Innovate => &[(Method::Interview, Method::Discussion)],
        }
    }
}

impl Serialize for Epao {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Epao {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Epao, D::Error> {
        let text = String::deserialize(d)?;
        Epao::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown EPAO {text:?}: expected tquk or innovate"))
        })
    }
}

/// Dates are `YYYY-MM-DD`, exactly.
pub(crate) mod date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn parse(text: &str) -> Option<NaiveDate> {
        if text.len() != 10 {
            return None;
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    }

    fn not_a_date<E: serde::de::Error>(text: &str) -> E {
        E::custom(format!("not a date (YYYY-MM-DD): {text:?}"))
    }

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&date.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).ok_or_else(|| not_a_date(&text))
    }

    pub mod list {
        use chrono::NaiveDate;
        use serde::de::{SeqAccess, Visitor};
        use serde::ser::SerializeSeq;
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(dates: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(dates.len()))?;
            for d in dates {
                seq.serialize_element(&d.format("%Y-%m-%d").to_string())?;
            }
            seq.end()
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
            struct Dates;
            impl<'de> Visitor<'de> for Dates {
                type Value = Vec<NaiveDate>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a list of dates (YYYY-MM-DD)")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::new();
                    while let Some(text) = seq.next_element::<String>()? {
                        let index = out.len();
                        let date = super::parse(&text).ok_or_else(|| {
                            serde::de::Error::custom(format!(
                                "[{index}]: not a date (YYYY-MM-DD): {text:?}"
                            ))
                        })?;
                        out.push(date);
                    }
                    Ok(out)
                }
            }
            d.deserialize_seq(Dates)
        }
    }
}

/// An assessor of the EPAO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessor {
    pub id: String,
    /// Where the assessor is based (any region name used in `travel_minutes`).
    pub region: String,
    /// Assessments a day at most.
    pub max_per_day: u32,
    /// Assessments in a Monday-to-Sunday week at most.
    pub max_per_week: u32,
    /// Days the assessor cannot assess.
    #[serde(default, with = "date::list")]
    pub unavailable: Vec<NaiveDate>,
    /// Employers and training providers the assessor must not assess for.
    #[serde(default)]
    pub conflicts: Vec<String>,
}

/// An apprentice whose gateway has been approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Apprentice {
    pub id: String,
    pub employer: String,
    pub provider: String,
    /// Where the observation takes place.
    pub region: String,
    /// The EPA period starts here and ends 3 months later.
    #[serde(with = "date")]
    pub gateway_approved: NaiveDate,
    /// The project report's due date; the interview is at least 14 days later.
    #[serde(with = "date")]
    pub report_due: NaiveDate,
    /// Days the apprentice cannot be assessed.
    #[serde(default, with = "date::list")]
    pub unavailable: Vec<NaiveDate>,
}

/// A scheduling instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub epao: Epao,
    /// Every date of the schedule is after this day.
    #[serde(with = "date")]
    pub today: NaiveDate,
    pub assessors: Vec<Assessor>,
    pub apprentices: Vec<Apprentice>,
    /// Minutes from an assessor's region (outer key) to an apprentice's
    /// region (inner key), for the observation.
    pub travel_minutes: BTreeMap<String, BTreeMap<String, u32>>,
}

/// An instance that cannot be used, naming the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InstanceError {
    /// The path of the field, as `apprentices[3].gateway_approved`.
    pub field: String,
    pub message: String,
}

impl InstanceError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> InstanceError {
        InstanceError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The most apprentices and assessors one instance may hold.
pub const MAX_APPRENTICES: usize = 100_000;
pub const MAX_ASSESSORS: usize = 10_000;

impl Instance {
    /// Reads and validates an instance from JSON.
    pub fn from_json(text: &str) -> Result<Instance, InstanceError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let instance: Instance = serde_path_to_error::deserialize(&mut de).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let message = strip_position(&inner.to_string());
            // A date list reports the element itself (`[2]: ...`).
            if let Some(rest) = message.strip_prefix('[')
                && let Some((index, message)) = rest.split_once("]: ")
            {
                return InstanceError::new(format!("{path}[{index}]"), message);
            }
            let field = if path == "." || path == "?" || path.is_empty() {
                "instance".to_owned()
            } else {
                path
            };
            InstanceError::new(field, message)
        })?;
        de.end()
            .map_err(|e| InstanceError::new("instance", strip_position(&e.to_string())))?;
        instance.validate()?;
        Ok(instance)
    }

    /// The checks types cannot make; the first problem found is returned.
    pub fn validate(&self) -> Result<(), InstanceError> {
        if self.assessors.len() > MAX_ASSESSORS {
            return Err(InstanceError::new(
                "assessors",
                format!("more than {MAX_ASSESSORS} assessors"),
            ));
        }
        if self.apprentices.len() > MAX_APPRENTICES {
            return Err(InstanceError::new(
                "apprentices",
                format!("more than {MAX_APPRENTICES} apprentices"),
            ));
        }
        let mut ids = BTreeSet::new();
        for (i, a) in self.assessors.iter().enumerate() {
            let at = |field: &str| format!("assessors[{i}].{field}");
            if a.id.trim().is_empty() {
                return Err(InstanceError::new(at("id"), "empty"));
            }
            if !ids.insert(a.id.as_str()) {
                return Err(InstanceError::new(
                    at("id"),
                    format!("{:?} is used by another assessor", a.id),
                ));
            }
            if !self.travel_minutes.contains_key(&a.region) {
                return Err(InstanceError::new(
                    at("region"),
                    format!("{:?} has no travel times in travel_minutes", a.region),
                ));
            }
        }
        let mut ids = BTreeSet::new();
        for (i, p) in self.apprentices.iter().enumerate() {
            let at = |field: &str| format!("apprentices[{i}].{field}");
            if p.id.trim().is_empty() {
                return Err(InstanceError::new(at("id"), "empty"));
            }
            if !ids.insert(p.id.as_str()) {
                return Err(InstanceError::new(
                    at("id"),
                    format!("{:?} is used by another apprentice", p.id),
                ));
            }
            if p.gateway_approved > self.today {
                return Err(InstanceError::new(
                    at("gateway_approved"),
                    format!(
                        "{} is after today ({}): only apprentices past gateway are scheduled",
                        p.gateway_approved, self.today
                    ),
                ));
            }
            if p.report_due < p.gateway_approved {
                return Err(InstanceError::new(
                    at("report_due"),
                    format!(
                        "{} is before gateway_approved ({})",
                        p.report_due, p.gateway_approved
                    ),
                ));
            }
            // Every assessor's region needs a time to this apprentice's region.
            for (j, a) in self.assessors.iter().enumerate() {
                let known = self
                    .travel_minutes
                    .get(&a.region)
                    .is_some_and(|row| row.contains_key(&p.region));
                if !known {
                    return Err(InstanceError::new(
                        at("region"),
                        format!(
                            "{:?} has no travel time from {:?} (assessors[{j}].region) in travel_minutes",
                            p.region, a.region
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The last day of an apprentice's EPA period: gateway plus 3 calendar
    /// months, clamped to the end of a shorter month.
    pub fn period_end(apprentice: &Apprentice) -> NaiveDate {
        apprentice
            .gateway_approved
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Minutes of travel for an assessor observing an apprentice.
    pub fn travel(&self, assessor: &Assessor, apprentice: &Apprentice) -> u32 {
        self.travel_minutes
            .get(&assessor.region)
            .and_then(|row| row.get(&apprentice.region))
            .copied()
            .unwrap_or(0)
    }

    /// Whether the assessor may assess the apprentice (rule 1's conflicts).
    pub fn conflicted(assessor: &Assessor, apprentice: &Apprentice) -> bool {
        assessor
            .conflicts
            .iter()
            .any(|c| *c == apprentice.employer || *c == apprentice.provider)
    }
}

/// serde_json appends " at line L column C"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_owned(),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> serde_json::Value {
        serde_json::json!({
            "epao": "tquk", "today": "2027-01-04",
            "assessors": [{"id": "AS01", "region": "north-west", "max_per_day": 2, "max_per_week": 6,
                           "unavailable": ["2027-01-11"], "conflicts": ["EMP03", "TP02"]}],
            "apprentices": [{"id": "AP001", "employer": "EMP01", "provider": "TP01", "region": "london",
                             "gateway_approved": "2026-12-14", "report_due": "2027-02-12", "unavailable": []}],
            "travel_minutes": {"north-west": {"north-west": 30, "london": 150},
                               "london": {"north-west": 150, "london": 20}}
        })
    }

    fn error(value: serde_json::Value) -> String {
        Instance::from_json(&value.to_string())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_example_reads() {
        let instance = Instance::from_json(&base().to_string()).unwrap();
        assert_eq!(instance.epao, Epao::Tquk);
        assert_eq!(
            Instance::period_end(&instance.apprentices[0]).to_string(),
            "2027-03-14"
        );
    }

    #[test]
    fn errors_name_the_field() {
        let mut v = base();
        v["apprentices"][0]["gateway_approved"] = "2026-13-01".into();
        assert_eq!(
            error(v),
            "apprentices[0].gateway_approved: not a date (YYYY-MM-DD): \"2026-13-01\""
        );
        let mut v = base();
        v["assessors"][0]["unavailable"] = serde_json::json!(["2027-01-11", "soon"]);
        assert_eq!(
            error(v),
            "assessors[0].unavailable[1]: not a date (YYYY-MM-DD): \"soon\""
        );
        let mut v = base();
        v["assessors"][0]["max_per_day"] = (-1).into();
        assert!(error(v).starts_with("assessors[0].max_per_day: invalid value"));
        let mut v = base();
        v["epao"] = "acme".into();
        assert!(error(v).starts_with("epao: unknown EPAO \"acme\""));
        let mut v = base();
        v["apprentices"][0]["colour"] = "blue".into();
        let e = error(v);
        assert!(e.contains("unknown field `colour`"), "{e}");
        let mut v = base();
        v["apprentices"][0]["region"] = "wales".into();
        assert!(error(v).starts_with("apprentices[0].region: \"wales\" has no travel time"));
        let mut v = base();
        v["apprentices"][0]["gateway_approved"] = "2027-01-05".into();
        assert!(error(v).starts_with("apprentices[0].gateway_approved: 2027-01-05 is after today"));
        let mut v = base();
        v["assessors"] = serde_json::json!([v["assessors"][0], v["assessors"][0]]);
        assert!(error(v).starts_with("assessors[1].id: \"AS01\" is used by another assessor"));
        let mut v = base();
        v.as_object_mut().unwrap().remove("today");
        assert!(error(v).contains("missing field `today`"));
        let e = Instance::from_json("{").unwrap_err().to_string();
        assert!(e.starts_with("instance: "), "{e}");
    }

    #[test]
    fn month_end_clamp_of_the_period() {
        let mut v = base();
        v["today"] = "2026-12-01".into();
        v["apprentices"][0]["gateway_approved"] = "2026-11-30".into();
        v["apprentices"][0]["report_due"] = "2026-12-30".into();
        let instance = Instance::from_json(&v.to_string()).unwrap();
        assert_eq!(
            Instance::period_end(&instance.apprentices[0]).to_string(),
            "2027-02-28"
        );
    }
}
