//! Solves an instance file and prints the objective, the greedy
//! construction's total and the time taken (a development aid; the product's
//! front door is `epa schedule`).
//!
//! `cargo run --release -p epa-scheduler --example solve -- FILE [WORK]`

use std::time::Instant;

use epa_domain::calendar::HolidayCalendar;
use epa_scheduler::{Instance, Options, schedule, violations};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("an instance file");
    let work = args.next().map(|n| n.parse().expect("a work budget"));
    let text = std::fs::read_to_string(&path).expect("readable");
    let instance = Instance::from_json(&text).unwrap_or_else(|e| panic!("{e}"));
    let calendar = HolidayCalendar::england_and_wales();
    let started = Instant::now();
    let mut options = Options {
        work,
        ..Options::default()
    };
    if let Some(seed) = args.next() {
        options.seed = seed.parse().expect("a seed");
    }
    let (answer, stats) = schedule(&instance, &calendar, &options, &mut ()).expect("valid");
    let elapsed = started.elapsed();
    let alone = epa_scheduler::alone_bound(&instance, &calendar).unwrap();
    println!(
        "alone bound {alone}, floor {}",
        epa_scheduler::lead_time_floor(&instance, &calendar).unwrap()
    );
    let broken = violations(&instance, &calendar, &answer.bookings);
    println!(
        "{path}: total {} (greedy {}), {:?}, {} iterations, work {} of {}, {:.3} s, {} violations",
        answer.objective.total,
        stats.greedy_total,
        answer.objective,
        stats.iterations,
        stats.work,
        stats.budget,
        elapsed.as_secs_f64(),
        broken.len()
    );
    for line in broken.iter().take(5) {
        println!("  {line}");
    }
}
