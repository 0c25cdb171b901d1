//! Notifications a person controls and EPAO admins oversee: which emails
//! each person gets ([`preferences`]), their private calendar feed
//! ([`calendar_feed`]), and the emails that could not be delivered
//! ([`outbox`]). The emails themselves are worded in [`crate::render`] and
//! delivered by `epa-notify`'s worker.

pub mod calendar_feed;
pub mod kinds;
pub mod outbox;
pub mod preferences;
