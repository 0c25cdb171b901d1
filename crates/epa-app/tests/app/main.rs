//! Use cases, end to end against a real database.

mod demo;
mod sessions;
