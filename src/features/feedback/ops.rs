//! Feedback's writes, in the caller's transaction: stored and posted for staff; a status change
//! tells the author by DM and pays adopted feedback once.

use chrono::{DateTime, Utc};
use serenity::all::{ChannelId, UserId};
use sqlx::SqliteConnection;

use super::error::FeedbackError;
use super::{render, store};
use crate::clock::to_millis;
use crate::config::Config;
use crate::error::Error;
use crate::outbox::{self, Effect, MessageBody};
use crate::t;

/// Where feedback goes for staff: `channels.feedback`, else `staff`, else the mod log.
fn staff_channel(config: &Config) -> Option<ChannelId> {
    config
        .channels
        .feedback
        .or(config.channels.staff)
        .or(config.channels.mod_log)
}

/// Stores feedback and queues its staff post. Returns its id.
pub async fn send(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    kind: super::Kind,
    text: &str,
    anonymous: bool,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    crate::member_actions::record(tx, config, member, now).await?;
    let id = store::insert(tx, member, kind, text, anonymous, to_millis(now)).await?;
    if let Some(channel) = staff_channel(config) {
        let row = store::get(tx, id).await?.expect("just inserted");
        let body = render::staff_post(config.community.default_locale, &row);
        let effect = Effect::SendMessage {
            channel_id: channel,
            body,
        };
        let outbox_id = outbox::enqueue(tx, &effect, now, None).await?;
        store::set_outbox_id(tx, id, outbox_id).await?;
    }
    Ok(id)
}

/// Moves feedback `id` to `status`: the author is told by DM, and adopted feedback (done)
/// earns `points.feedback_adopted` once. Returns the updated row, or `None` when unchanged.
pub async fn set_status(
    tx: &mut SqliteConnection,
    config: &Config,
    id: i64,
    status: super::Status,
    now: DateTime<Utc>,
) -> Result<Option<store::FeedbackRow>, Error> {
    let Some(row) = store::get(tx, id).await? else {
        return Err(FeedbackError::UnknownFeedback { id }.into());
    };
    if row.status == status || !status.settable() {
        return Ok(None);
    }
    store::set_status(tx, id, status, to_millis(now)).await?;
    let author = UserId::new(row.member_id as u64);
    let locale = crate::member_locale::of(tx, author, config.community.default_locale).await?;
    let points = config.points.feedback_adopted;
    let mut text = t!(
        locale,
        "feedback-status-dm",
        id = id,
        status = status.label(locale)
    );
    if status == super::Status::Done && points > 0 {
        use crate::features::points::{ops as points_ops, store::Entry};
        let entry = Entry {
            member: author,
            delta: points,
            lifetime_delta: points,
            kind: crate::features::points::Kind::Feedback,
            reason: Some(format!("feedback #{id} adopted")),
            reference: Some(format!("feedback:{id}")),
            actor: None,
            channel: None,
            at: now,
        };
        let before = crate::features::points::store::member(tx, author)
            .await?
            .balance;
        points_ops::apply(tx, config, &[entry], now).await?;
        let after = crate::features::points::store::member(tx, author)
            .await?
            .balance;
        if after > before {
            text.push('\n');
            text.push_str(&t!(locale, "feedback-adopted-points", points = points));
        }
    }
    let dm = Effect::SendDm {
        user_id: author,
        body: MessageBody::text(text),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    let row = store::get(tx, id).await?;
    // The staff post shows the new status, whichever door changed it (a button, the web).
    if let Some((row, outbox_id)) = row.as_ref().and_then(|r| Some((r, r.outbox_id?))) {
        if let Some(channel_id) = outbox::store::posted_to(tx, outbox_id).await? {
            let edit = Effect::EditPost {
                channel_id,
                outbox_id,
                body: render::staff_post(config.community.default_locale, row),
            };
            outbox::enqueue(tx, &edit, now, None).await?;
        }
    }
    Ok(row)
}

/// Staff answer the author of feedback `id` by DM (anonymous feedback too: the author stays
/// unnamed to staff, the bot carries the reply). Returns the feedback.
pub async fn reply(
    tx: &mut SqliteConnection,
    config: &Config,
    id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<store::FeedbackRow, Error> {
    let Some(row) = store::get(tx, id).await? else {
        return Err(FeedbackError::UnknownFeedback { id }.into());
    };
    let author = UserId::new(row.member_id as u64);
    let locale = crate::member_locale::of(tx, author, config.community.default_locale).await?;
    let dm = Effect::SendDm {
        user_id: author,
        body: MessageBody::text(t!(
            locale,
            "feedback-reply-dm",
            id = id,
            reply = text.to_string()
        )),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    Ok(row)
}
