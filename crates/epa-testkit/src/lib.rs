//! epa-testkit
