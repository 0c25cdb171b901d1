//! The facts of ST0071 v1.2 as the two EPAOs run it, the validator's
//! defect classes, loading from a directory, and the policy diff.

use std::path::PathBuf;

use epa_plan::{
    Anchor, Catalog, CriterionLevel, EffectivePlan, Grade, KsbKind, MethodId, Relation,
    SelectError, TimeUnit, diff_effective, embedded_files, validate,
};

use Grade::{Distinction as D, Fail as F, Pass as P};

fn tquk() -> EffectivePlan {
    Catalog::embedded()
        .effective("ST0071", Some("1.2"), "tquk")
        .unwrap()
}

fn innovate() -> EffectivePlan {
    Catalog::embedded()
        .effective("ST0071", None, "innovate")
        .unwrap()
}

fn ids(plan: &EffectivePlan, method: MethodId, level: CriterionLevel) -> Vec<String> {
    plan.criteria_for(method)
        .filter(|c| c.grade == level)
        .map(|c| c.id.clone())
        .collect()
}

fn numbered(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i:02}")).collect()
}

// ---------------------------------------------------------------- facts

#[test]
fn forty_seven_ksbs_twenty_fourteen_thirteen() {
    for plan in [tquk(), innovate()] {
        assert_eq!(plan.ksbs.len(), 47);
        let by = |m| plan.ksbs.iter().filter(|k| k.method == m).count();
        assert_eq!(by(MethodId::Observation), 20);
        assert_eq!(by(MethodId::Project), 14);
        assert_eq!(by(MethodId::Discussion), 13);
        let kind = |k| plan.ksbs.iter().filter(|x| x.kind == k).count();
        assert_eq!(kind(KsbKind::Knowledge), 18);
        assert_eq!(kind(KsbKind::Skill), 17);
        assert_eq!(kind(KsbKind::Behaviour), 12);
        assert_eq!(plan.method(MethodId::Project).unwrap().ksbs.len(), 14);
        let k4 = plan.ksb("K4").unwrap();
        assert_eq!(k4.method, MethodId::Project);
        assert_eq!(k4.theme, "Business knowledge and understanding");
        assert!(plan.ksbs.iter().all(|k| k.source.is_some()));
    }
}

#[test]
fn observation_twenty_pass_two_distinction() {
    for plan in [tquk(), innovate()] {
        assert_eq!(
            ids(&plan, MethodId::Observation, CriterionLevel::Pass),
            numbered("OBS-P", 20)
        );
        assert_eq!(
            ids(&plan, MethodId::Observation, CriterionLevel::Distinction),
            numbered("OBS-D", 2)
        );
        assert_eq!(plan.criterion("OBS-P06").unwrap().ksbs, ["S3", "S6"]);
    }
}

#[test]
fn discussion_twelve_pass_two_distinction() {
    for plan in [tquk(), innovate()] {
        assert_eq!(
            ids(&plan, MethodId::Discussion, CriterionLevel::Pass),
            numbered("PD-P", 12)
        );
        assert_eq!(
            ids(&plan, MethodId::Discussion, CriterionLevel::Distinction),
            numbered("PD-D", 2)
        );
    }
}

#[test]
fn project_fifteen_pass_and_distinction_set_per_epao() {
    let (t, i) = (tquk(), innovate());
    for plan in [&t, &i] {
        assert_eq!(
            ids(plan, MethodId::Project, CriterionLevel::Pass),
            numbered("WBP-P", 15)
        );
    }
    assert_eq!(
        ids(&t, MethodId::Project, CriterionLevel::Distinction),
        numbered("WBP-D", 10)
    );
    let without_d04: Vec<String> = numbered("WBP-D", 10)
        .into_iter()
        .filter(|id| id != "WBP-D04")
        .collect();
    assert_eq!(
        ids(&i, MethodId::Project, CriterionLevel::Distinction),
        without_d04
    );
    assert!(i.criterion("WBP-D04").is_none());
    // Innovate's own wording of WBP-D01, with its source.
    let d01 = i.criterion("WBP-D01").unwrap();
    assert!(
        d01.text
            .contains("in comparison to their own organisations")
    );
    assert!(
        !t.criterion("WBP-D01")
            .unwrap()
            .text
            .contains("in comparison")
    );
    // K4 has no pass descriptor of its own; the exception is explained.
    let k4 = t
        .coverage_exceptions
        .iter()
        .find(|e| e.ksb == "K4")
        .unwrap();
    assert_eq!(k4.covered_by, ["WBP-P02"]);
}

