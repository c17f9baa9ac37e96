//! What a creator does around the community: `lyceum init` against the (simulated) Discord and
//! `invite-url` first, and bringing members' levels over from MEE6 with `lyceum import mee6`.
//! The same code the commands run.

use anyhow::Context as _;

use crate::config::Config;
use crate::discord::invite;
use crate::features::points::import;
use crate::harness::sim::Sim;
use crate::setup::{self, Answers, Discord};
use crate::state::AppState;

/// `lyceum init`, answered with names: the config it writes, checked as `check-config` would.
pub async fn init(sim: &Sim) -> anyhow::Result<Config> {
    println!("── Setup · What a creator does first");
    println!("  $ lyceum init   (asks Discord for the bot's server, channels and roles by name)");
    let discord = Discord::new(&sim.api_url(), sim.token());
    let servers = discord.servers().await?;
    let server = servers.first().context("the bot is in a server")?;
    println!("    server: {} (the only one the bot is in)", server.name);
    let channels = discord.text_channels(server.id).await?;
    let roles = discord.roles(server.id).await?;
    let named = |list: &'_ [setup::Named], name: &str| {
        setup::choose(list, name)
            .cloned()
            .context(format!("{name} exists"))
    };
    let (mod_log, announcements) = (
        named(&channels, "mod-log")?,
        named(&channels, "announcements")?,
    );
    let (admin, moderator) = (named(&roles, "Admin")?, named(&roles, "Moderator")?);
    println!("    mod log? #mod-log · announcements? #announcements · time zone? Asia/Shanghai");
    println!("    language? zh-CN · admins? @Admin · moderators? @Moderator");
    let text = setup::config_text(&Answers {
        server,
        mod_log: Some(&mod_log),
        announcements: Some(&announcements),
        timezone: chrono_tz::Asia::Shanghai,
        language: "zh-CN",
        admin_role: Some(&admin),
        moderator_role: Some(&moderator),
        api_url: Some(&sim.api_url()),
    });
    let config = Config::parse(&text).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    println!(
        "    wrote config.toml ({} lines, real ids, every other key at its default) — check-config: ok",
        text.lines().count()
    );
    Ok(config)
}

/// `lyceum invite-url` for the community's config: only the permissions it uses.
pub fn invite_url(config: &Config) {
    println!("  $ lyceum invite-url");
    let needed = invite::permissions(config);
    println!("    {}", invite::url(1_000_000_000_000_000, &needed));
    let names: Vec<&str> = needed.iter().map(|n| n.name).collect();
    println!(
        "    asks for {} — each with why it is needed",
        names.join(" · ")
    );
}

/// `lyceum import mee6`: two members' MEE6 XP become points and levels, once.
pub async fn import_mee6(
    state: &AppState,
    world: &crate::harness::sim::World,
) -> anyhow::Result<()> {
    let leaderboard = r#"{"players": [
        {"id": "300000000000000001", "username": "ada", "xp": 12050, "level": 15},
        {"id": "300000000000000002", "username": "lin", "xp": 155, "level": 1}
    ]}"#;
    println!("── Scene 12 · Members bring their MEE6 levels and their Patreon memberships along");
    println!("  $ lyceum import mee6 --file leaderboard.json --dry-run");
    let rows = import::parse_mee6(leaderboard).map_err(anyhow::Error::msg)?;
    let plan = import::plan(state, "mee6", &rows).await.map_err(debug)?;
    println!(
        "    {} member(s) to import ({} points in all), {} imported before · dry run: nothing written",
        plan.new.len(),
        plan.points(),
        plan.already
    );
    println!("  $ lyceum import mee6 --file leaderboard.json");
    let config = state.config.snapshot();
    let done = import::run(state, &config, "mee6", &rows)
        .await
        .map_err(debug)?;
    let again = import::run(state, &config, "mee6", &rows)
        .await
        .map_err(debug)?;
    let mut conn = state.db.read.acquire().await?;
    let mut levels = Vec::new();
    for row in &rows {
        let member = crate::features::points::store::member(&mut conn, row.member).await?;
        levels.push(format!("{} XP → level {}", row.points, member.level));
    }
    println!(
        "    imported {} member(s): {} (MEE6's curve) · run again: {} imported, {} left as they were",
        done.new.len(),
        levels.join(", "),
        again.new.len(),
        again.already
    );
    import_members(state, world).await?;
    println!();
    Ok(())
}

/// `lyceum import members`: paid members from a Patreon export, matched by their Discord
/// username among the server's members; a former patron and a stranger are reported.
async fn import_members(
    state: &AppState,
    world: &crate::harness::sim::World,
) -> anyhow::Result<()> {
    use crate::features::membership::import as members;
    let export =
        "Name,Email,Discord,Patron Status,Pledge Amount,Tier,Access Expiration,Next Charge Date\n\
                  Kai,kai@example.com,kai,Active patron,29.00,Gold,,2030-01-31\n\
                  Lee,lee@example.com,lee,Former patron,29.00,Gold,2025-03-01,\n\
                  Zed,zed@example.com,zed#0,Active patron,29.00,Gold,,2030-01-31\n";
    println!("  $ lyceum import members --file patreon.csv --product pro");
    let config = state.config.snapshot();
    let product = config
        .product("pro")
        .ok_or_else(|| anyhow::anyhow!("the demo sells pro"))?;
    let reading = members::Reading {
        zone: config.community.timezone,
        now: state.clock.now(),
        plan: None,
    };
    let parsed = members::parse(export, &reading).map_err(anyhow::Error::msg)?;
    let directory = members::Directory::new(
        world
            .users
            .values()
            .map(|u| (u.name.clone(), serenity::all::UserId::new(u.id))),
    );
    let mut skipped = parsed.skipped;
    let ready = members::resolve(parsed.rows, Some(&directory), &mut skipped);
    let done = members::run(state, &config, product, &ready, "patreon.csv")
        .await
        .map_err(debug)?;
    let left: Vec<String> = skipped
        .iter()
        .map(|s| format!("line {}: {} ({})", s.line, s.who, s.why))
        .collect();
    println!(
        "    {} paid member(s) granted Pro until their Patreon dates (@kai) · not imported: {}",
        done.new.len(),
        left.join("; ")
    );
    Ok(())
}

fn debug(e: crate::error::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}
