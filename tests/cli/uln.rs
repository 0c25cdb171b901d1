//! `epa uln`.
