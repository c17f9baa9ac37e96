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
    app.points.flush().await;
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
    app.points.flush().await;
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
    app.points.flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let bought = ops::buy(&mut tx, config, member, item, locale, now).await?;
    app.commit(tx).await?;
    app.grants_changed();
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
    app.points.flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let finished = ops::finish_order(&mut tx, config, staff, order, refund, now).await?;
    app.commit(tx).await?;
    app.grants_changed();
    Ok(finished)
}
