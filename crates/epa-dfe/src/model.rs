//! The service's JSON, field for field (camelCase), as its external API
//! reads and writes it. Values the service names a fixed set of (outcomes,
//! grades, certificate states) are enums here; the service compares them
//! without regard to case.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The standard an item is about: by LARS code or by reference (`ST0071`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Standard {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_code: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_reference: Option<String>,
}

impl Standard {
    /// The standard by its reference, as OpenEPA's plans name it.
    pub fn reference(reference: &str) -> Standard {
        Standard {
            standard_code: None,
            standard_reference: Some(reference.to_owned()),
        }
    }

    /// How the service's paths name it: the reference, else the code.
    pub fn path_segment(&self) -> String {
        match (&self.standard_reference, self.standard_code) {
            (Some(reference), _) => reference.clone(),
            (None, Some(code)) => code.to_string(),
            (None, None) => String::new(),
        }
    }
}

/// The learner as the service matches them: ULN and family name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Learner {
    pub uln: u64,
    pub family_name: String,
}

/// An EPA's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EpaOutcome {
    Pass,
    Fail,
    Withdrawn,
}

impl EpaOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            EpaOutcome::Pass => "Pass",
            EpaOutcome::Fail => "Fail",
            EpaOutcome::Withdrawn => "Withdrawn",
        }
    }
}

/// One attempt at the EPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Epa {
    pub epa_date: NaiveDate,
    pub epa_outcome: EpaOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resit: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retake: Option<bool>,
}

/// Every attempt, oldest first (an update replaces the whole list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpaDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epa_reference: Option<String>,
    pub epas: Vec<Epa>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EpaLearningDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_option: Option<String>,
}

/// `POST /api/v1/epa` (no reference) and `PUT /api/v1/epa` (with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpaRequest {
    pub request_id: String,
    pub standard: Standard,
    pub learner: Learner,
    pub learning_details: EpaLearningDetails,
    pub epa_details: EpaDetails,
}

/// One item's answer to an EPA write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpaResponse {
    pub request_id: String,
    #[serde(default)]
    pub epa_reference: Option<String>,
    #[serde(default)]
    pub validation_errors: Vec<String>,
}

/// A certificate's grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grade {
    Pass,
    Credit,
    Merit,
    Distinction,
    #[serde(rename = "Pass with excellence")]
    PassWithExcellence,
    Outstanding,
    #[serde(rename = "No grade awarded")]
    NoGradeAwarded,
}

impl Grade {
    pub const ALL: [Grade; 7] = [
        Grade::Pass,
        Grade::Credit,
        Grade::Merit,
        Grade::Distinction,
        Grade::PassWithExcellence,
        Grade::Outstanding,
        Grade::NoGradeAwarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Pass => "Pass",
            Grade::Credit => "Credit",
            Grade::Merit => "Merit",
            Grade::Distinction => "Distinction",
            Grade::PassWithExcellence => "Pass with excellence",
            Grade::Outstanding => "Outstanding",
            Grade::NoGradeAwarded => "No grade awarded",
        }
    }
}

/// Where the certificate is posted: the employer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PostalContact {
    pub contact_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    pub organisation: String,
    pub address_line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    pub city: String,
    pub post_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateLearningDetails {
    pub overall_grade: Grade,
    pub achievement_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_option: Option<String>,
}

/// `POST /api/v1/certificate` (no reference) and `PUT` (with it, while Draft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRequest {
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_reference: Option<String>,
    pub standard: Standard,
    pub learner: Learner,
    pub learning_details: CertificateLearningDetails,
    pub postal_contact: PostalContact,
}

/// Where a certificate is in the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateStatus {
    Draft,
    Ready,
    Submitted,
    SentToPrinter,
    Printed,
    Delivered,
    NotDelivered,
    Reprint,
    ToBeApproved,
    SentForApproval,
    Approved,
    Rejected,
    Cancelled,
    Deleted,
    Error,
    /// A state this client does not know yet, kept as the service named it.
    #[serde(untagged)]
    Other(String),
}

