//! Slash-command argument types shared by every feature's `commands.rs`.

use poise::serenity_prelude as serenity;

use crate::access::Target;

/// A user or a role, from a Discord "mentionable" option.
pub struct MentionTarget(pub Target);

#[poise::async_trait]
impl poise::SlashArgument for MentionTarget {
    async fn extract(
        _: &serenity::Context,
        _: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, poise::SlashArgError> {
        match value {
            serenity::ResolvedValue::User(user, _) => Ok(MentionTarget(Target::User(user.id))),
            serenity::ResolvedValue::Role(role) => Ok(MentionTarget(Target::Role(role.id))),
            _ => Err(poise::SlashArgError::new_command_structure_mismatch(
                "expected a user or a role",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder.kind(serenity::CommandOptionType::Mentionable)
    }
}
