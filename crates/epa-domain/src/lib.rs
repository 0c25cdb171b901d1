//! epa-domain
