//! The journeys suite.
