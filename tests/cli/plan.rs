//! `epa plan`.
