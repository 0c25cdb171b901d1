//! Use cases: one function per command or query. Each checks the access
//! policy, opens ONE transaction, calls the domain, persists, appends the
//! audit event and any outbox message, and commits. HTML and JSON handlers
//! call the same functions.

pub mod access;
pub mod accounts;
pub mod adjustments;
pub mod assessment;
mod calendar;
mod context;
pub mod corrections;
mod cursor;
pub mod deadlines;
pub mod demo;
pub mod dfe;
pub mod documents;
pub mod epas;
mod error;
pub mod exports;
pub mod gate;
pub mod gateway;
pub mod housekeeping;
pub mod idempotency;
pub mod import;
pub mod json_time;
pub mod locator;
pub mod mapping;
pub mod notifications;
pub mod people;
pub mod pipeline;
pub mod planning;
pub mod plans;
pub mod portfolio_archive;
pub mod registration;
pub mod render;
pub mod reports;
pub mod returns;
pub mod schedule;
pub mod schemes;
pub mod synthetic;
pub mod timeline;
pub mod transitions;

pub use context::{AccountSettings, Actor, App};
pub use error::{AppError, FieldError};
