//! Running the real `epa` binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// Runs `epa ARGS`, with `stdin` fed to it when given.
pub fn epa(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_epa"))
        .args(args)
        .env_remove("EPA_PLANS_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn epa");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait for epa");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `epa ARGS` with its stdout a pipe whose reading end is closed before
/// it writes, as a reader that stops early (`| head`) leaves it.
pub fn epa_with_stdout_closed(args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_epa"))
        .args(args)
        .env_remove("EPA_PLANS_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn epa");
    // Dropped at once: the binary has not got past its start by now, so
    // whatever it prints meets a closed pipe.
    drop(child.stdout.take());
    let Output { status, stderr, .. } = child.wait_with_output().expect("wait for epa");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// A closed stdout is the reader's choice, not a failure: exit 0, no panic.
pub fn survives_closed_stdout(args: &[&str]) {
    let run = epa_with_stdout_closed(args);
    assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
}

/// A missing argument is exit 2 with one stderr line that names it.
pub fn names_missing_argument(args: &[&str], argument: &str) {
    let run = epa(args, None);
    assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "{args:?}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("required") && run.stderr.contains(argument),
        "{args:?}: {argument} not named in {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains('\u{1b}'),
        "{args:?}: styled {:?}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
}

/// A fresh demo database under `dir` (no synthetic apprentices): its
/// `--data-dir`.
pub fn demo_data(dir: &std::path::Path) -> String {
    let data = dir.join("data").to_str().unwrap().to_owned();
    let loaded = epa(
        &["demo", "load", "--apprentices", "0", "--data-dir", &data],
        None,
    );
    assert_eq!(loaded.code, 0, "{}", loaded.stderr);
    data
}
