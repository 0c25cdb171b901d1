//! epa-store
