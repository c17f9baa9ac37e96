//! Community: positioning (`/about`) and onboarding — who joined and left (for cohorts and
//! rejoins) and the welcome on a first join.
//!
//! `render.rs` the positioning embed and welcome text (pure), `actions.rs` the join and leave
//! writes, `store.rs` the member joins, `commands.rs` `/about`.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod render;
pub mod store;

pub use commands::commands;

use chrono::{DateTime, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use crate::config::{Config, WelcomeTo};
use crate::outbox::{self, Effect, MessageBody};

/// A member joined: their first join is kept (cohorts), and the welcome goes out (in
/// `channels.welcome` and/or by DM, per `[onboarding] welcome`) on their first join only.
pub async fn ops_on_join(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<(), crate::error::Error> {
    if !store::joined(tx, member, now).await? {
        return Ok(());
    }
    let to = config.onboarding.welcome.unwrap_or(WelcomeTo::Channel);
    let locale = config.community.default_locale;
    let text = render::welcome(config, locale, member.get());
    if matches!(to, WelcomeTo::Channel | WelcomeTo::Both) {
        if let Some(channel_id) = config.channels.welcome {
            let effect = Effect::SendMessage {
                channel_id,
                body: MessageBody::text(text.clone()),
            };
            outbox::enqueue(tx, &effect, now, None).await?;
        }
    }
    if matches!(to, WelcomeTo::Dm | WelcomeTo::Both) {
        // A returning face may have told Discord's language before: the DM speaks it.
        let theirs = crate::member_locale::of(tx, member, locale).await?;
        let effect = Effect::SendDm {
            user_id: member,
            body: MessageBody::text(render::welcome(config, theirs, member.get())),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    Ok(())
}

/// A member left the server: remembered until they come back (a payment from them meanwhile is
/// reported to staff). Members seen only before the bot kept a join record are not tracked.
pub async fn ops_on_leave(
    tx: &mut SqliteConnection,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<(), crate::error::Error> {
    Ok(store::left(tx, member, now).await?)
}

pub use store::has_left;
