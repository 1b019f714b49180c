//! Both migration folders describe the same schema, and every step reverts cleanly. The
//! full-text index is each backend's own (SQLite's FTS5 `*_fts` tables, PostgreSQL's tsvector
//! columns under GIN indexes), so the comparison leaves it out.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text};
use diesel_migrations::MigrationHarness;
use tierdesk::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

use crate::helpers::{PgDatabase, postgres_admin_url};

type Column = (String, String, String, bool);

#[derive(QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text, column_name = "type")]
    type_name: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// (table, indexed columns in order, unique, partial); primary keys left out, since SQLite's
/// rowid ids have no index of their own.
type Index = (String, String, bool, bool);

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    columns: Option<String>,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_partial: bool,
}

fn sorted(rows: Vec<IndexRow>) -> Vec<Index> {
    let mut indexes: Vec<Index> = rows
        .into_iter()
        .map(|r| {
            (
                r.table_name,
                r.columns.unwrap_or_default(),
                r.is_unique,
                r.is_partial,
            )
        })
        .collect();
    indexes.sort();
    indexes
}

fn sqlite_indexes(path: &std::path::Path) -> Vec<Index> {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    sorted(
        diesel::sql_query(
            "SELECT m.name AS table_name, il.\"unique\" AS is_unique, il.partial AS is_partial, \
             (SELECT group_concat(name, ',') FROM \
                (SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) AS columns \
             FROM sqlite_master m, pragma_index_list(m.name) il \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name NOT LIKE '%\\_fts%' ESCAPE '\\' \
             AND m.name <> '__diesel_schema_migrations' AND il.origin <> 'pk'",
        )
        .load(&mut conn)
        .unwrap(),
    )
}

fn pg_indexes(url: &str) -> Vec<Index> {
    let mut conn = PgConnection::establish(url).unwrap();
    sorted(
        diesel::sql_query(
            "SELECT t.relname::text AS table_name, ix.indisunique AS is_unique, \
             (ix.indpred IS NOT NULL) AS is_partial, \
             array_to_string(ARRAY(SELECT a.attname::text \
                FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                ORDER BY k.ord), ',') AS columns \
             FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public' AND NOT ix.indisprimary \
             AND (SELECT am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam \
                  WHERE i.oid = ix.indexrelid) <> 'gin' \
             AND t.relname <> '__diesel_schema_migrations'",
        )
        .load(&mut conn)
        .unwrap(),
    )
}

fn portable_type(raw: &str) -> String {
    match raw.to_lowercase().as_str() {
        "integer" | "bigint" => "integer",
        "text" => "text",
        "boolean" => "boolean",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "date" => "date",
        "blob" | "bytea" => "binary",
        other => panic!("column type {other} is not one of the portable types"),
    }
    .to_string()
}

fn sqlite_columns(conn: &mut SqliteConnection) -> BTreeSet<Column> {
    let tables: Vec<SqliteTable> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' \
         AND name NOT LIKE '%\\_fts%' ESCAPE '\\'",
    )
    .load(conn)
    .unwrap();
    let mut columns = BTreeSet::new();
    for table in tables {
        let rows: Vec<SqliteColumn> =
            // table_xinfo, not table_info: the latter hides generated columns.
            diesel::sql_query(format!("PRAGMA table_xinfo({})", table.name))
                .load(conn)
                .unwrap();
        for c in rows {
            columns.insert((
                table.name.clone(),
                c.name,
                portable_type(&c.type_name),
                c.notnull == 1 || c.pk == 1,
            ));
        }
    }
    columns
}

fn pg_columns(conn: &mut PgConnection) -> BTreeSet<Column> {
    let rows: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         data_type::text AS data_type, is_nullable::text AS is_nullable \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name <> '__diesel_schema_migrations' AND data_type <> 'tsvector'",
    )
    .load(conn)
    .unwrap();
    rows.into_iter()
        .map(|c| {
            (
                c.table_name,
                c.column_name,
                portable_type(&c.data_type),
                c.is_nullable == "NO",
            )
        })
        .collect()
}

fn step_names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    names.sort();
    names
}

#[test]
fn both_folders_hold_the_same_steps_each_with_a_real_down() {
    let sqlite = step_names("sqlite");
    assert_eq!(sqlite, step_names("postgres"));
    assert!(!sqlite.is_empty());
    for backend in ["sqlite", "postgres"] {
        for step in &sqlite {
            let down = std::fs::read_to_string(format!(
                "{}/migrations/{backend}/{step}/down.sql",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            assert!(
                down.contains("DROP") || down.contains("ALTER"),
                "{backend}/{step}/down.sql is empty"
            );
        }
    }
}

fn sqlite_up_down_up(path: &std::path::Path) -> BTreeSet<Column> {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    let first = sqlite_columns(&mut conn);
    // Step by step, so that each down.sql is exercised on the schema it belongs to.
    while !conn.applied_migrations().unwrap().is_empty() {
        conn.revert_last_migration(SQLITE_MIGRATIONS).unwrap();
    }
    assert!(
        sqlite_columns(&mut conn).is_empty(),
        "down leaves no table behind"
    );
    conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    assert_eq!(sqlite_columns(&mut conn), first);
    first
}

fn pg_up_down_up(url: &str) -> BTreeSet<Column> {
    let mut conn = PgConnection::establish(url).unwrap();
    conn.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
    let first = pg_columns(&mut conn);
    while !conn.applied_migrations().unwrap().is_empty() {
        conn.revert_last_migration(POSTGRES_MIGRATIONS).unwrap();
    }
    assert!(
        pg_columns(&mut conn).is_empty(),
        "down leaves no table behind"
    );
    conn.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
    assert_eq!(pg_columns(&mut conn), first);
    first
}

#[test]
fn sqlite_migrations_revert_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let columns = sqlite_up_down_up(&dir.path().join("m.db"));
    assert!(
        columns
            .iter()
            .any(|(t, c, _, _)| t == "users" && c == "email")
    );
}

#[test]
fn postgres_migrations_revert_cleanly_and_match_sqlite_column_for_column_and_index_for_index() {
    let Some(admin) = postgres_admin_url() else {
        return;
    };
    let db = PgDatabase::create(&admin);
    let pg = pg_up_down_up(&db.url);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_up_down_up(&dir.path().join("m.db"));
    let only_pg: Vec<_> = pg.difference(&sqlite).collect();
    let only_sqlite: Vec<_> = sqlite.difference(&pg).collect();
    assert!(
        only_pg.is_empty() && only_sqlite.is_empty(),
        "schemas differ\nonly on PostgreSQL: {only_pg:?}\nonly on SQLite: {only_sqlite:?}"
    );
    let (pg, sqlite) = (
        pg_indexes(&db.url),
        sqlite_indexes(&dir.path().join("m.db")),
    );
    assert!(!sqlite.is_empty());
    assert_eq!(pg, sqlite, "indexes differ (PostgreSQL, then SQLite)");
}