#[test]
fn overall_tables_have_eight_rows_and_differ_on_the_disputed_rows() {
    let (t, i) = (tquk(), innovate());
    for plan in [&t, &i] {
        assert_eq!(plan.overall_grading.table.len(), 8);
        assert_eq!(plan.overall_grading.any_fail, F);
    }
    // The rows as data; the grade they give is the domain's one reading of
    // the table (epa-domain's rules tests, `overall_tables_*`).
    let row = |plan: &epa_plan::EffectivePlan, o, p, d| {
        plan.overall_grading
            .table
            .iter()
            .find(|r| r.observation == o && r.project == p && r.discussion == d)
            .map(|r| r.overall)
    };
    for (o, p, d) in [(D, P, P), (D, D, P), (D, P, D)] {
        assert_eq!(row(&t, o, p, d), Some(D), "TQUK: observation decides");
        assert_eq!(
            row(&i, o, p, d),
            Some(P),
            "Innovate: all three must be distinction"
        );
    }
    assert!(
        t.overall_grading
            .reading
            .as_deref()
            .unwrap()
            .contains("merged cells")
    );
}

#[test]
fn grade_cap_is_pass_lifted_by_exceptional_circumstances() {
    let (t, i) = (tquk(), innovate());
    for plan in [&t, &i] {
        let cap = &plan.rules.grade_cap;
        assert_eq!(cap.cap, P);
        assert!(cap.applies_to_resit && cap.lifted_by_exceptional_circumstances);
        assert!(!cap.resit_to_improve_allowed);
    }
    assert!(t.rules.grade_cap.applies_to_retake);
    assert!(
        !i.rules.grade_cap.applies_to_retake,
        "Innovate's sentence names only a re-sit"
    );
}

#[test]
fn the_cap_scope_and_who_decides_exceptional_circumstances_are_each_policys() {
    use epa_plan::{CapScope, Decider};
    let (t, i) = (tquk(), innovate());
    let (tc, ic) = (&t.rules.grade_cap, &i.rules.grade_cap);
    assert_eq!(tc.scope, CapScope::Overall);
    assert!(
        tc.source
            .quote
            .as_deref()
            .unwrap()
            .contains("overall EPA grade will be capped")
    );
    assert_eq!(ic.scope, CapScope::Method);
    assert!(
        ic.source
            .quote
            .as_deref()
            .unwrap()
            .contains("maximum grade awarded to a re-sit")
    );
    assert_eq!(
        tc.exceptional_circumstances.identified_by,
        Decider::EpaoStaff
    );
    assert_eq!(tc.exceptional_circumstances.confirmed_by, None);
    assert!(
        tc.exceptional_circumstances
            .source
            .quote
            .as_deref()
            .unwrap()
            .contains("Training Qualifications UK determines")
    );
    assert_eq!(
        ic.exceptional_circumstances.identified_by,
        Decider::Assessor
    );
    assert_eq!(
        ic.exceptional_circumstances.confirmed_by,
        Some(Decider::EpaoStaffNotGrader)
    );
    assert!(
        ic.exceptional_circumstances
            .source
            .quote
            .as_deref()
            .unwrap()
            .contains("Innovate Awarding Assessor identifies")
    );
}

