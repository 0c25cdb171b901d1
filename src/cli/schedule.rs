//! `epa schedule --input FILE [--time-limit-ms N]`: a scheduling instance
//! in, the proposed bookings and the objective out (JSON). The format, the
//! rules and the algorithm are in `docs/scheduling.md`.
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use epa_scheduler::{Instance, Observer, Options, Progress};

use super::dates::{HOLIDAYS_FILE_HELP, load_calendar};
use super::exit::{json, unusable};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The answer is the same for the same input: the search runs a number of \
iterations fixed by the instance's size. The time limit is a safety net: when it stops the \
search first (a slow machine, a huge instance), the best schedule found so far is printed and \
stderr says so. Progress goes to stderr while a run is long."
)]
pub struct ScheduleArgs {
    /// The instance as JSON (see docs/scheduling.md); `-` reads standard input.
    #[arg(long)]
    pub input: String,
    /// Stop searching after this many milliseconds and print the best
    /// schedule found so far.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub time_limit_ms: u64,
    /// The working days are those of England and Wales: an imported file
    /// replaces the years it mentions, as for `epa dates`.
    #[arg(long, env = "EPA_BANK_HOLIDAYS", help = HOLIDAYS_FILE_HELP)]
    pub holidays_file: Option<PathBuf>,
}

/// Stops the search at the time limit; tells stderr how it goes once a
/// run has lasted more than a second, then every second.
struct Clock {
    started: Instant,
    limit: Duration,
    next_report: Duration,
    stopped_at: Option<u64>,
}

impl Observer for Clock {
    fn progress(&mut self, progress: &Progress) -> bool {
        let elapsed = self.started.elapsed();
        if elapsed >= self.limit {
            self.stopped_at = Some(progress.iteration);
            return false;
        }
        if elapsed >= self.next_report {
            eprintln!(
                "epa schedule: {:.1} s, iteration {}, {}% of the budget, total {:.2}",
                elapsed.as_secs_f64(),
                progress.iteration,
                progress.work * 100 / progress.budget.max(1),
                progress.total
            );
            self.next_report = elapsed + Duration::from_secs(1);
        }
        true
    }
}

fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

pub fn run(args: ScheduleArgs) -> ExitCode {
    let started = Instant::now();
    let text = match read_input(&args.input) {
        Ok(text) => text,
        Err(reason) => return unusable(reason),
    };
    let name = if args.input == "-" {
        "standard input"
    } else {
        &args.input
    };
    let instance = match Instance::from_json(&text) {
        Ok(instance) => instance,
        Err(err) => return unusable(format!("{name}: {err}")),
    };
    let calendar = match load_calendar(args.holidays_file.as_ref()) {
        Ok(calendar) => calendar,
        Err(reason) => return unusable(reason),
    };
    let mut clock = Clock {
        started,
        limit: Duration::from_millis(args.time_limit_ms),
        next_report: Duration::from_secs(1),
        stopped_at: None,
    };
    let (schedule, stats) =
        match epa_scheduler::schedule(&instance, &calendar, &Options::default(), &mut clock) {
            Ok(answer) => answer,
            Err(err) => return unusable(format!("{name}: {err}")),
        };
    if let Some(iteration) = clock.stopped_at {
        eprintln!(
            "epa schedule: the time limit ({} ms) stopped the search at iteration {iteration} \
             ({}% of its budget); the answer is the best found by then and may differ from run to run",
            args.time_limit_ms,
            stats.work * 100 / stats.budget.max(1)
        );
    }
    if started.elapsed() >= Duration::from_secs(1) {
        eprintln!(
            "epa schedule: done in {:.1} s: total {:.2} after {} iterations (greedy start {:.2})",
            started.elapsed().as_secs_f64(),
            schedule.objective.total,
            stats.iterations,
            stats.greedy_total
        );
    }
    // The figures of the format, and the lower bound beside them.
    let mut out = match serde_json::to_value(&schedule) {
        Ok(value) => value,
        Err(err) => return unusable(format!("could not write JSON: {err}")),
    };
    if let Some(map) = out.as_object_mut() {
        let bound = (stats.lower_bound * 100.0).round() / 100.0;
        map.insert("lower_bound".into(), serde_json::json!(bound));
    }
    json(&out)
}
