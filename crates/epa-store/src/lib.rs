//! Storage for OpenEPA: one [`Db`] over an embedded SQLite file or a
//! PostgreSQL server, the migrations of both, and the repositories.
//!
//! Every query is one SQL string that both databases accept (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`); the [`on_db!`] and [`on_tx!`]
//! macros run it on whichever pool is in use. Where the two databases truly
//! differ, a function has a per-backend arm with a comment saying why.

#[macro_use]
mod dispatch;
pub mod account_links;
pub mod adjustments;
pub mod apprentices;
pub mod assessment;
pub mod assessor_profiles;
pub mod audit;
pub mod calendar_feeds;
mod columns;
pub mod conflicts;
mod day;
mod db;
pub mod deadlines;
pub mod dfe;
mod direct;
pub mod documents;
pub mod email_preferences;
pub mod epa_dates;
pub mod epas;
mod error;
pub mod exports;
pub mod files;
pub mod gate;
pub mod gateway;
pub mod idempotency;
pub mod locator;
mod on_thread;
pub mod organisations;
pub mod outbox;
mod placeholders;
pub mod planning;
mod readers;
pub mod returns;
pub mod schema;
pub mod second_factors;
pub mod sign_in_failures;
pub mod sittings;
pub mod stage_weeks;
mod sweep;
pub mod tokens;
pub mod users;
pub mod web_sessions;
mod writer;

pub use db::{Backend, Db, SqliteDb, Tx, redact};
pub use error::StoreError;
