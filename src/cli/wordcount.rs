//! `epa wordcount FILE [--as report|proposal]`.
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct WordcountArgs {
    pub file: std::path::PathBuf,
}

pub fn run(_args: WordcountArgs) -> ExitCode {
    super::exit::unusable("not yet available")
}
