//! Settings: built-in defaults < `epa.toml` < `EPA_*` environment < flags.
//! A bad setting stops start-up with one line naming it and what is allowed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The settings file read when `--config` is not given and it exists.
pub const DEFAULT_CONFIG: &str = "epa.toml";

/// Every key, as written in `epa.toml` and (upper case, `EPA_` prefixed) in the environment.
const KEYS: [&str; 24] = [
    "bind",
    "database_url",
    "data_dir",
    "files_dir",
    "files_url",
    "log_format",
    "log_level",
    "mail_from",
    "mail_max_attempts",
    "mail_transport",
    "plans_dir",
    "public_url",
    "s3_allow_http",
    "s3_endpoint",
    "s3_region",
    "smtp_host",
    "smtp_password",
    "smtp_port",
    "smtp_security",
    "smtp_timeout_seconds",
    "smtp_username",
    "staff_second_factor_required",
    "token_lifetime_hours",
    "working_hours",
];

/// The `[dfe]` keys the environment may set, as `EPA_DFE_<KEY>`.
const DFE_KEYS: [&str; 4] = ["base_url", "subscription_key", "ukprn", "sandbox"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// `postgres://...` for PostgreSQL; unset for the embedded SQLite database.
    pub database_url: Option<String>,
    /// Where the embedded database and uploaded files live.
    pub data_dir: PathBuf,
    /// Where uploaded files live, when not under `data_dir` (`files`):
    /// with several servers on one PostgreSQL database, a directory every
    /// server reaches (a shared mount).
    pub files_dir: Option<PathBuf>,
    /// `s3://BUCKET/PREFIX`: uploads in S3-compatible object storage
    /// instead of a directory, reached by every server. The credentials
    /// come from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` in the
    /// environment, never from this file.
    pub files_url: Option<String>,
    /// The object store's address when it is not AWS itself (MinIO, Ceph,
    /// another provider's S3 service): `https://host[:port]`.
    pub s3_endpoint: Option<String>,
    /// The bucket's region (`eu-west-2`); unset, `AWS_REGION` or `us-east-1`.
    pub s3_region: Option<String>,
    /// Allows a plain `http://` `s3_endpoint` (a server on the same private
    /// network); off, only `https://` is used.
    pub s3_allow_http: bool,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// A tracing filter such as `info` or `epa_web=debug,info`.
    pub log_level: String,
    /// A directory of extra assessment plans, loaded beside the built-in ones.
    pub plans_dir: Option<PathBuf>,
    /// `HH:MM-HH:MM`: a booking starting outside these hours is accepted
    /// with a warning (workplaces keep other hours too).
    pub working_hours: String,
    /// The address people reach the service at, for links in emails
    /// (invitations, password resets).
    pub public_url: String,
    /// How long a signed-in API token lasts, in hours (1 to 2160, 90 days).
    pub token_lifetime_hours: u32,
    /// EPAO staff must set up a second factor (an authenticator app)
    /// before they can do anything else.
    pub staff_second_factor_required: bool,
    /// How emails leave: `file` (each an `.eml` under `<data_dir>/mail/`)
    /// or `smtp`.
    pub mail_transport: MailTransport,
    /// Who emails come from, `Name <address>`.
    pub mail_from: String,
    /// Tries before an email is given up and shown to EPAO admins.
    pub mail_max_attempts: u32,
    /// The SMTP server (with `mail_transport = "smtp"`).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (port 587), `tls` (port 465) or `none` (a local relay).
    pub smtp_security: SmtpSecurity,
    pub smtp_username: Option<String>,
    /// Better given as EPA_SMTP_PASSWORD than written in a file.
    pub smtp_password: Option<String>,
    /// How long one delivery may take.
    pub smtp_timeout_seconds: u64,
    /// The DfE Apprenticeship assessment service (`[dfe]`): unset
    /// `base_url` leaves it alone.
    pub dfe: DfeSection,
}

