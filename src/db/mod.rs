//! Persistence: one connection type over SQLite and PostgreSQL, the pool, and migrations.

pub mod absences;
pub mod access;
pub mod account_managers;
pub mod alert_sources;
pub mod alerts;
pub mod api_tokens;
pub mod approvals;
pub mod attachments;
pub mod audit;
pub mod categories;
pub mod changes;
pub mod client_links;
pub mod clients;
pub mod columns;
pub mod dashboard;
pub mod decision_point;
pub mod escalation;
pub mod explain;
pub mod fulltext;
pub mod inbound;
pub mod kb;
pub mod kb_edit;
pub mod known_errors;
pub mod known_errors_on_ticket;
pub mod ladder_admin;
pub mod names;
pub mod notify;
pub mod outcome;
pub mod problems;
pub mod reports;
pub mod risks;
pub mod schema;
pub mod search;
pub mod service_levels;
pub mod sessions;
pub mod sla_clock;
pub mod stale;
pub mod surveys;
pub mod throttle;
pub mod tickets;
pub mod timeline;
pub mod uptime;
pub mod users;
pub mod write_turn;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;
use crate::error::AppResult;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(String);

/// Picks the backend from the URL, so a refused port or a wrong password is reported as such
/// (diesel's stock manager for a MultiConnection calls every failure an invalid URL).
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

/// busy_timeout comes first: the pool opens connections in parallel, and the WAL switch takes
/// a lock the others must wait for instead of failing with "database is locked".
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url.expose())
                .map(DbConn::Postgres)
                .map_err(|e| ConnectError(format!("PostgreSQL: {e}"))),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    ConnectError(format!("SQLite path {} is not UTF-8", path.display()))
                })?;
                let mut conn = SqliteConnection::establish(path)
                    .map_err(|e| ConnectError(format!("SQLite {path}: {e}")))?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(|e| ConnectError(format!("SQLite pragmas: {e}")))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

pub fn build_pool(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<Pool> {
    if let DatabaseUrl::Sqlite(path) = url {
        ensure_parent_dir(path)?;
    }
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
        .build(ConnectionManager::new(url.clone()))
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    if let DatabaseUrl::Sqlite(path) = url
        && path.exists()
    {
        // Created by the first connection with the process's umask; it holds every record.
        crate::private_files::restrict_to_owner(path)
            .map_err(|e| anyhow::anyhow!("cannot restrict {}: {e}", path.display()))?;
    }
    Ok(pool)
}

fn ensure_parent_dir(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::private_files::create_private_dir(parent)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
    }
    Ok(())
}

/// Applies every pending migration. On PostgreSQL an advisory lock keeps several instances
/// starting at once from racing each other through the same steps.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Postgres(pg) => {
            pg.batch_execute("SELECT pg_advisory_lock(7220417)")?;
            let result = pg
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            pg.batch_execute("SELECT pg_advisory_unlock(7220417)")?;
            result
        }
        DbConn::Sqlite(lite) => lite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| anyhow::anyhow!("migrations failed: {e}"))
}

/// Refreshes the query planner's statistics after a bulk load. On SQLite in full: a sampled
/// ANALYZE (`analysis_limit`) judges each index by its first few hundred entries, so it told the
/// planner that `kind = 'incident'` matches 401 of a million tickets and the reports left their
/// date ranges for that index. Without statistics at all SQLite cannot see that the "due soon"
/// queue's OR can use two indexes. PostgreSQL's autovacuum does the same on its own, and is only
/// asked here after a bulk load: VACUUM as well, because the report counts are index-only scans,
/// which read the heap until the visibility map is set.
pub fn refresh_statistics(conn: &mut DbConn) -> AppResult<()> {
    match conn {
        DbConn::Sqlite(lite) => lite.batch_execute("PRAGMA analysis_limit = 0; ANALYZE;")?,
        DbConn::Postgres(pg) => pg.batch_execute("VACUUM ANALYZE")?,
    }
    Ok(())
}

#[derive(QueryableByName)]
struct CountedTable {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    /// The rows the table had when last analysed; `None` when one of its indexes was never.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    counted: Option<i64>,
}

