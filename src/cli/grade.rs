//! `epa grade --plan ST0071 --epao tquk --input FILE`.
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GradeArgs {
    #[command(flatten)]
    pub selection: super::selection::PlanSelection,
}

pub fn run(_args: GradeArgs) -> ExitCode {
    super::exit::unusable("not yet available")
}