/// The `[dfe]` table; `EPA_DFE_BASE_URL`, `EPA_DFE_SUBSCRIPTION_KEY`,
/// `EPA_DFE_UKPRN` and `EPA_DFE_SANDBOX` in the environment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DfeSection {
    /// The service's API address; unset, nothing is sent to the DfE.
    pub base_url: Option<String>,
    /// Better given as EPA_DFE_SUBSCRIPTION_KEY than written in a file.
    #[serde(deserialize_with = "text_or_number")]
    pub subscription_key: Option<String>,
    /// The EPAO's UKPRN, 8 digits.
    #[serde(deserialize_with = "text_or_number")]
    pub ukprn: Option<String>,
    /// The service's sandbox (UKPRN 99999999).
    pub sandbox: bool,
    /// Per policy (`tquk = 10`): working days after the final result
    /// before a pass is claimed; 10 for a policy not named.
    pub appeal_window_working_days: std::collections::BTreeMap<String, u32>,
}

/// A value the environment may hand over as a number (`EPA_DFE_UKPRN=10012345`).
fn text_or_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        Number(u64),
    }
    Ok(
        Option::<Given>::deserialize(deserializer)?.map(|given| match given {
            Given::Text(text) => text,
            Given::Number(n) => n.to_string(),
        }),
    )
}

/// Where uploaded files are kept ([`Settings::uploads`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploads {
    /// A directory: on this machine, or a mount every server reaches.
    Directory(PathBuf),
    /// S3-compatible object storage.
    S3(epa_store::files::S3Location),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    File,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("./epa-data"),
            files_dir: None,
            files_url: None,
            s3_endpoint: None,
            s3_region: None,
            s3_allow_http: false,
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
            plans_dir: None,
            working_hours: "08:00-18:00".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            token_lifetime_hours: 12,
            staff_second_factor_required: false,
            mail_transport: MailTransport::File,
            mail_from: "OpenEPA <notifications@openepa.invalid>".to_owned(),
            mail_max_attempts: 8,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_timeout_seconds: 30,
            dfe: DfeSection::default(),
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers alone.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
}

