//! Where a rule comes from. Every rule in a plan or policy file carries one,
//! so the product can always answer "says who?".

use std::fmt;

use serde::{Deserialize, Serialize};

/// The document a rule was read from, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document, e.g. "TQUK ST0071 v1.2 Standard Specification".
    pub document: String,
    /// The section or heading inside the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// A short quote of the words the rule rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.document)?;
        if let Some(section) = &self.section {
            write!(f, ", {section}")?;
        }
        if let Some(quote) = &self.quote {
            write!(f, ": \"{quote}\"")?;
        }
        Ok(())
    }
}
