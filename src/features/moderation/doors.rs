//! What moderation brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::answer;
use crate::discord::chat::ChatMessage;
use crate::discord::components;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms, and its join hook.
pub fn doors() -> Doors {
    Doors::new()
        .press(super::ops::ACCEPT_BUTTON, |c, d, p| {
            Box::pin(accept_rules(c, d, p))
        })
        // A wave of joins raises the raid alert.
        .on_join("raid watch", |data, config, _| {
            Box::pin(async move {
                super::actions::on_join(data, config).await?;
                Ok(0)
            })
        })
}

/// "I accept" under the rules message: the acceptance is recorded, the role granted through
/// the outbox, and the member told (ephemeral).
async fn accept_rules(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::moderation::actions;
    let (config, locale) = answer::answering(data, &press.locale);
    let first = actions::accept_rules(data, &config, press.user.id).await?;
    let mut text = if first {
        crate::t!(locale, "rules-accepted")
    } else {
        crate::t!(locale, "rules-accepted-before")
    };
    if first && config.onboarding.welcome == Some(crate::config::WelcomeTo::AfterRules) {
        text.push_str("\n\n");
        text.push_str(&crate::features::community::render::welcome_after_rules(
            &config,
            locale,
            press.user.id.get(),
        ));
    }
    // Onboarding goes on with the role menu, in the member's language, when one is set.
    let menu = config
        .onboarding
        .menu
        .as_deref()
        .and_then(|id| config.roles.menu(id));
    let response = match menu {
        Some(menu) => {
            use crate::features::role_menus::render;
            components::ephemeral_with(
                text,
                vec![render::embed(menu, locale)],
                render::components(menu, locale),
            )
        }
        None => components::ephemeral(text),
    };
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}

/// Automod on a new or edited message. Decides from memory; only a hit writes (the action,
/// its outbox items and mod-log embed, in one transaction). Returns whether it caught the
/// message (then it earns no points).
pub async fn moderate(
    ctx: &serenity::Context,
    data: &Data,
    message: &ChatMessage,
    edited: bool,
) -> Result<bool, Error> {
    use crate::features::moderation::{engine::Seen, ops};
    let config = data.config.snapshot();
    let guild = config.discord.guild_id;
    if message.guild_id != Some(guild) || message.author.bot || message.webhook_id.is_some() {
        return Ok(false);
    }
    let roles: Vec<serenity::RoleId> = match &message.member {
        Some(member) => member.roles.clone(),
        None => crate::discord::hierarchy::roles_of(&ctx.cache, guild, message.author.id),
    };
    let owners = answer::owners(ctx, &config);
    if config.automod.staff_exempt
        && answer::level_of(ctx, data, &config, message.author.id, &roles).await?
            >= Level::Moderator
    {
        return Ok(false);
    }
    let now = data.clock.now();
    let seen = Seen {
        author: message.author.id,
        channel: message.channel_id,
        roles: &roles,
        text: &message.content,
        at: now,
        edited,
    };
    let hits = crate::features::moderation::engine(data).check(&config, &seen);
    let Some(hit) = hits.first() else {
        return Ok(false);
    };
    let protected = if owners.contains(message.author.id) {
        Some(ops::Protected::Owner)
    } else if crate::discord::hierarchy::bot_outranks(&ctx.cache, guild, message.author.id, &roles)
        == Some(false)
    {
        Some(ops::Protected::AboveBot)
    } else {
        None
    };
    let dm = crate::features::moderation::engine(data).first_of_incident(
        message.author.id,
        hit.filter,
        now,
    );
    let incident = ops::Incident {
        member: message.author.id,
        channel: message.channel_id,
        message: message.id,
        text: &message.content,
        hit,
        protected,
        dm,
        // A message does not carry its author's Discord language: the DM uses the
        // community's.
        locale: None,
    };
    crate::features::moderation::actions::act(data, &config, &incident).await?;
    if edited {
        // An edit that breaks a rule takes back the points the message earned.
        crate::features::points::engine(data).on_delete(message.id, now, &config);
    }
    tracing::info!(filter = hit.filter.as_str(), member = %message.author.id, "automod caught a message");
    Ok(protected.is_none())
}
