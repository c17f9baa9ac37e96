//! A member whose DMs are closed still hears what Lyceum meant to DM them (a renewal
//! reminder, an expiry notice, a review): at their next command, after its own answer, an
//! ephemeral note only they see carries it — once per message. (`/me` on the web keeps them
//! all, and staff were told in the mod log when Discord refused.)

use super::Context;
use crate::outbox::store;
use crate::t;

/// At most this many waiting messages in one note (the rest come with the next command).
const PER_NOTE: i64 = 3;

/// Runs after every command that answered: shows the member what could not reach them.
pub async fn after_command(ctx: Context<'_>) {
    if let Err(e) = note_undelivered(ctx).await {
        tracing::warn!(error = ?e, "could not show a member their undelivered messages");
    }
}

async fn note_undelivered(ctx: Context<'_>) -> anyhow::Result<()> {
    let data = ctx.data();
    let member = ctx.author().id.get();
    let waiting = store::undelivered_unshown(&data.db, member, PER_NOTE).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let locale = super::locale_of(ctx).await;
    let mut text = t!(locale, "undelivered-note", count = waiting.len() as i64);
    for (_, body) in &waiting {
        text.push_str("\n\n> ");
        text.push_str(&body.plain_text().replace('\n', "\n> "));
    }
    let text = super::reply::fit(text);
    ctx.send(poise::CreateReply::default().content(text).ephemeral(true))
        .await?;
    let ids: Vec<i64> = waiting.iter().map(|(id, _)| *id).collect();
    let at = crate::clock::to_millis(data.clock.now());
    store::mark_undelivered_shown(&data.db, member, &ids, at).await?;
    Ok(())
}
