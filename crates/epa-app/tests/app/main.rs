//! Use cases, end to end against a real database.

mod commits;
mod demo;
mod dfe;
mod gate_reads;
mod idempotency;
mod sessions;
