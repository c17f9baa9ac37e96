//! The `lyceum` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
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
    Demo {
        /// Keep the community running afterwards and print links to its web pages
        #[arg(long)]
        web: bool,
    },
    /// Validate a config file and print a summary or every problem
    CheckConfig {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
    /// Write a first config.toml by asking about your server (names, not ids)
    Init(InitArgs),
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

#[derive(clap::Args)]
struct InitArgs {
    /// Where to write the config
    #[arg(long, default_value = "config.toml")]
    output: PathBuf,
    /// Replace an existing file
    #[arg(long)]
    force: bool,
    /// Ask nothing: take the flags below, leave the rest out (for scripts)
    #[arg(long)]
    non_interactive: bool,
    /// The server, by name (default: the only one the bot is in)
    #[arg(long)]
    server: Option<String>,
    /// The mod-log channel, by name
    #[arg(long)]
    mod_log: Option<String>,
    /// The announcements channel, by name
    #[arg(long)]
    announcements: Option<String>,
    /// An IANA time zone, e.g. Asia/Shanghai (default: this machine's)
    #[arg(long)]
    timezone: Option<String>,
    /// The community's default language: en or zh-CN
    #[arg(long)]
    language: Option<String>,
    /// The role whose holders are admins, by name
    #[arg(long)]
    admin_role: Option<String>,
    /// The role whose holders are moderators, by name
    #[arg(long)]
    moderator_role: Option<String>,
    /// Discord's API base (only for the simulated Discord)
    #[arg(long, hide = true)]
    api_url: Option<String>,
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
    /// Paid members from a LaunchPass, Whop, Upgrade.Chat, Patreon or 知识星球 CSV export:
    /// one grant of the product each, until the end date in the file
    Members {
        #[arg(long)]
        file: PathBuf,
        /// The product (its id in config.toml) the members paid for
        #[arg(long)]
        product: String,
        /// Only rows of this plan or tier (for an export that holds several)
        #[arg(long)]
        plan: Option<String>,
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

/// Asks on stdin which of `options` is meant (number, name or id); Enter takes `default` or,
/// without one, leaves the key out. A flag answers without asking.
fn pick<'a>(
    interactive: bool,
    question: &str,
    options: &'a [lyceum::setup::Named],
    flag: Option<&str>,
    default: Option<usize>,
) -> anyhow::Result<Option<&'a lyceum::setup::Named>> {
    use lyceum::setup::choose;
    if let Some(flag) = flag {
        return choose(options, flag)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("{question}: no {flag:?} among {}", names(options)));
    }
    if !interactive {
        return Ok(default.and_then(|i| options.get(i)));
    }
    println!("\n{question}");
    for (i, option) in options.iter().enumerate() {
        println!("  {:>2}. {}", i + 1, option.name);
    }
    loop {
        let hint = default.map_or("Enter to skip".to_string(), |i| {
            format!("Enter for {}", options[i].name)
        });
        let answer = ask(&format!("number or name ({hint})"))?;
        if answer.is_empty() {
            return Ok(default.and_then(|i| options.get(i)));
        }
        match choose(options, &answer) {
            Some(found) => return Ok(Some(found)),
            None => println!("  no {answer:?} here; try again"),
        }
    }
}

