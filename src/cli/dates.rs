//! `epa dates add-working-days | holidays | plan`.
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum DatesCommand {
    /// The bank holidays of a year, one per line.
    Holidays { year: i32 },
}

pub fn run(_cmd: DatesCommand) -> ExitCode {
    super::exit::unusable("not yet available")
}
