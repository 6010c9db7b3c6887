//! The command line: serve, migrate, user add, token create, organisations import, backup.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use crate::app;
use crate::auth;
use crate::config::Config;
use crate::db::{self, Db};
use crate::domain::{Email, OrgCode, OrgKind, PersonName};

/// kring — knowledge exchange for Communities of Practice of Dutch municipalities.
#[derive(Debug, Parser)]
#[command(name = "kring", version, about)]
pub struct Cli {
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations and serve HTTP on KRING_BIND.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage users.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage personal API tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage organisations.
    Organisations {
        /// What to do with organisations.
        #[command(subcommand)]
        command: OrganisationsCommand,
    },
    /// Fill the database with a realistic demonstration (idempotent).
    Demo {
        /// Also generate N units of data at scale for benchmarks, on top of the demo: per unit
        /// 50 communities, 2,000 users, 100,000 notes with 200,000 comments, 1,000 meetings,
        /// 10,000 practice examples and 5,000 topics with votes. Units already there are kept.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        scale: Option<u32>,
    },
    /// Write a consistent copy of the SQLite database (also while kring runs).
    Backup {
        /// Where to write the copy; must not exist yet.
        path: PathBuf,
    },
}

/// `kring user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (or say that it exists).
    Add {
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
    },
}

/// `kring token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token and print only the token.
    Create {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "command line")]
        label: String,
    },
}

/// `kring organisations …`
#[derive(Debug, Subcommand)]
pub enum OrganisationsCommand {
    /// Insert or update organisations from a CSV file with columns code,name,kind,province,population.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = connect(&config).await?;
            db.migrate().await?;
            println!("Database is up to date.");
            db.close().await;
            Ok(())
        }
        Command::User {
            command: UserCommand::Add { email, name, admin },
        } => user_add(&config, &email, &name, admin).await,
        Command::Token {
            command: TokenCommand::Create { email, label },
        } => token_create(&config, &email, &label).await,
        Command::Organisations {
            command: OrganisationsCommand::Import { file },
        } => import(&config, &file).await,
        Command::Backup { path } => backup(&config, &path).await,
        Command::Demo { scale } => {
            let db = connect(&config).await?;
            db.migrate().await?;
            let state = app::AppState::new(config, db)?;
            let summary = crate::demo::run(&state, 1).await?;
            println!("{summary}");
            if let Some(units) = scale {
                println!("{}", crate::demo::scale::run(&state, units).await?);
            }
            state.db.close().await;
            Ok(())
        }
    }
}

async fn connect(config: &Config) -> anyhow::Result<Db> {
    Db::connect(config.database_url.expose(), config.connections()).await
}

async fn serve(mut config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    if !config.base_url_explicit {
        // With KRING_BIND=…:0 the port is known only now.
        config.base_url = format!("http://{}", listener.local_addr()?);
    }
    let db = connect(&config).await?;
    db.migrate().await?;
    if let Some(link) = bootstrap_admin(&db, &config).await? {
        println!(
            "Sign-in link for the first administrator ({}), valid {} minutes, works once:\n{link}",
            config.admin_email,
            auth::LINK_VALIDITY_MINUTES
        );
    }
    let url = format!("http://{}", listener.local_addr()?);
    let running = app::start_with_db(config, db, listener, app::shutdown_signal())?;
    println!("kring is listening on {url}");
    tracing::info!(%url, backend = running.state.db.backend(), "serving");
    running.wait().await.context("serving HTTP")
}

