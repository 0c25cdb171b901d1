//! Notifications: the outbox delivered.
//!
//! - [`ics`] words calendar invites (RFC 5545) for bookings and the private
//!   calendar feeds;
//! - [`mailer`] turns an outbox message into an email (plain text, HTML and
//!   any invite) and sends it over SMTP, into `.eml` files, or into memory
//!   for tests;
//! - [`worker`] claims due messages, delivers them, retries with backoff
//!   and gives up after the configured number of tries.
//!
//! A mail server being down never fails a request: use cases only write to
//! the outbox, in their own transaction; this crate sends afterwards.

pub mod ics;
pub mod mailer;
pub mod worker;

pub use mailer::{Mailer, MailerError, Security, SmtpSettings};
pub use worker::{Worker, WorkerSettings};
