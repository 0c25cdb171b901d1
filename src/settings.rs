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
const KEYS: [&str; 11] = [
    "bind",
    "database_url",
    "data_dir",
    "files_dir",
    "log_format",
    "log_level",
    "plans_dir",
    "public_url",
    "staff_second_factor_required",
    "token_lifetime_hours",
    "working_hours",
];

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
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
            plans_dir: None,
            working_hours: "08:00-18:00".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            token_lifetime_hours: 12,
            staff_second_factor_required: false,
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
        Ok(self)
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
        })
    }

    /// Where uploaded files are kept: `files_dir`, or `files` under `data_dir`.
    pub fn files_dir(&self) -> PathBuf {
        self.files_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("files"))
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
        _ => {}
    }
    if err.path.is_empty() {
        line = format!("settings: {}", err.kind);
    }
    line.replace('\n', " ")
}
