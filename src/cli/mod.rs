//! The `epa` command line. Each sub-command lives in a module of its own;
//! this file only names them and dispatches.

pub mod admin;
pub mod audit;
pub mod dates;
pub mod demo;
pub mod dfe;
pub mod exit;
pub mod export;
pub mod grade;
pub mod import;
pub mod plan;
pub mod schedule;
pub mod selection;
pub mod serve;
pub mod uln;
pub mod wordcount;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// OpenEPA: apprenticeship end-point assessment for an EPAO.
#[derive(Debug, Parser)]
#[command(name = "epa", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application (embedded SQLite by default, PostgreSQL by URL).
    Serve(serve::ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(serve::MigrateArgs),
    /// List, show, check and compare assessment plans and EPAO policies.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Grade one EPA from criterion judgements (JSON in, JSON out).
    Grade(grade::GradeArgs),
    /// Working days, bank holidays and the deadlines that follow from an EPA's dates.
    #[command(subcommand)]
    Dates(dates::DatesCommand),
    /// Check Unique Learner Numbers.
    #[command(subcommand)]
    Uln(uln::UlnCommand),
    /// Count the words of a document, main text and annexes apart.
    Wordcount(wordcount::WordcountArgs),
    /// Propose who assesses each apprentice past gateway, and when (JSON in, JSON out).
    Schedule(schedule::ScheduleArgs),
    /// Check the audit chain.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Load the demo with many synthetic apprentices.
    #[command(subcommand)]
    Demo(demo::DemoCommand),
    /// Send the DfE Apprenticeship assessment service EPA records and certificate claims.
    #[command(subcommand)]
    Dfe(dfe::DfeCommand),
    /// Write records out: Ofqual's data returns as CSV.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Bring records in from files: apprentices from a CSV file.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Create an EPAO administrator (reads the password from standard input)
    /// and print an API token for them.
    CreateAdmin(admin::CreateAdminArgs),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Serve(args) => serve::run(args),
            Command::Migrate(args) => serve::migrate(args),
            Command::Plan(cmd) => plan::run(cmd),
            Command::Grade(args) => grade::run(args),
            Command::Dates(cmd) => dates::run(cmd),
            Command::Uln(cmd) => uln::run(cmd),
            Command::Wordcount(args) => wordcount::run(args),
            Command::Schedule(args) => schedule::run(args),
            Command::Audit(cmd) => audit::run(cmd),
            Command::Demo(cmd) => demo::run(cmd),
            Command::Dfe(cmd) => dfe::run(cmd),
            Command::Import(cmd) => import::run(cmd),
            Command::Export(cmd) => export::run(cmd),
            Command::CreateAdmin(args) => admin::create_admin(args),
        }
    }
}
