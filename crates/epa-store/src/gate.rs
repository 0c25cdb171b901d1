//! What the access gate reads about an EPA before it decides: the EPA's row
//! with its standing adjustment and the people a decision about it turns
//! on. One statement, whatever the EPA holds: every read and write of an
//! EPA passes the gate, so each statement saved here is saved on all of them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::adjustments::Adjustment;
use crate::assessment::Reader;
use crate::columns::{Columns, read_by_position};
use crate::direct::Arg;
use crate::epas::{self, EpaRow};
use crate::{Backend, Db, StoreError};

/// How many columns [`epas::COLUMNS`] holds: the adjustment's follow.
const EPA_COLUMNS: usize = epas::COLUMNS_COUNT;

/// The EPA's row and the adjustment that stands for it, if any (the latest
/// decided: see [`crate::adjustments::standing`]), read together.
#[derive(Debug, Clone)]
struct RowWithAdjustment {
    row: EpaRow,
    adjustment_id: Option<Uuid>,
    adjustment_extra_minutes: Option<i32>,
    adjustment_extra_percent: Option<i32>,
    adjustment_arrangements: Option<String>,
    adjustment_reason: Option<String>,
    adjustment_decided_by: Option<Uuid>,
    adjustment_decided_at: Option<DateTime<Utc>>,
    /// The people, as [`people_of`] reads them (absent when there are none).
    gate_people: Option<String>,
}

read_by_position!(RowWithAdjustment);

impl RowWithAdjustment {
    /// In the order [`read`] selects it, whichever driver runs it (ADR
    /// 0171).
    fn read(row: &impl Columns) -> Result<RowWithAdjustment, sqlx::Error> {
        Ok(RowWithAdjustment {
            row: EpaRow::read(row)?,
            adjustment_id: row.opt_id(EPA_COLUMNS)?,
            adjustment_extra_minutes: row.opt_small(EPA_COLUMNS + 1)?,
            adjustment_extra_percent: row.opt_small(EPA_COLUMNS + 2)?,
            adjustment_arrangements: row.opt_text(EPA_COLUMNS + 3)?,
            adjustment_reason: row.opt_text(EPA_COLUMNS + 4)?,
            adjustment_decided_by: row.opt_id(EPA_COLUMNS + 5)?,
            adjustment_decided_at: row.opt_instant(EPA_COLUMNS + 6)?,
            gate_people: row.opt_text(EPA_COLUMNS + 7)?,
        })
    }

    fn split(self) -> (EpaRow, Option<Adjustment>) {
        let adjustment = match (
            self.adjustment_id,
            self.adjustment_arrangements,
            self.adjustment_reason,
            self.adjustment_decided_by,
            self.adjustment_decided_at,
        ) {
            (Some(id), Some(arrangements), Some(reason), Some(decided_by), Some(decided_at)) => {
                Some(Adjustment {
                    id,
                    epa_id: self.row.epa.id,
                    extra_minutes: self.adjustment_extra_minutes,
                    extra_percent: self.adjustment_extra_percent,
                    arrangements,
                    reason,
                    decided_by,
                    decided_at,
                })
            }
            _ => None,
        };
        (self.row, adjustment)
    }
}

/// What the gate reads about an EPA.
#[derive(Debug, Clone, PartialEq)]
pub struct Gated {
    pub row: EpaRow,
    /// The adjustment that stands for it, if any.
    pub adjustment: Option<Adjustment>,
    pub people: People,
}

/// The EPA's row, its standing adjustment and its people in one statement:
/// the adjustment is the one `adjustments::standing` would read, found by
/// the same order on the same index; the people are those [`people`]
/// reads, by the same three indexed arms, gathered into one text column
/// (a statement saved is a round trip to SQLite's thread saved on every
/// read and write of an EPA).
pub async fn read(reader: Reader<'_>, epa_id: Uuid) -> Result<Gated, StoreError> {
    let sql = read_sql(reader.backend());
    let mut found: RowWithAdjustment = match reader {
        Reader::Db(Db::Sqlite(sqlite)) => sqlite
            .direct
            .rows(&sql, &[Arg::Id(epa_id)], |row| RowWithAdjustment::read(row))?
            .pop()
            .ok_or(StoreError::NotFound)?,
        Reader::Tx(tx) => {
            let found: RowWithAdjustment = match tx.on_thread() {
                Some(conn) => {
                    conn.one(&sql, &[Arg::Id(epa_id)], |row| RowWithAdjustment::read(row))?
                }
                None => on_tx!(tx, |conn| sqlx::query_as(&sql)
                    .bind(epa_id)
                    .fetch_one(conn)
                    .await)?,
            };
            tx.remember_row(&found.row);
            found
        }
        reader => on_reader!(reader, |exec| sqlx::query_as(&sql)
            .bind(epa_id)
            .fetch_one(exec)
            .await)?,
    };
    let people = people_of(found.gate_people.take().as_deref().unwrap_or(""))?;
    let (row, adjustment) = found.split();
    Ok(Gated {
        row,
        adjustment,
        people,
    })
}

