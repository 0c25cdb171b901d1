//! epa-documents as its callers use it: bytes and a declared name in,
//! checks and counts out. Every document here is generated, never checked in.

mod archive;
mod counts;
mod fuzz;
mod refusals;
