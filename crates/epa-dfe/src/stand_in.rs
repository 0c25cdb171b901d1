//! A local stand-in for the DfE service (feature `stand-in`), for tests and
//! demonstrations: never the real thing. It checks what the service checks,
//! with its messages (read from its public source): the subscription key,
//! batches of at most 25, required fields, value ranges and formats, and
//! that the learner matches on ULN, family name and standard; it keeps EPA
//! records and certificates the way the service does (one of each per
//! learner per standard, 8-digit references) and answers in its shapes.
//! Tests read what was written to it and move certificates on (printed,
//! delivered) as the service's printers would.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use crate::client::{BATCH_LIMIT, SUBSCRIPTION_HEADER};

/// Requests above this size are refused, as the service's gateway does.
const BODY_LIMIT: usize = 32 * 1024;

/// A learner the service knows (from the ILR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownLearner {
    pub uln: u64,
    pub family_name: String,
    pub standard_reference: String,
}

/// An EPA record as the stand-in holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldEpa {
    pub reference: String,
    pub epas: Vec<Value>,
}

/// A certificate as the stand-in holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldCertificate {
    pub reference: String,
    pub status: String,
    pub grade: Option<String>,
    pub data: Value,
}

/// One write the stand-in received: method, path and how many items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub method: String,
    pub path: String,
    pub items: usize,
}

#[derive(Debug, Default)]
struct Held {
    key: String,
    today: Option<NaiveDate>,
    learners: Vec<KnownLearner>,
    epas: BTreeMap<(u64, String), HeldEpa>,
    certificates: BTreeMap<(u64, String), HeldCertificate>,
    next_reference: u32,
    writes: Vec<Write>,
    /// Calls answered 503 before the service "comes back".
    outage: usize,
}

impl Held {
    fn reference(&mut self) -> String {
        self.next_reference += 1;
        format!("{:08}", 10_000_000 + self.next_reference)
    }

    fn today(&self) -> NaiveDate {
        self.today.unwrap_or_else(|| Utc::now().date_naive())
    }
}

/// A running stand-in.
#[derive(Debug, Clone)]
pub struct StandIn {
    held: Arc<Mutex<Held>>,
    address: SocketAddr,
}

type Shared = Arc<Mutex<Held>>;

fn lock(held: &Shared) -> MutexGuard<'_, Held> {
    // A test that panicked while holding the lock leaves the data usable.
    held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl StandIn {
    /// Starts one on a free local port, accepting `key` as the subscription
    /// key and knowing `learners`.
    pub async fn start(key: &str, learners: Vec<KnownLearner>) -> std::io::Result<StandIn> {
        let held = Arc::new(Mutex::new(Held {
            key: key.to_owned(),
            learners,
            ..Held::default()
        }));
        let app = Router::new()
            .route("/api/v1/epa", post(write_epas).put(write_epas))
            .route(
                "/api/v1/epa/{uln}/{family_name}/{standard}/{reference}",
                delete(delete_epa),
            )
            .route(
                "/api/v1/certificate",
                post(write_certificates).put(write_certificates),
            )
            .route("/api/v1/certificate/submit", post(submit_certificates))
            .route("/api/v1/certificate/grades", get(grades))
            .route(
                "/api/v1/certificate/{uln}/{family_name}/{standard}",
                get(read_certificate),
            )
            .route(
                "/api/v1/certificate/{uln}/{family_name}/{standard}/{reference}",
                delete(delete_certificate),
            )
            .route(
                "/api/v1/learner/{uln}/{family_name}/{standard}",
                get(read_learner),
            )
            .with_state(held.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn { held, address })
    }

    /// The address to give the client as `dfe.base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Makes a learner known.
    pub fn add_learner(&self, learner: KnownLearner) {
        lock(&self.held).learners.push(learner);
    }

    /// Fixes "today" for the date checks.
    pub fn set_today(&self, today: NaiveDate) {
        lock(&self.held).today = Some(today);
    }

    /// Answers the next `calls` calls 503, as an outage would.
    pub fn fail_next(&self, calls: usize) {
        lock(&self.held).outage = calls;
    }

    /// Every write received, in order.
    pub fn writes(&self) -> Vec<Write> {
        lock(&self.held).writes.clone()
    }

    /// The EPA record held for a learner.
    pub fn epa(&self, uln: u64, standard: &str) -> Option<HeldEpa> {
        lock(&self.held)
            .epas
            .get(&(uln, standard.to_owned()))
            .cloned()
    }

    /// The certificate held for a learner.
    pub fn certificate(&self, uln: u64, standard: &str) -> Option<HeldCertificate> {
        lock(&self.held)
            .certificates
            .get(&(uln, standard.to_owned()))
            .cloned()
    }

    /// Moves a certificate on, as printing and posting it would.
    pub fn set_status(&self, uln: u64, standard: &str, status: &str) {
        if let Some(certificate) = lock(&self.held)
            .certificates
            .get_mut(&(uln, standard.to_owned()))
        {
            certificate.status = status.to_owned();
        }
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"statusCode": status.as_u16(), "message": message})),
    )
        .into_response()
}

