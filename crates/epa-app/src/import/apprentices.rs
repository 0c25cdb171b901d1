//! `epa import apprentices FILE.csv`, the providers' import page and
//! `POST /api/v1/imports/apprentices`: many registrations from one CSV
//! file, each through the same rules, access policy and audit as a single
//! registration (`registration`), all in one transaction. Any problem in
//! any row stores nothing, and every problem is named by row and column.

use std::collections::HashMap;

use chrono::NaiveDate;
use epa_domain::policy::Action;
use epa_domain::{Uln, UlnMode};
use epa_store::apprentices;
use epa_store::organisations::{self, Organisation, OrganisationKind};
use epa_store::users::Role;
use serde::Serialize;
use uuid::Uuid;

use super::table::{self, Table};
use super::{ImportError, RowProblem};
use crate::registration::{self, Checked, Registrant, Registration};
use crate::{Actor, App, AppError, access};

/// The columns a file must have, in the order a template lists them.
pub const COLUMNS: [&str; 9] = [
    "uln",
    "given_names",
    "family_name",
    "date_of_birth",
    "employer_id",
    "provider_id",
    "standard",
    "policy",
    "start_date",
];

/// A column a file may add: the plan version (the newest loaded when absent).
const OPTIONAL: [&str; 1] = ["version"];

/// The most rows one file may hold; larger files are split.
pub const MAX_ROWS: usize = 20_000;

/// Who is importing.
#[derive(Debug, Clone, Copy)]
pub enum Importer<'a> {
    /// The operator at the command line on the server: the EPAO's own
    /// authority, recorded in the audit as `system`.
    Operator,
    /// A signed-in person: each row is asked of the access policy as their
    /// own registration would be.
    Person(&'a Actor),
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Data rows read.
    pub rows: usize,
    /// EPAs registered: none on a dry run.
    pub registered: usize,
    pub dry_run: bool,
    /// Each row's EPA, in file order (on a dry run without an ID).
    pub epas: Vec<ImportedRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportedRow {
    pub row: u64,
    pub uln: String,
    pub epa_id: Option<Uuid>,
}

/// Checks the whole file and, unless `dry_run` or any row has a problem,
/// registers every row in one transaction.
pub async fn import(
    app: &App,
    importer: Importer<'_>,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportSummary, ImportError> {
    if let Importer::Person(actor) = importer
        && !may_import(actor)
    {
        return Err(AppError::Forbidden(
            "apprentices are registered by their training provider or by the EPAO".to_owned(),
        )
        .into());
    }
    let table = table::read(bytes, MAX_ROWS).map_err(ImportError::Rows)?;
    let columns = Columns::find(&table.header).map_err(ImportError::Rows)?;
    let epao = registration::the_epao(app).await?;
    let organisations = Organisations::load(app).await?;
    let checked = check(app, importer, epao.id, &organisations, &columns, &table).await?;

    let mut epas: Vec<ImportedRow> = checked
        .iter()
        .map(|row| ImportedRow {
            row: row.line,
            uln: row.checked.uln.to_string(),
            epa_id: None,
        })
        .collect();
    if dry_run {
        return Ok(ImportSummary {
            rows: table.rows.len(),
            registered: 0,
            dry_run,
            epas,
        });
    }
    let by = match importer {
        Importer::Operator => Registrant::operator(),
        Importer::Person(actor) => Registrant::person(actor),
    };
    let mut tx = app.db.begin_write().await?;
    for (row, out) in checked.iter().zip(&mut epas) {
        let id = registration::insert(app, &mut tx, &by, epao.id, &row.input, &row.checked)
            .await
            .map_err(|err| match err {
                // Stored by someone else since the check: named as any duplicate.
                AppError::Validation(problems) => ImportError::Rows(
                    problems
                        .into_iter()
                        .map(|p| RowProblem::new(row.line, &p.field, p.message))
                        .collect(),
                ),
                other => other.into(),
            })?;
        out.epa_id = Some(id);
    }
    crate::deadlines::commit(app, tx).await?;
    Ok(ImportSummary {
        rows: table.rows.len(),
        registered: epas.len(),
        dry_run,
        epas,
    })
}

/// Whether `actor` registers apprentices at all: their training provider
/// and EPAO staff. Each row is still asked of the access policy.
pub fn may_import(actor: &Actor) -> bool {
    actor.has_role(Role::ProviderUser)
        || actor.has_role(Role::EpaoAdmin)
        || actor.has_role(Role::EpaoOperations)
}

/// Where each known column is in the file.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn find(header: &[String]) -> Result<Columns, Vec<RowProblem>> {
        let mut found = HashMap::new();
        let mut problems = Vec::new();
        for (at, name) in header.iter().enumerate() {
            match COLUMNS
                .iter()
                .chain(&OPTIONAL)
                .find(|known| **known == name)
            {
                Some(known) if found.contains_key(known) => problems.push(RowProblem::new(
                    1,
                    name,
                    "this column is named twice: keep one",
                )),
                Some(known) => {
                    found.insert(*known, at);
                }
                None => problems.push(RowProblem::new(
                    1,
                    name,
                    format!(
                        "this column is not one we read: the columns are {}",
                        COLUMNS.join(", ")
                    ),
                )),
            }
        }
        for column in COLUMNS {
            if !found.contains_key(column) {
                problems.push(RowProblem::new(
                    1,
                    column,
                    "add this column to the first row",
                ));
            }
        }
        if problems.is_empty() {
            Ok(Columns(found))
        } else {
            Err(problems)
        }
    }

    /// The cell of `column` in `cells`, trimmed ("" when the optional
    /// column is absent).
    fn cell<'a>(&self, cells: &'a [String], column: &str) -> &'a str {
        self.0
            .get(column)
            .and_then(|at| cells.get(*at))
            .map_or("", |cell| cell.trim())
    }
}

