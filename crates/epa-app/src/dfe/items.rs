//! What the DfE service should hold of one EPA, worded as its API wants
//! it: the EPA record (every released attempt, a withdrawal last) and, for
//! a pass or distinction, the certificate request with the employer's
//! postal contact; each with a fingerprint, so what the service already
//! has in its current form is not sent again. Also when a certificate may
//! be claimed (after the policy's appeal window) and by when (the policy's
//! claim deadline).

use chrono::NaiveDate;
use epa_dfe::model::{self as dfe, EpaOutcome};
use epa_domain::Grade;
use epa_domain::attempts::AttemptKind;
use epa_domain::calendar::Period;
use epa_domain::lifecycle::Stage;
use epa_store::dfe::{Attempt, Candidate};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::calendar::{london_date, working_days};
use crate::{App, AppError};

/// The EPA record as the service should hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct EpaItem {
    pub request: dfe::EpaRequest,
    pub fingerprint: String,
}

/// The certificate as the service should hold it, or why it cannot be
/// asked for yet.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateItem {
    pub request: dfe::CertificateRequest,
    pub fingerprint: String,
    /// The first day it may be claimed: the appeal window has passed (at
    /// once for a distinction, which no appeal can raise).
    pub claim_from: NaiveDate,
    /// The policy's deadline for the claim, where it states one.
    pub claim_due: Option<NaiveDate>,
    /// What must be fixed here before it can be sent (the employer's
    /// postal contact); empty when it can be sent.
    pub problems: Vec<String>,
}

/// Both items of one EPA.
#[derive(Debug, Clone, PartialEq)]
pub struct Items {
    pub epa: Option<EpaItem>,
    pub certificate: Option<CertificateItem>,
    /// Why the EPA record cannot be worded (an unreadable ULN).
    pub problems: Vec<String>,
}

/// The SHA-256 of an item without its request ID and references: what
/// changes only when the item itself does.
pub(super) fn fingerprint(value: &impl Serialize) -> String {
    let mut json = serde_json::to_value(value).unwrap_or_default();
    if let Some(map) = json.as_object_mut() {
        map.remove("requestId");
        map.remove("certificateReference");
        if let Some(details) = map.get_mut("epaDetails").and_then(|d| d.as_object_mut()) {
            details.remove("epaReference");
        }
    }
    hex::encode(Sha256::digest(json.to_string().as_bytes()))
}

fn outcome(grade: Grade) -> EpaOutcome {
    match grade {
        Grade::Fail => EpaOutcome::Fail,
        Grade::Pass | Grade::Distinction => EpaOutcome::Pass,
    }
}

