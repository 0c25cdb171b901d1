//! `epa uln check ULN`.
use std::process::ExitCode;

use epa_domain::uln::{Uln, UlnMode};

#[derive(Debug, clap::Subcommand)]
pub enum UlnCommand {
    /// Exit 0 and `valid` for a valid ULN; exit 1 with the reason otherwise.
    Check {
        uln: String,
        /// Also accept the DfE test ULNs (test and sandbox deployments only).
        #[arg(long, env = "EPA_ULN_SANDBOX")]
        sandbox: bool,
    },
}

pub fn run(cmd: UlnCommand) -> ExitCode {
    match cmd {
        UlnCommand::Check { uln, sandbox } => {
            let mode = if sandbox {
                UlnMode::Sandbox
            } else {
                UlnMode::Strict
            };
            match Uln::parse_with(&uln, mode) {
                Ok(_) => super::exit::lines("valid"),
                Err(reason) => super::exit::no(reason),
            }
        }
    }
}