#[test]
fn gateway_components_come_from_the_requirements_with_their_sources() {
    use epa_plan::GatewayComponent as C;
    let components = |plan: &epa_plan::EffectivePlan| -> Vec<(C, String)> {
        plan.rules
            .gateway
            .iter()
            .filter_map(|g| g.component.map(|c| (c, g.source.document.clone())))
            .collect()
    };
    let t: Vec<C> = components(&tquk()).into_iter().map(|(c, _)| c).collect();
    assert_eq!(t, [C::Portfolio, C::EnglishMaths, C::PhotoId, C::Proposal]);
    let i = innovate();
    let ic: Vec<C> = components(&i).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        ic,
        [
            C::Portfolio,
            C::EnglishMaths,
            C::EmployerDeclaration,
            C::Proposal,
            C::ProviderDeclaration,
            C::ReasonableAdjustments
        ]
    );
    // Neither asks for what the other alone states.
    assert!(!ic.contains(&C::PhotoId));
    assert!(!t.contains(&C::EmployerDeclaration) && !t.contains(&C::ProviderDeclaration));
    let adjustments = i
        .rules
        .gateway
        .iter()
        .find(|g| g.id == "adjustments_declared")
        .unwrap();
    assert!(adjustments.only_when_applicable);
    let training = i
        .rules
        .gateway
        .iter()
        .find(|g| g.id == "minimum_training")
        .unwrap();
    assert_eq!(training.min_training_months, Some(12));
    assert_eq!(training.strength, epa_plan::Strength::Recommended);
    assert!(
        training
            .source
            .quote
            .as_deref()
            .unwrap()
            .contains("minimum of 12 months")
    );
}

#[test]
fn timings_with_units_and_anchors() {
    let (t, i) = (tquk(), innovate());
    for plan in [&t, &i] {
        let tm = &plan.rules.timings;
        assert_eq!(
            (tm.epa_period.amount, tm.epa_period.unit),
            (3, TimeUnit::CalendarMonths)
        );
        assert_eq!(tm.epa_period.from, Some(Anchor::EpaPeriodStart));
        assert_eq!(
            (tm.observation_notice.amount, tm.observation_notice.unit),
            (2, TimeUnit::Weeks)
        );
        assert_eq!(tm.observation_notice.relation, Relation::Before);
        assert_eq!(
            (tm.report_window.amount, tm.report_window.unit),
            (2, TimeUnit::CalendarMonths)
        );
        assert_eq!(
            (tm.report_to_interview.amount, tm.report_to_interview.unit),
            (2, TimeUnit::Weeks)
        );
        assert_eq!(
            (tm.project_rework.amount, tm.project_rework.unit),
            (1, TimeUnit::CalendarMonths)
        );
        assert_eq!(tm.resit_retake_window.amount, 12);
    }
    let (tt, it) = (&t.rules.timings, &i.rules.timings);
    assert_eq!(tt.report_window.from, Some(Anchor::PlanningMeeting));
    assert_eq!(it.report_window.from, Some(Anchor::Gateway));
    assert_eq!(tt.report_to_interview.relation, Relation::AtLeast);
    // Innovate's "two weeks prior to the interview date" is a minimum: the
    // report is due by the interview less two weeks (ADR 0103).
    assert_eq!(it.report_to_interview.relation, Relation::Before);
    assert_eq!(it.report_to_interview.from, Some(Anchor::Interview));
    assert!(
        it.report_to_interview
            .source
            .quote
            .as_deref()
            .unwrap()
            .contains("two weeks prior to the interview date")
    );
    assert_eq!(tt.portfolio_due.from, Some(Anchor::Discussion));
    assert_eq!(
        (tt.portfolio_due.amount, tt.portfolio_due.relation),
        (2, Relation::Before)
    );
    assert_eq!(
        (it.portfolio_due.from, it.portfolio_due.relation),
        (Some(Anchor::Gateway), Relation::At)
    );
    let rework = tt.proposal_rework.as_ref().unwrap();
    assert_eq!(
        (rework.amount, rework.unit, rework.from),
        (1, TimeUnit::Weeks, Some(Anchor::ProposalRejection))
    );
    assert!(it.proposal_rework.is_none());
    // Service levels only Innovate states.
    let results = it.results_release.as_ref().unwrap();
    assert_eq!((results.amount, results.unit), (7, TimeUnit::WorkingDays));
    let claim = it.certificate_claim.as_ref().unwrap();
    assert_eq!(
        (claim.amount, claim.unit, claim.from),
        (15, TimeUnit::WorkingDays, Some(Anchor::ResultUpload))
    );
    let replacement = it.replacement_certificate.as_ref().unwrap();
    assert_eq!((replacement.amount, replacement.unit), (2, TimeUnit::Days));
    assert!(
        tt.results_release.is_none()
            && tt.certificate_claim.is_none()
            && tt.replacement_certificate.is_none()
    );
}