/// Employers and providers, found by ID, exact name or UKPRN.
struct Organisations {
    all: Vec<Organisation>,
}

impl Organisations {
    async fn load(app: &App) -> Result<Organisations, AppError> {
        Ok(Organisations {
            all: organisations::list(&app.db, None).await?,
        })
    }

    fn find(&self, kind: OrganisationKind, text: &str) -> Result<Uuid, String> {
        let what = kind.as_str();
        if text.is_empty() {
            return Err(format!("enter the {what}'s ID, exact name or UKPRN"));
        }
        let of_kind = || self.all.iter().filter(|org| org.kind == kind);
        if let Ok(id) = text.parse::<Uuid>() {
            return of_kind()
                .find(|org| org.id == id)
                .map(|org| org.id)
                .ok_or_else(|| format!("no {what} has this ID"));
        }
        let matches: Vec<&Organisation> = of_kind()
            .filter(|org| org.name == text || org.ukprn.as_deref() == Some(text))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.id),
            [] => Err(format!(
                "no {what} has this exact name or UKPRN: check the spelling, or use its ID"
            )),
            _ => Err(format!(
                "more than one {what} has this name: use its ID or UKPRN"
            )),
        }
    }
}

/// A row that meets every rule, ready to write.
struct CheckedRow {
    line: u64,
    input: Registration,
    checked: Checked,
}

/// A date as ISO 8601 writes it, or as a UK spreadsheet shows it.
fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

/// Every row checked; every problem of every row at once.
async fn check(
    app: &App,
    importer: Importer<'_>,
    epao: Uuid,
    organisations: &Organisations,
    columns: &Columns,
    table: &Table,
) -> Result<Vec<CheckedRow>, ImportError> {
    let mut problems = table.problems.clone();
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    for (line, cells) in &table.rows {
        let line = *line;
        let before = problems.len();
        let mut problem = |column: &str, message: String| {
            problems.push(RowProblem::new(line, column, message));
        };
        let cell = |column: &str| columns.cell(cells, column);
        let mut dates = [None, None];
        for (slot, column) in dates.iter_mut().zip(["date_of_birth", "start_date"]) {
            *slot = date(cell(column));
            if slot.is_none() {
                problem(
                    column,
                    "enter a real date as YYYY-MM-DD (or DD/MM/YYYY)".to_owned(),
                );
            }
        }
        let mut orgs = [None, None];
        for (slot, (column, kind)) in orgs.iter_mut().zip([
            ("employer_id", OrganisationKind::Employer),
            ("provider_id", OrganisationKind::Provider),
        ]) {
            match organisations.find(kind, cell(column)) {
                Ok(id) => *slot = Some(id),
                Err(message) => problem(column, message),
            }
        }
        // A cell already found wrong stands in with a value that passes, so
        // the row's other cells are still checked by the registration rules;
        // what those rules then say of the stand-in is passed over.
        let stand_in = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        let date_of_birth = dates[0].unwrap_or(stand_in);
        let start_date = dates[1].unwrap_or(stand_in + chrono::Days::new(365 * 20));
        let (employer_id, provider_id) = (orgs[0].unwrap_or_default(), orgs[1].unwrap_or_default());
        let input = Registration {
            uln: cell("uln").to_owned(),
            given_names: cell("given_names").to_owned(),
            family_name: cell("family_name").to_owned(),
            date_of_birth,
            employer_id,
            provider_id,
            standard: cell("standard").to_owned(),
            version: Some(cell("version"))
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            policy: cell("policy").to_lowercase(),
            start_date,
        };
        if let (Importer::Person(actor), [Some(_), Some(_)]) = (importer, orgs)
            && access::authorize(
                actor,
                Action::RegisterApprentice,
                &access::new_record(epao, employer_id, provider_id),
                "",
            )
            .is_err()
        {
            problem(
                "provider_id",
                "you can register only your own training provider's apprentices".to_owned(),
            );
        }
        let mut field_problems = Vec::new();
        let checked = registration::check_rules(app, &input, &mut field_problems);
        let known: Vec<String> = problems[before..]
            .iter()
            .map(|p| p.column.clone())
            .collect();
        problems.extend(
            field_problems
                .into_iter()
                .filter(|p| !known.contains(&p.field))
                .map(|p| RowProblem::new(line, &p.field, p.message)),
        );
        // Duplicates are looked for whatever else is wrong with the row.
        if let Ok(uln) = Uln::parse_with(input.uln.trim(), UlnMode::Strict) {
            let uln = uln.to_string();
            match first_seen.get(&uln) {
                Some(first) => problems.push(RowProblem::new(
                    line,
                    "uln",
                    format!("this ULN is also on row {first}: an apprentice is registered once"),
                )),
                None => {
                    first_seen.insert(uln, line);
                }
            }
        }
        if let Some(checked) = checked
            && problems.len() == before
        {
            rows.push(CheckedRow {
                line,
                input,
                checked,
            });
        }
    }
    let ulns: Vec<&str> = first_seen.keys().map(String::as_str).collect();
    for taken in apprentices::ulns_taken(&app.db, &ulns).await? {
        if let Some(line) = first_seen.get(&taken) {
            problems.push(RowProblem::new(
                *line,
                "uln",
                "an apprentice with this ULN is already registered",
            ));
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        problems.sort_by_key(|p| {
            let at = COLUMNS.iter().position(|c| *c == p.column);
            (p.row, at.unwrap_or(COLUMNS.len()))
        });
        Err(ImportError::Rows(problems))
    }
}
