//! The mod-log channel: one line per staff-visible event, in the community's language, posted
//! through the outbox in the caller's transaction (so the line exists exactly when the change
//! does). Mentions render but never ping: the worker sends `allowed_mentions: []`.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::config::Config;
use crate::i18n::Locale;
use crate::outbox::{self, Effect, MessageBody};

/// Queues `line` (rendered in `community.default_locale`) for `channels.mod_log`; does nothing
/// when no mod-log channel is configured. Returns whether a line was queued.
pub async fn post(
    tx: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    line: impl FnOnce(Locale) -> String,
) -> sqlx::Result<bool> {
    post_keyed(tx, config, now, None, line).await
}

/// Like [`post`], but at most once per `key` whatever happens (a line about one incident).
pub async fn post_once(
    tx: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    key: &str,
    line: impl FnOnce(Locale) -> String,
) -> sqlx::Result<bool> {
    post_keyed(tx, config, now, Some(key), line).await
}

async fn post_keyed(
    tx: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    key: Option<&str>,
    line: impl FnOnce(Locale) -> String,
) -> sqlx::Result<bool> {
    let Some(channel_id) = config.channels.mod_log else {
        return Ok(false);
    };
    let effect = Effect::SendMessage {
        channel_id,
        body: MessageBody::text(line(config.community.default_locale)),
    };
    outbox::enqueue(tx, &effect, now, key).await?;
    Ok(true)
}

/// A mod-log entry as an embed: a title, fields (name, value) and a colour.
pub struct Entry {
    pub title: String,
    pub fields: Vec<(String, String)>,
    pub color: u32,
}

/// Queues `entry` (rendered in the community's language) as an embed in the mod log.
pub async fn post_embed(
    tx: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    entry: impl FnOnce(Locale) -> Entry,
) -> sqlx::Result<bool> {
    let Some(channel_id) = config.channels.mod_log else {
        return Ok(false);
    };
    let entry = entry(config.community.default_locale);
    let fields: Vec<serde_json::Value> = entry
        .fields
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| {
            let value: String = value.chars().take(1_000).collect();
            serde_json::json!({ "name": name, "value": value, "inline": false })
        })
        .collect();
    let embed = serde_json::json!({
        "title": entry.title,
        "color": entry.color,
        "fields": fields,
        "timestamp": now.to_rfc3339(),
    });
    let effect = Effect::SendMessage {
        channel_id,
        body: MessageBody {
            content: String::new(),
            embeds: vec![embed],
            components: Vec::new(),
            ..Default::default()
        },
    };
    outbox::enqueue(tx, &effect, now, None).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::outbox::store;

    async fn queued_lines(db: &Db) -> Vec<String> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT payload FROM outbox ORDER BY id")
            .fetch_all(&db.read)
            .await
            .unwrap();
        rows.into_iter()
            .map(|(p,)| match serde_json::from_str::<Effect>(&p).unwrap() {
                Effect::SendMessage { body, .. } => body.content,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn a_line_is_queued_in_the_community_language_only_when_a_channel_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("m.db")).await.unwrap();
        let now = crate::clock::from_millis(1_000);
        let with = Config::parse(
            "[discord]\nguild_id = 1\n[channels]\nmod_log = 5\n[community]\ndefault_locale = \"zh-CN\"\n",
        )
        .unwrap();
        let without = Config::parse("[discord]\nguild_id = 1\n").unwrap();

        let mut tx = db.write.begin().await.unwrap();
        assert!(post(&mut tx, &with, now, |l| l.tag().to_string())
            .await
            .unwrap());
        assert!(!post(&mut tx, &without, now, |_| "x".into()).await.unwrap());
        tx.commit().await.unwrap();

        assert_eq!(queued_lines(&db).await, vec!["zh-CN".to_string()]);
        assert_eq!(store::counts(&db).await.unwrap().pending, 1);
    }
}
