//! The tierdesk command line: serve the desk, or run one administrative task.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tierdesk::config::Config;
use tierdesk::domain::account::{Role, Tier, check_role_and_tier};
use tierdesk::domain::inputs::{EmailAddress, Line};
use tierdesk::state::AppState;
use tierdesk::{Application, clock::Clock, db, jobs, security, seed};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "tierdesk",
    version,
    about = "A service desk for managed-service providers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the desk (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a staff account with a one-time password.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// technician, manager or admin
        #[arg(long, default_value = "technician")]
        role: String,
        /// tier1, tier2, tier3 or onsite (technicians need one)
        #[arg(long)]
        tier: Option<String>,
    },
    /// Fill the database with a demo desk: clients, contacts, staff on every tier, tickets.
    SeedDemo {
        /// Also load this many generated historical tickets (for benchmarks).
        #[arg(long)]
        tickets: Option<u64>,
        /// Also load this many generated known errors (for the KEDB match benchmark).
        #[arg(long)]
        known_errors: Option<u64>,
        /// Seed even a database that has accounts of its own (the demo staff's password is
        /// public).
        #[arg(long)]
        force: bool,
    },
    /// Run every background job once (deliver queued mail, close solved tickets, …) and exit;
    /// for instances started with JOBS_INTERVAL_SECONDS=0, or to flush the outbox by hand.
    RunJobs,
    /// Read one e-mail message on standard input and store it for the desk (for an MTA's pipe
    /// transport). Exits 0 once the message is stored, 75 (EX_TEMPFAIL) when it could not be,
    /// so the MTA keeps it and tries again.
    Mailgate,
}

fn main() -> ExitCode {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => match EnvFilter::try_new(&spec) {
            Ok(filter) => filter,
            Err(e) => {
                eprintln!("configuration: RUST_LOG: '{spec}' is not a log filter: {e}");
                return ExitCode::from(2);
            }
        },
        _ => EnvFilter::new("info"),
    };
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let cli = Cli::parse();
    let mailgate = matches!(cli.command, Some(Command::Mailgate));
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            // The MTA bounces a message on any other code: a setting fixed later must still
            // find it queued.
            return ExitCode::from(if mailgate { EX_TEMPFAIL } else { 2 });
        }
    };
    if mailgate {
        return run_mailgate(&config);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config),
            Command::CreateUser {
                email,
                name,
                role,
                tier,
            } => create_user(config, &email, &name, &role, tier.as_deref()),
            Command::SeedDemo {
                tickets,
                known_errors,
                force,
            } => seed_demo(config, tickets, known_errors, force),
            Command::RunJobs => run_jobs(config).await,
            // Answered before the runtime starts: it needs its own exit codes.
            Command::Mailgate => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let base_url = config.base_url.clone();
    let backend = config.database_url.backend_name();
    let app = Application::build(config).await?;
    println!(
        "tierdesk is serving at {base_url} (database: {backend}, port {})",
        app.port()
    );
    if let Some(admin) = &app.first_admin {
        println!();
        println!("No active admin: an admin account was created. Sign in at {base_url}/login with");
        println!("  e-mail:   {}", admin.email);
        println!("  password: {}", admin.one_time_password);
        println!(
            "The password works once, within 24 hours: you will choose your own at first sign-in."
        );
        println!("If it lapses unused, `tierdesk create-user --role admin …` makes another admin.");
        println!();
    }
    app.run_until_stopped().await?;
    Ok(())
}

/// sysexits.h: a temporary failure; the MTA keeps the message and retries.
const EX_TEMPFAIL: u8 = 75;

/// Stores the message on standard input, then processes it at once (a failure there leaves it
/// stored for the next sweep, so the exit code says only whether it is safe with the desk).
fn run_mailgate(config: &Config) -> ExitCode {
    use std::io::Read;
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut raw) {
        eprintln!("mailgate: cannot read the message: {e}");
        return ExitCode::from(EX_TEMPFAIL);
    }
    let stored = connect(config).and_then(|mut conn| {
        let now = Clock::default().now();
        let stored = db::inbound::store(&mut conn, &raw, db::inbound::Source::Mailgate, now)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok((conn, stored, now))
    });
    let (mut conn, stored, now) = match stored {
        Ok(stored) => stored,
        Err(e) => {
            eprintln!("mailgate: the message is not stored; the MTA should retry: {e:#}");
            return ExitCode::from(EX_TEMPFAIL);
        }
    };
    let ctx = db::inbound::process::InboundContext::from_config(config);
    match db::inbound::process::process(&mut conn, stored.id(), &ctx, now) {
        Ok(state) => println!("stored as mail #{}: {}", stored.id(), state.label()),
        Err(e) => eprintln!(
            "mailgate: stored as mail #{}; processing failed and is retried by the jobs: {e}",
            stored.id()
        ),
    }
    ExitCode::SUCCESS
}

