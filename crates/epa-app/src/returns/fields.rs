//! The field rules of Ofqual's file formats, one per column: what a value
//! must look like (the format's regular expression, written out) and
//! whether `-2` ("not available") is accepted. The returns are checked
//! against them before a byte is written, so a file that Ofqual's upload
//! would refuse is never produced silently.

use crate::import::RowProblem;

/// How a column's value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// `^(20)\d\d[-](0[1-9]|1[012])[-](0[1-9]|[12][0-9]|3[01])$`, a real date.
    Date,
    /// `^.{1,N}$`: 1 to N characters.
    Text(usize),
    /// `^(EPA)([0-9]{4})$`.
    EpaoId,
    /// `^(ST)([0-9]{4})$`.
    StandardId,
    /// One of the listed values.
    OneOf(&'static [&'static str]),
}

/// A column: its name (the header), its rule, and whether `-2` stands for
/// "not available" in it.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub rule: Rule,
    pub not_available: bool,
}

pub const fn field(name: &'static str, rule: Rule, not_available: bool) -> Field {
    Field {
        name,
        rule,
        not_available,
    }
}

impl Field {
    /// What is wrong with `value` in this column, if anything.
    pub fn problem(&self, value: &str) -> Option<String> {
        if self.not_available && value == super::NOT_AVAILABLE {
            return None;
        }
        let fits = match self.rule {
            Rule::Date => {
                value.len() == 10
                    && value.starts_with("20")
                    && chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()
            }
            Rule::Text(max) => (1..=max).contains(&value.chars().count()),
            Rule::EpaoId => coded(value, "EPA"),
            Rule::StandardId => coded(value, "ST"),
            Rule::OneOf(values) => values.contains(&value),
        };
        (!fits).then(|| match self.rule {
            Rule::Date => "must be a date written yyyy-mm-dd".to_owned(),
            Rule::Text(max) => format!("must be 1 to {max} characters"),
            Rule::EpaoId => "must be EPA and four digits, such as EPA1234".to_owned(),
            Rule::StandardId => "must be ST and four digits, such as ST0071".to_owned(),
            Rule::OneOf(values) => format!("must be one of {}", values.join(", ")),
        })
    }
}

fn coded(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .is_some_and(|digits| digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Every cell of `rows` checked against `fields`; problems name the row
/// (the header is row 1) and the column.
pub fn check(fields: &[Field], rows: &[Vec<String>]) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    for (at, row) in rows.iter().enumerate() {
        for (field, value) in fields.iter().zip(row) {
            if let Some(message) = field.problem(value) {
                problems.push(RowProblem::new(at as u64 + 2, field.name, message));
            }
        }
    }
    problems
}

/// The header and rows as CSV (RFC 4180, CRLF line ends). Values are
/// written as they are: a return's cells are codes, dates and grades, and
/// `-2` must stay `-2` (no spreadsheet escaping).
pub fn csv(fields: &[Field], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let header: Vec<&str> = fields.iter().map(|f| f.name).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| crate::render::csv::quoted(cell))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_follow_the_published_expressions() {
        let date = field("D", Rule::Date, false);
        assert_eq!(date.problem("2026-03-31"), None);
        for bad in ["2026-3-31", "1999-01-01", "2026-02-30", "31/03/2026", "-2"] {
            assert!(date.problem(bad).is_some(), "{bad}");
        }
        let id = field("A", Rule::EpaoId, false);
        assert_eq!(id.problem("EPA0123"), None);
        for bad in ["EPA123", "epa0123", "EPA01234", "", " EPA0123"] {
            assert!(id.problem(bad).is_some(), "{bad}");
        }
        assert_eq!(field("S", Rule::StandardId, false).problem("ST0071"), None);
        assert!(
            field("S", Rule::StandardId, false)
                .problem("ST71")
                .is_some()
        );
        let text = field("T", Rule::Text(10), true);
        assert_eq!(text.problem("-2"), None);
        assert_eq!(text.problem("1.2"), None);
        assert!(text.problem("").is_some());
        assert!(text.problem("12345678901").is_some());
        assert!(field("T", Rule::Text(10), false).problem("").is_some());
    }
}
