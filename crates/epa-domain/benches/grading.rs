//! Grades one million synthetic EPAs on one thread and prints EPAs per
//! second. Run with `cargo bench -p epa-domain --bench grading`.
//!
//! The scheme is built once from the embedded ST0071 plan (TQUK and
//! Innovate alternate); the judgements are generated up front so the timed
//! loop measures grading only.

use std::hint::black_box;
use std::time::Instant;

use epa_domain::grading::{CapContext, EpaJudgements, GradingScheme, MethodJudgement, Outcome};
use epa_domain::{Grade, MethodId};
use epa_plan::Catalog;

const EPAS: usize = 1_000_000;

/// A small, fast, deterministic generator (xorshift64*), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn synthetic(scheme: &GradingScheme, rng: &mut Rng) -> EpaJudgements {
    let mut methods = [None; 3];
    for (slot, method) in methods.iter_mut().zip(MethodId::ALL) {
        let all = scheme.all_met(method).bits();
        let roll = rng.next();
        // Mostly everything met; sometimes a criterion or two missed; sometimes not assessed.
        *slot = match roll % 16 {
            0 => None,
            1..=9 => Some(MethodJudgement::from_bits(all)),
            _ => {
                let n = scheme.criteria(method).len() as u64;
                let miss = 1u128 << (rng.next() % n);
                Some(MethodJudgement::from_bits(all & !miss))
            }
        };
    }
    let flags = rng.next();
    EpaJudgements {
        methods,
        cap: CapContext {
            resit: flags & 1 == 1,
            retake: flags & 2 == 2,
            exceptional_circumstances: flags & 12 == 12,
            ..CapContext::default()
        },
    }
}

fn main() {
    let catalog = Catalog::embedded();
    let schemes: Vec<GradingScheme> = ["tquk", "innovate"]
        .iter()
        .map(|epao| {
            let plan = catalog
                .effective("ST0071", None, epao)
                .expect("embedded plan");
            GradingScheme::from_plan(&plan).expect("gradable plan")
        })
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let inputs: Vec<(usize, EpaJudgements)> = (0..EPAS)
        .map(|i| {
            let s = i & 1;
            (s, synthetic(&schemes[s], &mut rng))
        })
        .collect();

    // Warm up, then time the best of three runs.
    let mut best = f64::INFINITY;
    let mut tally = [0usize; 4];
    for _ in 0..3 {
        tally = [0; 4];
        let start = Instant::now();
        for (s, j) in &inputs {
            let result = schemes[*s].grade(black_box(j));
            let k = match result.overall {
                Outcome::Pending => 0,
                Outcome::Graded(Grade::Fail) => 1,
                Outcome::Graded(Grade::Pass) => 2,
                Outcome::Graded(Grade::Distinction) => 3,
            };
            tally[k] += 1;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    black_box(tally);
    let rate = EPAS as f64 / best;
    println!(
        "graded {EPAS} EPAs in {:.1} ms on one thread: {:.0} EPAs per second \
         (pending {}, fail {}, pass {}, distinction {})",
        best * 1e3,
        rate,
        tally[0],
        tally[1],
        tally[2],
        tally[3]
    );
}
