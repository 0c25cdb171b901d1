//! `epa`: the OpenEPA binary. One front door for the web application and the
//! operator commands listed in `docs/cli.md` (the public contract).

mod cli;
mod settings;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let parsed = match cli::Cli::try_parse() {
        Ok(parsed) => parsed,
        Err(err) => return cli::exit::from_clap(err),
    };
    parsed.run()
}
