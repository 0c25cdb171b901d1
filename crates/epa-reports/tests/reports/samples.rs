//! Documents like the demo's: a TQUK apprentice with a distinction.

use epa_reports::{
    Coverage, CoverageRow, CriterionRecord, Fact, GatewayAttempt, GatewayComponent,
    GatewayDocument, MethodGrade, MethodRecord, NextStep, ResultsDocument,
};

fn criterion(id: &str, level: &str, text: &str, met: bool, note: &str) -> CriterionRecord {
    CriterionRecord {
        id: id.to_owned(),
        level: level.to_owned(),
        text: text.to_owned(),
        outcome: if met { "Met" } else { "Not met" }.to_owned(),
        note: note.to_owned(),
    }
}

pub fn results(apprentice: &str) -> ResultsDocument {
    ResultsDocument {
        title: format!("End-point assessment result: {apprentice}"),
        facts: vec![
            Fact::new("Apprentice", apprentice),
            Fact::new("ULN", "1234567890"),
            Fact::new(
                "Standard",
                "Customer service specialist (ST0071) version 1.2",
            ),
            Fact::new("End-point assessment organisation", "TQUK"),
            Fact::new("Attempt", "First attempt"),
            Fact::new("Results released", "Friday 12 March 2027"),
        ],
        overall_grade: "Distinction".to_owned(),
        method_grades: vec![
            MethodGrade {
                method: "Practical observation with questions and answers".to_owned(),
                grade: "Distinction".to_owned(),
            },
            MethodGrade {
                method: "Work-based project supported by an interview".to_owned(),
                grade: "Pass".to_owned(),
            },
        ],
        overall_explanation: vec![
            "Observation distinction, project pass, discussion distinction.".to_owned(),
            "The grading table gives distinction overall.".to_owned(),
        ],
        next_steps: vec![
            NextStep {
                heading: "Certificate".to_owned(),
                text: "TQUK claims the certificate from the Education and Skills Funding Agency."
                    .to_owned(),
                source: None,
            },
            NextStep {
                heading: "Appeals".to_owned(),
                text: "An appeal against this result follows TQUK's appeals policy.".to_owned(),
                source: Some("TQUK ST0071 v1.2 Standard Specification, Appeals".to_owned()),
            },
        ],
        records: vec![MethodRecord {
            method: "Practical observation with questions and answers".to_owned(),
            held: "Monday 1 March 2027 (first attempt)".to_owned(),
            grade: "Distinction".to_owned(),
            explanation: "All 6 pass criteria and all 2 distinction criteria met.".to_owned(),
            criteria: vec![
                criterion(
                    "OBS-P01",
                    "Pass",
                    "Uses questioning to establish customer needs.",
                    true,
                    "Asked open questions throughout the call.",
                ),
                criterion(
                    "OBS-D01",
                    "Distinction",
                    "Adapts their approach to an unexpected situation.",
                    true,
                    "Slowed down and explained step by step when the customer became upset.",
                ),
            ],
        }],
    }
}

pub fn gateway(apprentice: &str) -> GatewayDocument {
    GatewayDocument {
        title: format!("Gateway summary: {apprentice}"),
        facts: vec![
            Fact::new("Apprentice", apprentice),
            Fact::new("ULN", "1234567890"),
            Fact::new("End-point assessment organisation", "TQUK"),
        ],
        attempts: vec![
            GatewayAttempt {
                heading: "Attempt 1".to_owned(),
                status: "Rejected".to_owned(),
                submitted: "Monday 4 January 2027".to_owned(),
                decided: Some("Wednesday 6 January 2027".to_owned()),
                reasons: vec!["The employer's declaration was not signed.".to_owned()],
                components: vec![GatewayComponent {
                    name: "Employer declaration".to_owned(),
                    status: "Rejected".to_owned(),
                    reviews: vec!["Rejected: not signed.".to_owned()],
                }],
            },
            GatewayAttempt {
                heading: "Attempt 2".to_owned(),
                status: "Approved".to_owned(),
                submitted: "Monday 11 January 2027".to_owned(),
                decided: None,
                reasons: Vec::new(),
                components: vec![GatewayComponent {
                    name: "Portfolio of evidence".to_owned(),
                    status: "Accepted".to_owned(),
                    reviews: Vec::new(),
                }],
            },
        ],
        coverage: Some(Coverage {
            method: "Professional discussion supported by a portfolio of evidence".to_owned(),
            rows: vec![
                CoverageRow {
                    ksb: "K1".to_owned(),
                    statement: "Who the customers are.".to_owned(),
                    evidence: "1. Complaint log".to_owned(),
                },
                CoverageRow {
                    ksb: "K2".to_owned(),
                    statement: "Customer journeys.".to_owned(),
                    evidence: "None".to_owned(),
                },
            ],
            uncovered: vec!["K2".to_owned()],
        }),
    }
}
