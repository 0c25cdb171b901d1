//! `epa wordcount`.
