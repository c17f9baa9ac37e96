//! `/roles post|check`.

use poise::serenity_prelude as serenity;

use super::{actions, store};
use crate::access::Level;
use crate::config::Config;
use crate::discord::invocation::invocation;
use crate::discord::reply;
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::i18n::Locale;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![roles()]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("roles_post", "roles_check"),
    subcommand_required,
    custom_data = "Level::Admin"
)]
async fn roles(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Post a role menu from the config: members choose their roles with its buttons
#[poise::command(slash_command, rename = "post", custom_data = "Level::Admin")]
async fn roles_post(
    ctx: Context<'_>,
    #[max_length = 40] menu: String,
    #[channel_types("Text", "News")] channel: Option<serenity::ChannelId>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let channel = channel.unwrap_or(ctx.channel_id());
    actions::post_menu(
        ctx.data(),
        &inv.config,
        menu.trim(),
        channel,
        ctx.author().id,
    )
    .await?;
    let text = t!(
        locale,
        "role-menu-posted",
        menu = menu.trim().to_string(),
        channel = format!("<#{}>", channel.get())
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Which menu roles the bot cannot hand out (missing, or at or above its own top role)
#[poise::command(slash_command, rename = "check", custom_data = "Level::Admin")]
async fn roles_check(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    if config.roles.menus.is_empty() {
        reply::ephemeral(ctx, t!(locale, "role-menu-none")).await?;
        return Ok(());
    }
    let problems = problems(ctx.cache(), config, locale);
    let mut counts = Vec::new();
    {
        let mut conn = ctx.data().db.read.acquire().await?;
        for menu in &config.roles.menus {
            let chosen: i64 = store::counts(&mut conn, &menu.id)
                .await?
                .iter()
                .map(|(_, n)| n)
                .sum();
            counts.push(t!(
                locale,
                "role-menu-check-line",
                menu = menu.id.clone(),
                roles = menu.roles.len() as i64,
                chosen = chosen
            ));
        }
    }
    let mut text = counts.join("\n");
    text.push_str("\n\n");
    if problems.is_empty() {
        text.push_str(&t!(locale, "role-menu-check-ok"));
    } else {
        text.push_str(&t!(
            locale,
            "role-menu-check-problems",
            count = problems.len() as i64
        ));
        for p in problems {
            text.push_str("\n• ");
            text.push_str(&p);
        }
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Each menu role the bot cannot give, with why (from serenity's cache).
fn problems(cache: &serenity::Cache, config: &Config, locale: Locale) -> Vec<String> {
    let Some(guild) = cache.guild(config.discord.guild_id) else {
        return vec![t!(locale, "role-menu-check-no-guild")];
    };
    let bot = cache.current_user().id;
    let bot_member = guild.members.get(&bot);
    let bot_top = bot_member
        .map(|m| {
            m.roles
                .iter()
                .filter_map(|r| guild.roles.get(r).map(|r| r.position))
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    let manages = bot_member.is_some_and(|m| {
        let perms = guild.member_permissions(m);
        perms.manage_roles() || perms.administrator()
    });
    let mut out = Vec::new();
    if !manages {
        out.push(t!(locale, "role-menu-check-no-permission"));
    }
    for menu in &config.roles.menus {
        for r in &menu.roles {
            let mention = format!("<@&{}>", r.role.get());
            let line = match guild.roles.get(&r.role) {
                None => t!(
                    locale,
                    "role-menu-check-missing",
                    role = r.role.get().to_string(),
                    menu = menu.id.clone()
                ),
                Some(role) if role.managed => t!(
                    locale,
                    "role-menu-check-managed",
                    role = mention,
                    menu = menu.id.clone()
                ),
                Some(role) if role.position >= bot_top => t!(
                    locale,
                    "role-menu-check-above",
                    role = mention,
                    menu = menu.id.clone()
                ),
                Some(_) => continue,
            };
            out.push(line);
        }
    }
    out
}