/// On an empty database, creates the first administrator; while no administrator has ever signed
/// in, returns a fresh sign-in link for them (so an expired first link is replaced at the next start).
pub async fn bootstrap_admin(db: &Db, config: &Config) -> anyhow::Result<Option<String>> {
    let mut tx = db.begin().await?;
    if db::users::count(db).await? == 0 {
        let email = Email::parse(&config.admin_email)
            .map_err(|m| anyhow::anyhow!("KRING_ADMIN_EMAIL: {m}"))?;
        let new_admin = db::users::NewUser {
            email,
            name: PersonName::parse("Beheerder").map_err(anyhow::Error::msg)?,
            is_admin: true,
            organisation_code: None,
        };
        match db::users::create(&mut tx, &new_admin).await {
            Ok(user) => {
                db::audit::record(&mut tx, None, "admin_created", &user.id, "first start").await?;
                let link = auth::create_link(&mut tx, &config.base_url, &user).await?;
                tx.commit().await?;
                return Ok(Some(link));
            }
            // Another instance starting at the same moment created it first.
            Err(crate::error::Error::Refused {
                code: "user_exists",
                ..
            }) => {
                drop(tx);
                tx = db.begin().await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let Some(admin) = db::users::unclaimed_admin(db).await? else {
        return Ok(None);
    };
    let link = auth::create_link(&mut tx, &config.base_url, &admin).await?;
    tx.commit().await?;
    Ok(Some(link))
}

async fn user_add(config: &Config, email: &str, name: &str, admin: bool) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|m| anyhow::anyhow!("--email: {m}"))?;
    let name = PersonName::parse(name).map_err(|m| anyhow::anyhow!("--name: {m}"))?;
    let db = connect(config).await?;
    db.migrate().await?;
    if let Some(existing) = db::users::find_by_email(&db, &email).await? {
        println!(
            "User {} already exists (id {}).",
            existing.email, existing.id
        );
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let user = db::users::create(
        &mut tx,
        &db::users::NewUser {
            email,
            name,
            is_admin: admin,
            organisation_code: None,
        },
    )
    .await?;
    db::audit::record(
        &mut tx,
        None,
        if admin {
            "admin_created"
        } else {
            "user_created"
        },
        &user.id,
        "command line",
    )
    .await?;
    tx.commit().await?;
    println!(
        "Created {} {} (id {}).",
        if admin { "administrator" } else { "user" },
        user.email,
        user.id
    );
    db.close().await;
    Ok(())
}

async fn token_create(config: &Config, email: &str, label: &str) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|m| anyhow::anyhow!("--email: {m}"))?;
    let label = crate::api::me::parse_label(label).map_err(anyhow::Error::msg)?;
    let db = connect(config).await?;
    db.migrate().await?;
    let Some(user) = db::users::find_by_email(&db, &email).await? else {
        bail!("no user with e-mail address {email}; create one with `kring user add`");
    };
    let secret = format!("kring_{}", auth::new_secret());
    let mut tx = db.begin().await?;
    let id =
        db::sessions::create_token(&mut tx, &user.id, &label, &auth::hash_secret(&secret)).await?;
    db::audit::record(&mut tx, Some(&user.id), "token_created", &id, &label).await?;
    tx.commit().await?;
    println!("{secret}");
    db.close().await;
    Ok(())
}

#[derive(serde::Deserialize)]
struct ImportRow {
    code: String,
    name: String,
    kind: String,
    province: Option<String>,
    population: Option<i64>,
}

async fn import(config: &Config, file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.deserialize::<ImportRow>().enumerate() {
        let line = index + 2;
        let row = record.with_context(|| format!("{} line {line}", file.display()))?;
        let code = OrgCode::parse(&row.code).map_err(|m| anyhow::anyhow!("line {line}: {m}"))?;
        let kind = OrgKind::parse(&row.kind).ok_or_else(|| {
            anyhow::anyhow!(
                "line {line}: kind must be municipality, province, water_board or other"
            )
        })?;
        if row.name.is_empty() {
            bail!("line {line}: name is empty");
        }
        rows.push(db::organisations::OrgInput {
            code,
            name: row.name,
            kind,
            province: row.province.filter(|p| !p.is_empty()),
            population: row.population,
        });
    }
    let db = connect(config).await?;
    db.migrate().await?;
    let progress = indicatif::ProgressBar::new(rows.len() as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} organisaties {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut tx = db.begin().await?;
    for row in &rows {
        db::organisations::upsert(&mut tx, row).await?;
        progress.inc(1);
    }
    tx.commit().await?;
    progress.finish_and_clear();
    println!("Imported {} organisations.", rows.len());
    db.close().await;
    Ok(())
}

async fn backup(config: &Config, path: &Path) -> anyhow::Result<()> {
    if !config.database_url.expose().starts_with("sqlite:") {
        bail!(
            "kring backup copies SQLite databases; for PostgreSQL use pg_dump (see docs/operations.md)"
        );
    }
    if path.exists() {
        bail!("{} already exists; choose a new file name", path.display());
    }
    db::backup_sqlite(config.database_url.expose(), path).await?;
    println!("Backup written to {}.", path.display());
    Ok(())
}