/// A migrated connection for one-off commands; it keeps its one-connection pool alive.
fn connect(config: &Config) -> anyhow::Result<r2d2::PooledConnection<db::ConnectionManager>> {
    let pool = db::build_pool(&config.database_url, 1)?;
    let mut conn = pool.get()?;
    let applied = db::run_migrations(&mut conn)?;
    if applied > 0 {
        println!("{applied} migration(s) applied");
    }
    Ok(conn)
}

fn migrate(config: Config) -> anyhow::Result<()> {
    connect(&config)?;
    println!("The database schema is up to date.");
    Ok(())
}

fn create_user(
    config: Config,
    email: &str,
    name: &str,
    role: &str,
    tier: Option<&str>,
) -> anyhow::Result<()> {
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = Line::parse(name, "a name", 80).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let tier = tier
        .map(Tier::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--tier: {e}"))?;
    check_role_and_tier(role, tier).map_err(|e| anyhow::anyhow!("--tier: {e}"))?;
    let mut conn = connect(&config)?;
    let password = security::generate_one_time_password();
    let hash = security::hash_password(&password)?;
    let profile = db::users::UserProfile {
        email,
        display_name: name.into_string(),
        role,
        tier,
        skills: String::new(),
        time_zone: chrono_tz::UTC,
    };
    let now = Clock::default().now();
    match db::users::create(&mut conn, None, &profile, &hash, true, now)
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        Ok(row) => {
            println!(
                "Created {} <{}> as {}.",
                row.display_name,
                row.email,
                row.role().label()
            );
            println!("One-time password (works once, within 24 hours): {password}");
            Ok(())
        }
        Err(errors) => Err(anyhow::anyhow!(
            "{}",
            errors
                .get("email")
                .unwrap_or("the account could not be created")
        )),
    }
}

fn seed_demo(
    config: Config,
    bulk: Option<u64>,
    known_errors: Option<u64>,
    force: bool,
) -> anyhow::Result<()> {
    let mut conn = connect(&config)?;
    let real = seed::accounts_of_a_real_desk(&mut conn, tierdesk::FIRST_ADMIN_EMAIL)?;
    if !real.is_empty() && !force {
        anyhow::bail!(
            "this database has accounts of its own ({}{}); the demo staff share a public \
             password, so seed-demo leaves it alone. Add --force to seed it anyway.",
            real[..real.len().min(3)].join(", "),
            if real.len() > 3 { ", …" } else { "" }
        );
    }
    let now = Clock::default().now();
    let mail = tierdesk::mail::messages::MailContext::from_config(&config);
    let report = seed::seed_demo(&mut conn, &mail, now)?;
    println!(
        "Demo desk ready: {} account(s), {} client(s) and {} ticket(s) added.",
        report.accounts_created, report.clients_created, report.tickets_created
    );
    if let Some(count) = bulk {
        let started = std::time::Instant::now();
        let written = seed::bulk_tickets(&mut conn, count, now)?;
        println!(
            "Loaded {written} generated tickets in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(count) = known_errors {
        let started = std::time::Instant::now();
        let written = seed::bulk_known_errors(&mut conn, count, now)?;
        println!(
            "Loaded {written} generated known errors in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    println!("Demo staff (password for all: {}):", seed::DEMO_PASSWORD);
    for account in seed::DEMO_ACCOUNTS {
        let role = match account.tier {
            Some(tier) => format!("{}, {}", account.role.label(), tier.label()),
            None => account.role.label().to_string(),
        };
        println!("  {:<28} {}", account.email, role);
    }
    if !db::users::active_admin_exists(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))? {
        println!(
            "No admin yet: the next start (`tierdesk` or `cargo run --release`) creates one and"
        );
        println!("prints its e-mail and one-time password.");
    }
    Ok(())
}

async fn run_jobs(config: Config) -> anyhow::Result<()> {
    let mailer = tierdesk::mail::transport::Mailer::from_config(&config)?;
    let pool = db::build_pool(&config.database_url, 2)?;
    {
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
            let mut conn = pool.get()?;
            db::run_migrations(&mut conn)
        })
        .await??;
    }
    let state = AppState::new(pool, std::sync::Arc::new(config), Clock::default());
    let report = jobs::run_once(&jobs::Jobs::new(state, mailer)).await?;
    if report.is_idle() {
        println!("Nothing was due.");
    } else {
        println!("{report}");
    }
    Ok(())
}
