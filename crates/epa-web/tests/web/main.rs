//! The web application through real HTTP, on SQLite and (when
//! `EPA_TEST_PG_URL` is set) PostgreSQL.

mod epas;
mod health;
mod openapi;