/// The statement of [`read`]: `$1` is the EPA's ID.
fn read_sql(backend: Backend) -> String {
    format!(
        "SELECT {}, adj.id AS adjustment_id, adj.extra_minutes AS adjustment_extra_minutes, \
         adj.extra_percent AS adjustment_extra_percent, adj.arrangements AS adjustment_arrangements, \
         adj.reason AS adjustment_reason, adj.decided_by AS adjustment_decided_by, \
         adj.decided_at AS adjustment_decided_at, {} AS gate_people \
         FROM epas e JOIN apprentices a ON a.id = e.apprentice_id \
         LEFT JOIN adjustments adj ON adj.id = (SELECT s.id FROM adjustments s WHERE s.epa_id = e.id \
         ORDER BY s.decided_at DESC, s.id DESC LIMIT 1) \
         WHERE e.id = $1",
        epas::COLUMNS,
        people_gathered(backend)
    )
}

/// The people of the EPA `e` of the apprentice `a`, gathered into one
/// text column: each as its list's letter and its ID, comma-separated,
/// the ID as hex on SQLite (stored as a 16-byte blob), as text on
/// PostgreSQL; either parses as a UUID ([`people_of`]).
fn people_gathered(backend: Backend) -> String {
    let gathered = match backend {
        Backend::Sqlite => "group_concat(p.list || hex(p.person), ',')",
        Backend::Postgres => "string_agg(p.list || p.person::text, ',')",
    };
    format!("(SELECT {gathered} FROM ({PEOPLE_ARMS}) p)")
}

/// The arms of the people: who has a conflict with the employer or with
/// the provider and has not withdrawn it (`c`), and who assessed a sitting
/// or judged in one (`g`). Correlated with the EPA `e` and its apprentice
/// `a`. The judgements (which name the EPA's assessor sixty times over)
/// are grouped by assessor along their index, `(epa_id, assessor_id)`;
/// the few repeats left (a person in two arms) are taken out in
/// [`people_of`]. `UNION ALL`, and no `OR` across two indexes: on SQLite
/// each `UNION` and each such `OR` built a temporary B-tree (migration
/// 0039).
const PEOPLE_ARMS: &str = "SELECT 'c' AS list, user_id AS person FROM conflicts \
     WHERE organisation_id = a.employer_id AND withdrawn_at IS NULL \
     UNION ALL SELECT 'c', user_id FROM conflicts \
     WHERE organisation_id = a.provider_id AND withdrawn_at IS NULL \
     UNION ALL SELECT 'g', assessor_id FROM assessments WHERE epa_id = e.id \
     UNION ALL SELECT 'g', assessor_id FROM judgements WHERE epa_id = e.id GROUP BY assessor_id";

/// The people from their gathered text: `c<id>` or `g<id>`, comma-separated.
fn people_of(gathered: &str) -> Result<People, StoreError> {
    let mut people = People::default();
    for entry in gathered.split(',').filter(|entry| !entry.is_empty()) {
        let (list, id) = entry.split_at_checked(1).unwrap_or((entry, ""));
        let person = Uuid::parse_str(id).map_err(|_| {
            StoreError::Corrupt(format!("a person of the gate is not an ID: {entry}"))
        })?;
        match list {
            "c" => people.conflicted.push(person),
            "g" => people.graders.push(person),
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "a person of the gate is in no list: {entry}"
                )));
            }
        }
    }
    people.conflicted.sort_unstable();
    people.conflicted.dedup();
    people.graders.sort_unstable();
    people.graders.dedup();
    Ok(people)
}

