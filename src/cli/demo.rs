//! `epa demo load`: the demo EPAO and N synthetic apprentices, for trying
//! and measuring the product at the size of a large EPAO.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::exit;
use super::serve::{DatabaseArgs, open_database, runtime_then};

#[derive(Debug, clap::Subcommand)]
pub enum DemoCommand {
    /// Load the demo EPAO and N synthetic apprentices over every stage and
    /// both policies, then exit (once: a second run changes nothing).
    Load(LoadArgs),
}

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// How many synthetic apprentices to add to the demo's own.
    #[arg(long, value_name = "N")]
    apprentices: usize,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub fn run(cmd: DemoCommand) -> ExitCode {
    let DemoCommand::Load(args) = cmd;
    let settings = match args.database.settings(None, None) {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    if settings.database_url().starts_with("sqlite:") {
        keep_to_one_core();
    }
    let mut summary = String::new();
    let code = runtime_then(|| async {
        let db = open_database(&settings).await?;
        let mut app = epa_app::App::new(
            db.clone(),
            Arc::new(epa_domain::SystemClock),
            epa_plan::Catalog::embedded(),
        );
        app.demo = true;
        let started = Instant::now();
        let n = args.apprentices;
        let loaded = epa_app::synthetic::load(&app, n, |written| {
            // Progress on standard error, so standard output stays the summary.
            let rate = written as f64 / started.elapsed().as_secs_f64().max(0.001);
            let _ = writeln!(
                std::io::stderr(),
                "{written}/{n} apprentices written ({rate:.0}/s)"
            );
        })
        .await
        .map_err(|err| format!("cannot load the demo: {err}"))?;
        db.close().await;
        summary = if loaded.written == 0 {
            format!(
                "already loaded: {} apprentices at {}",
                loaded.apprentices,
                epa_store::redact(&settings.database_url())
            )
        } else {
            format!(
                "loaded {} synthetic apprentices in {:.1} s; {} apprentices at {}",
                loaded.written,
                started.elapsed().as_secs_f64(),
                loaded.apprentices,
                epa_store::redact(&settings.database_url())
            )
        };
        Ok(())
    });
    if code != ExitCode::SUCCESS {
        return code;
    }
    exit::lines(&summary)
}

/// Keeps this thread, and every thread started after it (the runtime's
/// and SQLite's connection threads), to one core. The load is one writer
/// handing each statement to its SQLite connection's thread and waiting
/// for the answer; on two cores each hand-over woke a thread on the other
/// core, and 100,000 apprentices loaded at 535 a second against 1,107 on
/// one (ADR 0161). PostgreSQL's statements go to its server instead, and
/// are left alone. Where affinity cannot be set, the load is only slower.
fn keep_to_one_core() {
    if let Some(core) = core_affinity::get_core_ids().and_then(|cores| cores.into_iter().next()) {
        core_affinity::set_for_current(core);
    }
}
