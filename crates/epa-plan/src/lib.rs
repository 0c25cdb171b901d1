//! Assessment plans and EPAO policies as data.
//!
//! Two layers: a standard's **plan** (`plan.toml`: KSBs, methods, criteria,
//! gateway) and an EPAO's **policy** (`epao-*.toml`: overall grading table,
//! timings, word limits, grade cap, order of methods, which criteria it
//! uses). [`Catalog`] loads them (the ST0071 v1.2 files are embedded; more
//! come from a directory) and [`Catalog::effective`] joins one plan with one
//! policy into an [`EffectivePlan`], which is what the rest of the product
//! reads. Every rule carries a [`Source`].
//!
//! Fields are public throughout: the data is read-only once loaded, and the
//! types serialize to the JSON `epa plan show --json` prints.
//!
//! ```
//! use epa_plan::{Catalog, Grade};
//! let plan = Catalog::embedded().effective("ST0071", None, "innovate").unwrap();
//! assert_eq!(plan.ksbs.len(), 47);
//! assert_eq!(plan.overall_grading.any_fail, Grade::Fail);
//! ```

pub mod catalog;
pub mod check;
pub mod diff;
pub mod effective;
pub mod files;
pub mod load;
pub mod model;
pub mod source;
pub mod text;
pub mod validate;
pub mod vocab;

pub use catalog::{Catalog, CatalogEntry, SelectError, embedded_files};
pub use check::{FileCheck, check_paths};
pub use diff::{Difference, diff_effective, diff_values};
pub use effective::{EffectivePlan, Method, OverallGrading, Rules};
pub use files::{Plan, Policy};
pub use load::{
    Document, LoadErrors, Parsed, Problem, parse_document, parse_document_reporting, read_document,
    read_document_reporting,
};
pub use model::*;
pub use source::Source;
pub use vocab::{
    Anchor, CriterionLevel, Grade, KsbKind, MethodId, Mode, Relation, Strength, TimeUnit,
};
