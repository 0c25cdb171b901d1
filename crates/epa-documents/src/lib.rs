//! epa-documents
