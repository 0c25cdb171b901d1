//! Use cases, end to end against a real database.

mod commits;
mod demo;
mod dfe;
mod idempotency;
mod sessions;
