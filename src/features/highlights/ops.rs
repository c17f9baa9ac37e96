//! Highlights' writes, in the caller's transaction: a draft when the modal opens, the highlight
//! published (author paid once, the topic's index edited in place), the start-here DM.

use chrono::{DateTime, Utc};
use serenity::all::{ChannelId, UserId};
use sqlx::SqliteConnection;

use super::error::HighlightError;
use super::{render, rules, store};
use crate::clock::to_millis;
use crate::config::Config;
use crate::error::Error;
use crate::features::points::store::Entry;
use crate::outbox::{self, Effect};

/// The message a moderator opened the menu on.
pub struct Picked<'a> {
    pub message: i64,
    pub channel: i64,
    pub author: i64,
    pub content: &'a str,
}

/// Keeps the picked message as a draft (or finds its highlight). Returns the topic and title
/// to fill the modal with.
pub async fn pick(
    tx: &mut SqliteConnection,
    config: &Config,
    picked: &Picked<'_>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(Option<String>, String), Error> {
    if config.highlights.topics.is_empty() {
        return Err(HighlightError::NoTopics.into());
    }
    let title = render::title_from(picked.content);
    let excerpt: String = picked.content.chars().take(1_000).collect();
    let draft = store::Draft {
        message_id: picked.message,
        channel_id: picked.channel,
        author_id: picked.author,
        title: &title,
        excerpt: &excerpt,
        added_by: by.get() as i64,
        at: to_millis(now),
    };
    store::draft(tx, &draft).await?;
    let row = store::by_message(tx, picked.message)
        .await?
        .expect("just written");
    Ok((row.topic, row.title))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub topic: String,
    pub title: String,
    pub author: i64,
    /// Points paid to the author now (a message is paid once).
    pub points: i64,
}

/// Publishes the highlight of `message` under the topic the moderator typed: the author earns
/// `points.highlight` once, and the index of the topic (and of its old topic) is re-posted.
pub async fn publish(
    tx: &mut SqliteConnection,
    config: &Config,
    message: i64,
    topic_input: &str,
    title_input: Option<&str>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Published, Error> {
    let topics = &config.highlights.topics;
    let Some(topic) = rules::topic_of(topics, topic_input) else {
        return Err(HighlightError::UnknownTopic {
            input: topic_input.trim().to_string(),
            known: topics
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into());
    };
    let Some(row) = store::by_message(tx, message).await? else {
        return Err(HighlightError::UnknownMessage.into());
    };
    let title = title_input
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map_or_else(|| row.title.clone(), |t| t.chars().take(100).collect());
    store::publish(
        tx,
        message,
        &topic.id,
        &title,
        by.get() as i64,
        to_millis(now),
    )
    .await?;
    let mut points = 0;
    if config.points.highlight > 0 {
        let entry = Entry {
            member: UserId::new(row.author_id as u64),
            delta: config.points.highlight,
            lifetime_delta: config.points.highlight,
            kind: crate::features::points::Kind::Highlight,
            reason: Some(title.to_string()),
            reference: Some(format!("highlight:{message}")),
            actor: Some(by),
            channel: Some(ChannelId::new(row.channel_id as u64)),
            at: now,
        };
        if crate::features::points::ops::award_once(tx, config, entry, now).await? {
            points = config.points.highlight;
        }
    }
    refresh_index(tx, config, &topic.id, now).await?;
    if let Some(old) = row.topic.as_deref().filter(|old| *old != topic.id) {
        refresh_index(tx, config, old, now).await?;
    }
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "highlight.add",
        target_kind: Some("message"),
        target_id: Some(message as u64),
        arguments: serde_json::json!({ "topic": topic.id, "title": title }),
    };
    crate::audit::record(tx, &entry, now).await?;
    Ok(Published {
        topic: topic.id.clone(),
        title,
        author: row.author_id,
        points,
    })
}

/// Re-posts `topic`'s index in `channels.highlights`: each part edits its earlier post in
/// place; a new part is posted and pinned.
pub async fn refresh_index(
    tx: &mut SqliteConnection,
    config: &Config,
    topic: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let (Some(channel), Some(topic)) = (config.channels.highlights, config.highlights.topic(topic))
    else {
        return Ok(());
    };
    let locale = config.community.default_locale;
    let rows = store::in_topic(tx, &topic.id).await?;
    let lines = render::index_lines(config.discord.guild_id.get(), &rows);
    let parts = rules::parts(&lines, render::PART_LIMIT);
    let posted = store::index_parts(tx, &topic.id).await?;
    for (i, text) in parts.iter().enumerate() {
        let body = render::index_part(topic, i, parts.len(), text, locale);
        match posted.iter().find(|(part, _)| *part == i as i64) {
            Some((_, outbox_id)) => {
                let effect = Effect::EditPost {
                    channel_id: channel,
                    outbox_id: *outbox_id,
                    body,
                };
                outbox::enqueue(tx, &effect, now, None).await?;
            }
            None => {
                let effect = Effect::SendMessage {
                    channel_id: channel,
                    body,
                };
                if let Some(outbox_id) = outbox::enqueue(tx, &effect, now, None).await? {
                    store::add_index_part(tx, &topic.id, i as i64, outbox_id).await?;
                    let pin = Effect::PinPost {
                        channel_id: channel,
                        outbox_id,
                    };
                    outbox::enqueue(tx, &pin, now, None).await?;
                }
            }
        }
    }
    Ok(())
}

/// The start-here DM for a member who was just granted `product` (once per member; nothing
/// when the product has no start-here or no highlights yet). Returns whether a DM was queued.
pub async fn start_here(
    tx: &mut SqliteConnection,
    config: &Config,
    member: i64,
    product: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let Some(wanted) = config
        .highlights
        .start_here
        .iter()
        .find(|h| h.product == product)
    else {
        return Ok(false);
    };
    let topics: Vec<&str> = if wanted.topics.is_empty() {
        config
            .highlights
            .topics
            .iter()
            .map(|t| t.id.as_str())
            .collect()
    } else {
        wanted.topics.iter().map(String::as_str).collect()
    };
    let mut rows = Vec::new();
    for topic in topics {
        rows.extend(store::in_topic(tx, topic).await?);
        if rows.len() >= wanted.count {
            break;
        }
    }
    rows.truncate(wanted.count);
    if rows.is_empty() {
        return Ok(false);
    }
    if !store::mark_start_here(tx, member, product, rows.len() as i64, to_millis(now)).await? {
        return Ok(false);
    }
    let user = UserId::new(member as u64);
    let locale = crate::member_locale::of(tx, user, config.community.default_locale).await?;
    let name = config
        .product(product)
        .map_or_else(|| product.to_string(), |p| p.name.get(locale).to_string());
    let dm = Effect::SendDm {
        user_id: user,
        body: render::start_here(&name, config.discord.guild_id.get(), &rows, locale),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    Ok(true)
}
