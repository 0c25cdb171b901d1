//! `epa uln check ULN`.
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum UlnCommand {
    /// Exit 0 and `valid` for a valid ULN; exit 1 with the reason otherwise.
    Check { uln: String },
}

pub fn run(_cmd: UlnCommand) -> ExitCode {
    super::exit::unusable("not yet available")
}
