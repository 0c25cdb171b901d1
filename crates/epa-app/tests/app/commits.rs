//! Every use case commits through `deadlines::commit`, which brings the
//! kept deadlines of the EPAs it changed up to date in the same
//! transaction (ADR 0121). A use case committing on its own would leave
//! the deadline lists stale, so none may.

use std::path::Path;

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_use_case_commits_through_the_deadline_keeper() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "the use cases were not found");
    let keeper = src.join("deadlines.rs");
    let mut direct = Vec::new();
    for file in files.iter().filter(|f| **f != keeper) {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains(".commit().await") {
                direct.push(format!("{}:{}", file.display(), n + 1));
            }
        }
    }
    assert!(
        direct.is_empty(),
        "commit through crate::deadlines::commit instead: {direct:#?}"
    );
}
