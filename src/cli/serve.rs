//! `epa serve` and `epa migrate`.
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {}

pub fn run(_args: ServeArgs) -> ExitCode {
    super::exit::unusable("not yet available")
}

pub fn migrate(_args: MigrateArgs) -> ExitCode {
    super::exit::unusable("not yet available")
}
