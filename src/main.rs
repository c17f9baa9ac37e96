//! The `lyceum` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lyceum::config::{Config, ConfigError};

#[derive(Parser)]
#[command(
    name = "lyceum",
    version,
    about = "A self-hosted Discord bot for paid knowledge communities"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot (token from the DISCORD_TOKEN environment variable)
    Run {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
    /// Play a scripted session against a built-in simulated Discord (no token needed)
    Demo,
    /// Validate a config file and print a summary or every problem
    CheckConfig {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
    /// Print the invite link with exactly the permissions this config needs, and why each
    InviteUrl {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
        /// The application id (default: read from DISCORD_TOKEN)
        #[arg(long)]
        client_id: Option<u64>,
    },
    /// Bring members' points and levels from another bot (once: a second run changes nothing)
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Write a consistent copy of the database (safe while the bot runs)
    Backup {
        /// Where to write the copy (must not exist)
        path: PathBuf,
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportFrom {
    /// MEE6's leaderboard JSON (one page, or a list of pages): XP becomes points and levels
    Mee6 {
        #[arg(long)]
        file: PathBuf,
        /// Print what would change, write nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
    /// A CSV with a header naming user_id and points
    Csv {
        /// What the file holds (today: points)
        #[arg(long, value_parser = ["points"])]
        kind: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
}

/// Exit code for a config that cannot be used.
const EXIT_CONFIG: u8 = 2;

fn load_config(path: &std::path::Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|error| {
        match error {
            ConfigError::Io { .. } | ConfigError::Missing { .. } => eprintln!("error: {error}"),
            ConfigError::Invalid(problems) => {
                eprintln!("{}: {} problem(s):", path.display(), problems.len());
                for problem in problems {
                    eprintln!("  {problem}");
                }
            }
        }
        ExitCode::from(EXIT_CONFIG)
    })
}

/// `lyceum check-config` on a config that parses: the summary, every section understood, and
/// what is still to do (placeholders left from the example, secrets not in the environment).
fn check_config_report(path: &std::path::Path, config: &Config) {
    use lyceum::config::report;
    println!("{}: ok\n{}", path.display(), config.summary());
    for line in report::understood(config) {
        println!("{line}");
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let placeholders = report::placeholders(&text);
    if !placeholders.is_empty() {
        println!(
            "\nstill the example's placeholders (replace with your server's ids; Discord → Settings → Advanced → Developer Mode, then right-click → Copy ID):"
        );
        for key in placeholders {
            println!("  {key}");
        }
    }
    let missing = report::missing_secrets(config, |name| std::env::var(name).ok());
    if !missing.is_empty() {
        println!("\nwarnings:");
        for line in missing {
            println!("  {line}");
        }
    }
}

/// `lyceum import …`: reads the file, shows the plan, and (unless a dry run) brings the points
/// in. Level roles go out through the outbox when the bot runs.
async fn import(from: ImportFrom) -> ExitCode {
    use lyceum::features::points::import;
    let (source, file, dry_run, config_path) = match &from {
        ImportFrom::Mee6 {
            file,
            dry_run,
            config,
        } => ("mee6", file, *dry_run, config),
        ImportFrom::Csv {
            file,
            dry_run,
            config,
            ..
        } => ("csv", file, *dry_run, config),
    };
    let config = match load_config(config_path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let rows = match source {
        "mee6" => import::parse_mee6(&text).map_err(|e| vec![e]),
        _ => import::parse_points_csv(&text),
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(problems) => {
            eprintln!(
                "{}: nothing imported, {} problem(s):",
                file.display(),
                problems.len()
            );
            for problem in problems {
                eprintln!("  {problem}");
            }
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let outcome = async {
        let db = lyceum::db::Db::open(&config.database.path).await?;
        let clock = std::sync::Arc::new(lyceum::clock::SystemClock);
        let app = lyceum::state::AppState::detached(db, config.clone(), clock);
        let plan = import::plan(&app, source, &rows).await?;
        println!(
            "{}: {} member(s) to import ({} points in all), {} imported before (left as they are)",
            file.display(),
            plan.new.len(),
            plan.points(),
            plan.already
        );
        if dry_run {
            println!("dry run: nothing written");
            return Ok(());
        }
        let done = import::run(&app, &config, source, &rows).await?;
        println!(
            "imported {} member(s); their level roles go out when the bot runs",
            done.new.len()
        );
        Ok::<(), lyceum::error::Error>(())
    };
    match outcome.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// `lyceum invite-url`: the link, then each permission with why it is asked for.
fn invite_url(config: &Config, client_id: Option<u64>) -> ExitCode {
    use lyceum::discord::invite;
    let from_token = || {
        let token = std::env::var("DISCORD_TOKEN").ok()?;
        invite::client_id_of(token.trim())
    };
    let Some(client_id) = client_id.or_else(from_token) else {
        eprintln!(
            "error: give --client-id (Developer Portal → your application → Application ID) or set DISCORD_TOKEN"
        );
        return ExitCode::from(EXIT_CONFIG);
    };
    let needed = invite::permissions(config);
    println!(
        "{}
",
        invite::url(client_id, &needed)
    );
    println!("Permissions, and why Lyceum asks for each:");
    for n in &needed {
        println!("  {:<22} {}", n.name, n.why);
    }
    println!(
        "\nThen drag the bot's role above every role it should grant (Server Settings → Roles)."
    );
    ExitCode::SUCCESS
}

fn init_logging(default: &str) {
    lyceum::logging::init(default);
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::CheckConfig { config } => match load_config(&config) {
            Ok(parsed) => {
                check_config_report(&config, &parsed);
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Run { config: path } => {
            init_logging("info,serenity=warn,tracing::span=warn");
            let config = match load_config(&path) {
                Ok(config) => config,
                Err(code) => return code,
            };
            let token = match std::env::var("DISCORD_TOKEN") {
                Ok(token) if !token.trim().is_empty() => token.trim().to_string(),
                _ => {
                    eprintln!("error: DISCORD_TOKEN is not set; export your bot token (Discord Developer Portal → Bot → Token) and try again");
                    return ExitCode::from(EXIT_CONFIG);
                }
            };
            let mut options = lyceum::app::Options::new(config, Some(path), token);
            options.stripe_webhook_secret = std::env::var("STRIPE_WEBHOOK_SECRET")
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            match lyceum::run(options).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Demo => {
            // The transcript is the output; logs only for real trouble (RUST_LOG overrides).
            init_logging("error");
            match lyceum::harness::demo::run().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("demo failed: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::InviteUrl { config, client_id } => {
            let config = match load_config(&config) {
                Ok(config) => config,
                Err(code) => return code,
            };
            invite_url(&config, client_id)
        }
        Command::Import { from } => import(from).await,
        Command::Backup { path, config } => {
            let config = match load_config(&config) {
                Ok(config) => config,
                Err(code) => return code,
            };
            match lyceum::db::backup(&config.database.path, &path).await {
                Ok(()) => {
                    println!(
                        "backed up {} to {}",
                        config.database.path.display(),
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
