//! Assessment plans and EPAO policies as data.

pub mod vocab;

pub use vocab::{CriterionLevel, Grade, KsbKind, MethodId};
