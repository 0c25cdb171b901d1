//! The `epa` command line, driven as scripts drive it: the real binary, its
//! stdout, stderr and exit code.

mod admin;
mod audit;
mod dates;
mod demo;
mod dfe;
mod export;
mod grade;
mod import;
mod plan;
mod schedule;
mod serve;
mod support;
mod uln;
mod uploads;
mod wordcount;
