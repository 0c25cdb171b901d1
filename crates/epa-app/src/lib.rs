//! epa-app
