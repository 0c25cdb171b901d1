//! The EPA's planning through the API.
