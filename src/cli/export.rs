//! `epa export ofqual-outcomes` and `epa export ofqual-registrations`:
//! Ofqual's EPA data returns as CSV on standard output. A row that would
//! break the published format's rules stops the export (exit 2), each
//! problem on a line of its own on standard error.

use std::process::ExitCode;

use chrono::NaiveDate;
use epa_app::import::RowProblem;
use epa_app::returns::{self, Exported, Submission};

use super::exit;
use super::serve::{DatabaseArgs, open_database, operator_app, runtime_then};

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Ofqual's EPA outcomes return: one row per EPA whose final result was
    /// released from --from to --to (both days included).
    OfqualOutcomes(ReturnArgs),
    /// Ofqual's EPA registrations return: one row per EPA registered,
    /// submitted at gateway or signed off at gateway in the window.
    OfqualRegistrations(ReturnArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReturnArgs {
    /// The window's first day, YYYY-MM-DD.
    #[arg(long)]
    from: NaiveDate,
    /// The window's last day, YYYY-MM-DD.
    #[arg(long)]
    to: NaiveDate,
    /// The EPAO's ID on the register of end-point assessment organisations (EPA and four digits).
    #[arg(long, env = "EPA_OFQUAL_AWARDING_ORGANISATION_ID", default_value = "")]
    awarding_organisation_id: String,
    /// The EPA's number on Ofqual's Register of Regulated Qualifications (default -2, "not available").
    #[arg(long, env = "EPA_OFQUAL_QUALIFICATION_NUMBER", default_value = returns::NOT_AVAILABLE)]
    qualification_number: String,
    /// The date the return is due, from Ofqual's reporting schedule (default today).
    #[arg(long)]
    reporting_date: Option<NaiveDate>,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub fn run(cmd: ExportCommand) -> ExitCode {
    let (outcomes, args) = match cmd {
        ExportCommand::OfqualOutcomes(args) => (true, args),
        ExportCommand::OfqualRegistrations(args) => (false, args),
    };
    let settings = match args.database.settings(None, None) {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    let submission = Submission {
        reporting_date: args
            .reporting_date
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        awarding_organisation_id: args.awarding_organisation_id.trim().to_owned(),
        qualification_number: args.qualification_number.trim().to_owned(),
    };
    let mut answer: Option<Result<Exported, Vec<RowProblem>>> = None;
    let code = runtime_then(|| async {
        let db = open_database(&settings).await?;
        let app = operator_app(&db);
        let result = if outcomes {
            returns::outcomes::export(&app, &submission, args.from, args.to).await
        } else {
            returns::registrations::export(&app, &submission, args.from, args.to).await
        };
        db.close().await;
        answer = Some(result.map_err(|err| {
            match err {
                epa_app::AppError::Validation(problems) => problems
                    .iter()
                    .map(|p| format!("--{}: {}", p.field, p.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => format!("cannot export: {other}"),
            }
        })?);
        Ok(())
    });
    match answer {
        Some(Ok(exported)) => {
            if let Some(warning) = &exported.warning {
                eprintln!("epa: warning: {warning}");
            }
            exit::text(&exported.csv)
        }
        Some(Err(problems)) => {
            for problem in &problems {
                eprintln!(
                    "row {}: {}: {}",
                    problem.row, problem.column, problem.message
                );
            }
            exit::unusable(format!(
                "{} value(s) would break Ofqual's file format: nothing was written",
                problems.len()
            ))
        }
        None => code,
    }
}
