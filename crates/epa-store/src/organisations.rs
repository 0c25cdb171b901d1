//! Organisations: the EPAO itself, training providers (by UKPRN) and employers.

use chrono::{DateTime, Utc};
use epa_domain::assessor_profile::Region;
use serde::Serialize;
use uuid::Uuid;

use crate::assessment::Reader;
use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
use crate::{Db, StoreError, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Epao,
    Provider,
    Employer,
}

impl OrganisationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Epao => "epao",
            OrganisationKind::Provider => "provider",
            OrganisationKind::Employer => "employer",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "epao" => Ok(OrganisationKind::Epao),
            "provider" => Ok(OrganisationKind::Provider),
            "employer" => Ok(OrganisationKind::Employer),
            other => Err(StoreError::Setup(format!(
                "unknown organisation kind {other:?} in the database"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub kind: OrganisationKind,
    pub name: String,
    pub ukprn: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
    /// Where certificates are posted.
    pub contact: PostalContact,
    /// Employers: the region their apprentices work in, where the
    /// observation takes place.
    pub region: Option<Region>,
}

/// The postal contact certificates go to: every part optional until set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PostalContact {
    pub contact_name: Option<String>,
    pub contact_organisation: Option<String>,
    pub address_line_1: Option<String>,
    pub address_line_2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
}

/// What an edit sets: every field, as the editor saw and changed them.
#[derive(Debug, Clone)]
pub struct OrganisationDetails<'a> {
    pub name: &'a str,
    pub ukprn: Option<&'a str>,
    pub contact: &'a PostalContact,
    pub region: Option<Region>,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation<'a> {
    pub kind: OrganisationKind,
    pub name: &'a str,
    pub ukprn: Option<&'a str>,
}

/// An organisation's row, read by position in the order of [`COLUMNS`]
/// (ADR 0171): the organisations a registration names are read on the
/// request's thread on SQLite.
struct Row {
    id: Uuid,
    kind: String,
    name: String,
    ukprn: Option<String>,
    created_at: DateTime<Utc>,
    version: i64,
    contact: PostalContact,
    region: Option<Region>,
}

impl Row {
    fn read(row: &impl Columns) -> Result<Row, sqlx::Error> {
        Ok(Row {
            id: row.id(0)?,
            kind: row.text(1)?,
            name: row.text(2)?,
            ukprn: row.opt_text(3)?,
            created_at: row.instant(4)?,
            version: row.int(5)?,
            contact: PostalContact {
                contact_name: row.opt_text(6)?,
                contact_organisation: row.opt_text(7)?,
                address_line_1: row.opt_text(8)?,
                address_line_2: row.opt_text(9)?,
                city: row.opt_text(10)?,
                postcode: row.opt_text(11)?,
            },
            region: row.opt_named(12, Region::parse)?,
        })
    }
}

read_by_position!(Row);

impl TryFrom<Row> for Organisation {
    type Error = StoreError;
    fn try_from(row: Row) -> Result<Self, StoreError> {
        Ok(Organisation {
            id: row.id,
            kind: OrganisationKind::parse(&row.kind)?,
            name: row.name,
            ukprn: row.ukprn,
            created_at: row.created_at,
            version: row.version,
            contact: row.contact,
            region: row.region,
        })
    }
}

const COLUMNS: &str = "id, kind, name, ukprn, created_at, version, contact_name, \
    contact_organisation, address_line_1, address_line_2, city, postcode, region";

pub async fn insert(
    tx: &mut Tx,
    new: &NewOrganisation<'_>,
    now: DateTime<Utc>,
) -> Result<Organisation, StoreError> {
    let sql = format!(
        "INSERT INTO organisations (id, kind, name, ukprn, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let row: Row = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(Uuid::now_v7())
        .bind(new.kind.as_str())
        .bind(new.name)
        .bind(new.ukprn)
        .bind(now)
        .fetch_one(conn)
        .await)?;
    row.try_into()
}

pub async fn get(db: &Db, id: Uuid) -> Result<Organisation, StoreError> {
    get_from(Reader::Db(db), id).await
}

/// The organisation as the write transaction sees it, with the writes
/// before it in its group of commits (ADR 0169): for a check the change
/// must agree with.
pub async fn get_in(tx: &mut Tx, id: Uuid) -> Result<Organisation, StoreError> {
    get_from(Reader::Tx(tx), id).await
}

async fn get_from(reader: Reader<'_>, id: Uuid) -> Result<Organisation, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM organisations WHERE id = $1");
    let row: Row = on_reader!(reader, |exec| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(exec)
        .await)?;
    row.try_into()
}

