//! Each EPA's deadlines as kept (ADR 0121): replaced in the transaction of
//! every change to the EPA's records, and read a page at a time in the
//! order of urgency, so a list across 100,000 EPAs reads a few index
//! entries. What changes with the calendar (the state of a deadline still
//! open) is worked out by the reader.

use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
use crate::epas::Scope;
use crate::{Db, StoreError, Tx};

/// How long a kept deadline stays open with nothing recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Openness {
    /// Open whatever the date: its event happens outside the product.
    Always,
    /// Open to this day, then met or missed by the calendar alone.
    Until(NaiveDate),
    /// Met or missed by what was recorded.
    Closed,
}

impl Openness {
    fn kind(self) -> &'static str {
        match self {
            Openness::Always => "always",
            Openness::Until(_) => "until",
            Openness::Closed => "closed",
        }
    }

    fn until(self) -> Option<NaiveDate> {
        match self {
            Openness::Until(day) => Some(day),
            _ => None,
        }
    }
}

/// Who may see an EPA's deadlines, copied onto each so a list is read in
/// one index.
#[derive(Debug, Clone)]
pub struct Parties<'a> {
    pub epao_id: Uuid,
    pub employer_id: Uuid,
    pub provider_id: Uuid,
    pub assessor_id: Option<Uuid>,
    pub stage: &'a str,
    pub policy: &'a str,
}

/// One deadline to keep.
#[derive(Debug, Clone)]
pub struct NewDeadline {
    /// Its place among the EPA's deadlines, unique to it and the same in
    /// every write for the same deadline: the row's key, so a deadline
    /// that did not change is not written again when another one comes or
    /// goes. An EPA's deadlines read in order of `(due_on, position)`.
    pub position: i32,
    /// `report_due`, `results_due_observation` ...
    pub deadline: String,
    pub due_on: NaiveDate,
    pub openness: Openness,
    /// `due_by`, `not_before` or `on`.
    pub kind: String,
    pub done_on: Option<NaiveDate>,
    /// Whether a missing completion means "not done" (the product's own
    /// record decides it).
    pub decided: bool,
    /// The deadline as the API shows it, without its state, as a JSON object.
    pub body: String,
}

/// A kept deadline, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptDeadline {
    pub epa_id: Uuid,
    pub position: i32,
    pub stage: String,
    pub policy: String,
    pub deadline: String,
    pub due_on: NaiveDate,
    pub kind: String,
    pub done_on: Option<NaiveDate>,
    pub decided: bool,
    pub body: String,
}

impl KeptDeadline {
    /// In the order of [`COLUMNS`], whichever driver read it (ADR 0171).
    fn read(row: &impl Columns) -> Result<KeptDeadline, sqlx::Error> {
        Ok(KeptDeadline {
            epa_id: row.id(0)?,
            position: row.small(1)?,
            stage: row.text(2)?,
            policy: row.text(3)?,
            deadline: row.text(4)?,
            due_on: row.day(5)?,
            kind: row.text(6)?,
            done_on: row.opt_day(7)?,
            decided: row.flag(8)?,
            body: row.text(9)?,
        })
    }

    /// Where a page ends, for the next one.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            due_on: self.due_on,
            epa_id: self.epa_id,
            position: self.position,
        }
    }
}

/// A place in the order of due dates: what comes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    pub due_on: NaiveDate,
    pub epa_id: Uuid,
    pub position: i32,
}

impl Cursor {
    /// Before every deadline (the first day both databases hold).
    pub fn start() -> Cursor {
        Cursor {
            due_on: NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
            epa_id: Uuid::nil(),
            position: 0,
        }
    }
}

/// The version of the rules kept deadlines follow. An EPA kept under an
/// older one is brought up to date at start-up ([`stale`]).
pub const VERSION: i32 = 2;

