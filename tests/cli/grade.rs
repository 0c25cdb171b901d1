//! `epa grade`.
