use epa_domain::grading::{CapContext, EpaJudgements, GradingScheme, MethodJudgement, Outcome};
use epa_domain::{Grade, MethodId};
use epa_plan::Catalog;

use Grade::{Distinction as D, Fail as F, Pass as P};

pub fn scheme(epao: &str) -> GradingScheme {
    let plan = Catalog::embedded().effective("ST0071", None, epao).unwrap();
    GradingScheme::from_plan(&plan).unwrap()
}

/// A judgement that gives exactly this method grade.
pub fn judged(s: &GradingScheme, method: MethodId, grade: Grade) -> MethodJudgement {
    let ids = s.criteria(method);
    let level = |id: &String| s.level(method, id).unwrap();
    let met: Vec<&str> = match grade {
        Grade::Distinction => ids.iter().map(String::as_str).collect(),
        Grade::Pass => ids
            .iter()
            .filter(|id| level(id) == epa_domain::CriterionLevel::Pass)
            .map(String::as_str)
            .collect(),
        // Everything but the first pass criterion.
        Grade::Fail => ids
            .iter()
            .skip_while(|id| level(id) != epa_domain::CriterionLevel::Pass)
            .skip(1)
            .map(String::as_str)
            .collect(),
    };
    let j = s.met(method, met).unwrap();
    assert_eq!(s.method_grade(method, j), grade);
    j
}

fn grade(s: &GradingScheme, grades: [Option<Grade>; 3], cap: CapContext) -> Outcome {
    let mut j = EpaJudgements {
        methods: [None; 3],
        cap,
    };
    for (i, m) in MethodId::ALL.into_iter().enumerate() {
        j.methods[i] = grades[i].map(|g| judged(s, m, g));
    }
    s.grade(&j).overall
}

const NO_CAP: CapContext = CapContext {
    resit: false,
    retake: false,
    exceptional_circumstances: false,
    resit_methods: [false; 3],
    retake_methods: [false; 3],
};
const RESIT: CapContext = CapContext {
    resit: true,
    retake: true,
    exceptional_circumstances: false,
    resit_methods: [false; 3],
    retake_methods: [false; 3],
};
const RESIT_EXCEPTIONAL: CapContext = CapContext {
    resit: true,
    retake: true,
    exceptional_circumstances: true,
    resit_methods: [false; 3],
    retake_methods: [false; 3],
};

#[test]
fn overall_tables_of_both_epaos() {
    // (observation, project, discussion) -> (TQUK, Innovate). TQUK's table:
    // the observation grade leads; Innovate: distinction only if all three.
    let rows = [
        ([P, P, P], P, P),
        ([P, P, D], P, P),
        ([P, D, P], P, P),
        ([P, D, D], P, P),
        ([D, P, P], D, P),
        ([D, P, D], D, P),
        ([D, D, P], D, P),
        ([D, D, D], D, D),
    ];
    let (tquk, innovate) = (scheme("tquk"), scheme("innovate"));
    for ([o, p, d], want_tquk, want_innovate) in rows {
        let g = [Some(o), Some(p), Some(d)];
        assert_eq!(
            grade(&tquk, g, NO_CAP),
            Outcome::Graded(want_tquk),
            "tquk {o} {p} {d}"
        );
        assert_eq!(
            grade(&innovate, g, NO_CAP),
            Outcome::Graded(want_innovate),
            "innovate {o} {p} {d}"
        );
    }
}

#[test]
fn any_fail_is_fail_and_pending_while_unassessed() {
    for epao in ["tquk", "innovate"] {
        let s = scheme(epao);
        for fail_at in 0..3 {
            let mut g = [Some(D); 3];
            g[fail_at] = Some(F);
            assert_eq!(grade(&s, g, NO_CAP), Outcome::Graded(F));
            assert_eq!(grade(&s, g, RESIT_EXCEPTIONAL), Outcome::Graded(F));
            g[(fail_at + 1) % 3] = None;
            assert_eq!(grade(&s, g, NO_CAP), Outcome::Pending);
        }
        assert_eq!(
            grade(&s, [Some(D), Some(D), None], NO_CAP),
            Outcome::Pending
        );
        assert_eq!(grade(&s, [None; 3], NO_CAP), Outcome::Pending);
    }
}

#[test]
fn cap_after_resit_and_exceptional_circumstances() {
    for epao in ["tquk", "innovate"] {
        let s = scheme(epao);
        let all_d = [Some(D); 3];
        assert_eq!(grade(&s, all_d, NO_CAP), Outcome::Graded(D));
        assert_eq!(grade(&s, all_d, RESIT), Outcome::Graded(P), "{epao} caps");
        assert_eq!(
            grade(&s, all_d, RESIT_EXCEPTIONAL),
            Outcome::Graded(D),
            "{epao} lifts"
        );
        assert_eq!(grade(&s, [Some(P); 3], RESIT), Outcome::Graded(P));
    }
}

#[test]
fn explanation_names_unmet_criteria_and_the_row() {
    let s = scheme("tquk");
    let obs = judged(&s, MethodId::Observation, D);
    let all_project: Vec<&str> = s
        .criteria(MethodId::Project)
        .iter()
        .map(String::as_str)
        .filter(|id| *id != "WBP-P02")
        .collect();
    let project = s.met(MethodId::Project, all_project).unwrap();
    let disc = judged(&s, MethodId::Discussion, P);
    let j = EpaJudgements {
        methods: [Some(obs), Some(project), Some(disc)],
        cap: NO_CAP,
    };
    let e = s.explain(&j);
    assert_eq!(e.result.overall, Outcome::Graded(F));
    assert!(
        e.lines
            .contains(&"project: fail, pass criterion WBP-P02 not met".to_owned()),
        "{:?}",
        e.lines
    );
    assert!(
        e.lines
            .iter()
            .any(|l| l.starts_with("overall: fail, a fail in any method"))
    );

    let project = judged(&s, MethodId::Project, P);
    let j = EpaJudgements {
        methods: [Some(obs), Some(project), Some(disc)],
        cap: RESIT,
    };
    let e = s.explain(&j);
    assert_eq!(e.result.overall, Outcome::Graded(P));
    assert_eq!(e.result.uncapped, Outcome::Graded(D));
    assert!(
        e.lines.iter().any(|l| l.starts_with(
            "overall: distinction, table row observation distinction, project pass, discussion pass"
        )),
        "{:?}",
        e.lines
    );
    assert!(
        e.lines
            .iter()
            .any(|l| l.starts_with("cap: overall capped at pass"))
    );
    assert!(e.row.is_some());
}

/// The overall table as the only implementation reads it (the plan crate
/// holds the rows as data, nothing more).
#[test]
fn overall_tables_as_the_domain_reads_them() {
    for epao in ["tquk", "innovate"] {
        let s = scheme(epao);
        assert_eq!(s.table_overall(P, P, P), P, "{epao}");
        assert_eq!(s.table_overall(P, D, D), P, "{epao}");
        assert_eq!(s.table_overall(D, D, D), D, "{epao}");
    }
    for (o, p, d) in [(D, P, P), (D, D, P), (D, P, D)] {
        assert_eq!(
            scheme("tquk").table_overall(o, p, d),
            D,
            "TQUK: observation decides"
        );
        assert_eq!(
            scheme("innovate").table_overall(o, p, d),
            P,
            "Innovate: all three must be distinction"
        );
    }
}
