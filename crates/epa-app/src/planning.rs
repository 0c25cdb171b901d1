//! Use cases of the EPA's planning.
