//! Storage of the EPA's assessment.
