//! `epa serve` and `epa migrate`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use epa_store::Db;
use epa_store::files::{FileError, FileStore, LocalFiles, ObjectFiles};
use tokio::net::TcpListener;

use super::exit;
use crate::settings::{LogFormat, Overrides, Settings, Uploads};

#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// `postgres://USER@HOST/NAME` for PostgreSQL (default: the embedded SQLite database).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Where the embedded database and uploads live (default ./epa-data).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// A settings file (default: ./epa.toml when it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub bind: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Log format: text or json.
    #[arg(long)]
    pub log_format: Option<String>,
    /// Load a demonstration EPAO (users for every role, apprentices under
    /// both policies) into an empty database and print its sign-ins.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
}

impl DatabaseArgs {
    pub fn settings(
        &self,
        bind: Option<String>,
        log_format: Option<String>,
    ) -> Result<Settings, String> {
        Settings::load(
            self.config.as_deref(),
            &Overrides {
                bind,
                database_url: self.database_url.clone(),
                data_dir: self.data_dir.clone(),
                log_format,
            },
        )
    }
}

pub fn run(args: ServeArgs) -> ExitCode {
    let settings = match args
        .database
        .settings(args.bind.clone(), args.log_format.clone())
    {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    init_logging(&settings);
    runtime_then(|| serve(settings, args.demo))
}

pub fn migrate(args: MigrateArgs) -> ExitCode {
    let settings = match args.database.settings(None, None) {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    let code = runtime_then(|| async {
        let db = open_database(&settings).await?;
        db.close().await;
        Ok(())
    });
    if code != ExitCode::SUCCESS {
        return code;
    }
    exit::lines(&format!(
        "migrations applied to {}",
        epa_store::redact(&settings.database_url())
    ))
}

/// Runs `work` on a fresh multi-threaded runtime; an error becomes exit 2
/// with its one line.
pub fn runtime_then<F, Fut>(work: F) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => return exit::unusable(format!("cannot start the runtime: {err}")),
    };
    match runtime.block_on(work()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => exit::unusable(reason),
    }
}

/// Opens (and, for the embedded database, first creates the directory of)
/// the configured database and applies the migrations.
pub async fn open_database(settings: &Settings) -> Result<Db, String> {
    if settings.database_url.is_none() {
        let dir = &settings.data_dir;
        if dir.exists() && !dir.is_dir() {
            return Err(format!(
                "data directory {} is not a directory",
                dir.display()
            ));
        }
        std::fs::create_dir_all(dir)
            .map_err(|err| format!("cannot create data directory {}: {err}", dir.display()))?;
        // Probe that the directory is writable now, so the failure names the
        // directory rather than surfacing later as a database error.
        let probe = dir.join(".epa-write-check");
        std::fs::write(&probe, b"")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|err| format!("data directory {} is not writable: {err}", dir.display()))?;
    }
    Db::open(&settings.database_url())
        .await
        .map_err(|err| err.to_string())
}

/// The application for an operator command: the embedded plans and the
/// system clock, on `db`.
pub fn operator_app(db: &Db) -> epa_app::App {
    epa_app::App::new(
        db.clone(),
        Arc::new(epa_domain::SystemClock),
        epa_plan::Catalog::embedded(),
    )
}

/// The file store uploads go to, and where that is for the log. Uploads
/// live beside the embedded database, on whichever database is used, unless
/// `files_dir` names a directory or `files_url` a bucket that several
/// servers share. A bucket is listed once here, so that a wrong name,
/// refused credentials or an endpoint that does not answer stop the start.
async fn open_uploads(settings: &Settings) -> Result<(Arc<dyn FileStore>, String), String> {
    match settings.uploads()? {
        Uploads::Directory(dir) => {
            let files = LocalFiles::open(&dir)
                .map_err(|err| format!("cannot use {} for uploads: {err}", dir.display()))?;
            Ok((Arc::new(files), dir.display().to_string()))
        }
        Uploads::S3(location) => {
            let mut at = location.url();
            if let Some(endpoint) = &location.endpoint {
                at.push_str(&format!(" at {endpoint}"));
            }
            let refused = |err: FileError| {
                // The HTTP client's reason (TLS, DNS, a refused connection)
                // is only in the error's sources.
                let mut reason = err.to_string();
                let mut source = std::error::Error::source(&err);
                while let Some(cause) = source {
                    let cause_text = cause.to_string();
                    if !reason.contains(&cause_text) {
                        reason.push_str(&format!(": {cause_text}"));
                    }
                    source = cause.source();
                }
                format!("cannot use {at} for uploads: {reason}")
            };
            let files = ObjectFiles::s3(&location).map_err(refused)?;
            files.check().await.map_err(refused)?;
            Ok((Arc::new(files), at))
        }
    }
}

async fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    let db = open_database(&settings).await?;
    let listener = TcpListener::bind(settings.bind)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", settings.bind))?;
    let plans = match &settings.plans_dir {
        Some(dir) => epa_plan::Catalog::with_dir(dir)
            .map_err(|err| format!("the plans in {} cannot be used: {err}", dir.display()))?,
        None => epa_plan::Catalog::embedded(),
    };
    let (files, uploads_at) = open_uploads(&settings).await?;
    let mut app =
        epa_app::App::new(db.clone(), Arc::new(epa_domain::SystemClock), plans).with_files(files);
    app.working_hours = settings.working_hours()?;
    // EPAs kept under an older reading of the rules, or from before
    // deadlines were kept, are brought up to date before anyone reads them.
    let refreshed = epa_app::deadlines::refresh_stale(&app)
        .await
        .map_err(|err| format!("cannot bring the kept deadlines up to date: {err}"))?;
    if refreshed > 0 {
        tracing::info!(epas = refreshed, "kept deadlines brought up to date");
    }
    app.accounts = settings.accounts()?;
    if demo {
        app.demo = true;
        let loaded = epa_app::demo::load(&app)
            .await
            .map_err(|err| format!("cannot load the demo: {err}"))?;
        print_demo_logins(&settings, &loaded);
    }
    // The outbox worker: every node runs one; claims keep them apart.
    let (mailer, worker_settings) = settings.mail()?;
    let mailer = match mailer {
        epa_notify::Mailer::File(dir) => epa_notify::Mailer::file(dir)?,
        other => other,
    };
    let worker = epa_notify::Worker::new(db.clone(), mailer, app.clock.clone(), worker_settings);
    let stop = tokio::sync::watch::channel(false).0;
    let worker = tokio::spawn(worker.run(stopped(&stop)));
    // Housekeeping: every node sweeps; each row is deleted once.
    let housekeeping = tokio::spawn(epa_app::housekeeping::run(
        db.clone(),
        app.clock.clone(),
        stopped(&stop),
    ));
    // The DfE worker, when the service is configured: every node runs one;
    // a lease lets one push at a time.
    let dfe_worker = match settings.dfe()? {
        Some(dfe) => {
            dfe.check_against(&app.plans)?;
            let client = epa_dfe::Client::new(dfe.connection.clone())
                .map_err(|err| format!("cannot start the DfE client: {err}"))?;
            let worker = epa_app::dfe::worker::Worker::new(app.clone(), client, dfe);
            Some(tokio::spawn(worker.run(stopped(&stop))))
        }
        None => None,
    };
    let app = epa_web::router(epa_web::AppState { app });
    tracing::info!(
        database = %epa_store::redact(&settings.database_url()),
        uploads = %uploads_at,
        "OpenEPA is listening on http://{}",
        settings.bind
    );
    // With the peer's address, which sign-in throttling counts failures by.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await
    .map_err(|err| format!("server stopped: {err}"))?;
    // The background tasks stop together, within ten seconds at most: the
    // outbox worker finishes the round in hand (emails still being sent
    // after that, and those sent but not yet recorded, up to ten, are
    // left claimed, and sent again once their claim runs out, ADR 0173);
    // a sweep stops at once (each batch is a statement of its own, done
    // whole or not at all); a push cut short keeps what the DfE
    // acknowledged, and the rest goes at the next start.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let _ = worker.await;
        let _ = housekeeping.await;
        if let Some(dfe_worker) = dfe_worker {
            let _ = dfe_worker.await;
        }
    })
    .await;
    db.close().await;
    tracing::info!("OpenEPA stopped cleanly");
    Ok(())
}

/// Completes once `stop` says so: what each background task stops on.
fn stopped(stop: &tokio::sync::watch::Sender<bool>) -> impl Future<Output = ()> + Send + 'static {
    let mut stopped = stop.subscribe();
    async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    }
}

fn print_demo_logins(settings: &Settings, loaded: &epa_app::demo::Loaded) {
    let url = format!("http://{}", settings.bind);
    let mut text = format!(
        "OpenEPA demo at {url} ({} apprentices{})\nOpen {url} in a browser and sign in with the password \"{}\" as:\n",
        loaded.apprentices,
        if loaded.created { ", just loaded" } else { "" },
        epa_app::accounts::DEMO_PASSWORD,
    );
    for (email, role) in epa_app::demo::LOGINS {
        text.push_str(&format!("  {email:<24} {}\n", role.as_str()));
    }
    text.push_str(&format!(
        "The JSON API and its documentation: {url}/api/docs\n"
    ));
    // A closed stdout must not stop the server: the logins are a courtesy.
    let _ = exit::text(&text);
}

/// Ctrl-C or SIGTERM: stop accepting, finish the requests in flight, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