fn names(options: &[lyceum::setup::Named]) -> String {
    options
        .iter()
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line from stdin after a prompt (end of input: an empty answer).
fn ask(prompt: &str) -> anyhow::Result<String> {
    use std::io::Write;
    print!("> {prompt}: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// The community's server: the only one the bot is in, the `--server` flag's, or asked.
fn init_server<'a>(
    servers: &'a [lyceum::setup::Named],
    flag: Option<&str>,
    interactive: bool,
) -> anyhow::Result<&'a lyceum::setup::Named> {
    match (servers, flag) {
        // The only server the bot is in: nothing to ask.
        ([only], None) => {
            println!("server: {} (the only one the bot is in)", only.name);
            Ok(only)
        }
        (_, flag) => pick(
            interactive,
            "Which server is your community?",
            servers,
            flag,
            None,
        )?
        .ok_or_else(|| {
            anyhow::anyhow!("choose a server with --server (one of: {})", names(servers))
        }),
    }
}

/// The community's time zone: the flag's, typed, or this machine's (an IANA name, checked,
/// with a suggestion for a near miss).
fn init_timezone(flag: Option<String>, interactive: bool) -> anyhow::Result<chrono_tz::Tz> {
    let suggested = lyceum::setup::suggested_timezone();
    let timezone = match flag {
        Some(tz) => tz,
        None if interactive => {
            let typed = ask(&format!("time zone, IANA name (Enter for {suggested})"))?;
            if typed.is_empty() {
                suggested.name().to_string()
            } else {
                typed
            }
        }
        None => suggested.name().to_string(),
    };
    timezone.parse().map_err(|_| {
        let meant = lyceum::config::mistakes::zone_meant(&timezone)
            .map(|m| format!(", did you mean \"{m}\"?"))
            .unwrap_or_default();
        anyhow::anyhow!("{timezone:?} is not an IANA time zone{meant}")
    })
}

/// The community's default language: the flag's, typed, or English.
fn init_language(flag: Option<String>, interactive: bool) -> anyhow::Result<String> {
    let language = match flag {
        Some(language) => language,
        None if interactive => {
            let typed = ask("default language: en or zh-CN (Enter for en)")?;
            if typed.is_empty() {
                "en".to_string()
            } else {
                typed
            }
        }
        None => "en".to_string(),
    };
    if !matches!(language.as_str(), "en" | "zh-CN") {
        anyhow::bail!("language {language:?}: Lyceum speaks en and zh-CN");
    }
    Ok(language)
}

/// `lyceum init`: the bot's servers, then that server's channels and roles by name, a few
/// questions, and a short commented config.toml with real ids.
async fn init(args: InitArgs) -> anyhow::Result<()> {
    use lyceum::setup::{self, Answers, Discord};
    if args.output.exists() && !args.force {
        anyhow::bail!(
            "{} already exists (add --force to replace it)",
            args.output.display()
        );
    }
    let token = std::env::var("DISCORD_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| anyhow::anyhow!("DISCORD_TOKEN is not set; export your bot token (Discord Developer Portal → Bot → Token) and try again"))?;
    let api_url = args
        .api_url
        .clone()
        .unwrap_or_else(|| "https://discord.com".into());
    let discord = Discord::new(&api_url, token.trim());
    let interactive = !args.non_interactive;
    let servers = discord.servers().await?;
    if servers.is_empty() {
        anyhow::bail!("the bot is in no server yet: invite it first (lyceum invite-url)");
    }
    let server = init_server(&servers, args.server.as_deref(), interactive)?;
    let channels = discord.text_channels(server.id).await?;
    let roles = discord.roles(server.id).await?;
    let mod_log = pick(
        interactive,
        "Which channel is the mod log (moderation and payments are logged there)?",
        &channels,
        args.mod_log.as_deref(),
        None,
    )?;
    let announcements = pick(
        interactive,
        "Which channel gets event announcements?",
        &channels,
        args.announcements.as_deref(),
        None,
    )?;
    let timezone = init_timezone(args.timezone.clone(), interactive)?;
    let language = init_language(args.language.clone(), interactive)?;
    let admin_role = pick(
        interactive,
        "Which role's holders are admins?",
        &roles,
        args.admin_role.as_deref(),
        None,
    )?;
    let moderator_role = pick(
        interactive,
        "Which role's holders are moderators?",
        &roles,
        args.moderator_role.as_deref(),
        None,
    )?;
    let text = setup::config_text(&Answers {
        server,
        mod_log,
        announcements,
        timezone,
        language: &language,
        admin_role,
        moderator_role,
        api_url: args.api_url.as_deref(),
    });
    // What is written is what Lyceum accepts.
    lyceum::config::Config::parse(&text)
        .map_err(|problems| anyhow::anyhow!("the written config has problems: {problems:?}"))?;
    std::fs::write(&args.output, &text)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    println!("\nwrote {}:\n\n{text}", args.output.display());
    println!("next: lyceum check-config --config {0}, then lyceum invite-url --config {0} if the bot lacks permissions, then lyceum run --config {0}", args.output.display());
    Ok(())
}

/// `lyceum import …`: reads the file, shows the plan, and (unless a dry run) brings the points
/// in. Level roles go out through the outbox when the bot runs.
async fn import(from: ImportFrom) -> ExitCode {
    use lyceum::features::points::import;
    if let ImportFrom::Members {
        file,
        product,
        plan,
        dry_run,
        config,
    } = &from
    {
        return import_members(file, product, plan.as_deref(), *dry_run, config).await;
    }
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
        ImportFrom::Members { .. } => unreachable!("imported above"),
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
    exit_code(outcome.await)
}

/// `lyceum import members`: reads the export, looks usernames up among the server's members
/// (with `DISCORD_TOKEN`), shows the plan and every row left out, then (unless a dry run)
/// grants. Roles go out through the outbox when the bot runs.
async fn import_members(
    file: &std::path::Path,
    product_id: &str,
    plan_filter: Option<&str>,
    dry_run: bool,
    config_path: &std::path::Path,
) -> ExitCode {
    use lyceum::features::membership::import;
    let config = match load_config(config_path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let Some(product) = config.product(product_id) else {
        let known: Vec<&str> = config.products.iter().map(|p| p.id.as_str()).collect();
        eprintln!(
            "error: no product \"{product_id}\" in {} (products: {})",
            config_path.display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
        return ExitCode::from(EXIT_CONFIG);
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let clock = std::sync::Arc::new(lyceum::clock::SystemClock);
    let reading = import::Reading {
        zone: config.community.timezone,
        now: lyceum::clock::Clock::now(&*clock),
        plan: plan_filter,
    };
    let parsed = match import::parse(&text, &reading) {
        Ok(parsed) => parsed,
        Err(problem) => {
            eprintln!("{}: nothing imported: {problem}", file.display());
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let read_by: Vec<String> = parsed
        .columns
        .iter()
        .map(|(field, header)| format!("{} = \"{header}\"", field.label()))
        .collect();
    println!("{}: read by column {}", file.display(), read_by.join(", "));
    let mut skipped = parsed.skipped;
    let needs_names = parsed
        .rows
        .iter()
        .any(|r| matches!(r.who, import::Who::Name(_)));
    let directory = match server_directory(&config, needs_names).await {
        Ok(directory) => directory,
        Err(code) => return code,
    };
    let members = import::resolve(parsed.rows, directory.as_ref(), &mut skipped);
    let from = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let outcome = async {
        let db = lyceum::db::Db::open(&config.database.path).await?;
        let app = lyceum::state::AppState::detached(db, config.clone(), clock);
        let plan = import::plan(&app, product, &members).await?;
        println!(
            "{}: {} member(s) to grant {}, {} imported before (left as they are), {} row(s) not imported",
            file.display(),
            plan.new.len(),
            product.id,
            plan.already,
            skipped.len()
        );
        print_import_plan(&config, product, &plan, &skipped);
        if dry_run {
            println!("dry run: nothing written");
            return Ok(());
        }
        let done = import::run(&app, &config, product, &members, &from).await?;
        println!(
            "imported {} member(s); their roles go out when the bot runs",
            done.new.len()
        );
        Ok::<(), lyceum::error::Error>(())
    };
    exit_code(outcome.await)
}

/// The server's members by username, when the file names members by username (and a bot
/// token is there to ask Discord).
async fn server_directory(
    config: &Config,
    needs_names: bool,
) -> Result<Option<lyceum::features::membership::import::Directory>, ExitCode> {
    use lyceum::features::membership::import;
    let token = match (needs_names, std::env::var("DISCORD_TOKEN")) {
        (true, Ok(token)) if !token.trim().is_empty() => token,
        _ => return Ok(None),
    };
    let discord = lyceum::setup::Discord::new(&config.discord.api_url, token.trim());
    match discord.members(config.discord.guild_id.get()).await {
        Ok(members) => Ok(Some(import::Directory::new(
            members
                .into_iter()
                .map(|(name, id)| (name, serenity::all::UserId::new(id))),
        ))),
        Err(e) => {
            eprintln!("error: cannot list the server's members to match usernames: {e:#}");
            Err(ExitCode::FAILURE)
        }
    }
}

/// Each member an import would grant, until when, and each row it would not import, and why.
fn print_import_plan(
    config: &Config,
    product: &lyceum::config::Product,
    plan: &lyceum::features::membership::import::Plan,
    skipped: &[lyceum::features::membership::import::Skipped],
) {
    for ready in &plan.new {
        let until = match ready.ends {
            Some(end) => end
                .with_timezone(&config.community.timezone)
                .format("%Y-%m-%d %H:%M (UTC%:z)")
                .to_string(),
            None => match product.duration {
                Some(_) => "the product's length from today".to_string(),
                None => "lifetime".to_string(),
            },
        };
        println!("  line {}: {} until {until}", ready.line, ready.member);
    }
    if !skipped.is_empty() {
        println!("not imported:");
        for s in skipped {
            println!(
                "  line {}: {} ({})",
                s.line,
                if s.who.is_empty() { "-" } else { &s.who },
                s.why
            );
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
            let secret = |name: &str| {
                std::env::var(name)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            options.stripe_webhook_secret = secret("STRIPE_WEBHOOK_SECRET");
            options.discord_client_secret = secret("DISCORD_CLIENT_SECRET");
            match lyceum::run(options).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Demo { web } => {
            // The transcript is the output; logs only for real trouble (RUST_LOG overrides).
            init_logging("error");
            match lyceum::harness::demo::run(web).await {
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
        Command::Init(args) => match init(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
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

/// Success, or the error on stderr and a failure exit.
fn exit_code(outcome: Result<(), lyceum::error::Error>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:?}");
            ExitCode::FAILURE
        }
    }
}
