//! The EPA's assessment through the API.
