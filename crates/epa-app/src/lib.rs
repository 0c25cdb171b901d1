//! Use cases: one function per command or query. Each checks the access
//! policy, opens ONE transaction, calls the domain, persists, appends the
//! audit event and any outbox message, and commits. HTML and JSON handlers
//! call the same functions.

pub mod access;
pub mod accounts;
pub mod assessment;
mod calendar;
mod context;
pub mod deadlines;
pub mod demo;
pub mod documents;
pub mod epas;
mod error;
pub mod gateway;
pub mod locator;
pub mod mapping;
pub mod planning;
pub mod plans;
pub mod registration;
pub mod transitions;

pub use context::{Actor, App};
pub use error::{AppError, FieldError};
