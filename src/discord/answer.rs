//! What every feature's press and form handlers share: the language to answer in, an
//! ephemeral answer, the pressed message updated in place, a form field's text, and the
//! presser's staff level — checked on the server at every press, from the same sources as the
//! slash commands' (owners, staff grants, the roles the interaction carried).

use poise::serenity_prelude as serenity;

use super::Data;
use crate::access::{effective_level, Level, Owners};
use crate::config::Config;
use crate::error::Error;
use crate::i18n::Locale;

/// The config now, and the language to answer a presser or submitter in (their Discord
/// language, else the community's).
pub fn answering(data: &Data, discord_locale: &str) -> (std::sync::Arc<Config>, Locale) {
    let config = data.config.snapshot();
    let locale = Locale::resolve(Some(discord_locale), config.community.default_locale);
    (config, locale)
}

/// An ephemeral answer (type 4) to an interaction.
pub async fn ephemeral(
    ctx: &serenity::Context,
    id: serenity::InteractionId,
    token: &str,
    text: String,
) -> Result<(), Error> {
    let response = serenity::CreateInteractionResponse::Message(
        serenity::CreateInteractionResponseMessage::new()
            .content(super::reply::fit(text))
            .ephemeral(true),
    );
    ctx.http
        .create_interaction_response(id, token, &response, Vec::new())
        .await?;
    Ok(())
}

/// The answer to a button press: the pressed message updated in place (type 7) with `body`'s
/// embeds and buttons, or, without a body, a silent acknowledgement (type 6).
pub fn update_or_ack(body: Option<crate::outbox::MessageBody>) -> serde_json::Value {
    match body {
        Some(body) => super::components::update_embeds(body.embeds, body.components),
        None => super::components::acknowledge(),
    }
}

/// The text a member typed into a form's field `name`.
pub fn field(submit: &serenity::ModalInteraction, name: &str) -> Option<String> {
    submit
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            serenity::ActionRowComponent::InputText(input) if input.custom_id == name => {
                input.value.clone()
            }
            _ => None,
        })
}

/// Owners of the community: the configured ones and the server owner (from the cache).
pub fn owners(ctx: &serenity::Context, config: &Config) -> Owners {
    let guild = config.discord.guild_id;
    Owners::new(
        &config.discord.owner_ids,
        ctx.cache.guild(guild).map(|g| g.owner_id),
    )
}

/// A member's staff level for gateway events and presses, from memory: the staff grants are
/// kept (and dropped whenever a grant changes), so a message costs no database read.
pub async fn level_of(
    ctx: &serenity::Context,
    data: &Data,
    config: &Config,
    user: serenity::UserId,
    roles: &[serenity::RoleId],
) -> Result<Level, Error> {
    let staff = crate::access::staff_grants(data, config.discord.guild_id).await?;
    Ok(effective_level(
        owners(ctx, config).contains(user),
        user,
        roles,
        &staff,
    ))
}

/// The staff level of whoever pressed a button, checked on the server at every press.
pub async fn presser_level(
    ctx: &serenity::Context,
    data: &Data,
    config: &Config,
    press: &serenity::ComponentInteraction,
) -> Result<Level, Error> {
    member_level(ctx, data, config, press.user.id, press.member.as_ref()).await
}

/// The staff level of whoever submitted a form, checked on the server again at the submit.
pub async fn submitter_level(
    ctx: &serenity::Context,
    data: &Data,
    config: &Config,
    submit: &serenity::ModalInteraction,
) -> Result<Level, Error> {
    member_level(ctx, data, config, submit.user.id, submit.member.as_ref()).await
}

/// The level of `user` with the roles the interaction carried.
async fn member_level(
    ctx: &serenity::Context,
    data: &Data,
    config: &Config,
    user: serenity::UserId,
    member: Option<&serenity::Member>,
) -> Result<Level, Error> {
    let roles = member.map(|m| m.roles.clone()).unwrap_or_default();
    level_of(ctx, data, config, user, &roles).await
}
