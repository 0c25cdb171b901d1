//! epa-web