/// A whole call refused: the service's status and message.
struct Refusal(StatusCode, &'static str);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.0, self.1)
    }
}

/// The checks every call passes first: the key, and any outage a test set.
fn admitted(held: &Shared, headers: &HeaderMap) -> Result<(), Refusal> {
    let mut held = lock(held);
    if held.outage > 0 {
        held.outage -= 1;
        return Err(Refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "The service is unavailable",
        ));
    }
    let given = headers
        .get(SUBSCRIPTION_HEADER)
        .and_then(|v| v.to_str().ok());
    match given {
        None => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
        )),
        Some(key) if key != held.key => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
        )),
        Some(_) => Ok(()),
    }
}

/// A write's batch: a JSON array of at most 25 items, recorded.
fn batch(
    held: &Shared,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<Vec<Value>, Refusal> {
    admitted(held, headers)?;
    if body.len() > BODY_LIMIT {
        return Err(Refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request is larger than 32 KB",
        ));
    }
    let items: Vec<Value> = serde_json::from_slice(body)
        .map_err(|_| Refusal(StatusCode::BAD_REQUEST, "The request is not a JSON array"))?;
    if items.len() > BATCH_LIMIT {
        return Err(Refusal(
            StatusCode::FORBIDDEN,
            "Batch limited to 25 requests",
        ));
    }
    lock(held).writes.push(Write {
        method: method.as_str().to_owned(),
        path: path.to_owned(),
        items: items.len(),
    });
    Ok(items)
}

