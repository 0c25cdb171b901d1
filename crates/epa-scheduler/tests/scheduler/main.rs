//! epa-scheduler integration tests.