/// On SQLite, at start-up and then every few hours (`jobs::statistics`): analyses in full each
/// table that has an index without statistics (a new database, or indexes a migration just
/// added) or that has more than doubled or halved since it was last analysed, and keeps the
/// rest: analysing a million tickets takes seconds, and what a bulk load left is as good as a
/// new count. Returns how many tables it analysed.
pub fn analyse_unknown_tables(conn: &mut DbConn) -> AppResult<usize> {
    let DbConn::Sqlite(lite) = conn else {
        return Ok(0);
    };
    let analysed: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1')",
    ))
    .get_result(lite)?;
    if analysed == 0 {
        lite.batch_execute("PRAGMA analysis_limit = 0; ANALYZE;")?;
        return Ok(1);
    }
    let tables: Vec<CountedTable> = diesel::sql_query(
        "SELECT m.tbl_name AS name, \
         CASE WHEN count(s.idx) < count(*) THEN NULL \
         ELSE max(CAST(substr(s.stat, 1, instr(s.stat || ' ', ' ') - 1) AS INTEGER)) END AS counted \
         FROM sqlite_schema m LEFT JOIN sqlite_stat1 s ON s.idx = m.name \
         WHERE m.type = 'index' AND m.sql IS NOT NULL GROUP BY m.tbl_name",
    )
    .load(lite)?;
    let mut refreshed = 0;
    for table in tables {
        // Names come from the schema itself; quoting keeps any name one identifier.
        let name = table.name.replace('"', "\"\"");
        let stale = match table.counted {
            None => true,
            Some(counted) => {
                let rows: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                    &format!("(SELECT count(*) FROM \"{name}\")"),
                ))
                .get_result(lite)?;
                rows > 2 * counted.max(50) || rows * 2 < counted
            }
        };
        if stale {
            lite.batch_execute(&format!("PRAGMA analysis_limit = 0; ANALYZE \"{name}\";"))?;
            refreshed += 1;
        }
    }
    Ok(refreshed)
}

/// Runs blocking database work off the async threads.
pub async fn run<T, F>(pool: &Pool, work: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

/// A write transaction. On SQLite it starts with BEGIN IMMEDIATE: a deferred transaction that
/// reads and then writes can fail on the lock upgrade, which busy_timeout does not cover. And
/// it waits for its turn among the process's writers first (`write_turn`): a writer that finds
/// the lock taken sleeps in busy_timeout's growing steps, which put ticket creation's p99 at
/// 0.4–0.8 s under 8 to 32 concurrent forms while its median was 6–34 ms.
pub fn write_tx<T, F>(conn: &mut DbConn, work: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T>,
{
    if matches!(conn, DbConn::Sqlite(_)) {
        write_turn::sqlite_turn(|| {
            conn.batch_execute("BEGIN IMMEDIATE")?;
            match work(conn) {
                Ok(value) => {
                    conn.batch_execute("COMMIT")?;
                    Ok(value)
                }
                Err(e) => {
                    if let Err(rollback) = conn.batch_execute("ROLLBACK") {
                        tracing::error!(error = %rollback, "rollback failed");
                    }
                    Err(e)
                }
            }
        })
    } else {
        conn.transaction(work)
    }
}

pub fn backend_name(conn: &DbConn) -> &'static str {
    match conn {
        DbConn::Postgres(_) => "postgres",
        DbConn::Sqlite(_) => "sqlite",
    }
}

/// Answers "is the database there?" for /healthz.
pub fn ping(conn: &mut DbConn) -> AppResult<()> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

/// True when a write failed on a unique index, so the caller can explain which value is taken.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = Text)]
        compile_options: String,
    }

    /// A build that lost one of the flags in `.cargo/config.toml` is slow, not wrong, so only
    /// this test notices.
    #[test]
    fn the_bundled_sqlite_is_built_for_a_pool_of_busy_connections()
    -> Result<(), Box<dyn std::error::Error>> {
        let mut conn = SqliteConnection::establish(":memory:")?;
        let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)?
            .into_iter()
            .map(|o| o.compile_options)
            .collect();
        for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|o| o == wanted),
                "{wanted} missing: {options:?}"
            );
        }
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "one shared page cache: {options:?}"
        );
        Ok(())
    }
}
