//! `epa audit verify`: walks the audit chain and names the first broken link.

use std::process::ExitCode;

use epa_store::Db;
use epa_store::audit::{self, Verdict};

use super::exit;
use super::serve::{DatabaseArgs, runtime_then};

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check every audit event's hash and link; exit 1 naming the first broken one.
    Verify(DatabaseArgs),
}

pub fn run(cmd: AuditCommand) -> ExitCode {
    let AuditCommand::Verify(args) = cmd;
    let settings = match args.settings(None, None) {
        Ok(settings) => settings,
        Err(reason) => return exit::unusable(reason),
    };
    if settings.database_url.is_none() {
        let file = settings.data_dir.join("epa.db");
        if !file.is_file() {
            return exit::unusable(format!("there is no database at {}", file.display()));
        }
    }
    let mut verdict = None;
    let code = runtime_then(|| async {
        // Opened as found: verifying must not migrate or otherwise change it.
        let db = Db::connect(&settings.database_url())
            .await
            .map_err(|err| err.to_string())?;
        let result = audit::verify(&db).await;
        db.close().await;
        verdict = Some(result.map_err(|err| format!("cannot read the audit chain: {err}"))?);
        Ok(())
    });
    match verdict {
        Some(Verdict::Intact { events }) => {
            exit::lines(&format!("intact: {events} audit events checked"))
        }
        Some(Verdict::Broken { seq, id, problem }) => {
            exit::no(format!("broken at audit event {seq} (id {id}): {problem}"))
        }
        None => code,
    }
}
