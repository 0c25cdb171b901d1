//! The HTTP client: every call of the external API that OpenEPA uses, with
//! the subscription key on each, writes split into batches of at most
//! [`BATCH_LIMIT`] items, and the service's errors kept apart from one
//! item's refusals (which come back inside a 200 answer).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::*;

/// The most items the service takes in one write: more answer 403.
pub const BATCH_LIMIT: usize = 25;

/// The header every call carries.
pub const SUBSCRIPTION_HEADER: &str = "Ocp-Apim-Subscription-Key";

/// The UKPRN of the service's sandbox.
pub const SANDBOX_UKPRN: &str = "99999999";

/// How to reach the service, checked (see [`Connection::new`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Without a trailing slash.
    pub base_url: String,
    pub subscription_key: String,
    /// The EPAO's UKPRN: 8 digits (`99999999` in the sandbox).
    pub ukprn: String,
    pub sandbox: bool,
}

impl Connection {
    /// Checks the settings; a refusal names the setting and what is allowed.
    pub fn new(
        base_url: &str,
        subscription_key: Option<&str>,
        ukprn: Option<&str>,
        sandbox: bool,
    ) -> Result<Connection, String> {
        let base_url = base_url.trim().trim_end_matches('/');
        let parsed = reqwest::Url::parse(base_url).map_err(|err| {
            format!(
                "setting dfe.base_url = {base_url:?} is not allowed ({err}): use the service's address, such as https://sandbox.example.gov.uk"
            )
        })?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
            return Err(format!(
                "setting dfe.base_url = {base_url:?} is not allowed: use an https:// address"
            ));
        }
        let subscription_key = match subscription_key.map(str::trim) {
            Some(key) if !key.is_empty() && !key.contains(char::is_whitespace) => key.to_owned(),
            _ => {
                return Err("setting dfe.subscription_key is not set: with dfe.base_url set, give the key from the service's API Subscriptions page (better as EPA_DFE_SUBSCRIPTION_KEY)".to_owned());
            }
        };
        let ukprn = match (ukprn.map(str::trim), sandbox) {
            (None | Some(""), true) => SANDBOX_UKPRN.to_owned(),
            (None | Some(""), false) => {
                return Err("setting dfe.ukprn is not set: with dfe.base_url set, give the EPAO's UKPRN (8 digits)".to_owned());
            }
            (Some(ukprn), _) => ukprn.to_owned(),
        };
        if ukprn.len() != 8 || !ukprn.bytes().all(|b| b.is_ascii_digit()) || ukprn.starts_with('0')
        {
            return Err(format!(
                "setting dfe.ukprn = {ukprn:?} is not allowed: a UKPRN is exactly 8 digits, such as 10012345"
            ));
        }
        if sandbox && ukprn != SANDBOX_UKPRN {
            return Err(format!(
                "setting dfe.ukprn = {ukprn:?} is not allowed with dfe.sandbox = true: the sandbox uses {SANDBOX_UKPRN}"
            ));
        }
        Ok(Connection {
            base_url: base_url.to_owned(),
            subscription_key,
            ukprn,
            sandbox,
        })
    }
}

/// Why a call did not get an answer to act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DfeError {
    /// The service could not be reached or did not answer in time.
    #[error("the DfE service could not be reached: {0}")]
    Transport(String),
    /// The service answered with an error for the whole call.
    #[error("the DfE service answered {status}: {message}")]
    Api { status: u16, message: String },
    /// The answer was not what the service sends.
    #[error("the DfE service's answer could not be read: {0}")]
    Decode(String),
}

impl DfeError {
    /// Worth trying again later: the service was down or overloaded, not
    /// refusing what was sent.
    pub fn is_transient(&self) -> bool {
        match self {
            DfeError::Transport(_) => true,
            DfeError::Api { status, .. } => *status == 429 || *status >= 500,
            DfeError::Decode(_) => false,
        }
    }
}

