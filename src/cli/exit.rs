//! Exit codes of the contract: 0 success, 1 "the answer is no", 2 "the input
//! could not be used". Failures print one line on stderr naming the value.
//!
//! Everything the command line prints on stdout goes through [`text`] or
//! [`json`], so that a reader closing the pipe early is handled in one place.

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
    match serde_json::to_string_pretty(value) {
        Ok(text) => lines(&text),
        Err(err) => unusable(format!("could not write JSON: {err}")),
    }
}

/// Prints `text` on stdout as it is and exits 0.
pub fn text(text: &str) -> ExitCode {
    use std::io::Write;
    // A reader that stops early (`| head`) closes the pipe: that is not an
    // error of ours, and must never become a panic (as `println!` would).
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => unusable(format!("could not write the output: {err}")),
    }
}

/// Prints `text` on stdout ending with exactly one newline, and exits 0.
pub fn lines(text: &str) -> ExitCode {
    if text.ends_with('\n') {
        self::text(text)
    } else {
        self::text(&format!("{text}\n"))
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
        _ => unusable(usage_line(&err.render().to_string())),
    }
}

/// clap's message folded into one line: its first block (up to the first
/// blank line), which holds the reason and, for missing arguments, the
/// arguments themselves on the lines below it. The usage and "try --help"
/// blocks that follow are left out.
fn usage_line(rendered: &str) -> String {
    let plain = strip_ansi(rendered);
    let mut block = plain
        .lines()
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim);
    let Some(first) = block.next() else {
        return "invalid arguments".to_owned();
    };
    let first = first.trim_start_matches("error:").trim_start();
    let rest: Vec<&str> = block.collect();
    if rest.is_empty() {
        first.to_owned()
    } else {
        format!("{first} {}", rest.join(", "))
    }
}

/// Removes terminal styling (`ESC [ ... letter`), which clap adds when it
/// thinks stderr is a terminal and which has no place in a one-line reason.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_arguments_are_named_on_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  \
                        --input <INPUT>\n  <N>\n\nUsage: epa grade --input <INPUT>\n\n\
                        For more information, try '--help'.\n";
        assert_eq!(
            usage_line(rendered),
            "the following required arguments were not provided: --input <INPUT>, <N>"
        );
    }

    #[test]
    fn styling_is_removed() {
        let rendered = "\u{1b}[1m\u{1b}[31merror:\u{1b}[0m unexpected argument \
                        '\u{1b}[33m--x\u{1b}[0m' found\n\n  tip: ...\n";
        assert_eq!(usage_line(rendered), "unexpected argument '--x' found");
    }
}
