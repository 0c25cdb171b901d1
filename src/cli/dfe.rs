//! `epa dfe push`: sends the DfE Apprenticeship assessment service every EPA
//! record and certificate it does not yet have in its current form, and
//! prints what it did. Exit 0 when all was accepted, 1 when the service
//! refused some (each listed with its reasons), 2 when the settings cannot
//! be used or the service could not be reached.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use epa_app::dfe::{PushError, PushReport};
use epa_dfe::DfeError;

use super::exit;
use super::serve::{DatabaseArgs, open_database, runtime_then};

#[derive(Debug, clap::Subcommand)]
pub enum DfeCommand {
    /// Send the DfE what it does not yet have (EPA records, certificates,
    /// submissions) and read back where submitted certificates are.
    /// Exit 0 all accepted, 1 some refused (listed), 2 unusable settings.
    Push(PushArgs),
}

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Say what would be sent, and send and store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON instead of lines.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: DfeCommand) -> ExitCode {
    let DfeCommand::Push(args) = cmd;
    let settings = match args.database.settings(None, None) {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    let dfe = match settings.dfe() {
        Ok(Some(dfe)) => dfe,
        Ok(None) => {
            return exit::unusable(
                "setting dfe.base_url is not set: give the DfE service's address (EPA_DFE_BASE_URL), with dfe.subscription_key and dfe.ukprn",
            );
        }
        Err(reason) => return exit::unusable(reason),
    };
    let plans = match &settings.plans_dir {
        Some(dir) => match epa_plan::Catalog::with_dir(dir) {
            Ok(plans) => plans,
            Err(err) => {
                return exit::unusable(format!(
                    "the plans in {} cannot be used: {err}",
                    dir.display()
                ));
            }
        },
        None => epa_plan::Catalog::embedded(),
    };
    if let Err(reason) = dfe.check_against(&plans) {
        return exit::unusable(reason);
    }
    let client = match epa_dfe::Client::new(dfe.connection.clone()) {
        Ok(client) => client,
        Err(err) => return exit::unusable(err),
    };
    let mut report = None;
    let code = runtime_then(|| async {
        let db = open_database(&settings).await?;
        let app = epa_app::App::new(db.clone(), Arc::new(epa_domain::SystemClock), plans);
        let pushed = epa_app::dfe::push(&app, &client, &dfe, args.dry_run).await;
        db.close().await;
        report = Some(pushed.map_err(|err| stopped(&err))?);
        Ok(())
    });
    let Some(report) = report else {
        return code;
    };
    let printed = if args.json {
        exit::json(&report)
    } else {
        exit::text(&lines(&report, &dfe.connection))
    };
    if printed != ExitCode::SUCCESS {
        return printed;
    }
    if report.refused.is_empty() && report.still_refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Why the push stopped, naming the setting when it is the settings'
/// fault. What was acknowledged before is kept.
fn stopped(err: &PushError) -> String {
    match err {
        PushError::Dfe(DfeError::Api {
            status: 401,
            message,
        }) => format!(
            "the DfE service refused the subscription key (setting dfe.subscription_key): {message}"
        ),
        PushError::Dfe(err) => {
            format!("{err}; what it acknowledged before is kept: run again later")
        }
        PushError::App(err) => format!("the push stopped: {err}"),
    }
}

fn lines(report: &PushReport, connection: &epa_dfe::Connection) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "DfE push to {} (UKPRN {}){}",
        connection.base_url,
        connection.ukprn,
        if report.dry_run {
            ": dry run, nothing sent"
        } else {
            ""
        }
    );
    let verb = if report.dry_run { "would send" } else { "sent" };
    for sent in &report.sent {
        let _ = writeln!(
            out,
            "{verb} {} {} for EPA {}{}",
            sent.item,
            sent.action,
            sent.epa_id,
            sent.reference
                .as_deref()
                .map(|r| format!(" (reference {r})"))
                .unwrap_or_default()
        );
    }
    for refused in &report.refused {
        let _ = writeln!(
            out,
            "refused {} for EPA {}: {}",
            refused.item,
            refused.epa_id,
            refused.reasons.join("; ")
        );
    }
    for refused in &report.still_refused {
        let _ = writeln!(
            out,
            "still refused {} for EPA {} (unchanged since, not sent again): {}",
            refused.item,
            refused.epa_id,
            refused.reasons.join("; ")
        );
    }
    for waiting in &report.waiting {
        let _ = writeln!(
            out,
            "waiting certificate for EPA {}: claimed from {} (after the appeal window){}",
            waiting.epa_id,
            waiting.claim_from,
            waiting
                .claim_due
                .map(|due| format!(", due by {due}"))
                .unwrap_or_default()
        );
    }
    for epa_id in &report.claimed {
        let _ = writeln!(
            out,
            "claimed certificate for EPA {epa_id}: the EPA is now certificate_claimed"
        );
    }
    for status in &report.statuses {
        let _ = writeln!(
            out,
            "status certificate for EPA {}: {} -> {}",
            status.epa_id,
            status.from.as_deref().unwrap_or("unknown"),
            status.to
        );
    }
    let _ = writeln!(
        out,
        "{} {verb}, {} refused, {} still refused, {} waiting, {} status changes",
        report.sent.len(),
        report.refused.len(),
        report.still_refused.len(),
        report.waiting.len(),
        report.statuses.len()
    );
    out
}