/// A client of one EPAO's subscription.
#[derive(Debug, Clone)]
pub struct Client {
    connection: Connection,
    http: reqwest::Client,
}

impl Client {
    pub fn new(connection: Connection) -> Result<Client, DfeError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("OpenEPA/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| DfeError::Transport(err.to_string()))?;
        Ok(Client { connection, http })
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(StatusCode, String), DfeError> {
        let url = format!("{}{path}", self.connection.base_url);
        let mut request = self
            .http
            .request(method, url)
            .header(SUBSCRIPTION_HEADER, &self.connection.subscription_key)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|err| DfeError::Transport(err.without_url().to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|err| DfeError::Transport(err.without_url().to_string()))?;
        if status.is_success() {
            return Ok((status, text));
        }
        let message = match serde_json::from_str::<ApiError>(&text) {
            Ok(error) => error.message,
            Err(_) => text.chars().take(200).collect(),
        };
        Err(DfeError::Api {
            status: status.as_u16(),
            message,
        })
    }

    /// A write of any number of items: sent in batches of [`BATCH_LIMIT`],
    /// the answers put back together in the order sent.
    async fn batched<T: Serialize, R: DeserializeOwned + ItemResponse>(
        &self,
        method: Method,
        path: &str,
        items: &[T],
    ) -> Result<Vec<R>, DfeError> {
        let mut answers = Vec::with_capacity(items.len());
        for batch in items.chunks(BATCH_LIMIT) {
            let (_, text) = self.call(method.clone(), path, Some(batch)).await?;
            let mut part: Vec<R> =
                serde_json::from_str(&text).map_err(|err| DfeError::Decode(err.to_string()))?;
            if part.len() != batch.len() {
                return Err(DfeError::Decode(format!(
                    "{} items sent, {} answered",
                    batch.len(),
                    part.len()
                )));
            }
            answers.append(&mut part);
        }
        Ok(answers)
    }

    /// Records new EPAs (`POST /api/v1/epa`).
    pub async fn create_epas(&self, items: &[EpaRequest]) -> Result<Vec<EpaResponse>, DfeError> {
        self.batched(Method::POST, "/api/v1/epa", items).await
    }

    /// Replaces recorded EPAs' attempts (`PUT /api/v1/epa`): every attempt
    /// each time.
    pub async fn update_epas(&self, items: &[EpaRequest]) -> Result<Vec<EpaResponse>, DfeError> {
        self.batched(Method::PUT, "/api/v1/epa", items).await
    }

    /// Deletes an EPA record this EPAO made.
    pub async fn delete_epa(
        &self,
        learner: &Learner,
        standard: &Standard,
        epa_reference: &str,
    ) -> Result<(), DfeError> {
        let path = format!(
            "/api/v1/epa/{}/{}/{}/{}",
            learner.uln,
            segment(&learner.family_name),
            segment(&standard.path_segment()),
            segment(epa_reference)
        );
        self.call::<()>(Method::DELETE, &path, None).await?;
        Ok(())
    }

    /// Asks for certificates (`POST /api/v1/certificate`): each made as a Draft.
    pub async fn create_certificates(
        &self,
        items: &[CertificateRequest],
    ) -> Result<Vec<CertificateResponse>, DfeError> {
        self.batched(Method::POST, "/api/v1/certificate", items)
            .await
    }

    /// Changes Draft certificates (`PUT /api/v1/certificate`).
    pub async fn update_certificates(
        &self,
        items: &[CertificateRequest],
    ) -> Result<Vec<CertificateResponse>, DfeError> {
        self.batched(Method::PUT, "/api/v1/certificate", items)
            .await
    }

    /// Submits Draft certificates for printing.
    pub async fn submit_certificates(
        &self,
        items: &[SubmitRequest],
    ) -> Result<Vec<CertificateResponse>, DfeError> {
        self.batched(Method::POST, "/api/v1/certificate/submit", items)
            .await
    }

    /// The certificate the service holds for the learner, `None` when it
    /// holds none yet (204).
    pub async fn certificate(
        &self,
        learner: &Learner,
        standard: &Standard,
    ) -> Result<Option<Certificate>, DfeError> {
        let path = format!(
            "/api/v1/certificate/{}/{}/{}",
            learner.uln,
            segment(&learner.family_name),
            segment(&standard.path_segment())
        );
        let (status, text) = self.call::<()>(Method::GET, &path, None).await?;
        if status == StatusCode::NO_CONTENT || text.trim().is_empty() {
            return Ok(None);
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|err| DfeError::Decode(err.to_string()))
    }

    /// Deletes a Draft certificate this EPAO made.
    pub async fn delete_certificate(
        &self,
        learner: &Learner,
        standard: &Standard,
        certificate_reference: &str,
    ) -> Result<(), DfeError> {
        let path = format!(
            "/api/v1/certificate/{}/{}/{}/{}",
            learner.uln,
            segment(&learner.family_name),
            segment(&standard.path_segment()),
            segment(certificate_reference)
        );
        self.call::<()>(Method::DELETE, &path, None).await?;
        Ok(())
    }

    /// The grades a certificate may carry.
    pub async fn grades(&self) -> Result<Vec<String>, DfeError> {
        let (_, text) = self
            .call::<()>(Method::GET, "/api/v1/certificate/grades", None)
            .await?;
        serde_json::from_str(&text).map_err(|err| DfeError::Decode(err.to_string()))
    }

    /// The learner as the service knows them, `None` when it does not.
    pub async fn learner(
        &self,
        learner: &Learner,
        standard: &Standard,
    ) -> Result<Option<serde_json::Value>, DfeError> {
        let path = format!(
            "/api/v1/learner/{}/{}/{}",
            learner.uln,
            segment(&learner.family_name),
            segment(&standard.path_segment())
        );
        match self.call::<()>(Method::GET, &path, None).await {
            Ok((_, text)) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|err| DfeError::Decode(err.to_string())),
            Err(DfeError::Api { status: 404, .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// One path segment, percent-encoded (family names hold spaces and
/// apostrophes).
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_each_refusal_names_its_setting() {
        let ok =
            Connection::new("https://dfe.example/", Some("key"), Some("10012345"), false).unwrap();
        assert_eq!(ok.base_url, "https://dfe.example");
        let sandbox = Connection::new("https://dfe.example", Some("key"), None, true).unwrap();
        assert_eq!(sandbox.ukprn, SANDBOX_UKPRN);
        for (url, key, ukprn, sandbox, named) in [
            (
                "not a url",
                Some("k"),
                Some("10012345"),
                false,
                "dfe.base_url",
            ),
            (
                "ftp://x",
                Some("k"),
                Some("10012345"),
                false,
                "dfe.base_url",
            ),
            (
                "https://x",
                None,
                Some("10012345"),
                false,
                "dfe.subscription_key",
            ),
            (
                "https://x",
                Some(" "),
                Some("10012345"),
                false,
                "dfe.subscription_key",
            ),
            ("https://x", Some("k"), None, false, "dfe.ukprn"),
            ("https://x", Some("k"), Some("1234567"), false, "dfe.ukprn"),
            ("https://x", Some("k"), Some("1001234X"), false, "dfe.ukprn"),
            ("https://x", Some("k"), Some("10012345"), true, "dfe.ukprn"),
        ] {
            let err = Connection::new(url, key, ukprn, sandbox).unwrap_err();
            assert!(err.contains(named), "{err} should name {named}");
        }
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(segment("O'Brien Smith"), "O%27Brien%20Smith");
        assert_eq!(segment("ST0071"), "ST0071");
    }

    #[test]
    fn only_outages_are_worth_retrying() {
        assert!(DfeError::Transport("refused".into()).is_transient());
        assert!(
            DfeError::Api {
                status: 503,
                message: String::new()
            }
            .is_transient()
        );
        assert!(
            !DfeError::Api {
                status: 403,
                message: "Batch limited to 25 requests".into()
            }
            .is_transient()
        );
    }
}