#[test]
fn word_limits_and_proposal() {
    let (t, i) = (tquk(), innovate());
    for plan in [&t, &i] {
        let report = &plan.rules.word_limits.report;
        assert_eq!(
            (report.target, report.min, report.max),
            (Some(2500), Some(2250), Some(2750))
        );
        assert!(report.excludes_annexes);
    }
    assert_eq!(
        t.rules.word_limits.proposal.as_ref().unwrap().max,
        Some(500)
    );
    assert!(i.rules.word_limits.proposal.is_none());
    assert_eq!(t.rules.proposal.kind, epa_plan::ProposalKind::Proposal);
    assert_eq!(i.rules.proposal.kind, epa_plan::ProposalKind::Synopsis);
}

#[test]
fn methods_and_questioning() {
    let (t, i) = (tquk(), innovate());
    for plan in [&t, &i] {
        for m in &plan.methods {
            assert_eq!((m.duration_minutes, m.tolerance_percent), (60, 10));
            assert_eq!((m.min_minutes, m.max_minutes), (54, 66));
        }
        assert_eq!(
            plan.method(MethodId::Project).unwrap().interview_questions,
            Some(10)
        );
        let pieces = plan
            .method(MethodId::Discussion)
            .unwrap()
            .portfolio_pieces
            .unwrap();
        assert_eq!((pieces.min, pieces.max), (10, 15));
    }
    let tq = t
        .method(MethodId::Observation)
        .unwrap()
        .questioning
        .clone()
        .unwrap();
    let iq = i
        .method(MethodId::Observation)
        .unwrap()
        .questioning
        .clone()
        .unwrap();
    assert_eq!(
        (tq.placement, tq.max_percent, tq.max_minutes),
        (epa_plan::QuestioningPlacement::After, Some(15), Some(10))
    );
    assert_eq!(
        (iq.placement, iq.max_percent, iq.max_minutes),
        (epa_plan::QuestioningPlacement::During, Some(15), None)
    );
}

#[test]
fn order_of_methods_differs_on_observation_and_discussion() {
    let (t, i) = (tquk(), innovate());
    let rule = |p: &EffectivePlan| {
        let r = p
            .rules
            .order
            .iter()
            .find(|o| o.id == "observation_and_discussion")
            .unwrap()
            .clone();
        (r.first, r.then, r.strength)
    };
    assert_eq!(
        rule(&t),
        (
            MethodId::Observation,
            MethodId::Discussion,
            epa_plan::Strength::Recommended
        )
    );
    assert_eq!(
        rule(&i),
        (
            MethodId::Discussion,
            MethodId::Observation,
            epa_plan::Strength::Recommended
        )
    );
}

#[test]
fn every_rule_names_its_source() {
    for plan in [tquk(), innovate()] {
        let value = serde_json::to_value(&plan).unwrap();
        // Every object in `rules` that states a rule carries a source.
        fn walk(v: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
            if let Some(map) = v.as_object() {
                if (map.contains_key("text")
                    || map.contains_key("relation")
                    || map.contains_key("cap"))
                    && !map.contains_key("source")
                {
                    missing.push(path.to_string());
                }
                for (k, x) in map {
                    walk(x, &format!("{path}.{k}"), missing);
                }
            } else if let Some(list) = v.as_array() {
                for (n, x) in list.iter().enumerate() {
                    walk(x, &format!("{path}[{n}]"), missing);
                }
            }
        }
        let mut missing = Vec::new();
        walk(&value, "", &mut missing);
        assert!(missing.is_empty(), "rules without a source: {missing:?}");
    }
}

