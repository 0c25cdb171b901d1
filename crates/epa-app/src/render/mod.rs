//! Presentation apart from the use cases: CSV downloads, the coverage
//! picture and the text of every email, each rendered from a typed value and
//! snapshot-tested. A use case builds the value; only this module words it.

pub mod account_email;
pub mod csv;
pub mod email;
pub mod invite;
pub mod svg;
pub mod xlsx;
