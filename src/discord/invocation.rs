//! What one command invocation decides once and uses throughout: the config snapshot (so a
//! `/admin reload` mid-command can never mix two policies), the invoker's level and locale.
//! Stored in poise's invocation data, shared by the check, the body and the error reply.

use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::access::store as staff_store;
use crate::access::{effective_level, Level, Owners};
use crate::config::Config;
use crate::discord::Context;
use crate::error::{Error, UserError};
use crate::i18n::Locale;

pub struct Invocation {
    pub config: Arc<Config>,
    level: OnceCell<Level>,
}

/// This invocation's snapshot, taken on first use.
pub async fn invocation(ctx: Context<'_>) -> Arc<Invocation> {
    if let Some(existing) = ctx.invocation_data::<Arc<Invocation>>().await {
        return existing.clone();
    }
    let fresh = Arc::new(Invocation {
        config: ctx.data().config.snapshot(),
        level: OnceCell::new(),
    });
    ctx.set_invocation_data(fresh.clone()).await;
    fresh
}

impl Invocation {
    /// The locale to answer in: the member's Discord locale if we speak it, else the
    /// community's.
    pub fn locale(&self, ctx: Context<'_>) -> Locale {
        Locale::resolve(ctx.locale(), self.config.community.default_locale)
    }

    /// Configured owners and the server owner.
    pub fn owners(&self, ctx: Context<'_>) -> Owners {
        Owners::new(
            &self.config.discord.owner_ids,
            ctx.guild().map(|g| g.owner_id),
        )
    }

    /// The invoker's level in the configured guild, computed once per invocation.
    pub async fn level(&self, ctx: Context<'_>) -> Result<Level, Error> {
        self.level
            .get_or_try_init(|| async {
                let guild_id = ctx.guild_id().ok_or(UserError::GuildOnly)?;
                if guild_id != self.config.discord.guild_id {
                    return Err(UserError::GuildOnly.into());
                }
                let user = ctx.author().id;
                let owner = self.owners(ctx).contains(user);
                let roles = match ctx.author_member().await {
                    Some(member) => member.roles.clone(),
                    None => Vec::new(),
                };
                let grants = staff_store::grants(&ctx.data().db, guild_id).await?;
                Ok(effective_level(owner, user, &roles, &grants))
            })
            .await
            .copied()
    }
}
