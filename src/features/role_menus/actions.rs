//! Role menus' writes a door calls, each owning its transaction.

use serenity::all::{ChannelId, UserId};

use super::ops;
use super::rules::{Change, Pressed};
use crate::config::Config;
use crate::error::Error;
use crate::i18n::Locale;
use crate::state::AppState;

/// A press on a role menu (a posted one, or the one offered after "I accept").
pub async fn choose(
    app: &AppState,
    config: &Config,
    menu: &str,
    member: UserId,
    pressed: &Pressed,
    locale: Locale,
) -> Result<Change, Error> {
    if config
        .roles
        .menu(menu)
        .is_some_and(|m| m.required_level.is_some())
    {
        // The level is read from the database: chat points on their way count too.
        crate::features::points::engine(app).flush().await;
    }
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let change = ops::choose(&mut tx, config, menu, member, pressed, locale, now).await?;
    app.commit(tx).await?;
    Ok(change)
}

/// `/roles post`.
pub async fn post_menu(
    app: &AppState,
    config: &Config,
    menu: &str,
    channel: ChannelId,
    by: UserId,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    ops::post(&mut tx, config, menu, channel, by, now).await?;
    app.commit(tx).await?;
    Ok(())
}