/// Keeps `deadlines` as the EPA's deadlines, writing only what differs
/// from what is kept (ADR 0158). Most changes to an EPA's records move
/// none of its deadlines (a judgement saved, a note, a document), and a
/// booking moves two or three of a dozen; each row written costs a page of
/// the table and one of each of its four scope indexes, which at 100,000
/// apprentices lie far apart. So one read of what is kept, then: one
/// insert of the new rows, an update of each changed one (of its index
/// columns only when they changed), one delete of those gone, and the
/// EPA's note of the rules they follow when it is not this version.
pub async fn replace(
    tx: &mut Tx,
    epa_id: Uuid,
    parties: &Parties<'_>,
    deadlines: &[NewDeadline],
) -> Result<(), StoreError> {
    let wanted: Vec<Kept> = deadlines.iter().map(|d| Kept::new(parties, d)).collect();
    // An EPA created in this transaction keeps no deadline yet, and was
    // inserted under this version (`epas::insert`): registration saves
    // two statements.
    let (version, stored) = if tx.is_new(epa_id) {
        (Some(VERSION), Vec::new())
    } else {
        kept(tx, epa_id).await?
    };
    let changes = Changes::between(&stored, &wanted);
    if let Some((stage, policy)) = changes.parties {
        const SQL: &str = "UPDATE epa_deadlines SET stage = $2, policy = $3 WHERE epa_id = $1";
        match tx.on_thread() {
            Some(conn) => {
                conn.execute(SQL, &[Arg::Id(epa_id), Arg::Text(stage), Arg::Text(policy)])?;
            }
            None => on_tx!(tx, |conn| sqlx::query(SQL)
                .bind(epa_id)
                .bind(stage)
                .bind(policy)
                .execute(conn)
                .await
                .map(|_| ()))?,
        }
    }
    if !changes.inserted.is_empty() {
        let sql = insert_sql(changes.inserted.len());
        if let Some(conn) = tx.on_thread() {
            let args: Vec<Arg<'_>> = changes
                .inserted
                .iter()
                .flat_map(|k| k.inserted(epa_id))
                .collect();
            conn.execute(&sql, &args)?;
        } else {
            on_tx!(tx, |conn| {
                let mut query = sqlx::query(&sql);
                for k in &changes.inserted {
                    query = query
                        .bind(epa_id)
                        .bind(k.position)
                        .bind(k.epao_id)
                        .bind(k.employer_id)
                        .bind(k.provider_id)
                        .bind(k.assessor_id)
                        .bind(&k.stage)
                        .bind(&k.policy)
                        .bind(&k.deadline)
                        .bind(k.due_on)
                        .bind(&k.open_kind)
                        .bind(k.open_until)
                        .bind(&k.kind)
                        .bind(k.done_on)
                        .bind(k.decided)
                        .bind(&k.body);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
    }
    for (k, keys_moved) in &changes.updated {
        update(tx, epa_id, k, *keys_moved).await?;
    }
    if !changes.deleted.is_empty() {
        let sql = delete_sql(changes.deleted.len());
        match tx.on_thread() {
            Some(conn) => {
                let args: Vec<Arg<'_>> = std::iter::once(Arg::Id(epa_id))
                    .chain(changes.deleted.iter().map(|p| Arg::Int(i64::from(*p))))
                    .collect();
                conn.execute(&sql, &args)?;
            }
            None => on_tx!(tx, |conn| {
                let mut query = sqlx::query(&sql).bind(epa_id);
                for position in &changes.deleted {
                    query = query.bind(*position);
                }
                query.execute(conn).await.map(|_| ())
            })?,
        }
    }
    if version != Some(VERSION) {
        const SQL: &str = "UPDATE epas SET deadlines_version = $2 WHERE id = $1";
        match tx.on_thread() {
            Some(conn) => {
                conn.execute(SQL, &[Arg::Id(epa_id), Arg::Int(i64::from(VERSION))])?;
            }
            None => on_tx!(tx, |conn| sqlx::query(SQL)
                .bind(epa_id)
                .bind(VERSION)
                .execute(conn)
                .await
                .map(|_| ()))?,
        }
    }
    Ok(())
}

/// Rewrites one kept row. SQLite touches an index only when a column it
/// holds is set, so the columns the four scope indexes hold (who may see
/// it and its due date) are set only when they moved. Its openness is in
/// none of their keys (ADR 0174): on SQLite a deadline met or missed
/// moves in none of them. The indexes of those open whatever the date
/// name it in their condition, so SQLite rewrites a row's entries there
/// whenever it is set: for the few rows open whatever the date.
/// (PostgreSQL compares the values itself when it decides whether to
/// update a row in place; to it the two forms are alike.)
async fn update(tx: &mut Tx, epa_id: Uuid, k: &Kept, keys_moved: bool) -> Result<(), StoreError> {
    const REST: &str = "stage = $3, policy = $4, deadline = $5, open_until = $6, kind = $7, \
                        done_on = $8, decided = $9, body = $10, open_kind = $11";
    let sql = if keys_moved {
        format!(
            "UPDATE epa_deadlines SET {REST}, epao_id = $12, employer_id = $13, \
             provider_id = $14, assessor_id = $15, due_on = $16 \
             WHERE epa_id = $1 AND position = $2"
        )
    } else {
        format!("UPDATE epa_deadlines SET {REST} WHERE epa_id = $1 AND position = $2")
    };
    if let Some(conn) = tx.on_thread() {
        let mut args = vec![
            Arg::Id(epa_id),
            Arg::Int(i64::from(k.position)),
            Arg::Text(&k.stage),
            Arg::Text(&k.policy),
            Arg::Text(&k.deadline),
            Arg::opt_day(k.open_until),
            Arg::Text(&k.kind),
            Arg::opt_day(k.done_on),
            Arg::Flag(k.decided),
            Arg::Text(&k.body),
            Arg::Text(&k.open_kind),
        ];
        if keys_moved {
            args.extend([
                Arg::Id(k.epao_id),
                Arg::Id(k.employer_id),
                Arg::Id(k.provider_id),
                Arg::opt_id(k.assessor_id),
                Arg::Day(k.due_on),
            ]);
        }
        conn.execute(&sql, &args)?;
        return Ok(());
    }
    on_tx!(tx, |conn| {
        let query = sqlx::query(&sql)
            .bind(epa_id)
            .bind(k.position)
            .bind(&k.stage)
            .bind(&k.policy)
            .bind(&k.deadline)
            .bind(k.open_until)
            .bind(&k.kind)
            .bind(k.done_on)
            .bind(k.decided)
            .bind(&k.body)
            .bind(&k.open_kind);
        let query = if keys_moved {
            query
                .bind(k.epao_id)
                .bind(k.employer_id)
                .bind(k.provider_id)
                .bind(k.assessor_id)
                .bind(k.due_on)
        } else {
            query
        };
        query.execute(conn).await.map(|_| ())
    })?;
    Ok(())
}

/// What to write to go from the kept rows to the wanted ones, matched by
/// position.
#[derive(Debug, Default, PartialEq)]
struct Changes<'a> {
    /// The EPA's stage and policy, which every row carries, when they
    /// moved (a lifecycle step moves the stage): one update of all its
    /// rows, rather than one of each.
    parties: Option<(&'a str, &'a str)>,
    inserted: Vec<&'a Kept>,
    /// Each with whether a column an index holds moved.
    updated: Vec<(&'a Kept, bool)>,
    deleted: Vec<i32>,
}

impl<'a> Changes<'a> {
    fn between(stored: &[Kept], wanted: &'a [Kept]) -> Changes<'a> {
        let mut changes = Changes {
            // Every wanted row carries the same parties.
            parties: wanted
                .first()
                .filter(|k| {
                    stored
                        .iter()
                        .any(|s| (&s.stage, &s.policy) != (&k.stage, &k.policy))
                })
                .map(|k| (k.stage.as_str(), k.policy.as_str())),
            ..Changes::default()
        };
        for k in wanted {
            match stored.iter().find(|s| s.position == k.position) {
                None => changes.inserted.push(k),
                Some(s) => {
                    // Its stage and policy are the EPA's, written above.
                    let keys_moved = !s.same_keys(k);
                    if keys_moved || !s.same_rest(k) {
                        changes.updated.push((k, keys_moved));
                    }
                }
            }
        }
        changes.deleted = stored
            .iter()
            .map(|s| s.position)
            .filter(|position| !wanted.iter().any(|k| k.position == *position))
            .collect();
        changes
    }
}

/// One kept row, column for column, as stored or as it would be stored.
#[derive(Debug, Clone, PartialEq)]
struct Kept {
    position: i32,
    epao_id: Uuid,
    employer_id: Uuid,
    provider_id: Uuid,
    assessor_id: Option<Uuid>,
    stage: String,
    policy: String,
    deadline: String,
    due_on: NaiveDate,
    open_kind: String,
    open_until: Option<NaiveDate>,
    kind: String,
    done_on: Option<NaiveDate>,
    decided: bool,
    body: String,
}

impl Kept {
    /// Its values in [`INSERTED`]'s order, for a statement run on the
    /// request's thread.
    fn inserted(&self, epa_id: Uuid) -> [Arg<'_>; 16] {
        [
            Arg::Id(epa_id),
            Arg::Int(i64::from(self.position)),
            Arg::Id(self.epao_id),
            Arg::Id(self.employer_id),
            Arg::Id(self.provider_id),
            Arg::opt_id(self.assessor_id),
            Arg::Text(&self.stage),
            Arg::Text(&self.policy),
            Arg::Text(&self.deadline),
            Arg::Day(self.due_on),
            Arg::Text(&self.open_kind),
            Arg::opt_day(self.open_until),
            Arg::Text(&self.kind),
            Arg::opt_day(self.done_on),
            Arg::Flag(self.decided),
            Arg::Text(&self.body),
        ]
    }

    fn new(parties: &Parties<'_>, d: &NewDeadline) -> Kept {
        Kept {
            position: d.position,
            epao_id: parties.epao_id,
            employer_id: parties.employer_id,
            provider_id: parties.provider_id,
            assessor_id: parties.assessor_id,
            stage: parties.stage.to_owned(),
            policy: parties.policy.to_owned(),
            deadline: d.deadline.clone(),
            due_on: d.due_on,
            open_kind: d.openness.kind().to_owned(),
            open_until: d.openness.until(),
            kind: d.kind.clone(),
            done_on: d.done_on,
            decided: d.decided,
            body: d.body.clone(),
        }
    }

    /// Whether what is its own (not the EPA's, nor a scope index's key)
    /// is the same.
    fn same_rest(&self, other: &Kept) -> bool {
        (
            &self.deadline,
            &self.open_kind,
            self.open_until,
            &self.kind,
            self.done_on,
            self.decided,
            &self.body,
        ) == (
            &other.deadline,
            &other.open_kind,
            other.open_until,
            &other.kind,
            other.done_on,
            other.decided,
            &other.body,
        )
    }

    /// Whether the columns the scope indexes hold are the same.
    fn same_keys(&self, other: &Kept) -> bool {
        (
            self.epao_id,
            self.employer_id,
            self.provider_id,
            self.assessor_id,
            self.due_on,
        ) == (
            other.epao_id,
            other.employer_id,
            other.provider_id,
            other.assessor_id,
            other.due_on,
        )
    }
}

/// The EPA with each of its kept rows, if any (the row's columns are
/// NULL when it has none).
struct Stored {
    deadlines_version: i32,
    position: Option<i32>,
    epao_id: Option<Uuid>,
    employer_id: Option<Uuid>,
    provider_id: Option<Uuid>,
    assessor_id: Option<Uuid>,
    stage: Option<String>,
    policy: Option<String>,
    deadline: Option<String>,
    due_on: Option<NaiveDate>,
    open_kind: Option<String>,
    open_until: Option<NaiveDate>,
    kind: Option<String>,
    done_on: Option<NaiveDate>,
    decided: Option<bool>,
    body: Option<String>,
}

read_by_position!(Stored);

impl Stored {
    /// In [`kept`]'s order, whichever driver read it.
    fn read(row: &impl Columns) -> Result<Stored, sqlx::Error> {
        Ok(Stored {
            deadlines_version: row.small(0)?,
            position: row.opt_small(1)?,
            epao_id: row.opt_id(2)?,
            employer_id: row.opt_id(3)?,
            provider_id: row.opt_id(4)?,
            assessor_id: row.opt_id(5)?,
            stage: row.opt_text(6)?,
            policy: row.opt_text(7)?,
            deadline: row.opt_text(8)?,
            due_on: row.opt_day(9)?,
            open_kind: row.opt_text(10)?,
            open_until: row.opt_day(11)?,
            kind: row.opt_text(12)?,
            done_on: row.opt_day(13)?,
            decided: row.opt_flag(14)?,
            body: row.opt_text(15)?,
        })
    }

    fn kept(self) -> Option<Kept> {
        Some(Kept {
            position: self.position?,
            epao_id: self.epao_id?,
            employer_id: self.employer_id?,
            provider_id: self.provider_id?,
            assessor_id: self.assessor_id,
            stage: self.stage?,
            policy: self.policy?,
            deadline: self.deadline?,
            due_on: self.due_on?,
            open_kind: self.open_kind?,
            open_until: self.open_until,
            kind: self.kind?,
            done_on: self.done_on,
            decided: self.decided?,
            body: self.body?,
        })
    }
}

/// The [`VERSION`] of the rules the EPA's kept rows follow (`None` when
/// the EPA is not found), and the rows.
async fn kept(tx: &mut Tx, epa_id: Uuid) -> Result<(Option<i32>, Vec<Kept>), StoreError> {
    const SQL: &str = "SELECT e.deadlines_version, d.position, d.epao_id, d.employer_id, d.provider_id, \
         d.assessor_id, d.stage, d.policy, d.deadline, d.due_on, d.open_kind, d.open_until, \
         d.kind, d.done_on, d.decided, d.body \
         FROM epas e LEFT JOIN epa_deadlines d ON d.epa_id = e.id \
         WHERE e.id = $1 ORDER BY d.position";
    let rows: Vec<Stored> = match tx.on_thread() {
        Some(conn) => conn.rows(SQL, &[Arg::Id(epa_id)], |row| Stored::read(row))?,
        None => on_tx!(tx, |conn| sqlx::query_as(SQL)
            .bind(epa_id)
            .fetch_all(conn)
            .await)?,
    };
    let version = rows.first().map(|row| row.deadlines_version);
    Ok((version, rows.into_iter().filter_map(Stored::kept).collect()))
}

/// Columns of a kept deadline as inserted, in the order bound.
const INSERTED: [&str; 16] = [
    "epa_id",
    "position",
    "epao_id",
    "employer_id",
    "provider_id",
    "assessor_id",
    "stage",
    "policy",
    "deadline",
    "due_on",
    "open_kind",
    "open_until",
    "kind",
    "done_on",
    "decided",
    "body",
];

/// `DELETE FROM epa_deadlines WHERE epa_id = $1 AND position IN ($2, ..)`
/// for `rows` positions.
fn delete_sql(rows: usize) -> String {
    format!(
        "DELETE FROM epa_deadlines WHERE epa_id = $1 AND position IN ({})",
        crate::placeholders::list(2, rows)
    )
}

/// `INSERT INTO epa_deadlines (...) VALUES ($1, ..), ($17, ..) ...` for
/// `rows` rows: an EPA's dozen deadlines or so, far below either
/// database's limit on parameters.
fn insert_sql(rows: usize) -> String {
    format!(
        "INSERT INTO epa_deadlines ({}) VALUES {}",
        INSERTED.join(", "),
        crate::placeholders::rows(rows, INSERTED.len())
    )
}

const COLUMNS: &str = "d.epa_id, d.position, d.stage, d.policy, d.deadline, d.due_on, d.kind, d.done_on, d.decided, d.body";

/// The scope's leading condition, on columns an index starts with, and
/// what narrows it further: an assessor's list leaves out EPAs they have a
/// conflict of interest with, as the EPA list does.
fn scope_sql(scope: &Scope) -> Option<(&'static str, Uuid)> {
    if let Some(id) = scope.epao_id {
        Some(("d.epao_id = $1", id))
    } else if let Some(id) = scope.provider_id {
        Some(("d.provider_id = $1", id))
    } else if let Some(id) = scope.employer_id {
        Some(("d.employer_id = $1", id))
    } else if let Some(id) = scope.assessor_id {
        Some((
            "d.assessor_id = $1 AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.user_id = $1 \
             AND c.organisation_id IN (d.employer_id, d.provider_id) AND c.withdrawn_at IS NULL)",
            id,
        ))
    } else {
        scope.apprentice_user_id.map(|id| {
            (
                "d.epa_id IN (SELECT e.id FROM epas e JOIN apprentices a ON a.id = e.apprentice_id \
                 WHERE a.user_id = $1)",
                id,
            )
        })
    }
}

/// The open deadlines of a scope led by `lead`, in two arms: those open
/// whatever the date, from the scope's index of them, and those open to a
/// day, from its index by date (ADR 0174).
fn open_sql(lead: &str) -> String {
    format!(
        "SELECT * FROM (SELECT {COLUMNS} FROM epa_deadlines d WHERE {lead} \
         AND d.open_kind = 'always' AND (d.due_on, d.epa_id, d.position) > ($3, $4, $5) \
         ORDER BY d.due_on, d.epa_id, d.position LIMIT $6) AS open_always \
         UNION ALL \
         SELECT * FROM (SELECT {COLUMNS} FROM epa_deadlines d WHERE {lead} \
         AND d.open_kind = 'until' AND d.due_on >= $2 AND d.open_until >= $2 \
         AND (d.due_on, d.epa_id, d.position) > ($7, $8, $9) \
         ORDER BY d.due_on, d.epa_id, d.position LIMIT $6) AS open_until"
    )
}

/// Every deadline of a scope led by `lead` after a cursor: one range of
/// the scope's index by date.
fn all_sql(lead: &str) -> String {
    format!(
        "SELECT {COLUMNS} FROM epa_deadlines d WHERE {lead} \
         AND (d.due_on, d.epa_id, d.position) > ($2, $3, $4) \
         ORDER BY d.due_on, d.epa_id, d.position LIMIT $5"
    )
}

/// Up to `limit` deadlines open on `today` in the scope, after `after` in
/// the order of urgency: first those past their date that only an event
/// outside the product closes, then the rest by due date. One statement
/// of two index range scans, whatever the number of EPAs.
pub async fn open_page(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<KeptDeadline>, StoreError> {
    let Some((lead, id)) = scope_sql(scope) else {
        return Ok(Vec::new());
    };
    let after = after.unwrap_or_else(Cursor::start);
    // Those open whatever the date (waiting on an event outside the
    // product), past their date or not: every one after the cursor is
    // open, and those past their date come first in the order of dates.
    // Those open to a day, still to come: from today, because PostgreSQL
    // starts an index range at the row comparison's bound, not at
    // `due_on >= today`, and would otherwise step over every past deadline
    // first (6 ms at 10,000 EPAs, 0.2 ms so). Each arm reads at most a
    // page; the two are merged by date here, where SQLite would copy
    // every row with its body into a temporary B-tree to sort them. One
    // statement, not three: on SQLite each is a round trip to the
    // connection's thread (ADR 0160).
    let sql = open_sql(lead);
    let from_today = Cursor {
        due_on: today,
        epa_id: Uuid::nil(),
        position: -1,
    };
    // Ordered as the rows are: by date, EPA, position.
    let coming_after = after.max(from_today);
    let mut found = match db {
        Db::Sqlite(sqlite) => sqlite.direct.rows(
            &sql,
            &[
                Arg::Id(id),
                Arg::Day(today),
                Arg::Day(after.due_on),
                Arg::Id(after.epa_id),
                Arg::Int(after.position.into()),
                Arg::Int(limit),
                Arg::Day(coming_after.due_on),
                Arg::Id(coming_after.epa_id),
                Arg::Int(coming_after.position.into()),
            ],
            |row| KeptDeadline::read(row),
        )?,
        Db::Postgres(pool) => {
            sqlx::query(&sql)
                .bind(id)
                .bind(today)
                .bind(after.due_on)
                .bind(after.epa_id)
                .bind(after.position)
                .bind(limit)
                .bind(coming_after.due_on)
                .bind(coming_after.epa_id)
                .bind(coming_after.position)
                .try_map(|row: PgRow| KeptDeadline::read(&row))
                .fetch_all(pool)
                .await?
        }
    };
    found.sort_by_key(KeptDeadline::cursor);
    found.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(found)
}

/// Every kept deadline in the scope after `after`, by due date, for lists
/// of met or missed ones; `limit` rows at most are read.
pub async fn all_page(
    db: &Db,
    scope: &Scope,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<KeptDeadline>, StoreError> {
    let Some((lead, id)) = scope_sql(scope) else {
        return Ok(Vec::new());
    };
    let after = after.unwrap_or_else(Cursor::start);
    let sql = all_sql(lead);
    Ok(match db {
        Db::Sqlite(sqlite) => sqlite.direct.rows(
            &sql,
            &[
                Arg::Id(id),
                Arg::Day(after.due_on),
                Arg::Id(after.epa_id),
                Arg::Int(after.position.into()),
                Arg::Int(limit),
            ],
            |row| KeptDeadline::read(row),
        )?,
        Db::Postgres(pool) => {
            sqlx::query(&sql)
                .bind(id)
                .bind(after.due_on)
                .bind(after.epa_id)
                .bind(after.position)
                .bind(limit)
                .try_map(|row: PgRow| KeptDeadline::read(&row))
                .fetch_all(pool)
                .await?
        }
    })
}

/// Up to `limit` EPAs whose kept deadlines follow an older reading of the
/// rules (or none yet).
pub async fn stale(db: &Db, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<(Uuid,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id FROM epas WHERE deadlines_version < $1 ORDER BY id LIMIT $2"
    )
    .bind(VERSION)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The due dates kept for one EPA among `names` (`report_due`,
/// `earliest_interview` ...), as `(name, date)`.
pub async fn due_dates(
    db: &Db,
    epa_id: Uuid,
    names: &[&str],
) -> Result<Vec<(String, NaiveDate)>, StoreError> {
    let rows: Vec<(String, NaiveDate)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT deadline, due_on FROM epa_deadlines WHERE epa_id = $1 ORDER BY due_on, position"
    )
    .bind(epa_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .filter(|(name, _)| names.contains(&name.as_str()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{Changes, Kept, all_sql, delete_sql, insert_sql, open_sql, scope_sql};
    use crate::epas::Scope;
    use chrono::NaiveDate;
    use uuid::Uuid;

    fn kept(position: i32, day: u32) -> Kept {
        let party = Uuid::nil();
        Kept {
            position,
            epao_id: party,
            employer_id: party,
            provider_id: party,
            assessor_id: None,
            stage: "planned".to_owned(),
            policy: "tquk".to_owned(),
            deadline: format!("deadline_{position}"),
            due_on: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
            open_kind: "until".to_owned(),
            open_until: NaiveDate::from_ymd_opt(2026, 12, day),
            kind: "due_by".to_owned(),
            done_on: None,
            decided: true,
            body: "{}".to_owned(),
        }
    }

    #[test]
    fn only_what_differs_is_written() {
        let stored = [kept(16, 1), kept(32, 5), kept(48, 9)];
        let mut moved = kept(32, 6);
        moved.open_until = NaiveDate::from_ymd_opt(2026, 12, 6);
        let mut done = kept(48, 9);
        done.done_on = NaiveDate::from_ymd_opt(2026, 12, 2);
        let wanted = [kept(0, 1), moved, done];
        let changes = Changes::between(&stored, &wanted);
        assert_eq!(changes.inserted, vec![&wanted[0]]);
        assert_eq!(
            changes.updated,
            vec![(&wanted[1], true), (&wanted[2], false)],
            "a date moved sets the index columns; a completion does not"
        );
        assert_eq!(changes.deleted, vec![16]);
    }

    #[test]
    fn a_deadline_closed_on_its_date_sets_no_index_column() {
        let stored = [kept(16, 1)];
        let mut closed = kept(16, 1);
        closed.open_kind = "closed".to_owned();
        closed.open_until = None;
        closed.done_on = NaiveDate::from_ymd_opt(2026, 11, 30);
        let wanted = [closed];
        assert_eq!(
            Changes::between(&stored, &wanted).updated,
            vec![(&wanted[0], false)],
            "its openness is in no scope index's key (ADR 0174)"
        );
    }

    #[test]
    fn a_new_stage_is_one_write_of_every_row() {
        let stored = [kept(16, 1), kept(32, 5)];
        let mut wanted = [kept(16, 1), kept(32, 5)];
        for k in &mut wanted {
            k.stage = "in_assessment".to_owned();
        }
        let changes = Changes::between(&stored, &wanted);
        assert_eq!(changes.parties, Some(("in_assessment", "tquk")));
        assert!(changes.updated.is_empty(), "no row on its own");
    }

    #[test]
    fn nothing_is_written_when_nothing_differs() {
        let stored = [kept(16, 1), kept(32, 5)];
        assert_eq!(Changes::between(&stored, &stored), Changes::default());
    }

    #[test]
    fn the_delete_names_each_position() {
        assert_eq!(
            delete_sql(2),
            "DELETE FROM epa_deadlines WHERE epa_id = $1 AND position IN ($2, $3)"
        );
    }

    #[test]
    fn each_row_has_its_own_parameters() {
        let sql = insert_sql(2);
        assert!(sql.ends_with(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16), \
             ($17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)"
        ));
    }

    /// Each organisation's and the assessor's lists read ranges of the
    /// scope's own indexes from a date on SQLite: no scan of the kept
    /// deadlines and no sort of them, whatever their number. (PostgreSQL
    /// plans by its statistics: `bench/load/explain.sh` shows its plans on
    /// a loaded database.)
    #[tokio::test]
    async fn each_scope_reads_its_indexes_in_order_of_date() {
        let (_dir, db) = crate::db::scratch_sqlite().await;
        let sqlite = db.as_sqlite();
        let id = Some(Uuid::nil());
        for (name, scope) in [
            (
                "epao",
                Scope {
                    epao_id: id,
                    ..Scope::default()
                },
            ),
            (
                "provider",
                Scope {
                    provider_id: id,
                    ..Scope::default()
                },
            ),
            (
                "employer",
                Scope {
                    employer_id: id,
                    ..Scope::default()
                },
            ),
            (
                "assessor",
                Scope {
                    assessor_id: id,
                    ..Scope::default()
                },
            ),
        ] {
            let (lead, _) = scope_sql(&scope).unwrap();
            let plan = |sql: String| async move {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                        .fetch_all(sqlite.pool())
                        .await
                        .unwrap();
                rows.into_iter()
                    .map(|(_, _, _, detail)| detail)
                    .filter(|d| {
                        d.starts_with("SEARCH d ")
                            || d.starts_with("SCAN d")
                            || d.contains("B-TREE")
                    })
                    .collect::<Vec<_>>()
            };
            // A search of the index from a date: its scope and a bound on
            // the date, not the whole scope read from its start.
            let from_a_date = |detail: &str, index: &str| {
                detail.starts_with(&format!("SEARCH d USING INDEX {index} ("))
                    && detail.contains(&format!("{name}_id=? AND "))
                    && detail.contains("due_on")
            };
            let index = format!("epa_deadlines_{name}");
            let always = format!("epa_deadlines_{name}_always");
            let open = plan(open_sql(lead)).await;
            assert_eq!(open.len(), 2, "{name}: {open:?}");
            assert!(from_a_date(&open[0], &always), "{name}: {open:?}");
            assert!(from_a_date(&open[1], &index), "{name}: {open:?}");
            let all = plan(all_sql(lead)).await;
            assert_eq!(all.len(), 1, "{name}: {all:?}");
            assert!(from_a_date(&all[0], &index), "{name}: {all:?}");
        }
        db.close().await;
    }
}
