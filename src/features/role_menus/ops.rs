//! Role menus' writes, in the caller's transaction: a member's choice (checked against the
//! menu's requirements, the roles queued through the outbox) and a menu posted by staff.

use chrono::{DateTime, Utc};
use serenity::all::{ChannelId, UserId};
use sqlx::SqliteConnection;

use super::error::MenuError;
use super::rules::{self, Change, Pressed};
use super::{render, store};
use crate::clock::to_millis;
use crate::config::{Config, RoleMenu};
use crate::error::Error;
use crate::grants::rules::Held;
use crate::i18n::Locale;
use crate::outbox::{self, Effect};

/// The menu `id` of the live config, or the error naming the menus there are.
pub fn menu<'a>(config: &'a Config, id: &str) -> Result<&'a RoleMenu, MenuError> {
    config.roles.menu(id).ok_or_else(|| MenuError::UnknownMenu {
        id: id.to_string(),
        known: config.roles.menus.iter().map(|m| m.id.clone()).collect(),
    })
}

/// Refuses a member who lacks the menu's level or product (read now, on the server: a
/// button is pressable by anyone who sees it).
async fn check_allowed(
    tx: &mut SqliteConnection,
    config: &Config,
    menu: &RoleMenu,
    member: UserId,
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if let Some(level) = menu.required_level {
        let have = crate::features::points::store::member(tx, member)
            .await?
            .level
            .max(0) as u32;
        if have < level {
            return Err(MenuError::NeedsLevel { level, have }.into());
        }
    }
    if let Some(product) = &menu.required_product {
        let held = crate::grants::give::held(tx, member, product, false, now).await?;
        if held == Held::None {
            let product = config
                .product(product)
                .map_or_else(|| product.clone(), |p| p.name.get(locale).to_string());
            return Err(MenuError::NeedsProduct { product }.into());
        }
    }
    Ok(())
}

/// A member pressed a menu: their choices change and the roles follow through the outbox.
/// Returns what changed (empty: nothing to do).
pub async fn choose(
    tx: &mut SqliteConnection,
    config: &Config,
    menu_id: &str,
    member: UserId,
    pressed: &Pressed,
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<Change, Error> {
    let menu = menu(config, menu_id)?;
    let chosen = store::chosen_in(tx, member, &menu.id).await?;
    let change = rules::change(menu, &chosen, pressed);
    // Letting go of a role needs no level or product: only adding does.
    if !change.added.is_empty() {
        check_allowed(tx, config, menu, member, locale, now).await?;
    }
    let at = to_millis(now);
    for role in &change.removed {
        store::unchoose(tx, member, *role).await?;
        let effect = Effect::RemoveRole {
            guild_id: config.discord.guild_id,
            user_id: member,
            role_id: *role,
            reason: format!("Lyceum: let go in role menu {}", menu.id),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    for role in &change.added {
        store::choose(tx, member, *role, &menu.id, at).await?;
        let effect = Effect::AddRole {
            guild_id: config.discord.guild_id,
            user_id: member,
            role_id: *role,
            reason: format!("Lyceum: chosen in role menu {}", menu.id),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    Ok(change)
}

/// Staff post a menu in `channel` (in the community's language), audited.
pub async fn post(
    tx: &mut SqliteConnection,
    config: &Config,
    menu_id: &str,
    channel: ChannelId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let menu = menu(config, menu_id)?;
    let body = render::menu_body(menu, config.community.default_locale);
    let effect = Effect::SendMessage {
        channel_id: channel,
        body,
    };
    outbox::enqueue(tx, &effect, now, None).await?;
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "roles.menu_post",
        target_kind: Some("channel"),
        target_id: Some(channel.get()),
        arguments: serde_json::json!({ "menu": menu.id }),
    };
    crate::audit::record(tx, &entry, now).await?;
    Ok(())
}
