//! A client of the DfE Apprenticeship assessment service's external API,
//! where an EPAO records EPA outcomes and claims certificates.
//!
//! - [`model`]: the service's JSON, field for field;
//! - [`client`]: the calls, the subscription key on each, writes in batches
//!   of at most 25, the service's errors apart from one item's refusals;
//! - `stand_in` (feature `stand-in`): a local server that checks and
//!   answers like the service, for tests. Nothing here calls the real
//!   service unless it is given its address.
//!
//! What to send, and remembering what the service has acknowledged, is
//! OpenEPA's business (`epa_app::dfe`); this crate only speaks the API.

pub mod client;
pub mod model;
#[cfg(feature = "stand-in")]
pub mod stand_in;

pub use client::{BATCH_LIMIT, Client, Connection, DfeError};
