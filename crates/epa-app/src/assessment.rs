//! Use cases of the EPA's assessment.
