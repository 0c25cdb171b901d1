//! `epa import apprentices FILE.csv`: registers every apprentice in a CSV
//! file, or none. Each problem goes to standard error on a line of its own,
//! `FILE:ROW: COLUMN: what to fix`, then one line saying nothing was
//! stored (exit 2); success prints what was registered as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use epa_app::import::ImportError;
use epa_app::import::apprentices::{self, ImportSummary, Importer};

use super::exit;
use super::serve::{DatabaseArgs, open_database, operator_app, runtime_then};

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Register the apprentices of a CSV file (columns uln, given_names,
    /// family_name, date_of_birth, employer_id, provider_id, standard,
    /// policy, start_date): all of them, or none when any row has a problem.
    Apprentices(ApprenticesArgs),
}

#[derive(Debug, clap::Args)]
pub struct ApprenticesArgs {
    /// The CSV file: UTF-8 (with or without a byte-order mark) or Windows-1252, as Excel saves it.
    file: PathBuf,
    /// Check every row and say what would be registered; store nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub fn run(cmd: ImportCommand) -> ExitCode {
    let ImportCommand::Apprentices(args) = cmd;
    let settings = match args.database.settings(None, None) {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(err) => {
            return exit::unusable(format!("cannot read {}: {err}", args.file.display()));
        }
    };
    let mut outcome: Option<Result<ImportSummary, ImportError>> = None;
    let code = runtime_then(|| async {
        let db = open_database(&settings).await?;
        let app = operator_app(&db);
        outcome = Some(apprentices::import(&app, Importer::Operator, &bytes, args.dry_run).await);
        db.close().await;
        Ok(())
    });
    let file = args.file.display();
    match outcome {
        Some(Ok(summary)) => exit::json(&summary),
        Some(Err(ImportError::Rows(problems))) => {
            let mut rows: Vec<u64> = problems.iter().map(|p| p.row).collect();
            rows.dedup();
            for problem in &problems {
                let column = if problem.column.is_empty() {
                    String::new()
                } else {
                    format!(" {}:", problem.column)
                };
                eprintln!("{file}:{}:{column} {}", problem.row, problem.message);
            }
            exit::unusable(format!(
                "{} problem(s) in {} row(s) of {file}: nothing was stored",
                problems.len(),
                rows.len()
            ))
        }
        Some(Err(ImportError::App(err))) => exit::unusable(format!("cannot import {file}: {err}")),
        None => code,
    }
}
