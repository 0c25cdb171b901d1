//! The web application through real HTTP, on SQLite and (when
//! `EPA_TEST_PG_URL` is set) PostgreSQL.

mod accounts;
mod adjustments;
mod assessment;
mod contract;
mod deadlines;
mod documents;
mod epas;
mod exports;
mod gate;
mod gateway;
mod health;
mod idempotency;
mod imports;
mod journeys;
mod locator;
mod matrix;
mod nodes;
mod notifications;
mod openapi;
mod pages;
mod pages_dfe;
mod pages_gateway;
mod pages_journey;
mod pages_people;
mod pages_plans;
mod pages_schedule;
mod pages_uploads;
mod people_matrix;
mod planning;
mod release;
mod reports;
mod schedule;
mod sittings;
mod support;