/// The people an access decision about the EPA turns on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    /// Who has a conflict of interest with the employer or the provider,
    /// and has not withdrawn it.
    pub conflicted: Vec<Uuid>,
    /// Who graded any of the EPA's assessments: the assessor of each
    /// sitting and whoever recorded a judgement in it. Segregation of
    /// duties keeps them from releasing, confirming exceptional
    /// circumstances or deciding an appeal on it.
    pub graders: Vec<Uuid>,
}

/// The people alone, for an EPA whose row was read for another purpose:
/// the gate's own column ([`people_gathered`]), read with nothing else.
pub async fn people(reader: Reader<'_>, epa_id: Uuid) -> Result<People, StoreError> {
    let sql = format!(
        "SELECT {} FROM epas e JOIN apprentices a ON a.id = e.apprentice_id WHERE e.id = $1",
        people_gathered(reader.backend())
    );
    let gathered: Option<String> = on_reader!(reader, |exec| sqlx::query_scalar(&sql)
        .bind(epa_id)
        .fetch_one(exec)
        .await)?;
    people_of(gathered.as_deref().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::{people_of, read_sql};
    use crate::{Backend, StoreError};
    use sqlx::Row;
    use uuid::Uuid;

    /// The gate's read, made on every write to an EPA and every read of
    /// its pages, finds each row along an index on SQLite and builds no
    /// temporary B-tree (migration 0039): the EPA's latest adjustment, and
    /// its graders grouped along the judgements' index.
    #[tokio::test]
    async fn the_gate_reads_along_indexes_and_builds_no_temporary_tree() {
        let (_dir, db) = crate::db::scratch_sqlite().await;
        let sqlite = db.as_sqlite();
        let sql = read_sql(Backend::Sqlite);
        let program = sqlx::query(&format!("EXPLAIN {sql}"))
            .fetch_all(sqlite.pool())
            .await
            .unwrap();
        let opcodes: Vec<String> = program.iter().map(|op| op.get(1)).collect();
        assert!(opcodes.iter().any(|op| op == "ResultRow"), "{opcodes:?}");
        for built in ["OpenEphemeral", "SorterOpen", "OpenAutoindex"] {
            assert!(
                !opcodes.iter().any(|op| op == built),
                "{built}: {opcodes:?}"
            );
        }
        let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
            .fetch_all(sqlite.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(3))
            .collect();
        for table in [
            "e",
            "a",
            "adj",
            "s",
            "conflicts",
            "assessments",
            "judgements",
        ] {
            assert!(
                plan.iter()
                    .any(|d| d.starts_with(&format!("SEARCH {table} USING "))),
                "{table}: {plan:?}"
            );
        }
        assert!(
            !plan.iter().any(|d| d.starts_with("SCAN ") && d != "SCAN p"),
            "{plan:?}"
        );
        db.close().await;
    }

    #[test]
    fn repeats_are_taken_out() {
        let a = Uuid::from_u128(0xa);
        let b = Uuid::from_u128(0xb);
        let people = people_of(&format!("g{a},c{b},g{a},c{b},g{b}")).unwrap();
        assert_eq!(people.conflicted, vec![b]);
        assert_eq!(people.graders, vec![a, b]);
    }

    #[test]
    fn the_people_are_read_back_from_either_database_s_text() {
        let a = Uuid::from_u128(0xa);
        let b = Uuid::from_u128(0xb);
        // SQLite's hex of the blob, upper case; PostgreSQL's hyphenated text.
        let sqlite = format!("g{},c{}", a.simple().to_string().to_uppercase(), b.simple());
        let postgres = format!("c{b},g{a}");
        for gathered in [sqlite, postgres] {
            let people = people_of(&gathered).unwrap();
            assert_eq!(people.conflicted, vec![b], "{gathered}");
            assert_eq!(people.graders, vec![a], "{gathered}");
        }
        assert_eq!(people_of("").unwrap(), Default::default(), "nobody");
    }

    #[test]
    fn damaged_people_are_refused_not_skipped() {
        for gathered in ["gnot-an-id", "x00000000000000000000000000000001", "g", "c,"] {
            assert!(
                matches!(people_of(gathered), Err(StoreError::Corrupt(_))),
                "{gathered}"
            );
        }
    }
}
