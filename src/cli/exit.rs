//! Exit codes of the contract: 0 success, 1 "the answer is no", 2 "the input
//! could not be used". Failures print one line on stderr naming the value.

use std::fmt::Display;
use std::process::ExitCode;

/// The answer is "no" (an invalid ULN, a failed check): exit 1.
pub fn no(reason: impl Display) -> ExitCode {
    eprintln!("{reason}");
    ExitCode::from(1)
}

/// The input could not be used: exit 2 with one line naming the value.
pub fn unusable(reason: impl Display) -> ExitCode {
    let text = reason.to_string();
    // One line, always: a multi-line reason is folded so scripts can read it.
    eprintln!("epa: {}", text.replace('\n', "; "));
    ExitCode::from(2)
}

/// Prints a JSON document on stdout (one document, UTF-8) and exits 0.
pub fn json(value: &impl serde::Serialize) -> ExitCode {
    use std::io::Write;
    let text = match serde_json::to_string_pretty(value) {
        Ok(text) => text,
        Err(err) => return unusable(format!("could not write JSON: {err}")),
    };
    // A reader that stops early (`| head`) closes the pipe: that is not an
    // error of ours, and must never become a panic.
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => unusable(format!("could not write the output: {err}")),
    }
}

/// clap's own errors: help and version go to stdout with exit 0; a usage
/// error becomes one line on stderr and exit 2.
pub fn from_clap(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(2)
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            unusable(first)
        }
    }
}
