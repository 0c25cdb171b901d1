//! Use cases of the EPA's gateway.
