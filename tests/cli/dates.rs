//! `epa dates`.
