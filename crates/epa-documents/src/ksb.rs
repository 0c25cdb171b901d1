//! Suggested KSBs for a piece of evidence (filled in below).
