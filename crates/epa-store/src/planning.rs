//! Storage of the EPA's planning.
