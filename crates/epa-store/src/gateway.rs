//! Storage of the EPA's gateway.