fn text<'a>(item: &'a Value, pointer: &str) -> Option<&'a str> {
    item.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn date(item: &Value, pointer: &str) -> Result<Option<NaiveDate>, ()> {
    match item.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// The service cleans punctuation and case before it compares names.
fn same_name(a: &str, b: &str) -> bool {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    clean(a) == clean(b)
}

/// What identifies the learner of an item, with the refusals about it.
struct Who {
    uln: u64,
    family_name: String,
    standard: String,
}

fn learner_of(
    held: &Held,
    item: &Value,
    uln_at: &str,
    name_at: &str,
    standard_at: &str,
    errors: &mut Vec<String>,
) -> Option<Who> {
    let family_name = text(item, name_at);
    if family_name.is_none() {
        errors.push("Provide apprentice family name".to_owned());
    }
    let standard = text(item, &format!("{standard_at}/standardReference"))
        .map(str::to_owned)
        .or_else(|| {
            item.pointer(&format!("{standard_at}/standardCode"))
                .and_then(Value::as_u64)
                .filter(|code| *code > 0)
                .map(|code| code.to_string())
        });
    if standard.is_none() {
        errors.push("Provide a valid Standard".to_owned());
    }
    let uln = item
        .pointer(uln_at)
        .and_then(Value::as_u64)
        .filter(|uln| (1_000_000_000..=9_999_999_999).contains(uln));
    if uln.is_none() {
        errors.push("ULN should contain exactly 10 numbers".to_owned());
    }
    let (uln, family_name, standard) = (uln?, family_name?, standard?);
    let known = held.learners.iter().any(|l| {
        l.uln == uln && l.standard_reference == standard && same_name(&l.family_name, family_name)
    });
    if !known {
        errors.push("ULN, FamilyName and Standard not found.".to_owned());
        return None;
    }
    Some(Who {
        uln,
        family_name: family_name.to_owned(),
        standard,
    })
}

fn check_epas(item: &Value, today: NaiveDate, errors: &mut Vec<String>) -> Vec<Value> {
    let epas = item
        .pointer("/epaDetails/epas")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if epas.is_empty() {
        errors.push("Provide EPA Details".to_owned());
    }
    let earliest = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default();
    for epa in &epas {
        match date(epa, "/epaDate") {
            Ok(Some(d)) if d < earliest => {
                errors.push("EPA Date cannot be before 01 01 2017".to_owned());
            }
            Ok(Some(d)) if d > today => errors.push("EPA Date cannot be in the future".to_owned()),
            Ok(Some(_)) => {}
            _ => errors.push("Provide the EPA Date".to_owned()),
        }
        let outcome = text(epa, "/epaOutcome").unwrap_or("");
        if !["pass", "fail", "withdrawn"].contains(&outcome.to_lowercase().as_str()) {
            errors.push("Invalid outcome: must be Pass, Fail or Withdrawn".to_owned());
        }
    }
    epas
}

async fn write_epas(
    State(held): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let items = match batch(&held, &headers, &method, "/api/v1/epa", &body) {
        Ok(items) => items,
        Err(refused) => return refused.into_response(),
    };
    let creating = method == Method::POST;
    let mut held = lock(&held);
    let today = held.today();
    let mut answers = Vec::new();
    for item in items {
        let mut errors = Vec::new();
        let request_id = text(&item, "/requestId").unwrap_or("").to_owned();
        let who = learner_of(
            &held,
            &item,
            "/learner/uln",
            "/learner/familyName",
            "/standard",
            &mut errors,
        );
        let epas = check_epas(&item, today, &mut errors);
        let given = text(&item, "/epaDetails/epaReference").map(str::to_owned);
        let mut reference = None;
        if let Some(who) = &who {
            // The service keeps the EPA on the learner's certificate
            // record: the EPA reference is the certificate's.
            let key = (who.uln, who.standard.clone());
            let certificate = held.certificates.get(&key).cloned();
            let draft = certificate.as_ref().is_some_and(|c| c.status == "Draft");
            let has_epa = held.epas.contains_key(&key);
            match (creating, &given, &certificate) {
                (true, Some(_), _) => errors.push("EPA reference must be empty".to_owned()),
                (true, None, Some(_)) if !draft => {
                    errors.push("Certificate already exists, cannot create EPA record".to_owned())
                }
                (true, None, Some(_)) if has_epa => {
                    errors.push("EPA already provided for the learner".to_owned());
                }
                (false, None, _) => errors.push("Provide EPA reference".to_owned()),
                (false, Some(g), Some(c)) if *g == c.reference && !draft => {
                    errors.push("Certificate has been submitted for this EPA".to_owned());
                }
                (false, Some(g), Some(c)) if *g != c.reference => {
                    errors.push("EPA not found".to_owned());
                }
                (false, Some(_), None) => errors.push("EPA not found".to_owned()),
                _ => {}
            }
            if errors.is_empty() {
                let reference_now = certificate
                    .as_ref()
                    .map(|c| c.reference.clone())
                    .unwrap_or_else(|| held.reference());
                let latest = epas
                    .iter()
                    .max_by_key(|e| e.get("epaDate").and_then(Value::as_str).unwrap_or(""))
                    .and_then(|e| e.get("epaOutcome"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                held.epas.insert(
                    key.clone(),
                    HeldEpa {
                        reference: reference_now.clone(),
                        epas: epas.clone(),
                    },
                );
                // The record stays a Draft, noting the latest outcome; the
                // certificate request for a pass fills it in.
                let data = certificate.map(|c| c.data).unwrap_or_else(
                    || json!({"learner": {"uln": who.uln, "familyName": who.family_name}}),
                );
                held.certificates.insert(
                    key,
                    HeldCertificate {
                        reference: reference_now.clone(),
                        status: "Draft".to_owned(),
                        grade: latest
                            .eq_ignore_ascii_case("fail")
                            .then(|| "Fail".to_owned()),
                        data,
                    },
                );
                reference = Some(reference_now);
            }
        }
        answers.push(
            json!({"requestId": request_id, "epaReference": reference, "validationErrors": errors}),
        );
    }
    axum::Json(answers).into_response()
}

/// A UK postcode, as the service's pattern allows it (a simpler reading:
/// an outward code of a letter then letters and digits, a space or none,
/// and an inward code of a digit and two letters).
fn is_postcode(text: &str) -> bool {
    let compact: String = text.split_whitespace().collect::<String>().to_uppercase();
    if compact == "GIR0AA" {
        return true;
    }
    let n = compact.len();
    if !(5..=7).contains(&n) {
        return false;
    }
    let (outward, inward) = compact.split_at(n - 3);
    let inward: Vec<char> = inward.chars().collect();
    let outward_ok = outward.starts_with(|c: char| c.is_ascii_alphabetic())
        && outward.chars().any(|c| c.is_ascii_digit())
        && outward.chars().all(|c| c.is_ascii_alphanumeric());
    outward_ok
        && inward[0].is_ascii_digit()
        && inward[1..]
            .iter()
            .all(|c| c.is_ascii_alphabetic() && !"CIKMOV".contains(*c))
}

const GRADES: [&str; 7] = [
    "Pass",
    "Credit",
    "Merit",
    "Distinction",
    "Pass with excellence",
    "Outstanding",
    "No grade awarded",
];

fn check_certificate(item: &Value, today: NaiveDate, errors: &mut Vec<String>) {
    let contact = |field: &str| text(item, &format!("/postalContact/{field}"));
    if contact("contactName").is_none() {
        errors.push("Provide a contact name".to_owned());
    }
    if contact("addressLine1").is_none() {
        errors.push("Provide an address".to_owned());
    }
    if contact("city").is_none() {
        errors.push("Provide a city or town".to_owned());
    }
    match contact("postCode") {
        None => errors.push("Provide a postcode".to_owned()),
        Some(code) if !is_postcode(code) => errors.push("Provide a valid UK postcode".to_owned()),
        Some(_) => {}
    }
    match text(item, "/learningDetails/overallGrade") {
        None => errors.push("Select the grade achieved".to_owned()),
        Some(g) if g.eq_ignore_ascii_case("fail") => {
            errors.push("Cannot record a Fail grade via API".to_owned());
        }
        Some(g) if !GRADES.iter().any(|known| known.eq_ignore_ascii_case(g)) => {
            errors.push(format!(
                "You must enter a valid grade. Must be one of the following: {}, where {} can be obtained with /api/v1/certificate/grades",
                GRADES.join(", "),
                GRADES.join(", ")
            ));
        }
        Some(_) => {}
    }
    let earliest = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default();
    match date(item, "/learningDetails/achievementDate") {
        Ok(Some(d)) if d < earliest => {
            errors.push("Achievement date cannot be before 01 01 2017".to_owned());
        }
        Ok(Some(d)) if d > today => {
            errors.push("Achievement date cannot be in the future".to_owned());
        }
        Ok(Some(_)) => {}
        _ => errors.push("Provide the achievement date".to_owned()),
    }
}

fn certificate_json(certificate: &HeldCertificate) -> Value {
    let mut data = certificate.data.clone();
    if let Some(map) = data.as_object_mut() {
        map.insert(
            "certificateReference".to_owned(),
            Value::String(certificate.reference.clone()),
        );
    }
    json!({"certificateData": data, "status": {"currentStatus": certificate.status}})
}

async fn write_certificates(
    State(held): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let items = match batch(&held, &headers, &method, "/api/v1/certificate", &body) {
        Ok(items) => items,
        Err(refused) => return refused.into_response(),
    };
    let creating = method == Method::POST;
    let mut held = lock(&held);
    let today = held.today();
    let mut answers = Vec::new();
    for item in items {
        let mut errors = Vec::new();
        let request_id = text(&item, "/requestId").unwrap_or("").to_owned();
        let who = learner_of(
            &held,
            &item,
            "/learner/uln",
            "/learner/familyName",
            "/standard",
            &mut errors,
        );
        check_certificate(&item, today, &mut errors);
        let given = text(&item, "/certificateReference").map(str::to_owned);
        let mut answer = Value::Null;
        if let Some(who) = who {
            let key = (who.uln, who.standard.clone());
            let existing = held.certificates.get(&key).cloned();
            match (creating, &given, &existing) {
                (true, Some(_), _) => {
                    errors.push("Certificate reference must be empty".to_owned());
                }
                (true, None, Some(c)) if c.status != "Draft" => {
                    errors.push(format!("Certificate already exists: {}", c.reference));
                }
                (false, None, _) => errors.push("Provide the certificate reference".to_owned()),
                (false, Some(g), Some(c)) if *g == c.reference && c.status != "Draft" => {
                    errors.push("Certificate is not in Draft status".to_owned());
                }
                (false, Some(g), Some(c)) if *g != c.reference => {
                    errors.push("Certificate not found".to_owned());
                }
                (false, Some(_), None) => errors.push("Certificate not found".to_owned()),
                _ => {}
            }
            if errors.is_empty() {
                let reference = existing
                    .map(|c| c.reference)
                    .unwrap_or_else(|| held.reference());
                let mut data = json!({
                    "standard": item.get("standard"),
                    "learner": item.get("learner"),
                    "learningDetails": item.get("learningDetails"),
                    "postalContact": item.get("postalContact"),
                });
                if let Some(map) = data.as_object_mut() {
                    map.retain(|_, v| !v.is_null());
                }
                let certificate = HeldCertificate {
                    reference,
                    status: "Draft".to_owned(),
                    grade: text(&item, "/learningDetails/overallGrade").map(str::to_owned),
                    data,
                };
                answer = certificate_json(&certificate);
                held.certificates.insert(key, certificate);
            }
        }
        answers.push(
            json!({"requestId": request_id, "certificate": answer, "validationErrors": errors}),
        );
    }
    axum::Json(answers).into_response()
}

async fn submit_certificates(
    State(held): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let items = match batch(
        &held,
        &headers,
        &method,
        "/api/v1/certificate/submit",
        &body,
    ) {
        Ok(items) => items,
        Err(refused) => return refused.into_response(),
    };
    let mut held = lock(&held);
    let mut answers = Vec::new();
    for item in items {
        let mut errors = Vec::new();
        let request_id = text(&item, "/requestId").unwrap_or("").to_owned();
        let who = learner_of(&held, &item, "/uln", "/familyName", "", &mut errors);
        let mut answer = Value::Null;
        match (text(&item, "/certificateReference"), who) {
            (None, _) => errors.push("Provide the certificate reference".to_owned()),
            (Some(_), None) => {}
            (Some(given), Some(who)) => {
                let key = (who.uln, who.standard);
                match held.certificates.get_mut(&key) {
                    Some(c) if c.reference == given && c.status == "Draft" => {
                        let complete =
                            ["/postalContact/organisation", "/postalContact/contactName"]
                                .iter()
                                .all(|p| text(&c.data, p).is_some())
                                && c.grade.is_some();
                        if complete {
                            c.status = "Submitted".to_owned();
                            answer = certificate_json(c);
                        } else {
                            errors.push("Certificate is missing mandatory data".to_owned());
                        }
                    }
                    Some(c) if c.reference == given => {
                        errors.push("Certificate has already been submitted".to_owned());
                    }
                    _ => errors.push("Certificate not found".to_owned()),
                }
            }
        }
        answers.push(
            json!({"requestId": request_id, "certificate": answer, "validationErrors": errors}),
        );
    }
    axum::Json(answers).into_response()
}

async fn read_certificate(
    State(held): State<Shared>,
    headers: HeaderMap,
    Path((uln, family_name, standard)): Path<(u64, String, String)>,
) -> Response {
    if let Err(refused) = admitted(&held, &headers) {
        return refused.into_response();
    }
    let held = lock(&held);
    let known = held.learners.iter().any(|l| {
        l.uln == uln && l.standard_reference == standard && same_name(&l.family_name, &family_name)
    });
    if !known {
        return error(
            StatusCode::FORBIDDEN,
            "ULN, FamilyName and Standard not found.",
        );
    }
    match held.certificates.get(&(uln, standard)) {
        Some(c) if c.status != "Deleted" => axum::Json(certificate_json(c)).into_response(),
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn read_learner(
    State(held): State<Shared>,
    headers: HeaderMap,
    Path((uln, family_name, standard)): Path<(u64, String, String)>,
) -> Response {
    if let Err(refused) = admitted(&held, &headers) {
        return refused.into_response();
    }
    let held = lock(&held);
    let Some(learner) = held.learners.iter().find(|l| {
        l.uln == uln && l.standard_reference == standard && same_name(&l.family_name, &family_name)
    }) else {
        return error(StatusCode::NOT_FOUND, "Learner not found");
    };
    let key = (uln, standard.clone());
    axum::Json(json!({
        "learnerData": {
            "standard": {"standardReference": standard},
            "learner": {"uln": learner.uln, "familyName": learner.family_name},
        },
        "status": {"completionStatus": "Continuing"},
        "epaDetails": held.epas.get(&key).map(|e| json!({"epaReference": e.reference, "epas": e.epas})),
        "certificate": held.certificates.get(&key).map(certificate_json),
    }))
    .into_response()
}

async fn grades(State(held): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(refused) = admitted(&held, &headers) {
        return refused.into_response();
    }
    axum::Json(GRADES).into_response()
}

async fn delete_epa(
    State(held): State<Shared>,
    headers: HeaderMap,
    Path((uln, _family_name, standard, reference)): Path<(u64, String, String, String)>,
) -> Response {
    if let Err(refused) = admitted(&held, &headers) {
        return refused.into_response();
    }
    let mut held = lock(&held);
    let key = (uln, standard);
    if held.epas.get(&key).is_none_or(|e| e.reference != reference) {
        return error(StatusCode::FORBIDDEN, "EPA not found");
    }
    if held
        .certificates
        .get(&key)
        .is_some_and(|c| c.status != "Draft")
    {
        return error(
            StatusCode::FORBIDDEN,
            "Certificate already exists, cannot delete EPA record",
        );
    }
    held.epas.remove(&key);
    held.certificates.remove(&key);
    held.writes.push(Write {
        method: "DELETE".to_owned(),
        path: "/api/v1/epa".to_owned(),
        items: 1,
    });
    StatusCode::NO_CONTENT.into_response()
}

async fn delete_certificate(
    State(held): State<Shared>,
    headers: HeaderMap,
    Path((uln, _family_name, standard, reference)): Path<(u64, String, String, String)>,
) -> Response {
    if let Err(refused) = admitted(&held, &headers) {
        return refused.into_response();
    }
    let mut held = lock(&held);
    let key = (uln, standard);
    match held.certificates.get_mut(&key) {
        Some(c) if c.reference == reference && c.status == "Draft" => {
            c.status = "Deleted".to_owned();
        }
        Some(c) if c.reference == reference => {
            return error(
                StatusCode::FORBIDDEN,
                "Cannot delete a submitted Certificate",
            );
        }
        _ => return error(StatusCode::FORBIDDEN, "Certificate not found"),
    }
    held.writes.push(Write {
        method: "DELETE".to_owned(),
        path: "/api/v1/certificate".to_owned(),
        items: 1,
    });
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_read_as_the_service_reads_them() {
        for good in [
            "SW1A 1AA", "m1 1ae", "B33 8TH", "CR2 6XH", "DN551PT", "GIR 0AA",
        ] {
            assert!(is_postcode(good), "{good}");
        }
        for bad in ["", "12345", "SW1A", "SW1A 1AAA", "1W1A 1AA", "SW1A 1CA"] {
            assert!(!is_postcode(bad), "{bad}");
        }
    }

    #[test]
    fn names_match_without_case_or_punctuation() {
        assert!(same_name("O'Brien", "obrien"));
        assert!(same_name("Smith-Jones", "SmithJones"));
        assert!(!same_name("Smith", "Smyth"));
    }
}