fn nonempty(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Both items of `candidate` from its released `attempts` (oldest first).
/// `appeal_window` is the policy's, in working days.
pub fn items(
    app: &App,
    candidate: &Candidate,
    attempts: &[&Attempt],
    appeal_window: u32,
) -> Result<Items, AppError> {
    let mut problems = Vec::new();
    let uln = match candidate.uln.trim().parse::<u64>() {
        Ok(uln) => Some(uln),
        Err(_) => {
            problems.push(format!(
                "the ULN {:?} is not 10 digits: correct the registration",
                candidate.uln
            ));
            None
        }
    };
    let Some(uln) = uln else {
        return Ok(Items {
            epa: None,
            certificate: None,
            problems,
        });
    };
    let standard = dfe::Standard::reference(&candidate.standard_reference);
    let learner = dfe::Learner {
        uln,
        family_name: candidate.family_name.trim().to_owned(),
    };
    let mut epas: Vec<dfe::Epa> = attempts
        .iter()
        .map(|a| dfe::Epa {
            // The day the attempt was assessed; its release day when no
            // sitting was recorded.
            epa_date: a.held_on.unwrap_or(a.released_on),
            epa_outcome: outcome(a.overall_grade),
            // A project rework re-assesses a failed method: a resit.
            resit: Some(matches!(
                a.attempt_kind,
                AttemptKind::Resit | AttemptKind::ProjectRework
            )),
            retake: Some(a.attempt_kind == AttemptKind::Retake),
        })
        .collect();
    if candidate.stage == Stage::Withdrawn {
        epas.push(dfe::Epa {
            epa_date: london_date(candidate.updated_at),
            epa_outcome: EpaOutcome::Withdrawn,
            resit: None,
            retake: None,
        });
    }
    let epa = (!epas.is_empty()).then(|| {
        let request = dfe::EpaRequest {
            request_id: String::new(),
            standard: standard.clone(),
            learner: learner.clone(),
            learning_details: dfe::EpaLearningDetails {
                version: Some(candidate.standard_version.clone()),
                course_option: None,
            },
            epa_details: dfe::EpaDetails {
                epa_reference: None,
                epas,
            },
        };
        EpaItem {
            fingerprint: fingerprint(&request),
            request,
        }
    });
    let achieved = attempts
        .last()
        .filter(|a| a.overall_grade > Grade::Fail && candidate.stage != Stage::Withdrawn);
    let certificate = match achieved {
        Some(final_result) => Some(certificate(
            app,
            candidate,
            final_result,
            standard,
            learner,
            appeal_window,
        )?),
        None => None,
    };
    Ok(Items {
        epa,
        certificate,
        problems,
    })
}

fn certificate(
    app: &App,
    candidate: &Candidate,
    final_result: &Attempt,
    standard: dfe::Standard,
    learner: dfe::Learner,
    appeal_window: u32,
) -> Result<CertificateItem, AppError> {
    let mut problems = Vec::new();
    let mut required = |value: &Option<String>, what: &str| {
        nonempty(value).unwrap_or_else(|| {
            problems.push(format!(
                "the employer's postal contact has no {what}: add it on the employer's page"
            ));
            String::new()
        })
    };
    let postal_contact = dfe::PostalContact {
        contact_name: required(&candidate.contact_name, "contact name"),
        department: None,
        organisation: nonempty(&candidate.contact_organisation)
            .unwrap_or_else(|| candidate.employer_name.clone()),
        address_line1: required(&candidate.address_line_1, "first address line"),
        address_line2: nonempty(&candidate.address_line_2),
        address_line3: None,
        city: required(&candidate.city, "town or city"),
        post_code: required(&candidate.postcode, "postcode"),
    };
    let grade = match final_result.overall_grade {
        Grade::Distinction => dfe::Grade::Distinction,
        _ => dfe::Grade::Pass,
    };
    let request = dfe::CertificateRequest {
        request_id: String::new(),
        certificate_reference: None,
        standard,
        learner,
        learning_details: dfe::CertificateLearningDetails {
            overall_grade: grade,
            achievement_date: final_result.released_on,
            version: Some(candidate.standard_version.clone()),
            course_option: None,
        },
        postal_contact,
    };
    let calendar = working_days()?;
    let released = final_result.released_on;
    // The highest grade cannot be raised on appeal: it is claimed at once.
    let window = if grade == dfe::Grade::Distinction {
        0
    } else {
        appeal_window
    };
    let claim_from = Period::working_days(window)
        .after(released, &calendar)
        .map_err(AppError::internal)?;
    let claim_due = claim_deadline(app, candidate, released)?;
    Ok(CertificateItem {
        fingerprint: fingerprint(&request),
        request,
        claim_from,
        claim_due,
        problems,
    })
}

/// The policy's certificate-claim deadline counted from the final result.
pub(super) fn claim_deadline(
    app: &App,
    candidate: &Candidate,
    released: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    let Ok(plan) = app.plans.shared(
        &candidate.standard_reference,
        Some(&candidate.standard_version),
        &candidate.policy,
    ) else {
        return Ok(None);
    };
    let Some(period) = plan
        .rules
        .timings
        .certificate_claim
        .as_ref()
        .and_then(epa_domain::plan::period_of)
    else {
        return Ok(None);
    };
    period
        .after(released, &working_days()?)
        .map(Some)
        .map_err(AppError::internal)
}
