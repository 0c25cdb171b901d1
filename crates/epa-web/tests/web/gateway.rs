//! The EPA's gateway through the API.