/// Sets an organisation's details under an optimistic lock, as [`rename`].
pub async fn update_details(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    details: &OrganisationDetails<'_>,
) -> Result<Organisation, StoreError> {
    let sql = format!(
        "UPDATE organisations SET name = $1, ukprn = $2, contact_name = $3, contact_organisation = $4, \
         address_line_1 = $5, address_line_2 = $6, city = $7, postcode = $8, region = $9, version = version + 1 \
         WHERE id = $10 AND version = $11 RETURNING {COLUMNS}"
    );
    let c = details.contact;
    let row: Option<Row> = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(details.name)
        .bind(details.ukprn)
        .bind(&c.contact_name)
        .bind(&c.contact_organisation)
        .bind(&c.address_line_1)
        .bind(&c.address_line_2)
        .bind(&c.city)
        .bind(&c.postcode)
        .bind(details.region)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(conn)
        .await)?;
    match row {
        Some(row) => row.try_into(),
        None => Err(StoreError::Conflict(
            "the organisation was changed by someone else; reload and try again".to_owned(),
        )),
    }
}

/// Whether another organisation already has this UKPRN.
pub async fn ukprn_taken(db: &Db, ukprn: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
    let found: Option<Uuid> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM organisations WHERE ukprn = $1"
    )
    .bind(ukprn)
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some_and(|id| Some(id) != except))
}

/// The providers of an employer's apprentices.
pub async fn providers_of_employer(db: &Db, employer: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT DISTINCT provider_id FROM apprentices WHERE employer_id = $1"
    )
    .bind(employer)
    .fetch_all(pool)
    .await)?)
}

/// The employers of a provider's apprentices.
pub async fn employers_of_provider(db: &Db, provider: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT DISTINCT employer_id FROM apprentices WHERE provider_id = $1"
    )
    .bind(provider)
    .fetch_all(pool)
    .await)?)
}

/// Every organisation, or those of `kind`, by name. Two statements rather
/// than one with `($1 IS NULL OR kind = $1)`, which no index can serve.
pub async fn list(
    db: &Db,
    kind: Option<OrganisationKind>,
) -> Result<Vec<Organisation>, StoreError> {
    let rows: Vec<Row> = match kind {
        Some(kind) => {
            let sql =
                format!("SELECT {COLUMNS} FROM organisations WHERE kind = $1 ORDER BY name, id");
            on_db!(db, |pool| sqlx::query_as(&sql)
                .bind(kind.as_str())
                .fetch_all(pool)
                .await)?
        }
        None => {
            let sql = format!("SELECT {COLUMNS} FROM organisations ORDER BY name, id");
            on_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?
        }
    };
    rows.into_iter().map(Organisation::try_from).collect()
}

/// The first organisation of `kind` by name, if any: one step of the
/// `(kind, name, id)` index (the EPAO a registration opens its EPA at).
pub async fn first_of_kind(
    db: &Db,
    kind: OrganisationKind,
) -> Result<Option<Organisation>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM organisations WHERE kind = $1 ORDER BY name, id LIMIT 1");
    let row: Option<Row> = match db {
        Db::Sqlite(sqlite) => sqlite
            .direct
            .rows(&sql, &[Arg::Text(kind.as_str())], |row| Row::read(row))?
            .pop(),
        db => on_db!(db, |pool| sqlx::query_as(&sql)
            .bind(kind.as_str())
            .fetch_optional(pool)
            .await)?,
    };
    row.map(Organisation::try_from).transpose()
}

/// The organisations among `ids` that exist (by primary key), in no
/// particular order: what a registration names, read in one statement.
pub async fn with_ids(db: &Db, ids: &[Uuid]) -> Result<Vec<Organisation>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM organisations WHERE id IN ({})",
        crate::placeholders::list(1, ids.len())
    );
    let rows: Vec<Row> = match db {
        Db::Sqlite(sqlite) => {
            let args: Vec<Arg> = ids.iter().map(|id| Arg::Id(*id)).collect();
            sqlite.direct.rows(&sql, &args, |row| Row::read(row))?
        }
        db => on_db!(db, |pool| {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?,
    };
    rows.into_iter().map(Organisation::try_from).collect()
}

/// Renames an organisation under an optimistic lock: `expected_version` must
/// be the version the editor saw, or nothing changes and a conflict is reported.
pub async fn rename(
    tx: &mut Tx,
    id: Uuid,
    expected_version: i64,
    name: &str,
) -> Result<Organisation, StoreError> {
    let sql = format!(
        "UPDATE organisations SET name = $1, version = version + 1 WHERE id = $2 AND version = $3 RETURNING {COLUMNS}"
    );
    let row: Option<Row> = on_tx!(tx, |conn| sqlx::query_as(&sql)
        .bind(name)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(conn)
        .await)?;
    match row {
        Some(row) => row.try_into(),
        None => Err(StoreError::Conflict(
            "the organisation was changed by someone else; reload and try again".to_owned(),
        )),
    }
}
