//! The points writes a door calls — a slash command today, a web page next — each owning its
//! transaction: it waits for the chat points still on their way (so a balance shown is
//! current), opens the write, runs the operation (`ops.rs`, which takes a transaction so a
//! larger write can compose it), commits and fires the wake-ups the change needs.

use serenity::all::UserId;

use super::ops::{self, Adjusted, Adjustment, CheckedIn, Purchase, Staff};
use crate::config::Config;
use crate::error::Error;
use crate::i18n::Locale;
use crate::state::AppState;

/// `/checkin`.
pub async fn check_in(
    app: &AppState,
    config: &Config,
    member: UserId,
    locale: Locale,
) -> Result<CheckedIn, Error> {
    super::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let done = ops::check_in(&mut tx, config, member, locale, now).await?;
    app.commit(tx).await?;
    Ok(done)
}

/// `/points give` and `/points take`. A refused self-award is audited and committed too.
pub async fn adjust(
    app: &AppState,
    config: &Config,
    staff: &Staff,
    change: &Adjustment<'_>,
) -> Result<Adjusted, Error> {
    super::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let adjusted = ops::adjust(&mut tx, config, staff, change, now).await?;
    app.commit(tx).await?;
    Ok(adjusted)
}

/// `/shop buy`: a timed role bought is a grant, so the expiry job and reminders re-plan.
pub async fn buy(
    app: &AppState,
    config: &Config,
    member: UserId,
    item: &str,
    locale: Locale,
) -> Result<Purchase, Error> {
    super::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let bought = ops::buy(&mut tx, config, member, item, locale, now).await?;
    app.commit_with(tx, &[crate::state::Topic::GRANTS]).await?;
    Ok(bought)
}

/// `/shop fulfil` and `/shop refund`. Returns the order's member and item.
pub async fn finish_order(
    app: &AppState,
    config: &Config,
    staff: UserId,
    order: i64,
    refund: bool,
) -> Result<(i64, String), Error> {
    super::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let finished = ops::finish_order(&mut tx, config, staff, order, refund, now).await?;
    app.commit_with(tx, &[crate::state::Topic::GRANTS]).await?;
    Ok(finished)
}

/// A helpful-answer reaction. True when it completed an award.
pub async fn helpful_vote(
    app: &AppState,
    config: &Config,
    message: serenity::all::MessageId,
    channel: serenity::all::ChannelId,
    author: UserId,
    voter: UserId,
    voter_is_staff: bool,
) -> Result<bool, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let awarded = ops::helpful_vote(
        &mut tx,
        config,
        message,
        channel,
        author,
        voter,
        voter_is_staff,
        now,
    )
    .await?;
    app.commit(tx).await?;
    Ok(awarded)
}

/// A member (re)joined: their level roles and timed shop roles come back. Returns how many.
pub async fn on_join(app: &AppState, config: &Config, member: UserId) -> Result<usize, Error> {
    let mut tx = app.db.write.begin().await?;
    let restored = ops::restore_on_join(&mut tx, config, member, app.clock.now()).await?;
    app.commit(tx).await?;
    Ok(restored)
}
