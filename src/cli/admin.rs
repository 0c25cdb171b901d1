//! `epa create-admin`: the first EPAO administrator, and the EPAO itself.

use std::io::BufRead;
use std::process::ExitCode;

use super::exit;
use super::serve::{DatabaseArgs, open_database, operator_app, runtime_then};

#[derive(Debug, clap::Args)]
pub struct CreateAdminArgs {
    /// The administrator's email (their sign-in).
    #[arg(long)]
    pub email: String,
    /// The administrator's name.
    #[arg(long)]
    pub name: String,
    /// The EPAO's name, used when the database has no EPAO yet.
    #[arg(long, default_value = "EPAO")]
    pub epao_name: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Reads the password from the first line of standard input, so it never
/// appears in shell history or the process list; prints the new user's ID
/// and an API token as JSON.
pub fn create_admin(args: CreateAdminArgs) -> ExitCode {
    let settings = match args.database.settings(None, None) {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    let mut password = String::new();
    if let Err(err) = std::io::stdin().lock().read_line(&mut password) {
        return exit::unusable(format!(
            "cannot read the password from standard input: {err}"
        ));
    }
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let mut issued = None;
    let code = runtime_then(|| async {
        let db = open_database(&settings).await?;
        let app = operator_app(&db);
        let result = epa_app::accounts::create_admin(
            &app,
            &args.email,
            &args.name,
            &password,
            &args.epao_name,
        )
        .await;
        db.close().await;
        issued = Some(result.map_err(|err| {
            match err {
                epa_app::AppError::Validation(problems) => problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            }
        })?);
        Ok(())
    });
    match issued {
        Some(token) => exit::json(&token),
        None => code,
    }
}