impl CertificateStatus {
    pub fn as_str(&self) -> &str {
        match self {
            CertificateStatus::Draft => "Draft",
            CertificateStatus::Ready => "Ready",
            CertificateStatus::Submitted => "Submitted",
            CertificateStatus::SentToPrinter => "SentToPrinter",
            CertificateStatus::Printed => "Printed",
            CertificateStatus::Delivered => "Delivered",
            CertificateStatus::NotDelivered => "NotDelivered",
            CertificateStatus::Reprint => "Reprint",
            CertificateStatus::ToBeApproved => "ToBeApproved",
            CertificateStatus::SentForApproval => "SentForApproval",
            CertificateStatus::Approved => "Approved",
            CertificateStatus::Rejected => "Rejected",
            CertificateStatus::Cancelled => "Cancelled",
            CertificateStatus::Deleted => "Deleted",
            CertificateStatus::Error => "Error",
            CertificateStatus::Other(other) => other,
        }
    }

    /// The state as the service names it.
    pub fn parse(text: &str) -> CertificateStatus {
        serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .unwrap_or_else(|_| CertificateStatus::Other(text.to_owned()))
    }

    /// Still changeable through the API (before submission).
    pub fn is_draft(&self) -> bool {
        matches!(self, CertificateStatus::Draft | CertificateStatus::Ready)
    }

    /// Nothing more will happen to it unless someone asks for a reprint:
    /// reading its state again is pointless.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            CertificateStatus::Delivered
                | CertificateStatus::NotDelivered
                | CertificateStatus::Cancelled
                | CertificateStatus::Deleted
                | CertificateStatus::Rejected
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateData {
    pub certificate_reference: String,
    #[serde(default)]
    pub standard: Option<Standard>,
    #[serde(default)]
    pub learner: Option<serde_json::Value>,
    #[serde(default)]
    pub learning_details: Option<serde_json::Value>,
    #[serde(default)]
    pub postal_contact: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub current_status: CertificateStatus,
}

/// A certificate as the service holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    pub certificate_data: CertificateData,
    pub status: Status,
}

/// One item's answer to a certificate write or submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateResponse {
    pub request_id: String,
    #[serde(default)]
    pub certificate: Option<Certificate>,
    #[serde(default)]
    pub validation_errors: Vec<String>,
}

/// `POST /api/v1/certificate/submit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitRequest {
    pub request_id: String,
    pub uln: u64,
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_code: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_reference: Option<String>,
    pub certificate_reference: String,
}

/// The service's answer to anything but a batch: `{statusCode, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub status_code: u16,
    pub message: String,
}

/// An answer that carries one item's request ID and refusals.
pub trait ItemResponse {
    fn request_id(&self) -> &str;
    fn validation_errors(&self) -> &[String];
}

impl ItemResponse for EpaResponse {
    fn request_id(&self) -> &str {
        &self.request_id
    }
    fn validation_errors(&self) -> &[String] {
        &self.validation_errors
    }
}

impl ItemResponse for CertificateResponse {
    fn request_id(&self) -> &str {
        &self.request_id
    }
    fn validation_errors(&self) -> &[String] {
        &self.validation_errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_are_written_as_the_service_names_them() {
        for grade in Grade::ALL {
            let json = serde_json::to_value(grade).unwrap();
            assert_eq!(json, serde_json::Value::String(grade.as_str().to_owned()));
        }
    }

    #[test]
    fn an_unknown_status_is_kept_not_refused() {
        assert_eq!(
            CertificateStatus::parse("Printed"),
            CertificateStatus::Printed
        );
        assert_eq!(
            CertificateStatus::parse("Lost"),
            CertificateStatus::Other("Lost".to_owned())
        );
        let status: Status = serde_json::from_str(r#"{"currentStatus":"Lost"}"#).unwrap();
        assert_eq!(status.current_status.as_str(), "Lost");
    }

    #[test]
    fn an_epa_request_is_camel_case_and_leaves_out_what_is_unset() {
        let request = EpaRequest {
            request_id: "r1".into(),
            standard: Standard::reference("ST0071"),
            learner: Learner {
                uln: 1_234_567_890,
                family_name: "Smith".into(),
            },
            learning_details: EpaLearningDetails {
                version: Some("1.2".into()),
                course_option: None,
            },
            epa_details: EpaDetails {
                epa_reference: None,
                epas: vec![Epa {
                    epa_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                    epa_outcome: EpaOutcome::Fail,
                    resit: Some(false),
                    retake: Some(false),
                }],
            },
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "requestId": "r1",
                "standard": {"standardReference": "ST0071"},
                "learner": {"uln": 1234567890u64, "familyName": "Smith"},
                "learningDetails": {"version": "1.2"},
                "epaDetails": {"epas": [{"epaDate": "2026-03-02", "epaOutcome": "Fail", "resit": false, "retake": false}]}
            })
        );
    }
}