impl Settings {
    /// Loads the layers. `config` names a settings file that must exist;
    /// without it `epa.toml` is read if present.
    pub fn load(config: Option<&Path>, overrides: &Overrides) -> Result<Settings, String> {
        let file = match config {
            Some(path) if !path.is_file() => {
                return Err(format!("settings file {} does not exist", path.display()));
            }
            Some(path) => path.to_path_buf(),
            None => PathBuf::from(DEFAULT_CONFIG),
        };
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("EPA_").only(&KEYS))
            .merge(
                Env::prefixed("EPA_DFE_")
                    .only(&DFE_KEYS)
                    .map(|key| format!("dfe.{key}").into()),
            )
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|err| describe(&err))
            .and_then(Settings::validated)
    }

    fn validated(self) -> Result<Settings, String> {
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
        {
            return Err(format!(
                "setting database_url = {} is not allowed: use postgres://USER@HOST/NAME, or leave it unset for the embedded database",
                epa_store::redact(url)
            ));
        }
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&self.log_level) {
            return Err(format!(
                "setting log_level = {:?} is not allowed ({err}): use error, warn, info, debug or trace",
                self.log_level
            ));
        }
        self.working_hours()?;
        self.accounts()?;
        self.mail()?;
        self.dfe()?;
        self.uploads()?;
        Ok(self)
    }

    /// The DfE settings, read: `None` when `dfe.base_url` is unset (nothing
    /// goes to the DfE). Each refusal names its setting.
    pub fn dfe(&self) -> Result<Option<epa_app::dfe::DfeSettings>, String> {
        let section = &self.dfe;
        let Some(base_url) = section.base_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let connection = epa_dfe::Connection::new(
            base_url,
            section.subscription_key.as_deref(),
            section.ukprn.as_deref(),
            section.sandbox,
        )?;
        for (policy, days) in &section.appeal_window_working_days {
            if *days > 60 {
                return Err(format!(
                    "setting dfe.appeal_window_working_days.{policy} = {days} is not allowed: use 0 to 60 working days"
                ));
            }
        }
        Ok(Some(epa_app::dfe::DfeSettings {
            connection,
            appeal_windows: section
                .appeal_window_working_days
                .iter()
                .map(|(policy, days)| (policy.to_ascii_lowercase(), *days))
                .collect(),
        }))
    }

    /// The `working_hours` setting, read: `08:00-18:00`.
    pub fn working_hours(&self) -> Result<epa_domain::diary::WorkingHours, String> {
        let refused = || {
            format!(
                "setting working_hours = {:?} is not allowed: use HH:MM-HH:MM, the start before the end, such as 08:00-18:00",
                self.working_hours
            )
        };
        let (from, to) = self.working_hours.split_once('-').ok_or_else(refused)?;
        let time = |text: &str| chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M");
        match (time(from), time(to)) {
            (Ok(from), Ok(to)) if from < to => Ok(epa_domain::diary::WorkingHours { from, to }),
            _ => Err(refused()),
        }
    }

    /// The accounts settings, read: `public_url` and `token_lifetime_hours`.
    pub fn accounts(&self) -> Result<epa_app::AccountSettings, String> {
        let url = self.public_url.trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace)
        {
            return Err(format!(
                "setting public_url = {:?} is not allowed: use the address people reach the service at, such as https://epa.example.org",
                self.public_url
            ));
        }
        if !(1..=2160).contains(&self.token_lifetime_hours) {
            return Err(format!(
                "setting token_lifetime_hours = {} is not allowed: use 1 to 2160 (90 days)",
                self.token_lifetime_hours
            ));
        }
        Ok(epa_app::AccountSettings {
            public_url: url.to_owned(),
            token_lifetime: chrono::Duration::hours(i64::from(self.token_lifetime_hours)),
            staff_second_factor_required: self.staff_second_factor_required,
            mail_from: self.mail_from.trim().to_owned(),
        })
    }

    /// The mail settings, read: where emails go and how the outbox worker
    /// paces itself. Each refusal names its setting.
    pub fn mail(&self) -> Result<(epa_notify::Mailer, epa_notify::WorkerSettings), String> {
        let from = epa_notify::mailer::mailbox(&self.mail_from).map_err(|err| {
            format!(
                "setting mail_from = {:?} is not allowed ({err}): use Name <address>, such as OpenEPA <epa@example.org>",
                self.mail_from
            )
        })?;
        if !(1..=50).contains(&self.mail_max_attempts) {
            return Err(format!(
                "setting mail_max_attempts = {} is not allowed: use 1 to 50",
                self.mail_max_attempts
            ));
        }
        let mailer = match self.mail_transport {
            // Created when the server starts, after the data directory.
            MailTransport::File => epa_notify::Mailer::File(self.data_dir.join("mail")),
            MailTransport::Smtp => {
                let host = match self.smtp_host.as_deref().map(str::trim) {
                    Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => host,
                    _ => {
                        return Err(
                            "setting smtp_host is not set: with mail_transport = \"smtp\" name the mail server, such as smtp.example.org".to_owned(),
                        );
                    }
                };
                if self.smtp_port == 0 {
                    return Err("setting smtp_port = 0 is not allowed: use the server's port, such as 587 (starttls) or 465 (tls)".to_owned());
                }
                if !(1..=600).contains(&self.smtp_timeout_seconds) {
                    return Err(format!(
                        "setting smtp_timeout_seconds = {} is not allowed: use 1 to 600",
                        self.smtp_timeout_seconds
                    ));
                }
                epa_notify::Mailer::smtp(&epa_notify::SmtpSettings {
                    host: host.to_owned(),
                    port: self.smtp_port,
                    security: match self.smtp_security {
                        SmtpSecurity::Starttls => epa_notify::Security::StartTls,
                        SmtpSecurity::Tls => epa_notify::Security::Tls,
                        SmtpSecurity::None => epa_notify::Security::None,
                    },
                    username: self.smtp_username.clone(),
                    password: self.smtp_password.clone(),
                    timeout: std::time::Duration::from_secs(self.smtp_timeout_seconds),
                })
                .map_err(|err| format!("setting {err}"))?
            }
        };
        let mut worker = epa_notify::WorkerSettings::new(from);
        worker.max_attempts = i32::try_from(self.mail_max_attempts).unwrap_or(8);
        Ok((mailer, worker))
    }

    /// Where uploaded files are kept: in object storage when `files_url`
    /// is set, else in `files_dir`, else in `files` under `data_dir`. Each
    /// refusal names its setting; nothing is contacted here.
    pub fn uploads(&self) -> Result<Uploads, String> {
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let Some(url) = text(&self.files_url) else {
            let stray = [
                ("s3_endpoint", self.s3_endpoint.is_some()),
                ("s3_region", self.s3_region.is_some()),
                ("s3_allow_http", self.s3_allow_http),
            ];
            if let Some((name, _)) = stray.iter().find(|(_, set)| *set) {
                return Err(format!(
                    "setting {name} is set without files_url: name the bucket, such as files_url = \"s3://epa-uploads\""
                ));
            }
            return Ok(Uploads::Directory(
                self.files_dir
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("files")),
            ));
        };
        if self.files_dir.is_some() {
            return Err("setting files_dir is set beside files_url: keep uploads in one place, a directory (files_dir) or object storage (files_url)".to_owned());
        }
        let (bucket, prefix) = epa_store::files::S3Location::parse_url(&url)
            .map_err(|why| format!("setting files_url = {url:?} is not allowed: {why}"))?;
        let endpoint = text(&self.s3_endpoint);
        if let Some(endpoint) = &endpoint {
            let http = endpoint.starts_with("http://");
            if !(http || endpoint.starts_with("https://")) || endpoint.contains(char::is_whitespace)
            {
                return Err(format!(
                    "setting s3_endpoint = {endpoint:?} is not allowed: use the object store's address, such as https://s3.example.org"
                ));
            }
            if http && !self.s3_allow_http {
                return Err(format!(
                    "setting s3_endpoint = {endpoint:?} is not allowed: it is plain http; use https://, or set s3_allow_http = true for a server on a private network"
                ));
            }
        }
        let region = text(&self.s3_region);
        if let Some(region) = &region
            && !region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!(
                "setting s3_region = {region:?} is not allowed: use a region name, such as eu-west-2"
            ));
        }
        // The credentials live in the environment only, as every S3 tool
        // expects them: a settings file is too easily copied or committed.
        for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            if std::env::var(key).map_or(true, |value| value.trim().is_empty()) {
                return Err(format!(
                    "setting files_url = {url:?} needs {key} in the environment: the object store's credentials are never read from the settings file"
                ));
            }
        }
        let location = epa_store::files::S3Location {
            bucket,
            prefix,
            endpoint,
            region,
            allow_http: self.s3_allow_http,
        };
        location
            .client()
            .map_err(|err| format!("setting files_url = {url:?} cannot be used: {err}"))?;
        Ok(Uploads::S3(location))
    }

    /// The database URL in use: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("epa.db").display()),
        }
    }
}

/// One line naming the setting, where it came from, and what is allowed.
fn describe(err: &figment::Error) -> String {
    let mut line = format!("setting {}: {}", err.path.join("."), err.kind);
    if let Some(metadata) = &err.metadata {
        line.push_str(&format!(" (from {})", metadata.name));
    }
    match err.path.first().map(String::as_str) {
        Some("bind") => line.push_str("; expected an address such as 127.0.0.1:8080"),
        Some("log_format") => line.push_str("; allowed: text, json"),
        Some("mail_transport") => line.push_str("; allowed: file, smtp"),
        Some("smtp_security") => line.push_str("; allowed: starttls, tls, none"),
        _ => {}
    }
    if err.path.is_empty() {
        line = format!("settings: {}", err.kind);
    }
    line.replace('\n', " ")
}
