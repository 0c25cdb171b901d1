//! How long a document takes to render: the first (which builds the engine
//! and reads the embedded fonts) and the median and slowest of the next 30,
//! for the sample result letter with its record and the gateway summary.
//!
//! `cargo bench -p epa-reports --bench render` (add `--profile dev` to skip
//! building typst optimised).

use std::time::{Duration, Instant};

#[path = "../tests/reports/samples.rs"]
mod samples;

fn timed(what: &str, render: impl Fn() -> Vec<u8>) {
    let started = Instant::now();
    let size = render().len();
    let first = started.elapsed();
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let started = Instant::now();
            render();
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{what}: {size} bytes; first {first:.1?}, then median {:.1?}, slowest {:.1?} (30 runs)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

fn main() {
    let results = samples::results("Amara Okafor");
    timed("result letter", || {
        epa_reports::results_pdf(&results).expect("renders")
    });
    let gateway = samples::gateway("Amara Okafor");
    timed("gateway summary", || {
        epa_reports::gateway_pdf(&gateway).expect("renders")
    });
}
