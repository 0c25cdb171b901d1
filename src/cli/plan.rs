//! `epa plan list | show | check | diff`.
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// One line per loaded plan and EPAO policy.
    List,
}

pub fn run(_cmd: PlanCommand) -> ExitCode {
    super::exit::unusable("not yet available")
}