#[test]
fn unknown_selections_name_the_value_and_the_known_ones() {
    let catalog = Catalog::embedded();
    let err = catalog.effective("ST0071", None, "acme").unwrap_err();
    assert!(matches!(err, SelectError::UnknownEpao { .. }));
    let text = err.to_string();
    assert!(
        text.contains("acme") && text.contains("tquk") && text.contains("innovate"),
        "{text}"
    );
    let err = catalog
        .effective("ST9999", None, "tquk")
        .unwrap_err()
        .to_string();
    assert!(err.contains("ST9999") && err.contains("ST0071"), "{err}");
    let err = catalog
        .effective("ST0071", Some("9.9"), "tquk")
        .unwrap_err()
        .to_string();
    assert!(err.contains("9.9") && err.contains("1.2"), "{err}");
    // Case does not matter for the reference or the EPAO.
    assert!(catalog.effective("st0071", None, "TQUK").is_ok());
    assert_eq!(catalog.list().len(), 3);
}

// ---------------------------------------------------------------- diff

#[test]
fn diff_lists_every_real_difference_with_both_sources() {
    let differences = diff_effective(&tquk(), &innovate());
    let paths: Vec<&str> = differences.iter().map(|d| d.path.as_str()).collect();
    for expected in [
        "overall_grading.table[distinction/pass/pass].overall",
        "overall_grading.rule",
        "methods[observation].questioning.placement",
        "methods[observation].questioning.max_minutes",
        "rules.word_limits.proposal",
        "rules.timings.proposal_rework",
        "rules.timings.report_window",
        "rules.timings.report_to_interview",
        "rules.timings.portfolio_due",
        "rules.order[observation_and_discussion].first",
        "rules.timings.results_release",
        "rules.timings.certificate_claim",
        "rules.timings.replacement_certificate",
        "criteria[WBP-D04]",
        "rules.proposal.kind",
        "rules.grade_cap.applies_to_retake",
        "rules.grade_cap.scope",
        "rules.grade_cap.exceptional_circumstances.identified_by",
        "rules.grade_cap.exceptional_circumstances.confirmed_by",
        "rules.gateway[photo_id]",
        "rules.gateway[minimum_training]",
        "rules.gateway[signed_declaration]",
    ] {
        assert!(
            paths.contains(&expected),
            "missing {expected} in {paths:#?}"
        );
    }
    for d in &differences {
        assert!(
            d.source_a.is_some() && d.source_b.is_some(),
            "{} lacks a source",
            d.path
        );
    }
    let window = differences
        .iter()
        .find(|d| d.path == "rules.timings.report_window")
        .unwrap();
    assert!(window.source_a.as_deref().unwrap().contains("TQUK"));
    assert!(window.source_b.as_deref().unwrap().contains("Innovate"));
    // Nothing the two agree on is reported.
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("ksbs") || p.contains("epa_period"))
    );
    assert!(diff_effective(&tquk(), &tquk()).is_empty());
}

// ---------------------------------------------------------------- validator

fn texts() -> (String, String, String) {
    let files: Vec<(&str, &str)> = embedded_files().collect();
    (
        files[0].1.to_string(),
        files[1].1.to_string(),
        files[2].1.to_string(),
    )
}

/// Loads the three files with edits applied; returns every problem's text.
fn problems(plan: &str, tquk: &str, innovate: &str) -> Vec<String> {
    let files = [
        ("plan.toml", plan),
        ("epao-tquk.toml", tquk),
        ("epao-innovate.toml", innovate),
    ]
    .map(|(f, t)| (f.to_string(), t.to_string()));
    match Catalog::from_texts(files) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture text not found: {from}");
    text.replacen(from, to, 1)
}

fn assert_found(found: &[String], needle: &str) {
    assert!(
        found.iter().any(|p| p.contains(needle)),
        "expected a problem containing {needle:?}, got {found:#?}"
    );
}

#[test]
fn embedded_files_validate() {
    let (plan, t, i) = texts();
    assert_eq!(problems(&plan, &t, &i), Vec::<String>::new());
}

