//! `epa`: the OpenEPA binary. One front door for the web application and the
//! operator commands listed in `docs/cli.md` (the public contract).

mod cli;
mod settings;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc for every allocation in the process, SQLite's included (the
/// `override` feature replaces `malloc` and `free`). Each row SQLite hands
/// over is copied value by value on the connection's thread and freed on
/// the request's, and glibc's allocator spent a fifth of a list's time on
/// it (docs/adr/0156-the-cost-of-a-statement-on-sqlite.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let parsed = match cli::Cli::try_parse() {
        Ok(parsed) => parsed,
        Err(err) => return cli::exit::from_clap(err),
    };
    parsed.run()
}
