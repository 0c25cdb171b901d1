//! The matrix suite.