#[test]
fn criterion_naming_another_methods_ksb_is_refused_with_its_line() {
    let (plan, t, i) = texts();
    let broken = replace_once(&plan, "ksbs = [\"K11\"]", "ksbs = [\"K11\", \"K1\"]");
    let found = problems(&broken, &t, &i);
    assert_found(
        &found,
        "criterion OBS-P01 (observation) names K1, which is assessed by project",
    );
    let line = broken
        .lines()
        .position(|l| l == "id = \"OBS-P01\"")
        .unwrap()
        + 1;
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(&format!("plan.toml:{}:", line - 1))
                || p.starts_with(&format!("plan.toml:{line}:"))),
        "{found:#?}"
    );
}

#[test]
fn unknown_ksb_and_duplicate_ids_are_refused() {
    let (plan, t, i) = texts();
    let broken = replace_once(&plan, "ksbs = [\"K11\"]", "ksbs = [\"K99\"]");
    let broken = replace_once(&broken, "id = \"OBS-P02\"", "id = \"OBS-P01\"");
    let broken = replace_once(&broken, "code = \"K2\"", "code = \"K1\"");
    let found = problems(&broken, &t, &i);
    assert_found(&found, "names K99, which is not a KSB of this plan");
    assert_found(&found, "duplicate criterion \"OBS-P01\"");
    assert_found(&found, "duplicate KSB \"K1\"");
}

#[test]
fn ksb_without_pass_criterion_is_refused_and_exception_must_be_needed() {
    let (plan, t, i) = texts();
    // B12's only pass criterion now names B11 instead.
    let broken = replace_once(&plan, "ksbs = [\"B12\"]", "ksbs = [\"B11\"]");
    assert_found(
        &problems(&broken, &t, &i),
        "KSB B12 is evidenced by no pass criterion",
    );
    // Without its exception K4 has no pass criterion.
    let broken = replace_once(&plan, "ksb = \"K4\"", "ksb = \"K3\"");
    let found = problems(&broken, &t, &i);
    assert_found(&found, "KSB K4 is evidenced by no pass criterion");
    assert_found(&found, "coverage exception for K3 is not needed");
}

#[test]
fn ksb_kind_and_code_must_agree() {
    let (plan, t, i) = texts();
    let broken = replace_once(
        &plan,
        "code = \"S1\"\nkind = \"skill\"",
        "code = \"S1\"\nkind = \"knowledge\"",
    );
    assert_found(
        &problems(&broken, &t, &i),
        "KSB \"S1\": a knowledge code is K followed by digits",
    );
}

#[test]
fn incomplete_and_non_monotonic_tables_are_refused() {
    let (plan, t, i) = texts();
    // Drop the (distinction, distinction, distinction) row: incomplete.
    let last = "[[overall_grading.table]]\nobservation = \"distinction\"\nproject = \"distinction\"\ndiscussion = \"distinction\"\noverall = \"distinction\"\n";
    let broken = replace_once(&i, last, "");
    assert_found(
        &problems(&plan, &t, &broken),
        "missing the combination observation=distinction project=distinction discussion=distinction",
    );
    // All-distinction giving pass while (D,P,P) gives distinction: not monotonic.
    let broken = replace_once(
        &t,
        last,
        "[[overall_grading.table]]\nobservation = \"distinction\"\nproject = \"distinction\"\ndiscussion = \"distinction\"\noverall = \"pass\"\n",
    );
    assert_found(&problems(&plan, &broken, &i), "not monotonic");
}

#[test]
fn insensible_figures_are_refused() {
    let (plan, t, i) = texts();
    let broken = replace_once(&plan, "tolerance_percent = 10", "tolerance_percent = 100");
    let broken = replace_once(&broken, "duration_minutes = 60", "duration_minutes = 0");
    let broken = replace_once(
        &broken,
        "portfolio_pieces = { min = 10, max = 15 }",
        "portfolio_pieces = { min = 16, max = 15 }",
    );
    let found = problems(&broken, &t, &i);
    assert_found(&found, "tolerance_percent 100 must be below 100");
    assert_found(&found, "duration_minutes must be positive");
    assert_found(&found, "portfolio_pieces min 16 and max 15");
    let broken_t = replace_once(&t, "min = 2250", "min = 2900");
    let broken_t = replace_once(&broken_t, "amount = 3\n", "amount = 0\n");
    let found = problems(&plan, &broken_t, &i);
    assert_found(&found, "word limit report: min 2900 is above max 2750");
    assert_found(&found, "timing epa_period: amount must be positive");
}

