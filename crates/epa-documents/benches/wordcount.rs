//! Prints the figures the documents issue asks for:
//! - the word count of a generated 2,500-word .docx (target under 20 ms);
//! - zip bombs refused (target under 1 s, peak memory under 100 MB).
//!
//! `cargo bench -p epa-documents --bench wordcount`

use std::time::{Duration, Instant};

use epa_documents::samples::{self, RawEntry};
use epa_documents::{Limits, check_and_count};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let limits = Limits::default();

    let docx = samples::sized_docx(2500, 500);
    let mut times: Vec<Duration> = Vec::new();
    let mut last = None;
    for _ in 0..50 {
        let started = Instant::now();
        last = Some(check_and_count(&docx, "report.docx", &limits).expect("sample counts"));
        times.push(started.elapsed());
    }
    times.sort();
    let (_, count) = last.expect("ran");
    println!(
        "docx word count: {} words + {} in annexes, {} bytes: median {:.2} ms, worst {:.2} ms (target < 20 ms)",
        count.words,
        count.annex_words,
        docx.len(),
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );

    let names: Vec<String> = (0..60_000).map(|i| format!("f{i}")).collect();
    let entries: Vec<RawEntry<'_>> = names
        .iter()
        .map(|name| RawEntry {
            name,
            method: 0,
            data: b"",
            crc: 0,
            declared_size: 0,
        })
        .collect();
    let bombs = [
        (
            "1 GiB of zeros, size declared",
            samples::zip_bomb(1 << 30, true),
        ),
        (
            "1 GiB of zeros, size hidden",
            samples::zip_bomb(1 << 30, false),
        ),
        ("60,000 entries", samples::raw_zip(&entries)),
    ];
    for (what, bomb) in &bombs {
        let started = Instant::now();
        let err = check_and_count(bomb, "bomb.docx", &limits).expect_err("a bomb is refused");
        let took = started.elapsed();
        println!(
            "zip bomb ({what}, {} bytes): refused in {:.1} ms (target < 1 s), peak RSS so far {:.1} MB (target < 100 MB): {err}",
            bomb.len(),
            took.as_secs_f64() * 1e3,
            peak_rss_mb(),
        );
    }
}
