//! The schema as the database reports it: table and column names. Used to
//! prove the SQLite and PostgreSQL migrations build the same tables.

use std::collections::BTreeMap;

use crate::{Db, StoreError};

/// Table name to its column names, sorted; the migration bookkeeping table
/// is left out.
pub async fn tables(db: &Db) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    // Each engine describes itself differently: SQLite through pragma
    // table-valued functions, PostgreSQL through information_schema.
    let pairs: Vec<(String, String)> = match db {
        Db::Sqlite(sqlite) => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
            )
            .fetch_all(sqlite.pool())
            .await?
        }
        Db::Postgres(pool) => {
            sqlx::query_as(
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await?
        }
    };
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in pairs {
        tables.entry(table).or_default().push(column);
    }
    for columns in tables.values_mut() {
        columns.sort();
    }
    Ok(tables)
}