#[test]
fn policy_criteria_must_exist_in_the_plan() {
    let (plan, t, i) = texts();
    let broken = replace_once(&i, "\"WBP-D03\", ", "\"WBP-D03\", \"WBP-D99\", ");
    let found = problems(&plan, &t, &broken);
    assert_found(&found, "epao-innovate.toml:");
    assert_found(&found, "criterion WBP-D99 is not in plan ST0071 v1.2");
    // Dropping a pass criterion leaves its KSB uncovered under that policy.
    let broken = replace_once(&t, "\"PD-P12\",\n", "\n");
    assert_found(
        &problems(&plan, &broken, &i),
        "leave KSB B8 without a pass criterion",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let (plan, t, i) = texts();
    let broken = replace_once(&plan, "ksbs = [\"K11\"]", "ksbs = [\"K99\"]");
    let broken = replace_once(&broken, "tolerance_percent = 10", "tolerance_percent = 150");
    let broken_i = replace_once(&i, "\"WBP-D03\", ", "\"WBP-D03\", \"WBP-D99\", ");
    let found = problems(&broken, &t, &broken_i);
    assert!(found.len() >= 3, "{found:#?}");
}

#[test]
fn unknown_keys_are_refused_with_line_and_column() {
    let (plan, t, i) = texts();
    let broken = replace_once(
        &t,
        "needs_acceptance = true",
        "needs_acceptance = true\nneeds_approval = true",
    );
    let found = problems(&plan, &broken, &i);
    let line = broken
        .lines()
        .position(|l| l.starts_with("needs_approval"))
        .unwrap()
        + 1;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(&format!("epao-tquk.toml:{line}:")),
        "{found:#?}"
    );
    assert!(found[0].contains("needs_approval"), "{found:#?}");
}

#[test]
fn damaged_file_is_refused_pointing_at_the_line() {
    let (plan, t, i) = texts();
    let broken = replace_once(&plan, "level = 3\n", "level = = 3\n");
    let line = broken
        .lines()
        .position(|l| l.starts_with("level = = 3"))
        .unwrap()
        + 1;
    let found = problems(&broken, &t, &i);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(&format!("plan.toml:{line}:")),
        "{found:#?}"
    );
    // A wrong type is refused the same way.
    let broken = replace_once(&plan, "level = 3\n", "level = \"three\"\n");
    let found = problems(&broken, &t, &i);
    assert!(
        found[0].starts_with(&format!("plan.toml:{line}:")),
        "{found:#?}"
    );
}

#[test]
fn validate_functions_work_on_parsed_files() {
    let (plan, t, _) = texts();
    let plan = epa_plan::load::parse_plan("plan.toml", &plan).unwrap();
    let policy = epa_plan::load::parse_policy("epao-tquk.toml", &t).unwrap();
    assert!(validate::plan(&plan).is_empty());
    assert!(validate::policy(&policy, &plan).is_empty());
}

// ---------------------------------------------------------------- directory

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("epa-plan-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("ST0071/1.3")).unwrap();
    dir
}

#[test]
fn more_plans_load_from_a_directory_without_rebuild() {
    let dir = scratch_dir("dir");
    let (plan, t, _) = texts();
    let plan13 = replace_once(&plan, "version = \"1.2\"", "version = \"1.3\"");
    let t13 = replace_once(&t, "version = \"1.2\"", "version = \"1.3\"");
    std::fs::write(dir.join("ST0071/1.3/plan.toml"), plan13).unwrap();
    std::fs::write(dir.join("ST0071/1.3/epao-tquk.toml"), t13).unwrap();
    let catalog = Catalog::with_dir(&dir).unwrap();
    assert_eq!(
        catalog.effective("ST0071", None, "tquk").unwrap().version,
        "1.3"
    );
    assert_eq!(
        catalog
            .effective("ST0071", Some("1.2"), "tquk")
            .unwrap()
            .version,
        "1.2"
    );
    assert!(
        catalog
            .effective("ST0071", Some("1.3"), "innovate")
            .is_err()
    );

    std::fs::write(dir.join("ST0071/1.3/broken.toml"), "[standard\n").unwrap();
    let errors = Catalog::with_dir(&dir).unwrap_err();
    assert!(errors.to_string().contains("broken.toml:1:"), "{errors}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- checking files

fn line_of(text: &str, starts: &str) -> usize {
    text.lines().position(|l| l.starts_with(starts)).unwrap() + 1
}

#[test]
fn unknown_keys_do_not_hide_the_other_problems() {
    let dir = scratch_dir("unknown-keys");
    let (plan, t, _) = texts();
    // An unknown key at the top, another inside a criterion, and a
    // duplicate criterion ID that only the validator can see.
    let broken = format!("colour = 1\n{plan}");
    let broken = replace_once(&broken, "id = \"OBS-P02\"", "id = \"OBS-P01\"\nweight = 2");
    let plan_path = dir.join("plan.toml");
    let policy_path = dir.join("epao-tquk.toml");
    std::fs::write(&plan_path, &broken).unwrap();
    std::fs::write(&policy_path, &t).unwrap();

    let results = epa_plan::check_paths(&[&plan_path, &policy_path], &Catalog::embedded());
    let found: Vec<String> = results[0]
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    let file = plan_path.display().to_string();
    let at = |line: usize| format!("{file}:{line}:");
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(&at(1)) && p.contains("unknown field `colour`")),
        "{found:#?}"
    );
    let weight = line_of(&broken, "weight = 2");
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(&at(weight)) && p.contains("unknown field `weight`")),
        "{found:#?}"
    );
    assert_found(&found, "duplicate criterion \"OBS-P01\"");
    assert!(
        found.iter().all(|p| p.starts_with(&file)),
        "every problem names its file and line: {found:#?}"
    );
    // The policy is still checked, against the plan given with it (which
    // no longer has an OBS-P02).
    let found: Vec<String> = results[1]
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_found(&found, "criterion OBS-P02 is not in plan ST0071 v1.2");

    // Loading, as opposed to checking, still refuses the file, naming
    // every unknown key rather than the first.
    let errors = epa_plan::parse_document("plan.toml", &broken).unwrap_err();
    let text = errors.to_string();
    assert!(text.contains("colour") && text.contains("weight"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_file_stops_only_itself() {
    let dir = scratch_dir("damaged-one");
    let (plan, t, i) = texts();
    let broken_t = replace_once(&t, "[policy]", "[policy");
    let broken_i = replace_once(&i, "\"WBP-D03\", ", "\"WBP-D03\", \"WBP-D99\", ");
    let broken_i = format!("shade = \"blue\"\n{broken_i}");
    let paths = [
        dir.join("plan.toml"),
        dir.join("epao-tquk.toml"),
        dir.join("epao-innovate.toml"),
    ];
    for (path, text) in paths.iter().zip([&plan, &broken_t, &broken_i]) {
        std::fs::write(path, text).unwrap();
    }
    let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let results = epa_plan::check_paths(&refs, &Catalog::embedded());
    assert!(results[0].problems.is_empty(), "{:#?}", results[0].problems);
    assert_eq!(results[1].problems.len(), 1, "{:#?}", results[1].problems);
    assert_eq!(
        results[1].problems[0].line,
        Some(line_of(&broken_t, "[policy"))
    );
    let found: Vec<String> = results[2]
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_found(&found, "unknown field `shade`");
    assert_found(&found, "criterion WBP-D99 is not in plan ST0071 v1.2");
    let _ = std::fs::remove_dir_all(&dir);
}
